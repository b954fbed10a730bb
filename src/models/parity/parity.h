#ifndef UNIONSTATE_MODELS_PARITY_PARITY_H_
#define UNIONSTATE_MODELS_PARITY_PARITY_H_

// The parity model: the Union State's decision rule as a two-level game.
//
// Sources. Putnam, R. D. (1988), "Diplomacy and Domestic Politics: The Logic
// of Two-Level Games", International Organization 42(3) 427-460: an
// international agreement needs ratification at home, so it must fall in
// every negotiating state's "win-set", the outcomes its domestic
// constituents prefer to no agreement. The 1999 Treaty on the Creation of a
// Union State rests on parity: "mechanisms on all levels of decision-making
// which Belarus can use to block unwanted developments" (seed 000); the
// Supreme State Council decides unanimously, one vote per state
// (shared/reference/union-state-facts.md, section 2). The split inside the
// win-sets is Nash's (1950) bargaining solution between the states.
//
// Level 1, inside each state. The states are sides of the scenario (by
// default the sides with a veto-holding actor; all sides if none has one;
// or those named by the `states` parameter). For each state s the domestic
// model (any registered model, `compromise` by default) runs on s's actors
// alone and gives the state's position y_s on every issue. The state's
// utility aggregates its actors, weighted by capability:
//
//   U_s(x) = - sum_p sigma_sp (x_p - y_sp)^2,
//   sigma_sp = sum_i c_i s_ip / sum_i c_i
//
// (sums over s's actors; an actor without a stance on p adds nothing to the
// numerator, so a state cares less about an issue few of its actors care
// about)
//
// and its win-set is W_s = { x : U_s(x) >= U_s(q) }, q the status quo. With
// the default domestic model y_s is the capability- and salience-weighted
// mean m_s, and W_s is exactly the set of outcomes that s's actors, weighted
// by capability, prefer to the status quo in sum:
// sum_i c_i s_i [(q - x_i)^2 - (x - x_i)^2] >= 0 <=> (x - m_s)^2 <= (q -
// m_s)^2. On one issue W_s is the interval between q and 2 y_s - q.
//
// Level 2, between the states. Parity: an issue moves away from the status
// quo only inside every state's win-set. When the win-sets meet in more than
// the status quo, the outcome is the asymmetric Nash bargaining solution
//
//   x* = argmax sum_s w_s log(U_s(x) - U_s(q)) + sum_o c_o log(U_o(x) -
//   delta_o)
//
// over the intersection of the win-sets: the states are the veto holders
// (their disagreement point is the status quo); outside actors o (actors
// whose side is not a state: the EU, a protest movement) cannot block but
// pull the split, with utility -sum_p s_op (x_p - x_op)^2 and disagreement
// delta_o their worst utility on the bounding box of the win-sets (as in
// the `nash` model). State weights w_s are equal (sovereign equality) or the
// sum of the state's capabilities (`state_weights`); outside actors weigh
// their capability relative to the mean state weight's capability sum.
// Otherwise the outcome is the status quo and the blocking states are named:
// those whose removal would let the others move (every state when no single
// one is pivotal).
//
// Packages. Issues in a scenario [[packages]] entry are bargained jointly:
// x ranges over all of the package's issues at once, the win-sets are the
// multi-issue sets above, and a state may concede where it cares little to
// gain where it cares more; a package can pass although each of its issues
// alone would be blocked. An issue belongs to at most one package (the
// first that lists it). The maximisation is solved by damped Newton steps
// on the concave objective from a strictly feasible start.
//
// Level 2 measures every issue on its scale mapped to 0..100, so that a
// salience weighs the full width of a scale alike on every issue; this
// matters only for packages of issues in different units (a single issue's
// Nash solution does not depend on the scale).
//
// An issue without a status quo cannot be blocked: its win-sets are the whole
// scale and the states bargain with their worst point as disagreement point.
//
// Parameters
//   name           type    default     meaning
//   domestic       model   compromise  the model that turns each state's actors
//   into
//                                      its position (any registered model spec)
//   state_weights  choice  equal       equal | capability: the states'
//   exponents in
//                                      the Nash product
//   outside        bool    true        outside actors pull the split (false:
//   ignored) states         text    ""          comma-separated sides that are
//   states; empty:
//                                      the sides with a veto-holding actor
//
// Output: one round (round 0, the input positions) with, per state s, the
// issue values "position_<s>" (y_s), "win_set_min_<s>" and "win_set_max_<s>"
// (the extent of W_s along the issue; for a package, of the multi-issue
// win-set's bounding box), and one event of kind "package" per package
// (fields: package, passed, blocking). `blocking` holds side ids.

#include <memory>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& ParityInfo();
Result<std::unique_ptr<Model>> MakeParity(const Parameters& parameters);

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_PARITY_PARITY_H_
