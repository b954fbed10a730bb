#ifndef UNIONSTATE_MODELS_SMP_SMP_ENGINE_H_
#define UNIONSTATE_MODELS_SMP_SMP_ENGINE_H_

// The engine behind the `smp` model (models/smp/smp.h says what the model is):
// KTAB's spatial model of politics on plain arrays, free of Scenario and
// Forecast. Two implementations compute the same numbers bit for bit:
//
//   RunSmpReference  the straightforward one: every utility estimate
//                    U^h_ij stored in an N x N x N array, one function per
//                    equation of shared/reference/ktab.md section 3, one
//                    thread. It is the reference the tests hold the fast one
//                    to and the baseline of bench/smp_bench.cc.
//   RunSmp           the fast one: transposed distance matrices so every
//                    inner loop runs over contiguous memory, pairwise terms
//                    (distances, risk estimates, own utilities, the value of
//                    each bargain) computed once per turn and reused, actors
//                    spread over threads, no logging.
//
// Both perform every floating-point operation of KTAB's smpc in KTAB's order
// (sums in actor order, the same groupings), so deterministic runs reproduce
// smpc's numbers exactly, not just to its printed precision. Both are
// thread-count independent: each actor's work writes only its own slots,
// and stochastic draws are made afterwards, in actor order.

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace unionstate::smp {

// KTAB's nine categorical model parameters (KTAB's names in comments).
enum class VictoryModel { kLinear, kSquare, kQuartic, kOctic, kBinary };
enum class PceModel { kConditional, kMarkovIncentive, kMarkovUniform };
enum class Transitions { kDeterministic, kStochastic };
enum class VotingRule {
  kBinary,
  kPropBin,
  kProportional,  // "Prop"
  kPropCubic,     // "PropCbc"
  kCubic,
  kAsymmetricProspect  // "ASymProsp"
};
enum class RiskAdjust { kNone, kOneThird, kHalf, kTwoThirds, kFull };
enum class RiskRange { kMin, kMid, kMax };
enum class ThirdPartyCommit { kNoCommit, kSemiCommit, kFullCommit };
enum class Interpolation { kS1P1, kS2P2, kS2PMax };
enum class BargainModel { kInitiatorOnly, kInitiatorReceiver, kPowerWeighted };

struct Options {
  VictoryModel victory = VictoryModel::kLinear;
  PceModel pce = PceModel::kConditional;
  Transitions transitions = Transitions::kDeterministic;
  VotingRule voting = VotingRule::kProportional;
  RiskAdjust risk_adjust = RiskAdjust::kOneThird;
  RiskRange risk_range = RiskRange::kMid;
  ThirdPartyCommit commit = ThirdPartyCommit::kSemiCommit;
  Interpolation interpolation = Interpolation::kS2P2;
  BargainModel bargain = BargainModel::kInitiatorOnly;
  // KTAB's stopping rule (ktab.md 3.7): stop after max_turns turns, or once
  // at least min_turns turns were made and the summed movement of the last
  // turn over (that of the first + 1e-4) falls below stop_ratio.
  int max_turns = 100;
  int min_turns = 2;
  double stop_ratio = 0.02;
};

// The problem on KTAB's internal scale: positions in [0, 1] per dimension,
// saliences s_id >= 0 with sum_d s_id in (0, 1], capabilities > 0.
struct Input {
  int actors = 0;
  int dims = 0;
  std::vector<double> capability;  // actors
  std::vector<double> salience;    // actors * dims, row-major by actor
  std::vector<double> position;    // actors * dims
  // Accommodation matrix a_ij (how actor i's ideal follows j's position),
  // actors * actors row-major; empty means the identity (ideal = position).
  std::vector<double> accommodation;
};

// One state of the run (state 0 is the input; state t+1 follows turn t).
struct State {
  std::vector<double> position;  // actors * dims
  std::vector<double> ideal;     // actors * dims
  // Risk attitude R_i inferred in this state (ktab.md 3.2 item 4).
  std::vector<double> risk;
  // The distinct positions (classes within 1e-3), as the index of the first
  // actor holding each; class_of[i] is actor i's class as smpc's
  // State::posProb assigns it; class_probability the PCE over the classes.
  std::vector<int> class_first;
  std::vector<int> class_of;
  std::vector<double> class_probability;
  // The forecast's groups (kernel::ForecastGroups: positions within 1e-3,
  // connected, the same for every order of the actors): group_of[i] is
  // actor i's group, group_head[g] the actor whose position stands for
  // group g, group_probability the PCE over the groups' heads (every actor
  // voting with its own risk-aware utilities, as smpc's pDist(-1)). Mostly
  // the classes themselves, and then their probabilities.
  std::vector<int> group_of;
  std::vector<int> group_head;
  std::vector<double> group_probability;
  // Filled for every state but the last: whom each actor challenged in the
  // turn that starts here (-1: no profitable target), and which entry of
  // its bargain queue it adopted (0 = status quo).
  std::vector<int> target;
  std::vector<int> chosen;
  // For states t >= 1: movement(t-1, t) / (movement(0, 1) + 1e-4).
  double change_ratio = 0;
};

struct Run {
  std::vector<State> states;
};

// Both fail (with a sentence) only when a Markov PCE does not converge in
// 1000 iterations, as smpc does. REQUIRES: a valid Input (CheckInput).
std::expected<Run, std::string> RunSmp(const Input& input,
                                       const Options& options,
                                       std::uint64_t seed, int threads = 0);
std::expected<Run, std::string> RunSmpReference(const Input& input,
                                                const Options& options,
                                                std::uint64_t seed);

// kernel::ProbabilisticElection as the fast engine holds it: from eight
// options up, the conditional PCE's victory probabilities and products in
// SIMD lanes, the same operations on each value and so the same bits; the
// kernel itself for the Markov PCEs, fewer options, and a total that
// underflowed. c is the options' coalitions (options x options). Exposed
// for tests.
std::expected<void, std::string> LaneElection(PceModel pce,
                                              VictoryModel victory, int options,
                                              const double* c,
                                              std::vector<double>& p);

// KTAB's random number generator: std::mt19937_64 seeded with the seed, each
// output passed through KBase::qTrans and scaled to [0, 1]. Exposed for
// tests.
class KtabRandom {
 public:
  explicit KtabRandom(std::uint64_t seed);
  ~KtabRandom();
  KtabRandom(const KtabRandom&) = delete;
  KtabRandom& operator=(const KtabRandom&) = delete;
  std::uint64_t Next();  // qTrans of the next engine output
  double Uniform();      // Next() / (2^64 - 1)
  // KBase::PRNG::probSel: the first index whose running sum reaches a
  // uniform draw (the last one on round-off).
  int Select(const std::vector<double>& probabilities);

 private:
  struct Engine;
  Engine* engine_;
};

}  // namespace unionstate::smp

#endif  // UNIONSTATE_MODELS_SMP_SMP_ENGINE_H_
