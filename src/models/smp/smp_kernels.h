#ifndef UNIONSTATE_MODELS_SMP_SMP_KERNELS_H_
#define UNIONSTATE_MODELS_SMP_SMP_KERNELS_H_

// The scalar formulas of KTAB's SMP (shared/reference/ktab.md, section 3),
// shared by the reference and the fast engine so that both perform the same
// floating-point operations in the same order as KTAB's smpc. Each function
// names the KTAB function it follows; the expressions keep KTAB's grouping
// on purpose (e.g. (2*rh + ri) / 3 is not simplified): a different rounding
// would make long runs drift apart at near-ties.

#include <cmath>
#include <expected>
#include <string>
#include <vector>

#include "models/smp/smp_engine.h"

namespace unionstate::smp::kernel {

// Constants of smpc, all fixed there.
inline constexpr double kPositionTolerance = 1e-3;   // SMPModel::posTol
inline constexpr double kCoalitionFloor = 1e-8;      // Model::coalitions
inline constexpr double kChallengeFloor = 1e-10;     // probEduChlg minCltn
inline constexpr double kMinSignificantGain = 1e-5;  // bestChallenge
inline constexpr double kInterpolationFloor = 1e-6;  // interpBrgn minW
inline constexpr double kStopFloor = 1e-4;           // configExec
inline constexpr int kMaxMarkovIterations = 1000;

// Model::vote: the vote of an actor of weight w on utility difference
// ua - ub (positive supports a).
inline double Vote(VotingRule rule, double w, double ua, double ub) {
  const double du = ua - ub;
  double binary = du / 1e-8;
  binary = binary > 1 ? 1 : binary;
  binary = binary < -1 ? -1 : binary;
  switch (rule) {
    case VotingRule::kBinary:
      return w * binary;
    case VotingRule::kPropBin: {
      const double rbp = 0.2;
      return w * ((1 - rbp) * du + rbp * binary);
    }
    case VotingRule::kProportional:
      return w * du;
    case VotingRule::kPropCubic: {
      const double rpc = 0.5;
      return w * ((1 - rpc) * du + rpc * (du * du * du));
    }
    case VotingRule::kCubic:
      return w * (du * du * du);
    case VotingRule::kAsymmetricProspect:
      if (du < 0) return w * du;
      if (du > 0) return (2.0 * w * du) / 3.0;
      return 0;
  }
  return 0;
}

// Model::vProb(vpm, s1, s2): the probabilities that coalition strengths s1
// and s2 win against each other.
struct VictoryPair {
  double first;
  double second;
};
inline VictoryPair VictoryProbabilities(VictoryModel model, double s1,
                                        double s2) {
  double x1 = 0;
  double x2 = 0;
  switch (model) {
    case VictoryModel::kLinear:
      x1 = s1;
      x2 = s2;
      break;
    case VictoryModel::kSquare:
      x1 = s1 * s1;
      x2 = s2 * s2;
      break;
    case VictoryModel::kQuartic:
      x1 = s1 * s1 * s1 * s1;
      x2 = s2 * s2 * s2 * s2;
      break;
    case VictoryModel::kOctic: {
      const double q1 = s1 * s1 * s1 * s1;
      const double q2 = s2 * s2 * s2 * s2;
      x1 = q1 * q1;
      x2 = q2 * q2;
      break;
    }
    case VictoryModel::kBinary: {
      const double threshold = 1.10;
      const double floor = 1e-6;
      if (s1 >= threshold * s2) {
        x1 = 1.0;
        x2 = floor;
      } else if (s2 >= threshold * s1) {
        x1 = floor;
        x2 = 1.0;
      } else {
        const double r12 = s1 / (s1 + s2);
        const double p12 = (r12 * (threshold + 1.0) - 1.0) / (threshold - 1.0);
        x1 = p12;
        x2 = 1 - p12;
      }
      break;
    }
  }
  return {x1 / (x1 + x2), x2 / (x1 + x2)};
}

// SMPModel::bsUtil: utility of salience-weighted distance d with risk
// attitude r.
inline double DistanceUtility(double d, double r) {
  if (d <= 1) return (1 - d) * (1 + d * r);
  return (1 - d) * (1 + r);
}

// Model::estNRA: h's estimate of i's risk attitude.
inline double EstimateRisk(RiskAdjust adjust, double rh, double ri) {
  switch (adjust) {
    case RiskAdjust::kFull:
      return ri;
    case RiskAdjust::kTwoThirds:
      return (rh + (2.0 * ri)) / 3.0;
    case RiskAdjust::kHalf:
      return (rh + ri) / 2;
    case RiskAdjust::kOneThird:
      return ((2.0 * rh) + ri) / 3.0;
    case RiskAdjust::kNone:
      return rh;
  }
  return rh;
}

// SMPModel::bvDiff with precomputed sum_d s_d^2 (> 0): the salience-weighted
// distance between ideal `from` and position `to` of `dims` coordinates.
inline double WeightedDistance(const double* from, const double* to,
                               const double* salience, int dims,
                               double salience_squares) {
  double sum = 0;
  for (int d = 0; d < dims; ++d) {
    const double ds = (from[d] - to[d]) * salience[d];
    sum = sum + ds * ds;
  }
  return std::sqrt(sum / salience_squares);
}
inline double SalienceSquares(const double* salience, int dims) {
  double sum = 0;
  for (int d = 0; d < dims; ++d) sum = sum + salience[d] * salience[d];
  return sum;
}

// KBase::norm of the difference of two positions (Euclidean), and its
// square (the sum under the root).
inline double SquaredDistance(const double* a, const double* b, int dims) {
  double sum = 0;
  for (int d = 0; d < dims; ++d) {
    const double x = a[d] - b[d];
    sum = sum + x * x;
  }
  return sum;
}
inline double EuclideanDistance(const double* a, const double* b, int dims) {
  return std::sqrt(SquaredDistance(a, b, dims));
}

// std::sqrt(squared) < tolerance, the root taken only near the boundary:
// the square root is correctly rounded and so monotone, hence a square below
// (0.9 tolerance)^2 is always within and one above (1.1 tolerance)^2 never
// is. The same answer as the root for every sum of squares (any value >= 0,
// infinity and NaN included).
inline bool RootBelow(double squared, double tolerance) {
  if (squared < 0.81 * tolerance * tolerance) return true;
  if (squared > 1.21 * tolerance * tolerance) return false;
  return std::sqrt(squared) < tolerance;
}

// Actor::vProbLittle: third party n's "little contest" probability that i
// wins, from the principals' strengths ci, cj and n's own vote.
inline double LittleContest(VotingRule rule, double wn, double uni, double unj,
                            double ci, double cj) {
  const double vn = Vote(rule, wn, uni, unj);
  const double cni = vn > 0 ? ci + vn : ci;
  const double cnj = vn < 0 ? cj - vn : cj;
  return cni / (cni + cnj);
}

// Actor::thirdPartyVoteSU: third party n's vote between joining i and
// joining j, with little-contest probability pin.
inline double ThirdPartyVote(ThirdPartyCommit commit, VotingRule rule,
                             double wn, double pin, double pjn, double uni,
                             double unj, double unn) {
  double join_i_wins = 0;   // n joins i, i wins
  double join_i_loses = 0;  // n joins i, j wins
  double join_j_loses = 0;  // n joins j, i wins
  double join_j_wins = 0;   // n joins j, j wins
  switch (commit) {
    case ThirdPartyCommit::kFullCommit:
      join_i_wins = uni + uni + uni;
      join_i_loses = unj + unj + unj;
      join_j_loses = uni + uni + uni;
      join_j_wins = unj + unj + unj;
      break;
    case ThirdPartyCommit::kSemiCommit:
      join_i_wins = uni + uni + unn;
      join_i_loses = unj + unj + unj;
      join_j_loses = uni + uni + uni;
      join_j_wins = unj + unj + unn;
      break;
    case ThirdPartyCommit::kNoCommit:
      join_i_wins = uni + uni + unn;
      join_i_loses = unj + unj + unn;
      join_j_loses = uni + uni + unn;
      join_j_wins = unj + unj + unn;
      break;
  }
  const double join_i = (pin * join_i_wins) + (pjn * join_i_loses);
  const double join_j = (pin * join_j_loses) + (pjn * join_j_wins);
  return Vote(rule, wn, join_i, join_j);
}

// The principals' part of SMPState::probEduChlg: the coalition strengths
// for i over j and for j over i from i's and j's own votes.
struct Strengths {
  double for_i;
  double for_j;
};
inline Strengths PrincipalStrengths(VotingRule rule, double wi, double wj,
                                    double uii, double uij, double uji,
                                    double ujj) {
  const double vi = Vote(rule, wi, uii, uij);
  const double vj = Vote(rule, wj, uji, ujj);
  double cij = kChallengeFloor;
  double cji = kChallengeFloor;
  if (vi > 0.0) cij = cij + vi;
  if (vi < 0.0) cji = cji - vi;
  if (vj > 0.0) cij = cij + vj;
  if (vj < 0.0) cji = cji - vj;
  return {cij, cji};
}

// The end of probEduChlg: k's expected change in utility when i challenges
// j, from i's victory probability P, the utilities U_ki, U_kj and j's total
// salience sj (j resists with probability sj).
struct ChallengeValue {
  double probability;  // P(i beats j)
  double gain;         // expected change in utility to k
};
inline ChallengeValue Challenge(double cij, double cji, double uki, double ukj,
                                double sj) {
  const double pij = cij / (cij + cji);
  const double pji = cji / (cij + cji);
  const double status_quo = uki + ukj;
  const double victory = uki + uki;
  const double loss = ukj + ukj;
  const double contest = pij * victory + pji * loss;
  const double challenge = (1 - sj) * victory + sj * contest;
  return {pij, challenge - status_quo};
}

// An upper bound of Challenge(cij, cji, uki, ukj, sj).gain over every
// cij, cji > 0, for pruning targets that cannot be chosen (the engine's
// BestTarget): the contest's value p_ij * victory + p_ji * loss is at most
// the larger of victory and loss, since p_ij + p_ji is 1 within two
// roundings. The margin, a billionth of the magnitudes involved, is far
// above the rounding of either computation (parts in 10^16), so a computed
// gain never exceeds the bound (smp_test.cc checks it on random values).
// The engine computes it lane by lane (BoundLanes), the same operations.
inline double ChallengeBound(double uki, double ukj, double sj) {
  const double victory = uki + uki;
  const double loss = ukj + ukj;
  const double status_quo = uki + ukj;
  const double most = victory > loss ? victory : loss;
  const double bound = (1 - sj) * victory + sj * most - status_quo;
  const double scale =
      (victory < 0 ? -victory : victory) + (loss < 0 ? -loss : loss) + 1;
  return bound + 1e-9 * scale;
}

// SMPActor::interpBrgnSnPm's rounding to 4 decimals.
inline double Round4(double x) {
  const double s = 10000.0;
  const int y = static_cast<int>(0.5 + (x * s));
  return static_cast<double>(y) / s;
}

// SMPActor::interpolateBrgn for one dimension: the positions offered to i
// and j from their positions ti, tj, saliences si, sj and the victory
// probabilities pi, pj.
inline void Interpolate(Interpolation rule, double ti, double si, double pi,
                        double tj, double sj, double pj, double& bi,
                        double& bj) {
  const double floor = kInterpolationFloor;
  if (rule == Interpolation::kS2PMax) {
    const double di = pj > pi ? pj - pi : 0;
    const double dj = pi > pj ? pi - pj : 0;
    const double si2 = si * si;
    const double sj2 = sj * sj;
    const double dik = (di * sj2) / ((di * sj2) + floor + ((1 - di) * si2));
    const double djk = (dj * si2) / ((dj * si2) + floor + ((1 - dj) * sj2));
    bi = ti + dik * (tj - ti);
    bj = tj + djk * (ti - tj);
    return;
  }
  double wi = 0;
  double wj = 0;
  if (rule == Interpolation::kS1P1) {
    wi = si * pi;
    wj = sj * pj;
  } else {
    wi = (si * si) * (pi * pi);
    wj = (sj * sj) * (pj * pj);
  }
  bi = Round4(((wi + floor) * ti + wj * tj) / (wi + floor + wj));
  bj = Round4((wi * ti + (floor + wj) * tj) / (wi + floor + wj));
}

// Model::coalitions + Model::vProb + Model::probCE2 over `options` choices,
// given the coalition matrix c (options x options, row-major; c[i][j] is the
// strength for i against j). Writes the probability of each option to p.
// Fails only when a Markov variant does not converge.
std::expected<void, std::string> ProbabilisticElection(PceModel pce,
                                                       VictoryModel victory,
                                                       int options,
                                                       const double* c,
                                                       std::vector<double>& p);

// Model::scalarPCE: the coalition matrix from the votes of `voters` actors
// with weights w over the options' utilities u (voters x options,
// row-major), then ProbabilisticElection.
std::expected<void, std::string> ScalarElection(
    VotingRule rule, PceModel pce, VictoryModel victory, int voters,
    int options, const double* w, const double* u, std::vector<double>& p);

// Model::bigRfromProb: risk attitudes from position probabilities. When all
// probabilities are equal (smpc divides by zero there) everyone is risk
// neutral.
void RiskFromProbabilities(RiskRange range, const std::vector<double>& p,
                           std::vector<double>& r);

// Which positions lie within kPositionTolerance of each other:
// within[i * actors + j] is 1 or 0 (symmetric: the squared differences are
// the same either way; 1 on the diagonal). The classes and the forecast's
// groups below both read it, each pair's distance taken once.
void PositionsWithinTolerance(int actors, int dims, const double* position,
                              std::vector<unsigned char>& within);

// The unique positions (KBase::ueIndices with SMPState::equivNdx) and each
// actor's class as State::posProb finds it (the last unique position within
// tolerance), from PositionsWithinTolerance's table.
void UniquePositions(int actors, const unsigned char* within,
                     std::vector<int>& first, std::vector<int>& class_of);

// The forecast's groups of positions: the connected groups of the "within
// kPositionTolerance" relation (PositionsWithinTolerance's table), the same
// partition for every order of the actors, numbered in order of their first
// actor. group_of[i] is actor i's group; head[g] the actor whose position,
// the lexicographically smallest of group g's, stands for it.
void ForecastGroups(int actors, int dims, const double* position,
                    const unsigned char* within, std::vector<int>& group_of,
                    std::vector<int>& head);

}  // namespace unionstate::smp::kernel

#endif  // UNIONSTATE_MODELS_SMP_SMP_KERNELS_H_
