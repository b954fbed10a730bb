#include "cli/huge_page_arena.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace unionstate::cli {
namespace {

std::uintptr_t Address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

TEST(HugePageArena, HandsOutAlignedBlocksThatDoNotOverlap) {
  HugePageArena arena(1 << 20, /*huge_pages=*/false);
  EXPECT_EQ(arena.capacity(), 0u);  // mapped on first use
  EXPECT_FALSE(arena.Owns(nullptr));
  std::vector<std::pair<std::uintptr_t, std::size_t>> blocks;
  const std::size_t sizes[] = {1, 16, 17, 100, 0, 4096, 3, 33};
  const std::size_t alignments[] = {16, 16, 64, 16, 16, 4096, 32, 16};
  for (int k = 0; k < 8; ++k) {
    void* p = arena.Allocate(sizes[k], alignments[k]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(Address(p) % alignments[k], 0u) << k;
    EXPECT_TRUE(arena.Owns(p));
    std::memset(p, 0xab, sizes[k]);  // writable, whole
    blocks.emplace_back(Address(p), std::max<std::size_t>(sizes[k], 1));
  }
  EXPECT_EQ(arena.capacity(), std::size_t{2} << 20);  // whole huge pages
  std::sort(blocks.begin(), blocks.end());
  for (std::size_t k = 1; k < blocks.size(); ++k) {
    EXPECT_LE(blocks[k - 1].first + blocks[k - 1].second, blocks[k].first);
  }
  // 16-byte rounding: 1 + 16 + 17->32 (+ padding to 64) ... all counted.
  EXPECT_GE(arena.used(), 1u + 16 + 17 + 100 + 16 + 4096 + 3 + 33);
  EXPECT_LT(arena.used(), 2 * 4096u + 1024);
  int on_stack = 0;
  EXPECT_FALSE(arena.Owns(&on_stack));
  std::string elsewhere(1000, 'x');
  EXPECT_FALSE(arena.Owns(elsewhere.data()));
}

TEST(HugePageArena, SaysNoWhenFullAndThenStaysFull) {
  HugePageArena arena(1, /*huge_pages=*/false);  // one huge page's worth
  const std::size_t capacity = std::size_t{2} << 20;
  EXPECT_EQ(arena.Allocate(capacity + 1, 16), nullptr);
  EXPECT_EQ(arena.Allocate(~std::size_t{0}, 16), nullptr);  // no overflow
  void* first = arena.Allocate(capacity - 32, 16);
  ASSERT_NE(first, nullptr);
  void* last = arena.Allocate(32, 16);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(Address(last), Address(first) + capacity - 32);
  EXPECT_EQ(arena.used(), capacity);
  EXPECT_EQ(arena.Allocate(1, 16), nullptr);
  EXPECT_EQ(arena.Allocate(0, 16), nullptr);
  EXPECT_EQ(arena.used(), capacity);
}

// kThreads threads each take kEach blocks of 24 bytes (32 with rounding)
// through `allocate(thread)`, mark each with the thread's number and keep
// its address; then every mark must be intact and the blocks 32 bytes
// apart at least. The addresses, sorted.
constexpr int kThreads = 4;
constexpr int kEach = 20000;

template <class Allocate>
std::vector<std::uintptr_t> DistinctBlocksFromThreads(Allocate allocate) {
  std::vector<std::vector<std::uintptr_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&allocate, &got, t] {
      auto from = allocate();  // this thread's source of blocks
      for (int k = 0; k < kEach; ++k) {
        void* p = from(24);
        if (p == nullptr) break;
        *static_cast<int*>(p) = t;
        got[t].push_back(Address(p));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::uintptr_t> all;
  for (int t = 0; t < kThreads; ++t) {
    for (std::uintptr_t p : got[t]) {
      EXPECT_EQ(*reinterpret_cast<int*>(p), t);
      all.push_back(p);
    }
  }
  std::sort(all.begin(), all.end());
  for (std::size_t k = 1; k < all.size(); ++k) {
    EXPECT_GE(all[k] - all[k - 1], 32u);
  }
  return all;
}

TEST(HugePageArena, ThreadsGetDistinctBlocks) {
  HugePageArena arena(4 << 20, /*huge_pages=*/false);
  const std::vector<std::uintptr_t> all = DistinctBlocksFromThreads([&arena] {
    return [&arena](std::size_t size) { return arena.Allocate(size, 16); };
  });
  // 4 MiB / 32 bytes = 131 072 blocks: room for all 80 000.
  EXPECT_EQ(all.size(), std::size_t{kThreads} * kEach);
  EXPECT_EQ(arena.used(), std::size_t{kThreads} * kEach * 32);
}

TEST(ArenaChunk, SmallBlocksComeSideBySideFromAChunkLargeOnesFromTheArena) {
  HugePageArena arena(1 << 20, /*huge_pages=*/false);
  ArenaChunk chunk;  // empty: takes its bytes at the first block
  void* first = AllocateFromChunk(arena, chunk, 24, 16);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(arena.used(), ArenaChunk::kBytes);  // one chunk taken
  void* second = AllocateFromChunk(arena, chunk, 0, 16);
  void* third = AllocateFromChunk(arena, chunk, 1, 8);
  EXPECT_EQ(Address(second), Address(first) + 32);  // 24 rounded to 32
  EXPECT_EQ(Address(third), Address(second) + 16);  // 0 takes 16 bytes
  EXPECT_EQ(arena.used(), ArenaChunk::kBytes);      // no CAS on the arena
  // Over kLargest, or aligned over 16: from the arena itself.
  void* large = AllocateFromChunk(arena, chunk, ArenaChunk::kLargest + 1, 16);
  ASSERT_NE(large, nullptr);
  EXPECT_GE(Address(large), Address(first) + ArenaChunk::kBytes);
  void* aligned = AllocateFromChunk(arena, chunk, 8, 4096);
  ASSERT_NE(aligned, nullptr);
  EXPECT_EQ(Address(aligned) % 4096, 0u);
  // Filling the chunk takes a new one; every block is 16-aligned, whole,
  // the arena's, and apart from every other.
  std::vector<std::pair<std::uintptr_t, std::size_t>> blocks = {
      {Address(first), 32},
      {Address(second), 16},
      {Address(third), 16},
      {Address(large), ArenaChunk::kLargest + 1},
      {Address(aligned), 8}};
  for (std::size_t size = 1; size <= 4000; size += 37) {
    void* p = AllocateFromChunk(arena, chunk, size, 16);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(Address(p) % 16, 0u);
    EXPECT_TRUE(arena.Owns(p));
    std::memset(p, 0xcd, size);
    blocks.emplace_back(Address(p), size);
  }
  // 217 000 bytes more: four chunks more, the rest of each left unused.
  EXPECT_GE(arena.used(), 4 * ArenaChunk::kBytes);
  std::sort(blocks.begin(), blocks.end());
  for (std::size_t k = 1; k < blocks.size(); ++k) {
    EXPECT_LE(blocks[k - 1].first + blocks[k - 1].second, blocks[k].first);
  }
}

TEST(ArenaChunk, WhenTheArenaHasNoRoomForAChunkBlocksStillComeToTheEnd) {
  HugePageArena arena(1, /*huge_pages=*/false);  // 2 MiB
  const std::size_t capacity = std::size_t{2} << 20;
  ArenaChunk chunk;
  // All but half a chunk, from the arena directly.
  ASSERT_NE(arena.Allocate(capacity - ArenaChunk::kBytes / 2, 16), nullptr);
  std::size_t got = 0;
  while (AllocateFromChunk(arena, chunk, 64, 16) != nullptr) got += 64;
  EXPECT_EQ(got, ArenaChunk::kBytes / 2);  // to the last byte
  EXPECT_EQ(arena.used(), capacity);
  EXPECT_EQ(AllocateFromChunk(arena, chunk, 1, 16), nullptr);
}

TEST(ArenaChunk, ThreadsWithChunksOfTheirOwnGetDistinctBlocks) {
  HugePageArena arena(4 << 20, /*huge_pages=*/false);
  const std::vector<std::uintptr_t> all = DistinctBlocksFromThreads([&arena] {
    return [&arena, chunk = ArenaChunk{}](std::size_t size) mutable {
      return AllocateFromChunk(arena, chunk, size, 16);
    };
  });
  // 80 000 blocks of 32 bytes in 64 KB chunks: 40 chunks of 4 MiB's 64.
  EXPECT_EQ(all.size(), std::size_t{kThreads} * kEach);
  EXPECT_EQ(arena.used(), 40 * ArenaChunk::kBytes);
}

// Where the kernel offers transparent huge pages, the range is 2 MiB
// aligned and the kernel backs it with one: the whole point of the arena.
TEST(HugePageArena, TheRangeIsOneHugePageWhereTheKernelOffersThem) {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(setting)),
                   std::istreambuf_iterator<char>());
  HugePageArena arena(1);
  char* p = static_cast<char*>(arena.Allocate(1 << 20, 16));
  // Off for the whole machine, or for this process (inherited from its
  // parent: some containers and service managers set it).
  if (text.empty() || text.find("[never]") != std::string::npos ||
      prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0) {
    EXPECT_EQ(p, nullptr) << "THP is off: the arena must leave it to malloc";
    GTEST_SKIP() << "transparent huge pages are off here";
  }
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Address(p) % HugePageArena::kHugePage, 0u);
  std::memset(p, 1, 1 << 20);
  // The mapping that holds p, in /proc/self/smaps: its AnonHugePages.
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  long huge_kb = -1;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= Address(p) && Address(p) < to;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      huge_kb = std::stol(line.substr(14));
      break;
    }
  }
  // A fragmented machine may have no free huge page: then the kernel
  // falls back to small pages, which is allowed (and only slower).
  if (huge_kb == 0) GTEST_SKIP() << "the kernel had no free huge page";
  EXPECT_EQ(huge_kb, 2048);
}

}  // namespace
}  // namespace unionstate::cli
