#include "ensemble/gram.h"

#include <cstring>

namespace unionstate::internal {
namespace {

// Four doubles, as GCC's vector extension: one AVX2 register, or two SSE2
// ones in the default build. Each lane computes one b exactly as the scalar
// loop would.
using V4 = double __attribute__((vector_size(32)));

// Row a of one pass, columns [b, a]: g[a * d + b'] += sum over r of
// wa[r] * w[r * d + b'], the sum started at 0, r in order, added last.
[[gnu::always_inline]] inline void RowFrom(const double* __restrict w,
                                           std::size_t d, std::size_t a,
                                           std::size_t b, const double* wa,
                                           double* __restrict row) {
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

// One pass of kGramRuns runs over rows [a_begin, a_end); inlined into each
// clone below, so compiled for each instruction set. Rows go in pairs: the
// columns both rows take are loaded once for the two (the loads, not the
// arithmetic, bound this loop); every entry's sum is formed as RowFrom
// forms it, so the pairing changes no bit.
[[gnu::always_inline]] inline void Pass(const double* __restrict w,
                                        std::size_t d, std::size_t a_begin,
                                        std::size_t a_end,
                                        double* __restrict g) {
  std::size_t a = a_begin;
  for (; a + 1 < a_end; a += 2) {
    double wa[kGramRuns];
    double wc[kGramRuns];
    for (std::size_t r = 0; r < kGramRuns; ++r) {
      wa[r] = w[r * d + a];
      wc[r] = w[r * d + a + 1];
    }
    double* __restrict row0 = g + a * d;
    double* __restrict row1 = g + (a + 1) * d;
    constexpr std::size_t kChunk = 4;  // vectors per row: 8 sums in registers
    std::size_t b = 0;
    for (; b + 4 * kChunk <= a + 1; b += 4 * kChunk) {
      V4 s0[kChunk];
      V4 s1[kChunk];
      for (std::size_t c = 0; c < kChunk; ++c) {
        s0[c] = V4{0, 0, 0, 0};
        s1[c] = V4{0, 0, 0, 0};
      }
      for (std::size_t r = 0; r < kGramRuns; ++r) {
        const double* x_row = w + r * d + b;
        for (std::size_t c = 0; c < kChunk; ++c) {
          V4 x;
          std::memcpy(&x, x_row + 4 * c, sizeof x);
          s0[c] += wa[r] * x;
          s1[c] += wc[r] * x;
        }
      }
      for (std::size_t c = 0; c < kChunk; ++c) {
        V4 x;
        std::memcpy(&x, row0 + b + 4 * c, sizeof x);
        x += s0[c];
        std::memcpy(row0 + b + 4 * c, &x, sizeof x);
        std::memcpy(&x, row1 + b + 4 * c, sizeof x);
        x += s1[c];
        std::memcpy(row1 + b + 4 * c, &x, sizeof x);
      }
    }
    RowFrom(w, d, a, b, wa, row0);
    RowFrom(w, d, a + 1, b, wc, row1);
  }
  if (a < a_end) {
    double wa[kGramRuns];
    for (std::size_t r = 0; r < kGramRuns; ++r) wa[r] = w[r * d + a];
    RowFrom(w, d, a, 0, wa, g + a * d);
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
