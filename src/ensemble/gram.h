#ifndef UNIONSTATE_ENSEMBLE_GRAM_H_
#define UNIONSTATE_ENSEMBLE_GRAM_H_

// The ensemble summary's one heavy loop: adding W'W of a block of runs to a
// cross-product matrix. Every entry is formed by the same sequence of
// operations whichever columns a task takes and whichever instruction set
// runs it (no fused multiply-add: the file is built with
// -ffp-contract=off), so the sums are bit-identical on any thread count and
// any x86-64 machine; the loop is compiled for AVX-512, AVX2 and plain
// x86-64, and the widest the machine runs is picked at the first call.

#include <cstddef>

namespace unionstate::internal {

// Runs per pass over the matrix.
inline constexpr std::size_t kGramRuns = 16;

// g[a * d + b] += sum over r < rows of w[r * d + a] * w[r * d + b], for
// rows a in [a_begin, a_end) and b <= a (the lower triangle), with the sum
// over r taken in order from 0 and added last. REQUIRES: rows <= kGramRuns.
void GramUpdate(const double* w, std::size_t rows, std::size_t d,
                std::size_t a_begin, std::size_t a_end, double* g);

// The instruction sets GramUpdate is compiled for; tests run each one this
// machine has (GramIsaSupported) through GramUpdateWith.
enum class GramIsa { kPlain, kAvx2, kAvx512 };
bool GramIsaSupported(GramIsa isa);
void GramUpdateWith(GramIsa isa, const double* w, std::size_t rows,
                    std::size_t d, std::size_t a_begin, std::size_t a_end,
                    double* g);

// The same sums one entry at a time, as written in GramUpdate's contract:
// the last, partial pass of an ensemble, and the baseline of
// bench/gram_bench.cc. Any number of rows.
void GramUpdateScalar(const double* w, std::size_t rows, std::size_t d,
                      std::size_t a_begin, std::size_t a_end, double* g);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_ENSEMBLE_GRAM_H_
