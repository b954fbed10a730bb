#include "ensemble/gram.h"

#include <cstring>

namespace unionstate::internal {
namespace {

// Four or eight doubles, as GCC's vector extension: one AVX2 or AVX-512
// register (two SSE2 ones for V4 in the plain x86-64 build). Each lane
// computes one entry exactly as the scalar loop would, so the width changes
// no bit.
using V4 = double __attribute__((vector_size(32)));
using V8 = double __attribute__((vector_size(64)));

template <typename V>
inline constexpr std::size_t kLanes = sizeof(V) / sizeof(double);

// Loads and adds through memcpy (no alignment assumed); the vectors go by
// reference, never by value, so that no function's ABI depends on the
// instruction set.
template <typename V>
[[gnu::always_inline]] inline void LoadTo(V& x, const double* p) {
  std::memcpy(&x, p, sizeof x);
}
template <typename V>
[[gnu::always_inline]] inline void AddTo(double* p, const V& s) {
  V x;
  std::memcpy(&x, p, sizeof x);
  x += s;
  std::memcpy(p, &x, sizeof x);
}

// Row a of one pass, columns [b, end) in steps of kChunk vectors:
// row[b'] += sum over r of wa[r] * w[r * d + b'], the sum started at 0, r in
// order, added last; the sums held in registers while r runs over the pass.
// Returns the first column left.
template <typename V, std::size_t kChunk>
[[gnu::always_inline]] inline std::size_t RowSteps(const double* __restrict w,
                                                   std::size_t d, std::size_t b,
                                                   std::size_t end,
                                                   const double* wa,
                                                   double* __restrict row) {
  constexpr std::size_t kStep = kChunk * kLanes<V>;
  for (; b + kStep <= end; b += kStep) {
    V s[kChunk];
    for (std::size_t c = 0; c < kChunk; ++c) s[c] = V{};
    for (std::size_t r = 0; r < kGramRuns; ++r) {
      const double* x_row = w + r * d + b;
      for (std::size_t c = 0; c < kChunk; ++c) {
        V x;
        LoadTo(x, x_row + kLanes<V> * c);
        s[c] += wa[r] * x;
      }
    }
    for (std::size_t c = 0; c < kChunk; ++c)
      AddTo(row + b + kLanes<V> * c, s[c]);
  }
  return b;
}

// Row a, columns [b, a]: wide steps, then single vectors, then (after
// AVX-512's) single AVX2 vectors, then one column at a time.
template <typename V>
[[gnu::always_inline]] inline void RowFrom(const double* __restrict w,
                                           std::size_t d, std::size_t a,
                                           std::size_t b, const double* wa,
                                           double* __restrict row) {
  b = RowSteps<V, 8>(w, d, b, a + 1, wa, row);
  b = RowSteps<V, 1>(w, d, b, a + 1, wa, row);
  if constexpr (kLanes < V >> kLanes<V4>)
    b = RowSteps<V4, 1>(w, d, b, a + 1, wa, row);
  for (; b <= a; ++b) {
    double s = 0;
    for (std::size_t r = 0; r < kGramRuns; ++r) s += wa[r] * w[r * d + b];
    row[b] += s;
  }
}

// One pass of kGramRuns runs over rows [a_begin, a_end); inlined into each
// version of Full below, so compiled for each instruction set. Rows go in
// groups of kRows: each vector of columns is loaded once for the group's
// kRows rows, the group's kRows * kChunk sums held in registers (the loads,
// not the arithmetic, bound this loop: four rows at a time took half the
// time of two). Every entry's sum is formed as RowFrom forms it, so neither
// the grouping nor the width changes a bit.
template <typename V, std::size_t kRows, std::size_t kChunk>
[[gnu::always_inline]] inline void Pass(const double* __restrict w,
                                        std::size_t d, std::size_t a_begin,
                                        std::size_t a_end,
                                        double* __restrict g) {
  constexpr std::size_t kStep = kChunk * kLanes<V>;
  std::size_t a = a_begin;
  for (; a + kRows <= a_end; a += kRows) {
    double wr[kRows][kGramRuns];  // the group's rows' values, run by run
    for (std::size_t k = 0; k < kRows; ++k) {
      for (std::size_t r = 0; r < kGramRuns; ++r) wr[k][r] = w[r * d + a + k];
    }
    // Columns [0, a], which every row of the group takes.
    std::size_t b = 0;
    for (; b + kStep <= a + 1; b += kStep) {
      V s[kRows][kChunk];
      for (std::size_t k = 0; k < kRows; ++k) {
        for (std::size_t c = 0; c < kChunk; ++c) s[k][c] = V{};
      }
      for (std::size_t r = 0; r < kGramRuns; ++r) {
        const double* x_row = w + r * d + b;
        V x[kChunk];
        for (std::size_t c = 0; c < kChunk; ++c) {
          LoadTo(x[c], x_row + kLanes<V> * c);
        }
        for (std::size_t k = 0; k < kRows; ++k) {
          for (std::size_t c = 0; c < kChunk; ++c) s[k][c] += wr[k][r] * x[c];
        }
      }
      for (std::size_t k = 0; k < kRows; ++k) {
        for (std::size_t c = 0; c < kChunk; ++c) {
          AddTo(g + (a + k) * d + b + kLanes<V> * c, s[k][c]);
        }
      }
    }
    for (std::size_t k = 0; k < kRows; ++k) {
      RowFrom<V>(w, d, a + k, b, wr[k], g + (a + k) * d);
    }
  }
  for (; a < a_end; ++a) {
    double wa[kGramRuns];
    for (std::size_t r = 0; r < kGramRuns; ++r) wa[r] = w[r * d + a];
    RowFrom<V>(w, d, a, 0, wa, g + a * d);
  }
}

// One version per instruction set, each with the group that fits its
// registers. On this project's machines (AMD EPYC, AVX-512) a pass for the
// Union State's 432 columns took 7.3 microseconds a run before this layout
// and 3.2-4.2 after it; the plain x86-64 version 69 and 14 (bench/README.md,
// "The cross-products").
void FullPlain(const double* w, std::size_t d, std::size_t a_begin,
               std::size_t a_end, double* g) {
  Pass<V4, 4, 1>(w, d, a_begin, a_end, g);
}
[[gnu::target("avx2")]] void FullAvx2(const double* w, std::size_t d,
                                      std::size_t a_begin, std::size_t a_end,
                                      double* g) {
  Pass<V4, 4, 2>(w, d, a_begin, a_end, g);
}
[[gnu::target("avx512f")]] void FullAvx512(const double* w, std::size_t d,
                                           std::size_t a_begin,
                                           std::size_t a_end, double* g) {
  Pass<V8, 4, 2>(w, d, a_begin, a_end, g);
}

}  // namespace

bool GramIsaSupported(GramIsa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case GramIsa::kPlain:
      return true;
    case GramIsa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case GramIsa::kAvx512:
      return __builtin_cpu_supports("avx512f");
  }
  return false;
}

