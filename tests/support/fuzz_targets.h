#ifndef UNIONSTATE_TESTS_SUPPORT_FUZZ_TARGETS_H_
#define UNIONSTATE_TESTS_SUPPORT_FUZZ_TARGETS_H_

// What each libFuzzer target (fuzz/, fuzz/README.md) does with one input,
// shared with the test that replays every input the fuzzers ever found
// (tests/data/fuzz-regressions/<target>/, tests/robustness/
// fuzz_regressions_test.cc), so a kept input is replayed exactly as it was
// found.
//
// Each target feeds the input to one parser; whatever it returns is fine
// (a value or located diagnostics). A finding is anything else: a crash, a
// sanitizer report, a failed check, or, where the target checks one, a
// broken property, which aborts with a message on stderr.

#include <span>
#include <string_view>

namespace unionstate::testing {

// The targets: toml, observed, bdm_csv, ktab_csv, ktab_xml, decide, deu,
// detect (format detection, then its importer), model_spec, perturb
// (parses, prints and parses again to the same text) and models (anything
// that loads, at most 8 actors and 4 issues, through every model with its
// defaults; the forecast must keep the conformance invariants,
// tests/support/invariants.h).
std::span<const std::string_view> FuzzTargetNames();

// Runs `target` on `input`. False when there is no such target.
bool RunFuzzTarget(std::string_view target, std::string_view input);

}  // namespace unionstate::testing

#endif  // UNIONSTATE_TESTS_SUPPORT_FUZZ_TARGETS_H_
