#ifndef UNIONSTATE_MODELS_NEGOTIATIONS_H_
#define UNIONSTATE_MODELS_NEGOTIATIONS_H_

// Runs a multi-issue model once per separate negotiation (dossier) of a
// scenario and puts the forecasts together (issue 18, item 7: exchange traded
// across the 50 unrelated proposals of DEU III, smp bargained on 353
// dimensions at once).
//
// With one negotiation (no dossiers, or one holding every issue) `run` is
// called on the scenario itself, so nothing changes for such scenarios. With
// several, `run` gets Scenario::Restricted(group) for each group of
// Scenario::Negotiations(), less the actors that care about none of the
// group's issues (no salience above 0 there; kept when fewer than two would
// be left), with the same RunOptions (the same seed), and:
//   - issues[] are the groups' issue forecasts, put back at their indices;
//   - an actor left out of a group has no position on its issues in any
//     round (NaN), as if it took no part;
//   - round r holds, for every group, its round r, or its last round when it
//     played fewer (smp stops early): positions, per-actor-and-issue and
//     per-issue values merged by name (NaN where a group has none);
//     events only from groups that played round r;
//   - per-actor round values (smp's win probabilities) are left out: they
//     belong to one negotiation each and do not add up across them.

#include <functional>

#include "unionstate/forecast.h"
#include "unionstate/model.h"
#include "unionstate/scenario.h"

namespace unionstate::internal {

using NegotiationRun =
    std::function<Result<Forecast>(const Scenario&, const RunOptions&)>;

Result<Forecast> RunPerNegotiation(const Scenario& scenario,
                                   const RunOptions& options,
                                   const NegotiationRun& run);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_MODELS_NEGOTIATIONS_H_
