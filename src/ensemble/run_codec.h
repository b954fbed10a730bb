#ifndef UNIONSTATE_ENSEMBLE_RUN_CODEC_H_
#define UNIONSTATE_ENSEMBLE_RUN_CODEC_H_

// The bytes in which one MPI rank sends its runs to rank 0
// (src/cli/ensemble_command.cc): a status byte, a count, then per run its
// number, its drawn inputs, and per issue the outcome, the agreement flag and
// the blocking actors, every count and length as a host-order uint64. Rank 0
// reads bytes it did not write, so decoding trusts nothing: every count and
// length is checked against the bytes that are left before it sizes
// anything, and a buffer that does not parse exactly is refused.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/ensemble.h"

namespace unionstate::internal {

// `records` and whether the rank that sends them succeeded.
std::string EncodeRuns(const std::vector<RunRecord>& records, bool ok);

// Appends the runs in `bytes` to `out` and returns the sender's status;
// nullopt (and `out` unchanged) when the bytes are not what EncodeRuns
// writes: truncated, a count larger than the bytes can hold, bytes left over.
std::optional<bool> DecodeRuns(std::string_view bytes,
                               std::vector<RunRecord>& out);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_ENSEMBLE_RUN_CODEC_H_
