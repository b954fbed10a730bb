#ifndef UNIONSTATE_MODELS_EXCHANGE_EXCHANGE_H_
#define UNIONSTATE_MODELS_EXCHANGE_EXCHANGE_H_

// Stokman's exchange model, equal-gain variant: issue linkage. Actors on
// opposite sides of the outcomes of two issues trade voting positions, each
// giving ground where it cares less to gain where it cares more.
//
// Sources: Stokman & Van Oosten (1994), "The exchange of voting positions:
// an object-oriented model of policy networks", in Bueno de Mesquita &
// Stokman (eds.), European Community Decision Making, Yale UP, 105-127; the
// implementation foarsitter/decide-exchange-model (Python, GPL-3.0), read
// to understand and reproduced here by its published outputs
// (shared/oracles/exchange_model). Algorithm: shared/reference/models.md,
// section 2.
//
// Positions are taken on each issue's scale mapped to 0..100. A round:
//   1. The outcome of every issue is the NBS, sum c s x / sum c s (the
//      compromise model); an actor is "left" on an issue when x < NBS.
//   2. For every pair of issues (p, q), in scenario order, actors with a
//      position on both are grouped: right on both (A), left on p and right
//      on q (B), right on p and left on q (C), left on both (D). Every A-D
//      and B-C pair is a candidate exchange.
//   3. Roles: the actor with the larger relative salience s_q / s_p demands
//      q and supplies p (moves its voting position on p towards the other);
//      the other supplies q and demands p.
//   4. Equal gain. A move of d by actor k on issue r shifts the NBS by
//      rho = d s_kr c_kr / sum_r(c s). The supplier of p first moves all the
//      way to its partner's position, and the partner's move on q follows
//      from equal gain, rho_q = rho_p (s_Ip + s_Jp) / (s_Iq + s_Jq); if that
//      would overshoot, the supplier of q moves all the way instead. The gain
//      is |rho_q s_Iq - rho_p s_Ip|, the same for both.
//   5. NBS cut: if a move would carry the NBS of the supply issue past the
//      partner's position, the move is cut so that the NBS lands exactly on
//      it, and the partner's move is recomputed from equal gain.
//   6. Validity: 1e-10 < |move| <= 100, the voting position inside 0..100,
//      an actor's moves on an issue within the round in one direction and
//      summing to at most 100, and a gain above 1e-10.
//   7. Realisation: the valid candidate with the highest gain is realised;
//      every other candidate in which an actor supplies the same issue
//      continues from the realised voting position, and every candidate in
//      which an actor demands an issue the realised exchange moved sees the
//      new position in its NBS; they are recalculated, invalid ones dropped.
//      Repeat until none is left.
//   8. The round's forecast is the NBS of the voting positions. Actors that
//      exchanged start the next round at x + w (y - x), w = fixed_weight +
//      salience_weight (1 - s).
//
// Departures and choices, said plainly:
//   * The NBS cut (parameter `behaviour`): decide computes, in step 5, the
//     *position* that puts the NBS on the partner and then uses it as the
//     *length* of the move -- an apparent bug. The default, `published`,
//     moves to that position; `decide` reproduces decide's numbers (its
//     oracle runs use it), with its 28-digit decimals and its orders too.
//   * Ties: decide realises one of two candidates with gains within 1e-20 at
//     random; here exact ties go in a fixed order (the actors' ids, then the
//     issues), so a run does not depend on the order of the actors. None of
//     decide's shipped data has a tie.
//   * decide keeps, per candidate, a history of moves with some stale
//     entries after recalculation; its validity rule reads that history, and
//     so does this one, to give the same exchanges.
//   * After the 36th round-1 exchange on the CoP21 data decide departs from
//     the older reference list it was checked against (the oracle README);
//     this model follows decide.
//   * random_gain = p > 0: the randomised variant. One side of each candidate
//     exchange, chosen at random, gains more (up to the most it could get
//     with its partner not worse off) or less than the equal gain, by a
//     uniform fraction of p; the moves follow from that gain. Candidates are
//     still realised by their equal gain. Draws come from a pcg64 stream of
//     the run's seed, so a run is reproducible; decide's own REX variant is
//     not reproduced (its code mixes the signs of moves).
//
// Parameters (name, type, default: meaning)
//   rounds, int, 10: rounds to play (0..1000).
//   fixed_weight, double, 0.1: w's fixed part in the new start position.
//   salience_weight, double, 0.4: w's salience part.
//   behaviour, choice, published: published | decide (above).
//   random_gain, double, 0: p of the randomised variant (0: equal gain).
//
// Output per round (round 0: the input): the voting positions after the
// round's exchanges; per issue "weighted_outcome" (the NBS of the voting
// positions, the round's forecast) and "start_outcome" (the NBS of the
// round's start positions); events of kind "exchange" in the order realised:
// actor_i, supply_i (issue id), actor_j, supply_j, gain, start_i, move_i,
// voting_i, start_j, move_j, voting_j (positions and moves on the issues'
// own scales). The forecast is the last round's weighted outcome.

#include <memory>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& ExchangeInfo();
Result<std::unique_ptr<Model>> MakeExchange(const Parameters& parameters);

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_EXCHANGE_EXCHANGE_H_
