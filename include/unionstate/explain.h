#ifndef UNIONSTATE_EXPLAIN_H_
#define UNIONSTATE_EXPLAIN_H_

// Why a forecast came out as it did, per issue, in one line an analyst can
// read: who blocks or who is pivotal, who moved (or gives up) most, and
// whether the model's rounds settled. It is computed once, here, from the
// scenario and the forecast alone (no model is re-run), and the table
// output, the HTML report and the dashboard all print these same words.
//
//   std::vector<IssueExplanation> why = ExplainForecast(scenario, forecast);
//   why[i].text  // "blocked by belarus; moved most: by_president (-12.5);
//                //  settled by round 3 of 10"
//
// The three parts, in this order:
//
// 1. Blocking or pivotal actor.
//    * "blocked by X, Y" when the forecast names blockers (IssueForecast::
//      blocking): their veto keeps the status quo.
//    * Otherwise "held at X's limit (veto)" when the outcome moved from the
//      status quo and lies, within 1e-6 of the scale, as far from a veto
//      holder's position as the status quo does: that holder would refuse
//      any further move, so it pins the outcome. Veto holders are actors
//      with `veto`, every actor under the unanimity rule, and, for models
//      that report a state's position (parity's `position_<side>`), each
//      side under the parity rule.
//    * Otherwise "pivotal: X (weighted median)": the actor holding the
//      capability x salience weighted median of the final positions, the
//      position no majority of weight can move away from (Black's median
//      voter, weighted).
// 2. Movers. For models with rounds: "moved most: X (+d), Y (-d)", the (at
//    most two) actors whose position on the issue changed most between the
//    input and the last round, signed, in the issue's units; "no net move"
//    when every actor ended where it began. For one-shot models: "gives up
//    most: X (d)", the actor with the largest salience x |position - outcome|,
//    the one the outcome costs most.
// 3. Convergence, as the forecast itself records it (IssueForecast::
//    convergence, docs/output-format.md "Convergence"; one detector, so the
//    table, the report and the JSON never disagree): "one-shot" for models
//    without rounds; "settled by round r of n" (converged from round r;
//    "never moved in n rounds" when r is 0; "stopped by the model's own
//    rule at round n (last move d)" when the model's stop rule ended the
//    play, the only way to converge at the last round); "cycling (period p)
//    from round r, outcome between lo and hi"; "still moving at round n (by
//    d)", d the largest change of any position in the last round; "not
//    iterated" for an issue the rounds left out (nobody takes a position on
//    it).

#include <string>
#include <vector>

#include "unionstate/forecast.h"
#include "unionstate/scenario.h"

namespace unionstate {

// "one-shot" for Convergence::Status::kNotIterated, else
// ConvergenceStatusName: "converged", "cycle" or "unsettled".
const char* ConvergenceWord(const Convergence& convergence);

struct ActorMove {
  std::string actor;  // actor id
  double amount = 0;  // moves: signed change; losses: salience x distance
};

struct IssueExplanation {
  int issue = -1;                     // index into Scenario::issues
  std::vector<std::string> blocking;  // copied from the forecast
  std::string pivotal;         // actor or side id; empty when blocked or none
  std::string pivotal_reason;  // "veto" or "weighted median"
  // Moves between the input and the last round for models with rounds; the
  // losses of a one-shot model otherwise (see movers_are_losses). Largest
  // first, at most two, only non-zero ones.
  std::vector<ActorMove> movers;
  bool movers_are_losses = false;
  Convergence convergence;  // copied from the forecast's IssueForecast
  int rounds = 0;           // rounds after the input
  double last_change = 0;   // largest change of a position in the last round
  std::string text;         // the one line described above
};

// One explanation per issue of `forecast`, in its order.
// REQUIRES: `forecast` was produced from `scenario`.
std::vector<IssueExplanation> ExplainForecast(const Scenario& scenario,
                                              const Forecast& forecast);

}  // namespace unionstate

#endif  // UNIONSTATE_EXPLAIN_H_
