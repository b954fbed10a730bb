#ifndef UNIONSTATE_COMMON_WORKER_POOL_H_
#define UNIONSTATE_COMMON_WORKER_POOL_H_

// Parallel loops for the ensemble, its summary and the smp engine: a fixed
// set of threads that run the iterations of one loop at a time, the calling
// thread among them.
//
// Written here rather than taken from oneTBB: a plain `run` of one model
// never starts a thread, yet linking libtbb made every command load and
// relocate it and, through it, the shared libstdc++ (about a third of a
// millisecond of CPU per start, bench/README.md). Idle workers sleep on a
// condition variable; a pool made to poll first (the smp engine's, whose
// turns start loops back to back) polls for about 40 microseconds before.
// The ensemble's pools do not poll: their loops are a batch apart, and on a
// machine whose cores all run work, polling threads only take time from
// the threads that work (10^5 draws with --store: 2.65 s wall polling
// against 2.93 s not, bench/README.md).
//
// Loops nest safely: a loop started from inside another loop's iteration
// (an smp run inside an ensemble's) runs on the calling thread, in index
// order, like a plain for loop. Iterations must not depend on their order;
// they may throw, and the first exception thrown is rethrown by For once
// every iteration has ended.

#include <cstddef>
#include <functional>
#include <memory>

namespace unionstate::internal {

class WorkerPool {
 public:
  // `threads` >= 1 threads in all, the calling thread included; 0 means one
  // per hardware thread. One thread starts no worker. `poll`: threads poll
  // briefly for the next loop (or the end of the current one) before they
  // sleep, for loops that follow each other within microseconds.
  explicit WorkerPool(int threads, bool poll = false);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Threads in all, the caller included.
  int size() const { return size_; }

  // Calls body(i, slot) for every i in [0, n), each exactly once, and returns
  // when all have returned. `slot` in [0, size()) names the thread running
  // the call: no two calls run at once with the same slot, so per-slot state
  // (a scratch copy of the scenario) needs no lock. Iterations are handed
  // out `grain` at a time. One thread at a time may call For on a pool
  // (the pool runs one loop at a time). From inside an iteration of any
  // pool's loop, runs every iteration on the calling thread, in order,
  // with the slot that thread has in the outer loop.
  void For(std::size_t n,
           const std::function<void(std::size_t i, int slot)>& body,
           std::size_t grain = 1);

  // True on a thread that is running an iteration of some pool's loop.
  static bool InsideLoop();

 private:
  struct Shared;
  int size_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace unionstate::internal

#endif  // UNIONSTATE_COMMON_WORKER_POOL_H_
