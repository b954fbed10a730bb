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

TEST(HugePageArena, ThreadsGetDistinctBlocks) {
  HugePageArena arena(4 << 20, /*huge_pages=*/false);
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::vector<std::uintptr_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&arena, &got, t] {
      for (int k = 0; k < kEach; ++k) {
        void* p = arena.Allocate(24, 16);  // 32 bytes each
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
  // 4 MiB / 32 bytes = 131 072 blocks: room for all 80 000.
  ASSERT_EQ(all.size(), std::size_t{kThreads} * kEach);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  for (std::size_t k = 1; k < all.size(); ++k) {
    EXPECT_GE(all[k] - all[k - 1], 32u);
  }
  EXPECT_EQ(arena.used(), std::size_t{kThreads} * kEach * 32);
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
