#ifndef UNIONSTATE_MODELS_EXCHANGE_EXCHANGE_ENGINE_H_
#define UNIONSTATE_MODELS_EXCHANGE_EXCHANGE_ENGINE_H_

// One round of Stokman & Van Oosten's exchange model, equal-gain variant, as
// decide-exchange-model implements it; exchange.h describes the model. This
// internal header is what the model, its tests and its benchmark share.
//
// All positions are on each issue's scale mapped to 0..100, as in decide.
//
// Two realisation loops give the same exchanges in the same order:
//   * kReference follows decide: after each realised exchange every
//     remaining candidate is offered the change (most ignore it) and the next
//     one is found by a scan of all candidates. O(E^2) for E candidates.
//   * kIndexed keeps the candidates in a max-heap and indexes them by
//     (actor, supply issue) and (actor, demand issue), so a realisation
//     recalculates only the candidates it affects. O(E log E) in practice.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "unionstate/scenario.h"

namespace unionstate::exchange {

enum class Realisation { kReference, kIndexed };

struct Options {
  double fixed_weight = 0.1;     // FIXED_WEIGHT of the new start position
  double salience_weight = 0.4;  // SALIENCE_WEIGHT
  // When an exchange would push the outcome (NBS) of the supply issue past
  // the partner's position, the move is cut. Published rule (false): the
  // move ends at the position that puts the NBS exactly there. decide's code
  // (true): the length of the move is that position itself.
  bool decide_nbs_cut = false;
  // The randomised variant: 0 is equal gain; p > 0 lets one side's gain be
  // drawn between equal gain and its maximum (decide's "REX").
  double random_gain = 0;
  Realisation realisation = Realisation::kIndexed;
  // Compute as decide does, in 28-digit decimals operation for operation and
  // summing in its order, and realise in its order: exact sort by gain,
  // equal gains in the order of its list. Slow; for reproducing decide's
  // numbers (with decide_nbs_cut). Equal gain only.
  bool decide_arithmetic = false;
};

// The negotiation: n actors, m issues; per actor and issue the position
// (0..100, NaN when the actor takes no part), salience and power.
struct Data {
  int actors = 0;
  int issues = 0;
  std::vector<double> position;  // actors * issues, row-major by actor
  std::vector<double> salience;
  std::vector<double> power;
  std::vector<std::string> actor_ids;  // break exact ties in a fixed order
  std::vector<int> scenario_actor;     // this actor's index in the scenario
  // Optional: per issue, the actors in the order decide sums them (its
  // records' order); actor order when empty.
  std::vector<std::vector<int>> sum_order;
  // Filled by decide_arithmetic rounds: the exact decimal positions, so
  // that rounds continue from decide's numbers rather than doubles.
  std::vector<std::string> exact;

  double& x(int a, int i) {
    return position[static_cast<size_t>(a) * issues + i];
  }
  double x(int a, int i) const {
    return position[static_cast<size_t>(a) * issues + i];
  }
  double s(int a, int i) const {
    return salience[static_cast<size_t>(a) * issues + i];
  }
  double c(int a, int i) const {
    return power[static_cast<size_t>(a) * issues + i];
  }
  bool has(int a, int i) const { return x(a, i) == x(a, i); }
};

// A realised exchange: actor_i moves on supply_i (its supply issue, actor
// j's demand issue) and actor_j on supply_j, by equal gain.
struct Exchange {
  int actor_i = 0;
  int supply_i = 0;
  int actor_j = 0;
  int supply_j = 0;
  double gain = 0;
  double start_i = 0;  // supply position before this exchange
  double move_i = 0;
  double voting_i = 0;  // start_i + move_i
  double start_j = 0;
  double move_j = 0;
  double voting_j = 0;
};

struct RoundResult {
  std::vector<double> nbs_start;  // per issue, of the start positions
  std::vector<double>
      nbs_voting;  // per issue, of the voting positions (the forecast)
  std::vector<Exchange> exchanges;  // in the order realised
  std::vector<double> voting;    // positions after the exchanges (Data layout)
  int64_t candidates = 0;        // pairs formed at the start (A x D and B x C)
  int64_t valid_candidates = 0;  // of which could exchange
};

// The engine's view of a scenario: positions mapped to 0..100 of each
// issue's scale; power is the stance's capability. The actors are in the
// order of their ids, so that sums, and hence runs, do not depend on the
// order a scenario lists them in -- unless `decide_order`, which keeps
// decide's orders (the actors as listed, sums in the order of the position
// records) and its decimal normalisation, (x - min) * (100 / (max - min)).
Data FromScenario(const Scenario& scenario, bool decide_order);

// A source of uniform numbers in [0, 1) for the randomised variant; only
// called when random_gain > 0.
class Uniform {
 public:
  virtual ~Uniform() = default;
  virtual double Next() = 0;
};

// Plays one round on `data`: computes the outcomes (NBS), forms every
// candidate exchange, realises them by highest gain, and moves every actor
// that exchanged to its new start position for the next round.
RoundResult PlayRound(Data& data, const Options& options, Uniform* random);

// The capability- and salience-weighted mean per issue (decide's NBS).
std::vector<double> Nbs(const Data& data);

}  // namespace unionstate::exchange

#endif  // UNIONSTATE_MODELS_EXCHANGE_EXCHANGE_ENGINE_H_
