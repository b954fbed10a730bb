#ifndef UNIONSTATE_CLI_HUGE_PAGE_ARENA_H_
#define UNIONSTATE_CLI_HUGE_PAGE_ARENA_H_

// The first megabytes a command allocates, on transparent huge pages.
//
// On this project's machines (virtual ones) the first touch of each 4 KiB
// page of fresh memory costs 2 to 10 microseconds: a guest page fault, and
// behind it the host's. A 34-actor `run --model smp` touches about 160 heap
// pages, `run --model parity` on the Union State about 110: a fifth to a
// third of the whole command's CPU time. A 2 MiB huge page is one fault and
// the zeroing of 2 MiB, about 0.1 ms (bench/README.md, "Fresh pages").
//
// The program's operator new (operator_new.cc) takes its blocks from one
// such arena before it asks malloc: a bump pointer over a reserved range
// that the kernel is asked (madvise MADV_HUGEPAGE) to back with huge pages.
// A block given back is never reused. That suits what the arena is for: a
// command's first megabytes are mostly kept to its end (`run` keeps its
// scenario and forecast until exit), and since the arena is small, a long
// command (ensemble, serve) loses at most its size to it and then allocates
// from malloc as before. Where THP is off the arena stays unmapped and
// malloc serves every block; where the kernel finds no free huge page
// (memory too fragmented), the range is backed by ordinary pages: slower
// than malloc's reuse by a few faults, never wrong. With THP's `defrag` set
// to `madvise` (Debian's default), the kernel may first compact memory to
// find a huge page, which on a fragmented machine can take milliseconds.
//
// Thread-safe and lock-free. The constructor does nothing but store the
// size, so an arena with static storage is ready before any dynamic
// initialiser runs; it maps its range on the first Allocate.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace unionstate::cli {

class HugePageArena {
 public:
  // The size of a huge page on x86-64 and the range's alignment.
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  // An arena of `bytes` (rounded up to whole huge pages), mapped on first
  // use. `huge_pages` false maps it with ordinary pages (for tests).
  constexpr explicit HugePageArena(std::size_t bytes, bool huge_pages = true)
      : bytes_((bytes + kHugePage - 1) / kHugePage * kHugePage),
        huge_pages_(huge_pages) {}
  ~HugePageArena() = default;  // the range is the process's until exit
  HugePageArena(const HugePageArena&) = delete;
  HugePageArena& operator=(const HugePageArena&) = delete;

  // A block of `size` bytes aligned to `alignment` (a power of two, at most
  // 4096), or nullptr when the rest of the arena cannot hold it, the range
  // could not be mapped, or (with `huge_pages`) the kernel gives no huge
  // pages: THP set to "never" or disabled for the process. Sizes are
  // rounded up to 16 bytes.
  void* Allocate(std::size_t size, std::size_t alignment) noexcept;

  // Whether `p` lies in the arena's range (a block it handed out).
  bool Owns(const void* p) const noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(p);
    return address - begin_.load(std::memory_order_relaxed) <
           bytes_in_range_.load(std::memory_order_relaxed);
  }

  // Bytes handed out so far, alignment padding included.
  std::size_t used() const noexcept;
  // The range's size in bytes; 0 until mapped, and when mapping failed.
  std::size_t capacity() const noexcept {
    return bytes_in_range_.load(std::memory_order_acquire);
  }

 private:
  enum State : int { kUnmapped, kMapping, kReady, kFailed };
  // Maps the range once; false when it could not be mapped.
  bool Map() noexcept;

  const std::size_t bytes_;
  const bool huge_pages_;
  std::atomic<int> state_{kUnmapped};
  std::atomic<std::uintptr_t> begin_{0};
  // begin_ + bytes_in_range_ is the range's end; both are set once, before
  // state_ becomes kReady, so a pointer is never taken for the arena's by
  // mistake: with nothing mapped, `address - 0 < 0` is false.
  std::atomic<std::uintptr_t> bytes_in_range_{0};
  std::atomic<std::uintptr_t> next_{0};
};

// A thread's own chunk of an arena: small blocks are carved from it with a
// plain bump of the thread's pointer, not a compare-and-swap on the arena's
// shared one (a short command allocates about 7 000 blocks, each a locked
// instruction and 25 more). The owner keeps one per thread per arena
// (operator_new.cc: a constinit thread_local); a zero-initialised chunk is
// empty and takes its first kBytes from the arena at the first block.
struct ArenaChunk {
  static constexpr std::size_t kBytes = std::size_t{64} << 10;
  // Larger blocks, and alignments over 16, go to the arena directly, so
  // that a chunk given up for a block it lacks room for wastes little.
  static constexpr std::size_t kLargest = kBytes / 16;
  std::uintptr_t next = 0;
  std::uintptr_t end = 0;
};

// A block of `size` bytes aligned to `alignment` (as HugePageArena::
// Allocate), from `chunk` while it has room, else from `arena`: a new chunk
// for a small block (the rest of the old one is left unused), the block
// itself for a large one. nullptr when the arena has no room left.
inline void* AllocateFromChunk(HugePageArena& arena, ArenaChunk& chunk,
                               std::size_t size,
                               std::size_t alignment) noexcept {
  if (size > ArenaChunk::kLargest || alignment > 16) {
    return arena.Allocate(size, alignment);
  }
  size = size == 0 ? 16 : (size + 15) & ~std::size_t{15};
  // next and end are multiples of 16, so next needs no rounding.
  if (chunk.end - chunk.next < size) {
    void* fresh = arena.Allocate(ArenaChunk::kBytes, 16);
    if (fresh == nullptr) return arena.Allocate(size, alignment);
    chunk.next = reinterpret_cast<std::uintptr_t>(fresh);
    chunk.end = chunk.next + ArenaChunk::kBytes;
  }
  void* block = reinterpret_cast<void*>(chunk.next);
  chunk.next += size;
  return block;
}

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_HUGE_PAGE_ARENA_H_
