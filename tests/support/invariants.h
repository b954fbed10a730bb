#ifndef UNIONSTATE_TESTS_SUPPORT_INVARIANTS_H_
#define UNIONSTATE_TESTS_SUPPORT_INVARIANTS_H_

// The conformance invariants of one forecast, without gtest, so that the
// model fuzz target (fuzz/models_fuzzer.cc) and the limits test check the
// same things: one forecast per issue in order, outcomes finite and on the
// scale, reported positions on the scale, round 0 holding the scenario's
// positions, probabilities in [0, 1] summing to 1, blockers that exist and
// never beside an agreement.

#include <string>
#include <vector>

#include "unionstate/forecast.h"
#include "unionstate/scenario.h"

namespace unionstate::testing {

// Every invariant `forecast` breaks on `scenario`, one message each; empty
// when it keeps them all.
std::vector<std::string> ConformanceViolations(const Scenario& scenario,
                                               const Forecast& forecast);

}  // namespace unionstate::testing

#endif  // UNIONSTATE_TESTS_SUPPORT_INVARIANTS_H_
