#include "cli/huge_page_arena.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace unionstate::cli {

void* HugePageArena::Allocate(std::size_t size,
                              std::size_t alignment) noexcept {
  const int state = state_.load(std::memory_order_acquire);
  if (state == kFailed) return nullptr;  // no CAS on a shared line each time
  if (state != kReady && !Map()) return nullptr;
  if (size > bytes_) return nullptr;  // also keeps the sums below in range
  size = size == 0 ? 16 : (size + 15) & ~std::size_t{15};
  const std::uintptr_t end = begin_.load(std::memory_order_relaxed) +
                             bytes_in_range_.load(std::memory_order_relaxed);
  std::uintptr_t current = next_.load(std::memory_order_relaxed);
  for (;;) {
    const std::uintptr_t start = (current + alignment - 1) & ~(alignment - 1);
    if (start > end || end - start < size) return nullptr;
    if (next_.compare_exchange_weak(current, start + size,
                                    std::memory_order_relaxed)) {
      return reinterpret_cast<void*>(start);
    }
  }
}

std::size_t HugePageArena::used() const noexcept {
  if (state_.load(std::memory_order_acquire) != kReady) return 0;
  return next_.load(std::memory_order_relaxed) -
         begin_.load(std::memory_order_relaxed);
}

namespace {

// Whether the kernel would back a MADV_HUGEPAGE range with huge pages: THP
// not off ("never") system-wide and not disabled for this process. Without
// them the arena would only cost faults (it never reuses a block), so it
// stays unmapped and every allocation goes to malloc.
// Plain system calls, not Env::ReadFile: this runs inside operator new, so
// it must not allocate.
bool TransparentHugePagesOn() noexcept {
  if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0) return false;
  const int fd =
      open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char text[128];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return false;
  text[n] = '\0';
  // "always [madvise] never": the bracketed word is the setting.
  return std::strstr(text, "[never]") == nullptr;
}

}  // namespace

bool HugePageArena::Map() noexcept {
  int state = kUnmapped;
  if (!state_.compare_exchange_strong(state, kMapping,
                                      std::memory_order_acquire)) {
    // Another thread maps it (only ever at the process's first
    // allocations) or has.
    while ((state = state_.load(std::memory_order_acquire)) == kMapping) {
      sched_yield();
    }
    return state == kReady;
  }
  // The first allocation may come between a failed call and the code that
  // reads its errno: leave errno as it was.
  const int saved_errno = errno;
  if (huge_pages_ && !TransparentHugePagesOn()) {
    errno = saved_errno;
    state_.store(kFailed, std::memory_order_release);
    return false;
  }
  // One huge page more than the range, to align the range to one: the
  // kernel backs only whole aligned 2 MiB blocks with huge pages.
  const std::size_t reserved = bytes_ + (huge_pages_ ? kHugePage : 0);
  void* mapped = mmap(nullptr, reserved, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) {
    errno = saved_errno;
    state_.store(kFailed, std::memory_order_release);
    return false;
  }
  std::uintptr_t start = reinterpret_cast<std::uintptr_t>(mapped);
  if (huge_pages_) {
    const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > start) munmap(mapped, aligned - start);
    const std::uintptr_t tail = start + reserved - (aligned + bytes_);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes_), tail);
    start = aligned;
    // A request: where the kernel finds no free huge page, the range is
    // backed by ordinary pages.
    madvise(reinterpret_cast<void*>(start), bytes_, MADV_HUGEPAGE);
  }
  begin_.store(start, std::memory_order_relaxed);
  next_.store(start, std::memory_order_relaxed);
  bytes_in_range_.store(bytes_, std::memory_order_relaxed);
  errno = saved_errno;
  state_.store(kReady, std::memory_order_release);
  return true;
}

}  // namespace unionstate::cli
