#include "common/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace unionstate::internal {
namespace {

// The slot of the loop iteration this thread is running, or -1.
thread_local int current_slot = -1;

// Sets current_slot for the lifetime of the object.
class SlotScope {
 public:
  explicit SlotScope(int slot) : saved_(current_slot) { current_slot = slot; }
  ~SlotScope() { current_slot = saved_; }
  SlotScope(const SlotScope&) = delete;
  SlotScope& operator=(const SlotScope&) = delete;

 private:
  int saved_;
};

// Waits a little without sleeping: a pause instruction where there is one.
inline void Relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// How long a thread of a polling pool polls before it sleeps: about 20-50
// microseconds, long enough that loops started back to back (an smp
// turn's) find the workers awake.
constexpr int kSpins = 2000;

}  // namespace

// One loop at a time: For publishes it (the loop's fields, then a new
// generation number, under the mutex), the workers take blocks of
// iterations from `next`, and the last worker to finish tells the caller.
// Threads poll briefly before they sleep on a condition variable, so that
// back-to-back loops do not pay a wake-up each.
struct WorkerPool::Shared {
  std::mutex mutex;
  std::condition_variable wake;  // workers: a new loop, or stop
  std::condition_variable done;  // caller: every worker has finished
  std::atomic<std::uint64_t> generation{0};
  std::atomic<bool> stop{false};
  std::atomic<int> busy{0};  // workers still inside the current loop

  // The current loop.
  const std::function<void(std::size_t, int)>* body = nullptr;
  std::size_t n = 0;
  std::size_t grain = 1;
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;  // the first thrown, under `mutex`

  std::vector<std::thread> threads;
  int spins = 0;  // polls before sleeping: kSpins, or 0

  // Runs blocks of the current loop until none is left.
  void Work(int slot) {
    SlotScope scope(slot);
    for (;;) {
      const std::size_t begin =
          next.fetch_add(grain, std::memory_order_relaxed);
      if (begin >= n) return;
      const std::size_t end = std::min(n, begin + grain);
      try {
        for (std::size_t i = begin; i < end; ++i) (*body)(i, slot);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        // Nothing more is handed out: the loop ends as soon as the
        // blocks already taken are done.
        next.store(n, std::memory_order_relaxed);
        return;
      }
    }
  }

  void Worker(int slot) {
    std::uint64_t seen = 0;
    for (;;) {
      auto ready = [&] {
        return stop.load(std::memory_order_acquire) ||
               generation.load(std::memory_order_acquire) != seen;
      };
      for (int i = 0; i < spins && !ready(); ++i) Relax();
      if (!ready()) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, ready);
      }
      if (stop.load(std::memory_order_acquire)) return;
      seen = generation.load(std::memory_order_acquire);
      Work(slot);
      if (busy.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // The caller may be asleep: wake it under the mutex, so that the
        // wake-up cannot fall between its check and its wait.
        std::lock_guard<std::mutex> lock(mutex);
        done.notify_one();
      }
    }
  }
};

WorkerPool::WorkerPool(int threads, bool poll)
    : size_(threads > 0 ? threads
                        : static_cast<int>(std::max(
                              1u, std::thread::hardware_concurrency()))),
      shared_(std::make_unique<Shared>()) {
  shared_->spins = poll ? kSpins : 0;
  shared_->threads.reserve(static_cast<std::size_t>(size_ - 1));
  for (int slot = 1; slot < size_; ++slot)
    shared_->threads.emplace_back(
        [s = shared_.get(), slot] { s->Worker(slot); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stop.store(true, std::memory_order_release);
  }
  shared_->wake.notify_all();
  for (std::thread& t : shared_->threads) t.join();
}

bool WorkerPool::InsideLoop() { return current_slot >= 0; }

void WorkerPool::For(std::size_t n,
                     const std::function<void(std::size_t, int)>& body,
                     std::size_t grain) {
  if (n == 0) return;
  if (InsideLoop() || size_ == 1 || n == 1) {
    // Nested, or nothing to share: a plain loop on this thread.
    const int slot = InsideLoop() ? current_slot : 0;
    SlotScope scope(slot);
    for (std::size_t i = 0; i < n; ++i) body(i, slot);
    return;
  }
  Shared& s = *shared_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.body = &body;
    s.n = n;
    s.grain = std::max<std::size_t>(1, grain);
    s.next.store(0, std::memory_order_relaxed);
    s.error = nullptr;
    s.busy.store(static_cast<int>(s.threads.size()), std::memory_order_relaxed);
    s.generation.fetch_add(1, std::memory_order_release);
  }
  s.wake.notify_all();
  s.Work(0);
  auto finished = [&] { return s.busy.load(std::memory_order_acquire) == 0; };
  for (int i = 0; i < s.spins && !finished(); ++i) Relax();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.done.wait(lock, finished);
    s.body = nullptr;
    error = s.error;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace unionstate::internal