void GramUpdateWith(GramIsa isa, const double* w, std::size_t rows,
                    std::size_t d, std::size_t a_begin, std::size_t a_end,
                    double* g) {
  if (rows == kGramRuns) {
    switch (isa) {
      case GramIsa::kAvx512:
        FullAvx512(w, d, a_begin, a_end, g);
        return;
      case GramIsa::kAvx2:
        FullAvx2(w, d, a_begin, a_end, g);
        return;
      case GramIsa::kPlain:
        FullPlain(w, d, a_begin, a_end, g);
        return;
    }
  }
  // The last, partial pass of an ensemble.
  GramUpdateScalar(w, rows, d, a_begin, a_end, g);
}

void GramUpdateScalar(const double* w, std::size_t rows, std::size_t d,
                      std::size_t a_begin, std::size_t a_end, double* g) {
  for (std::size_t a = a_begin; a < a_end; ++a) {
    double* row = g + a * d;
    for (std::size_t b = 0; b <= a; ++b) {
      double s = 0;
      for (std::size_t r = 0; r < rows; ++r) s += w[r * d + a] * w[r * d + b];
      row[b] += s;
    }
  }
}

void GramUpdate(const double* w, std::size_t rows, std::size_t d,
                std::size_t a_begin, std::size_t a_end, double* g) {
  static const GramIsa best =
      GramIsaSupported(GramIsa::kAvx512) ? GramIsa::kAvx512
      : GramIsaSupported(GramIsa::kAvx2) ? GramIsa::kAvx2
                                         : GramIsa::kPlain;
  GramUpdateWith(best, w, rows, d, a_begin, a_end, g);
}

}  // namespace unionstate::internal
