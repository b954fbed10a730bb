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
// Parameters (name, type, default: meaning)
//   domestic, model, compromise: the model that turns each state's actors
//     into its position (any registered model spec).
//   state_weights, choice, equal: equal | capability, the states'
//     exponents in the Nash product.
//   outside, bool, true: outside actors pull the split (false: ignored).
//   states, text, "": comma-separated sides that are states; empty: the
//     sides with a veto-holding actor (all sides when none has one).
//
// Output: one round (round 0, the input positions) with, per state s, the
// issue values "position_<s>" (y_s), "win_set_min_<s>" and "win_set_max_<s>"
// (the extent of W_s along the issue; for a package, of the multi-issue
// win-set's bounding box), and one event of kind "package" per package
// (fields: package, passed, blocking). `blocking` holds side ids.

#include <memory>
#include <optional>
#include <vector>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& ParityInfo();
Result<std::unique_ptr<Model>> MakeParity(const Parameters& parameters);

// The search for a direction that every state prefers, exposed for its
// tests. `sign[p]` is 1 where the status quo q_p is the scale's minimum (a
// direction may only raise x_p), -1 where it is the maximum, 0 inside.
namespace internal {

// The margin min_s g_s.v / |g_s| that a direction must exceed to count as
// improving.
inline constexpr double kDirectionMargin = 1e-12;

// A direction v from the status quo that strictly improves every state
// (g_s . v > kDirectionMargin |g_s| for every gradient g_s) and keeps to the
// scale and the box |v_p| <= 1; nullopt when none exists. The sum of the
// unit gradients is tried first. For one or two states (the Union State's
// case) the answer then follows from PairValue, the best least margin:
// nullopt when it is at most kDirectionMargin, else the direction that
// attains it (up to rounding; should rounding spoil it, the subgradient
// steps below take over). For more states, one or two of them may show that
// none exists (NoDirectionShown); otherwise projected subgradient steps on
// the least margin decide, and may miss a direction whose margin is a
// sliver.
std::optional<std::vector<double>> ImprovingDirection(
    const std::vector<std::vector<double>>& gradients,
    const std::vector<int>& sign);

// max w.v over the directions v the scale allows in the box |v_p| <= 1.
double DirectionBound(const std::vector<double>& w,
                      const std::vector<int>& sign);

// max over allowed v of min(u.v, w.v), for unit gradients u and w: by the
// minimax theorem (Gordan's alternative), the least DirectionBound of
// lambda u + (1 - lambda) w over lambda in [0, 1]. `best_lambda`, when not
// null, receives the lambda that attains it.
double PairValue(const std::vector<double>& u, const std::vector<double>& w,
                 const std::vector<int>& sign, double* best_lambda);

// Whether one state, or two, show that no direction has a margin over
// `margin` (some PairValue, u = w for one state, is at most `margin`). With
// two states or fewer this is exact; with more it may take more of them,
// and false settles nothing.
bool NoDirectionShown(const std::vector<std::vector<double>>& unit,
                      const std::vector<int>& sign, double margin);

}  // namespace internal

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_PARITY_PARITY_H_
