#ifndef UNIONSTATE_MODELS_BDM_BDM_ENGINE_H_
#define UNIONSTATE_MODELS_BDM_BDM_ENGINE_H_

// The arithmetic of one issue of Bueno de Mesquita's expected-utility model
// as reconstructed by Scholz, Calbert & Smith (2011); bdm.h describes the
// model. This internal header exposes the pieces the tests check against the
// oracle (probabilities, expected utilities, risk exponents, offers) and two
// implementations of a round:
//
//   * Naive: every probability P(a, b) sums the votes of all n actors, and
//     Scholz's normaliser sums |v_m(a, b)| over all n^3 (voter, pair)
//     triples: O(n^3) per round. It follows the equations line by line and
//     is the reference.
//   * Fast: the same numbers in O(n^2) per round. On one dimension the
//     voters who prefer a to b are exactly those on a's side of the midpoint
//     (a + b) / 2 (found by comparing |x - a| with |x - b| in floating
//     point, as the naive round does, never by a rounded midpoint), so
//     with the voters sorted by position and, for every
//     target y, prefix sums F_y[k] of f_m(y) = c_m s_m |x_m - y|^r_m / R^r_m,
//     the vote for a over b is (F_b - F_a) over a prefix (or suffix) found by
//     binary search. The normaliser needs, per voter, the sum of pairwise
//     differences of its distances to all actors; sorting the distances by a
//     merge of the two sides of the voter (the actors are sorted once) makes
//     that O(n) per voter.
// Both give the same offers and positions; their values agree to rounding
// (bdm_engine_test.cc checks them against each other). The fast round
// sums over actors in a canonical order (by position, weight, risk
// exponent), so relabelling the actors changes no bit of its results: a
// near-tie between two offers cannot tip one way under one labelling and
// the other way under another.

#include <string>
#include <vector>

namespace unionstate::bdm {

enum class Variant {
  kScholz,  // the published replication, with its three quirks
  kPaper,   // the paper's prose
};

enum class Algorithm { kNaive, kFast };

struct Options {
  Variant variant = Variant::kScholz;
  Algorithm algorithm = Algorithm::kFast;
  double q = 1;  // probability the target does not move anyway
  double t = 1;  // probability such a move is favourable
};

// The state of one issue: per actor capability, salience, position, risk
// exponent, and the fixed range R of the initial positions.
struct State {
  std::vector<double> capability;
  std::vector<double> salience;
  std::vector<double> position;
  std::vector<double> risk;  // r_k, 1 before the first risk update
  double range = 1;          // max - min of the initial positions (> 0)
  // The weighted median of the current positions (used when q < 1);
  // refreshed at the start of UpdateRisk and MoveRound.
  double median = 0;

  size_t size() const { return position.size(); }
};

// Makes the state; every risk exponent starts at 1. REQUIRES: equal lengths.
State MakeState(std::vector<double> capability, std::vector<double> salience,
                std::vector<double> position);

// P(x_a beats x_b) for every ordered pair of actors' current positions,
// row-major n x n (P[a * n + b]); 0 where the positions are equal. Votes use
// each voter's current risk exponent.
std::vector<double> ProbabilityMatrix(const State& state,
                                      const Options& options);

// EU_k(i -> j): the expected utility of actor i challenging actor j, from
// actor k's perspective (k's risk exponent), given the probability matrix.
double ExpectedUtility(const State& state, const Options& options,
                       const std::vector<double>& probability, size_t k,
                       size_t i, size_t j);

// The capability- and salience-weighted mean and median of the positions
// (when no actor has any weight, the plain mean and the lowest position).
double WeightedMean(const State& state);
double WeightedMedian(const State& state);

// Step 1 of a round: every exponent set to 1, danger levels compared across
// actors, all new exponents assigned at once. Exponents lie in [0.5, 2]; when
// every actor is in the same danger they stay 1.
void UpdateRisk(State& state, const Options& options);

enum class OfferKind { kConfrontation, kCompromise, kCapitulation };
const char* OfferKindName(OfferKind kind);

// The offer an actor accepts in a round.
struct Offer {
  size_t actor = 0;        // who moves
  size_t counterpart = 0;  // whose offer it is
  OfferKind kind = OfferKind::kConfrontation;
  double eu_challenge = 0;  // EU_actor(actor -> counterpart)
  double eu_response = 0;   // EU_actor(counterpart -> actor)
  double new_position = 0;
};

// Steps 2-4: every actor's offers from the current positions and exponents,
// each actor's choice, and the simultaneous move. Returns the accepted
// offers in actor order. Of two equally good offers (same key) the one to
// the lower position wins, so positions do not depend on the order of the
// actors; offers to the same position are equivalent, and the counterpart
// reported is the first in actor order (as in the replication).
std::vector<Offer> MoveRound(State& state, const Options& options);

}  // namespace unionstate::bdm

#endif  // UNIONSTATE_MODELS_BDM_BDM_ENGINE_H_
