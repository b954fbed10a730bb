// The summary's cross-product kernel (ensemble/gram.h) against the plain
// loop it must equal bit for bit, on every row range and matrix width that
// exercises its vector blocks and tails.

#include "ensemble/gram.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace unionstate::internal {
namespace {

// Every instruction set's version this machine runs, and the one
// GramUpdate picks.
void ExpectThePlainLoop(
    const std::function<void(const double*, std::size_t, std::size_t,
                             std::size_t, std::size_t, double*)>& update,
    const char* what) {
  SCOPED_TRACE(what);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (std::size_t d : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 64, 65,
                        100, 423, 432}) {
    for (std::size_t rows : {kGramRuns, std::size_t{5}}) {
      std::vector<double> w(rows * d);
      for (double& x : w) x = normal(rng);
      std::vector<double> start(d * d);
      for (double& x : start) x = normal(rng);
      // Rows in pieces, as the summary's tasks take them.
      const std::size_t cuts[] = {0, d / 3, d / 3 + 1, d};
      std::vector<double> fast = start;
      for (int k = 0; k < 3; ++k) {
        if (cuts[k] < cuts[k + 1])
          update(w.data(), rows, d, cuts[k], cuts[k + 1], fast.data());
      }
      std::vector<double> plain = start;
      for (std::size_t a = 0; a < d; ++a) {
        for (std::size_t b = 0; b <= a; ++b) {
          double s = 0;
          for (std::size_t r = 0; r < rows; ++r)
            s += w[r * d + a] * w[r * d + b];
          plain[a * d + b] += s;
        }
      }
      for (std::size_t i = 0; i < d * d; ++i)
        ASSERT_EQ(fast[i], plain[i]) << "d " << d << " rows " << rows
                                     << " entry " << i;
    }
  }
}

TEST(Gram, EqualsThePlainLoopBitForBit) {
  ExpectThePlainLoop(GramUpdate, "GramUpdate");
  const struct {
    GramIsa isa;
    const char* name;
  } versions[] = {{GramIsa::kPlain, "plain x86-64"},
                  {GramIsa::kAvx2, "AVX2"},
                  {GramIsa::kAvx512, "AVX-512"}};
  std::string ran;
  for (const auto& v : versions) {
    if (!GramIsaSupported(v.isa)) {
      std::printf("Gram: this machine cannot run the %s version; not tested\n",
                  v.name);
      continue;
    }
    ExpectThePlainLoop(
        [&](const double* w, std::size_t rows, std::size_t d, std::size_t a0,
            std::size_t a1,
            double* g) { GramUpdateWith(v.isa, w, rows, d, a0, a1, g); },
        v.name);
    ran += ran.empty() ? v.name : std::string(", ") + v.name;
  }
  ::testing::Test::RecordProperty("versions", ran);
}

}  // namespace
}  // namespace unionstate::internal
