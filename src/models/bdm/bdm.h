#ifndef UNIONSTATE_MODELS_BDM_BDM_H_
#define UNIONSTATE_MODELS_BDM_BDM_H_

// Bueno de Mesquita's expected-utility "group decision" model, as
// reconstructed by Scholz, Calbert & Smith (2011), "Unravelling Bueno De
// Mesquita's group decision model", Journal of Theoretical Politics 23(4)
// 510-531, of Bueno de Mesquita (1994), "Political forecasting: an expected
// utility method", in Bueno de Mesquita & Stokman (eds.), European Community
// Decision Making, Yale UP. Equations: shared/reference/models.md, section 1.
//
// Issue by issue, actors with capability c, salience s and position x
// (R = the range of the initial positions) play rounds of:
//   1. Risk update. With every exponent 1, each actor k's danger
//      S_k = sum_j EU_k(j -> k) is compared across actors:
//      R_k = (2 S_k - max S - min S) / (max S - min S),
//      r_k = (1 - R_k / 3) / (1 + R_k / 3), in [0.5, 2]; all set at once.
//   2. Offers. For every pair, from actor i's perspective (its exponent r_i)
//      e_ij = EU_i(i -> j), e_ji = EU_i(j -> i), where
//        EU_k(i -> j) = s_j [P Us + (1 - P) Uf] + (1 - s_j) Us - Q Usq
//                       - (1 - Q) [T Ub + (1 - T) Uw],
//        Us, Uf = 2 - 4 (0.5 -+ 0.5 |x_i - x_j| / R)^r_k, Usq = 2 - 4
//        (0.5)^r_k, Ub, Uw = 2 - 4 (0.5 -+ 0.25 (|x_i - mu| + |x_i - x_j|) /
//        R)^r_k
//          (mu the capability- and salience-weighted median; they matter only
//          when Q < 1),
//      and P = P(x_i beats x_j) from the votes
//        v_m(a, b) = c_m s_m [(|x_m - b| / R)^r_m - (|x_m - a| / R)^r_m]:
//        P(a, b) = sum_m max(0, v_m(a, b)) / Z.
//      e_ji > e_ij > 0: i loses a confrontation and moves to x_j;
//      e_ji > 0 > e_ij, e_ji > |e_ij|: i compromises to
//        x_i + (x_j - x_i) |e_ij / e_ji|;
//      e_ji > 0 > e_ij, e_ji < |e_ij|: i capitulates to x_j (see the variants).
//   3. Choice. Each actor takes the confrontation closest to its position,
//      else a compromise, else a capitulation (closest).
//   4. All positions move at once.
//
// Variants (parameter `variant`): the replication that reproduces Scholz et
// al.'s published run (jmckib/dmasad's code, which follows Scholz's own)
// departs from the paper's prose in three places, and `scholz` keeps all
// three while `paper` follows the prose:
//   * normaliser: scholz divides every vote sum by one global Z, the sum of
//     |v_m(a, b)| over all voters and all ordered pairs of actors (tiny
//     probabilities); paper uses Z = sum_m |v_m(a, b)| for the pair, so
//     P(a, b) + P(b, a) = 1;
//   * compromise choice: scholz takes the compromise minimising
//     (|e_ij| x_i + |e_ji| x_j) / (|e_ij| + |e_ji|) (why Belgium jumps to the
//     Netherlands in round 4); paper takes the smallest move;
//   * capitulation: scholz's test (e_ji < |e_ji|) never holds, so nobody
//     capitulates; paper capitulates when e_ji < |e_ij|.
// Both compare dangers across actors in the risk update, as Scholz does (the
// paper's intent, comparing an actor's danger across its own possible
// positions, is not reproduced by any public code). The default is `scholz`:
// it is the only variant checked digit for digit against a published run
// (shared/oracles/bdm_scholz); `paper` has no oracle.
//
// Of two equally good offers (same key) the one to the lower position wins,
// so positions do not depend on the order of the actors; offers to the same
// position are equivalent, and the counterpart reported is the first in
// scenario order, as in the replication. Every sum over actors runs in a
// canonical order (bdm_engine.h), so reordering the actors changes no bit of
// the positions, exponents or forecast. When every actor is in the same
// danger, exponents stay 1. An issue on which all positions are equal does not
// move.
//
// Forecast: the weighted mean (sum c s x / sum c s) after the last round
// (`forecast = mean`, Scholz et al.'s reported quantity) or the weighted
// median (`forecast = median`, BDM's). Where every c s of an issue is 0 the
// rounds' weighted_mean and weighted_median fall back to the plain mean and
// the lowest position; an issue whose saliences are all 0 is forecast as in
// every model (its status quo, no agreement; models/issue_stances.h).
// `agreement` per the Forecast contract.
//
// Parameters
//   name      type    default  meaning
//   rounds    int     10       rounds to play (0..10000)
//   stop      double  0        stop an issue early when no position moved
//                              more than stop * R in a round (0: always play
//                              every round)
//   q         double  1        Q, probability the target does not move anyway
//   t         double  1        T, probability such a move is favourable
//   variant   choice  scholz   scholz | paper (above)
//   forecast  choice  mean     mean | median
//
// Output per round (docs/output-format.md): positions after the round;
// "risk_exponent" (per actor and issue, the exponents used in the round's
// offers); "weighted_mean" and "weighted_median" (per issue); events of kind
// "offer", one per actor that moves: actor, issue, offer (confrontation |
// compromise | capitulation), counterpart, eu_challenge (e_ij),
// eu_response (e_ji), new_position. An issue that stopped early repeats its
// last positions with no offers.

#include <memory>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& BdmInfo();
Result<std::unique_ptr<Model>> MakeBdm(const Parameters& parameters);

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_BDM_BDM_H_
