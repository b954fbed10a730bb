#include "ensemble/gram.h"

#include <cstring>

namespace unionstate::internal {
namespace {

// Four doubles, as GCC's vector extension: one AVX2 register, or two SSE2
// ones in the default build. Each lane computes one b exactly as the scalar
// loop would.
using V4 = double __attribute__((vector_size(32)));

// One pass of kGramRuns runs over rows [a_begin, a_end); inlined into each
// clone below, so compiled for each instruction set.
[[gnu::always_inline]] inline void Pass(const double* __restrict w,
                                        std::size_t d, std::size_t a_begin,
                                        std::size_t a_end,
                                        double* __restrict g) {
  for (std::size_t a = a_begin; a < a_end; ++a) {
    double wa[kGramRuns];
    for (std::size_t r = 0; r < kGramRuns; ++r) wa[r] = w[r * d + a];
    double* __restrict row = g + a * d;
    std::size_t b = 0;
    // Eight vectors of b at a time, their sums held in registers while r
    // runs over the pass (each sum still starts at 0 and adds r in order).
    constexpr std::size_t kChunk = 8;
    for (; b + 4 * kChunk <= a + 1; b += 4 * kChunk) {
      V4 s[kChunk];
      for (std::size_t c = 0; c < kChunk; ++c) s[c] = V4{0, 0, 0, 0};
      for (std::size_t r = 0; r < kGramRuns; ++r) {
        const double* x_row = w + r * d + b;
        for (std::size_t c = 0; c < kChunk; ++c) {
          V4 x;
          std::memcpy(&x, x_row + 4 * c, sizeof x);
          s[c] += wa[r] * x;
        }
      }
      for (std::size_t c = 0; c < kChunk; ++c) {
        V4 x;
        std::memcpy(&x, row + b + 4 * c, sizeof x);
        x += s[c];
        std::memcpy(row + b + 4 * c, &x, sizeof x);
      }
    }
    for (; b + 4 <= a + 1; b += 4) {
      V4 s = {0, 0, 0, 0};
      V4 x;
      for (std::size_t r = 0; r < kGramRuns; ++r) {
        std::memcpy(&x, w + r * d + b, sizeof x);
        s += wa[r] * x;
      }
      std::memcpy(&x, row + b, sizeof x);
      x += s;
      std::memcpy(row + b, &x, sizeof x);
    }
    for (; b <= a; ++b) {
      double s = 0;
      for (std::size_t r = 0; r < kGramRuns; ++r) s += wa[r] * w[r * d + b];
      row[b] += s;
    }
  }
}

[[gnu::target_clones("avx512f", "avx2", "default")]] void Full(
    const double* w, std::size_t d, std::size_t a_begin, std::size_t a_end,
    double* g) {
  Pass(w, d, a_begin, a_end, g);
}

}  // namespace

void GramUpdate(const double* w, std::size_t rows, std::size_t d,
                std::size_t a_begin, std::size_t a_end, double* g) {
  if (rows == kGramRuns) {
    Full(w, d, a_begin, a_end, g);
    return;
  }
  // The last, partial pass of an ensemble: plain loops.
  for (std::size_t a = a_begin; a < a_end; ++a) {
    double* row = g + a * d;
    for (std::size_t b = 0; b <= a; ++b) {
      double s = 0;
      for (std::size_t r = 0; r < rows; ++r) s += w[r * d + a] * w[r * d + b];
      row[b] += s;
    }
  }
}

}  // namespace unionstate::internal
