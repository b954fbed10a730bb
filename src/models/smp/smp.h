#ifndef UNIONSTATE_MODELS_SMP_SMP_H_
#define UNIONSTATE_MODELS_SMP_SMP_H_

// KTAB's spatial model of politics (SMP): actors bargain over all issues of
// a scenario at once, each issue a dimension, by challenges whose outcome
// is forecast with "probabilistic Condorcet elections" (PCE). A
// re-implementation of the `smpc` program of the KAPSARC Toolkit for
// Behavioral Analysis (B. Wise et al., KAPSARC, MIT licence; "An
// Introduction to KTAB", "Multidimensional Bargaining using KTAB", KAPSARC
// discussion papers 2015-2017), written from shared/reference/ktab.md,
// section 3, and KTAB's source (fork lsyaseen/KTAB at 3b5b063).
//
// One turn, from the current positions x_i and ideals theta_i (on [0, 1]
// per issue), capabilities c_i and saliences s_id (S_i = sum_d s_id):
//   1. delta_ij = sqrt(sum_d s_id^2 (theta_id - x_jd)^2 / sum_d s_id^2);
//      utility of a distance with risk attitude R: (1 - d)(1 + d R).
//   2. Risk attitudes: a PCE over the N positions with risk-neutral
//      utilities and capability-weighted votes gives p_i; R_i is p_i
//      rescaled to [-1/2, 1] (risk_range = mid): the likeliest position's
//      holder is the most risk averse. h estimates i's attitude as
//      (2 R_h + R_i) / 3 (risk_adjust = one_third).
//   3. Each actor i estimates, for every other j, its expected gain from
//      challenging j: principals and every third party vote (weights S c)
//      in "little contests"; j resists with probability S_j. It targets
//      the best j if the gain exceeds 1e-5 (ties to the first actor).
//   4. i proposes a compromise to j, per issue the (s^2 P^2)-weighted mean
//      of their positions rounded to 4 decimals (interpolation = s2p2), and
//      the proposal joins both actors' queues behind their status quo.
//   5. Every actor evaluates its queue: each entry's value to every actor
//      (its utility averaged over the N positions after the entry), then a
//      PCE over the entries; it adopts its part of the likeliest entry
//      (transitions = deterministic) or of a random one (stochastic).
//   6. Ideals follow positions through the scenario's ideal adjustments
//      (KTAB's accommodation matrix; identity when there are none).
// The run stops after max_turns turns, or when, after at least min_turns,
// the summed movement of the last turn divided by (that of the first turn +
// 1e-4) is below stop_ratio (KTAB: 100, 2, 0.02).
//
// Parameters (KTAB's names and values in brackets; defaults are KTAB's)
//   name           type    default        meaning
//   victory        choice  linear         P(a beats b) from coalition
//                                         strengths [VictoryProbModel:
//                                         Linear, Square, Quartic, Octic,
//                                         Binary]
//   pce            choice  conditional    PCE variant [PCEModel: Conditional,
//                                         MarkovIncentive, MarkovUniform]
//   transitions    choice  deterministic  how an actor picks from its queue
//                                         [StateTransitions]
//   voting         choice  proportional   vote as a function of utility
//                                         difference [VotingRule: Binary,
//                                         PropBin, Prop, PropCbc, Cubic,
//                                         ASymProsp] (prop_bin, prop_cubic,
//                                         asymmetric_prospect)
//   risk_adjust    choice  one_third      how far h's estimate of R_i leans
//                                         to R_i [BigRAdjust: None, OneThird,
//                                         Half, TwoThirds, Full]
//   risk_range     choice  mid            range of R [BigRRange: Min [0,1],
//                                         Mid [-1/2,1], Max [-1,1]]
//   commitment     choice  semi           third parties' commitment
//                                         [ThirdPartyCommit: NoCommit,
//                                         SemiCommit, FullCommit]
//   interpolation  choice  s2p2           bargain interpolation
//                                         [InterVecBrgn: S1P1, S2P2, S2PMax]
//   bargain        choice  initiator      whose view shapes a proposal
//                                         [BargnModel: InitOnlyInterp,
//                                         InitRcvrInterp (initiator_receiver),
//                                         PWCompInterp (power_weighted)]
//   actor_order    choice  id             the order actors are processed
//                                         in, which decides ties ("the first
//                                         actor") and summation order: id
//                                         (sorted by actor id, so listing the
//                                         actors differently changes nothing)
//                                         or input (the file's order, as
//                                         smpc; needed to reproduce smpc
//                                         exactly when ids are not sorted)
//   max_turns      int     100            at most this many turns [1, 10000]
//   min_turns      int     2              no stop before this turn [1, 10000]
//   stop_ratio     double  0.02           the stopping ratio [0, 1]
//
// Reproducing smpc. Every floating-point operation follows smpc's order
// (smp_kernels.h), so deterministic runs in smpc's actor order reproduce
// smpc's positions and probabilities exactly (tests: dummyData_3Dim.csv,
// SOE-Pol-Comp.csv). SMP itself depends on the actors' order (ties go to the
// first actor; sums run in actor order, and a turn's 4-decimal rounding or a
// near-tie can turn on the last bit), so by default the actors are taken in
// order of their ids; actor_order = input takes smpc's file order. Where
// smpc is undefined or stops, this model goes on and says so here:
//   * equal position probabilities (smpc divides by zero): everyone risk
//     neutral; smpc's sanity aborts (utilities "out of range", so
//     risk_adjust = full always aborts there) are not made;
//   * two actors are enough (smpc needs three);
//   * bargain = initiator_receiver and power_weighted: smpc passes j's
//     estimate of i's expected gain where it means j's estimate of
//     P(i beats j), and power_weighted weighs j's view by c_i S_j; both are
//     kept, to give smpc's results;
//   * stochastic transitions draw from KTAB's own generator (mt19937_64
//     with KBase::qTrans) seeded with --seed, one draw per actor and turn in
//     actor order. smpc draws in the order its threads happen to run, so
//     its own stochastic runs differ from run to run even with one seed;
//     ours are reproducible, and equal a smpc run only when smpc's threads
//     happened to draw in actor order. smpc's default seed is
//     15455440707583219804.
//
// Scenario mapping. Issue d of the scenario is dimension d, rescaled from
// [min, max] to [0, 1]. Saliences are used as given when an actor's total
// over the issues is at most 1 (KTAB's own files, imported with
// salience/100); an actor whose total exceeds 1 has its saliences divided
// by that total. An actor without a stance on an issue has salience 0 there
// and sits at the status quo (the middle of the scale when there is
// none); its positions on that issue are left out of the output. Stances'
// own capabilities are ignored: an SMP actor has one capability. Actors
// need capability > 0 and some salience, as in smpc (an error otherwise).
// The scenario's ideal adjustments (KTAB XML <IdealAdjustment>) form the
// accommodation matrix.
//
// Output. Round t is state t (round 0 the input). Per round:
//   positions              every actor's position (issue scale)
//   win_probability        per actor: the probability that the actor's
//                          position wins a PCE among the distinct positions
//                          of the round, shared equally by the actors
//                          holding it (sums to 1)
//   position_win_chance    per actor: smpc's "winning probability", the
//                          probability of the actor's position itself (the
//                          same for every actor holding it; sums to 1 over
//                          distinct positions, not over actors)
//   risk_attitude          per actor: R_i inferred in this round
//   expected_outcome       per issue: sum over distinct positions of their
//                          win probability times their position
//   most_probable_outcome  per issue: the position most likely to win
//   events (rounds >= 1)   "challenge" {actor, target}: the challenges of
//                          the turn that led to this round;
//                          "stop_rule" {ratio, threshold}.
// Distinct positions are KTAB's (within 1e-3 on the [0, 1] scale, in order
// of first appearance) for position_win_chance; for win_probability and the
// outcomes they are the connected groups of that relation, so the result
// does not depend on the order of the actors.
//
// The forecast of an issue (`outcome`) is the final round's
// expected_outcome: smpc ends with clusters of positions and the
// probability that each would win, not with one number; their
// probability-weighted mean summarises that distribution, moves continuously
// with the inputs (the most probable position can jump between clusters on
// a small change) and lies inside the scale. `agreement` is true
// when it moves away from the status quo; SMP has no vetoes, so `blocking`
// is always empty.

#include <memory>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& SmpInfo();
Result<std::unique_ptr<Model>> MakeSmp(const Parameters& parameters);

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_SMP_SMP_H_
