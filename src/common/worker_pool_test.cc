// The ensemble's and the smp engine's parallel loops (common/worker_pool.h).

#include "common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace unionstate::internal {
namespace {

TEST(WorkerPool, EveryIterationRunsOnceWhateverTheGrain) {
  for (bool poll : {false, true})
    for (int threads : {1, 2, 4}) {
      WorkerPool pool(threads, poll);
      EXPECT_EQ(pool.size(), threads);
      for (std::size_t grain : {1, 3, 64}) {
        for (std::size_t n : {0, 1, 2, 7, 1000}) {
          std::vector<std::atomic<int>> hits(n);
          pool.For(
              n, [&](std::size_t i, int) { ++hits[i]; }, grain);
          for (std::size_t i = 0; i < n; ++i)
            ASSERT_EQ(hits[i].load(), 1) << threads << " " << grain << " " << n;
        }
      }
    }
}

TEST(WorkerPool, NoTwoThreadsShareASlotAtOnce) {
  for (bool poll : {false, true}) {
    WorkerPool pool(4, poll);
    std::vector<std::atomic<int>> inside(4);
    std::atomic<int> clashes{0};
    std::atomic<int> out_of_range{0};
    for (int loop = 0; loop < 50; ++loop) {
      pool.For(200, [&](std::size_t, int slot) {
        if (slot < 0 || slot >= 4) {
          ++out_of_range;
          return;
        }
        if (inside[slot].fetch_add(1) != 0) ++clashes;
        std::this_thread::yield();
        --inside[slot];
      });
    }
    EXPECT_EQ(out_of_range.load(), 0) << poll;
    EXPECT_EQ(clashes.load(), 0) << poll;
  }
}

TEST(WorkerPool, ANestedLoopRunsInOrderOnTheCallingThread) {
  WorkerPool outer(3);
  WorkerPool inner(3);
  std::atomic<int> wrong{0};
  outer.For(12, [&](std::size_t, int slot) {
    EXPECT_TRUE(WorkerPool::InsideLoop());
    const std::thread::id me = std::this_thread::get_id();
    std::size_t expected = 0;
    inner.For(20, [&](std::size_t i, int inner_slot) {
      if (std::this_thread::get_id() != me || i != expected++ ||
          inner_slot != slot)
        ++wrong;
    });
  });
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_FALSE(WorkerPool::InsideLoop());
}

TEST(WorkerPool, TheFirstExceptionReachesTheCallerAndThePoolGoesOn) {
  WorkerPool pool(2);
  std::atomic<int> ran{0};
  EXPECT_THROW(
      pool.For(1000,
               [&](std::size_t i, int) {
                 ++ran;
                 if (i == 10) throw std::runtime_error("ten");
                 std::this_thread::sleep_for(std::chrono::microseconds(100));
               }),
      std::runtime_error);
  EXPECT_LT(ran.load(), 1000);  // the rest is not handed out
  std::int64_t sum = 0;
  std::mutex m;
  pool.For(100, [&](std::size_t i, int) {
    std::lock_guard<std::mutex> lock(m);
    sum += static_cast<std::int64_t>(i);
  });
  EXPECT_EQ(sum, 4950);
}

TEST(WorkerPool, ZeroThreadsMeansOnePerHardwareThread) {
  WorkerPool pool(0);
  EXPECT_EQ(pool.size(), static_cast<int>(std::max(
                             1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace unionstate::internal
