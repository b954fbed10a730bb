// The straightforward SMP: one function per step of ktab.md section 3, the
// utility estimates of every actor as an N x N x N array, one thread. Kept
// simple on purpose; RunSmp (smp_engine.cc) must give the same numbers.

#include <cmath>

#include "models/smp/smp_engine.h"
#include "models/smp/smp_kernels.h"

namespace unionstate::smp {
namespace {

using kernel::DistanceUtility;
using kernel::Vote;

struct Bargain {
  int initiator;  // == receiver for a status-quo entry
  int receiver;
  std::vector<double> at_initiator;  // position offered to the initiator
  std::vector<double> at_receiver;
};

class Reference {
 public:
  Reference(const Input& input, const Options& options)
      : in_(input), o_(options), n_(input.actors), dims_(input.dims) {
    total_salience_.resize(n_);
    salience_squares_.resize(n_);
    for (int i = 0; i < n_; ++i) {
      double s = 0.0;
      for (int d = 0; d < dims_; ++d) s = s + Sal(i, d);
      total_salience_[i] = s;
      salience_squares_[i] =
          kernel::SalienceSquares(&input.salience[i * dims_], dims_);
    }
  }

  std::expected<Run, std::string> Go(std::uint64_t seed) {
    KtabRandom random(seed);
    Run run;
    State s0;
    s0.position = in_.position;
    s0.ideal = in_.position;
    run.states.push_back(std::move(s0));
    if (auto ok = Setup(run.states.back()); !ok) {
      return std::unexpected(ok.error());
    }
    for (int turn = 1;; ++turn) {
      State next;
      if (auto ok = Step(run.states.back(), next, random); !ok) {
        return std::unexpected(ok.error());
      }
      run.states.push_back(std::move(next));
      if (auto ok = Setup(run.states.back()); !ok) {
        return std::unexpected(ok.error());
      }
      double first =
          Movement(run.states[0], run.states[1]) + kernel::kStopFloor;
      double last = Movement(run.states[turn - 1], run.states[turn]);
      run.states.back().change_ratio = last / first;
      if (turn >= o_.max_turns) break;
      if (turn >= o_.min_turns && last / first < o_.stop_ratio) break;
    }
    return run;
  }

 private:
  double Sal(int i, int d) const { return in_.salience[i * dims_ + d]; }

  double Movement(const State& a, const State& b) const {
    double sum = 0;
    for (int i = 0; i < n_; ++i) {
      sum = sum + kernel::EuclideanDistance(&a.position[i * dims_],
                                            &b.position[i * dims_], dims_);
    }
    return sum;
  }

  // delta(i, j): distance from i's ideal to j's position, weighted by i's
  // saliences.
  double Delta(const State& s, int i, const double* position) const {
    return kernel::WeightedDistance(&s.ideal[i * dims_], position,
                                    &in_.salience[i * dims_], dims_,
                                    salience_squares_[i]);
  }

  // Classes, distances, risk attitudes, every U^h_ij and the winning
  // probabilities of the classes (SMPState::setAllAUtil and pDist(-1)).
  std::expected<void, std::string> Setup(State& s) {
    std::vector<unsigned char> within;
    kernel::PositionsWithinTolerance(n_, dims_, s.position.data(), within);
    kernel::UniquePositions(n_, within.data(), s.class_first, s.class_of);
    delta_.assign(n_ * n_, 0.0);
    for (int i = 0; i < n_; ++i) {
      for (int j = 0; j < n_; ++j) {
        delta_[i * n_ + j] = Delta(s, i, &s.position[j * dims_]);
      }
    }
    // Risk-neutral utilities and the coalitions over all N positions.
    std::vector<double> neutral(n_ * n_);
    for (int i = 0; i < n_ * n_; ++i)
      neutral[i] = DistanceUtility(delta_[i], 0);
    std::vector<double> c(n_ * n_);
    for (int i = 0; i < n_; ++i) {
      for (int j = 0; j < i; ++j) {
        double cij = kernel::kCoalitionFloor;
        double cji = kernel::kCoalitionFloor;
        for (int k = 0; k < n_; ++k) {
          double v = Vote(o_.voting, in_.capability[k], neutral[k * n_ + i],
                          neutral[k * n_ + j]);
          if (v > 0) cij = cij + v;
          if (v < 0) cji = cji - v;
        }
        c[i * n_ + j] = cij;
        c[j * n_ + i] = cji;
      }
      c[i * n_ + i] = kernel::kCoalitionFloor;
    }
    std::vector<double> p;
    if (auto ok =
            kernel::ProbabilisticElection(o_.pce, o_.victory, n_, c.data(), p);
        !ok) {
      return ok;
    }
    kernel::RiskFromProbabilities(o_.risk_range, p, s.risk);
    util_.assign(static_cast<size_t>(n_) * n_ * n_, 0.0);
    for (int h = 0; h < n_; ++h) {
      for (int i = 0; i < n_; ++i) {
        double r = kernel::EstimateRisk(o_.risk_adjust, s.risk[h], s.risk[i]);
        for (int j = 0; j < n_; ++j) {
          util_[(h * n_ + i) * n_ + j] = DistanceUtility(delta_[i * n_ + j], r);
        }
      }
    }
    const int m = static_cast<int>(s.class_first.size());
    std::vector<double> u(n_ * m);
    for (int i = 0; i < n_; ++i) {
      for (int k = 0; k < m; ++k) u[i * m + k] = U(i, i, s.class_first[k]);
    }
    if (auto ok = kernel::ScalarElection(o_.voting, o_.pce, o_.victory, n_, m,
                                         in_.capability.data(), u.data(),
                                         s.class_probability);
        !ok) {
      return ok;
    }
    // The forecast's groups: the classes' PCE when they are the classes
    // with the same positions standing for them, else their own.
    kernel::ForecastGroups(n_, dims_, s.position.data(), within.data(),
                           s.group_of, s.group_head);
    const int g = static_cast<int>(s.group_head.size());
    bool same = g == m && s.group_of == s.class_of;
    for (int k = 0; same && k < m; ++k) {
      for (int d = 0; d < dims_; ++d) {
        same = same && s.position[s.group_head[k] * dims_ + d] ==
                           s.position[s.class_first[k] * dims_ + d];
      }
    }
    if (same) {
      s.group_probability = s.class_probability;
      return {};
    }
    u.assign(static_cast<size_t>(n_) * g, 0.0);
    for (int i = 0; i < n_; ++i) {
      for (int k = 0; k < g; ++k) u[i * g + k] = U(i, i, s.group_head[k]);
    }
    return kernel::ScalarElection(o_.voting, o_.pce, o_.victory, n_, g,
                                  in_.capability.data(), u.data(),
                                  s.group_probability);
  }

  double U(int h, int i, int j) const { return util_[(h * n_ + i) * n_ + j]; }

  // SMPState::probEduChlg(h, k, i, j): h's estimate of P(i beats j) and of
  // the change in utility to k when i challenges j.
  kernel::ChallengeValue Challenge(int h, int k, int i, int j) const {
    const double wi = total_salience_[i] * in_.capability[i];
    const double wj = total_salience_[j] * in_.capability[j];
    kernel::Strengths principals = kernel::PrincipalStrengths(
        o_.voting, wi, wj, U(h, i, i), U(h, i, j), U(h, j, i), U(h, j, j));
    double cij = principals.for_i;
    double cji = principals.for_j;
    for (int n = 0; n < n_; ++n) {
      if (n == i || n == j) continue;
      const double wn = total_salience_[n] * in_.capability[n];
      const double pin =
          kernel::LittleContest(o_.voting, wn, U(h, n, i), U(h, n, j),
                                principals.for_i, principals.for_j);
      const double v =
          kernel::ThirdPartyVote(o_.commit, o_.voting, wn, pin, 1.0 - pin,
                                 U(h, n, i), U(h, n, j), U(h, n, n));
      cij = v > 0 ? cij + v : cij;
      cji = v < 0 ? cji - v : cji;
    }
    return kernel::Challenge(cij, cji, U(h, k, i), U(h, k, j),
                             total_salience_[j]);
  }

  Bargain Interpolate(const State& s, int i, int j, double pi) const {
    Bargain b{i, j, std::vector<double>(dims_), std::vector<double>(dims_)};
    for (int d = 0; d < dims_; ++d) {
      kernel::Interpolate(o_.interpolation, s.position[i * dims_ + d],
                          Sal(i, d), pi, s.position[j * dims_ + d], Sal(j, d),
                          1 - pi, b.at_initiator[d], b.at_receiver[d]);
    }
    return b;
  }

  // The value to actor n of the state after bargain b (its own estimates),
  // averaged over the N positions (updateBestBrgnPositions' brgnUtil).
  double BargainValue(const State& s, int n, const Bargain& b) const {
    double sum = 0.0;
    if (b.initiator == b.receiver) {
      for (int l = 0; l < n_; ++l) sum = sum + U(n, n, l);
    } else {
      sum =
          sum + DistanceUtility(Delta(s, n, b.at_initiator.data()), s.risk[n]);
      sum = sum + DistanceUtility(Delta(s, n, b.at_receiver.data()), s.risk[n]);
      for (int l = 0; l < n_; ++l) {
        if (l != b.initiator && l != b.receiver) sum = sum + U(n, n, l);
      }
    }
    return sum / n_;
  }

  std::expected<void, std::string> Step(State& s, State& next,
                                        KtabRandom& random) {
    std::vector<std::vector<Bargain>> queue(n_);
    for (int k = 0; k < n_; ++k) {
      queue[k].push_back(Bargain{k, k, {}, {}});
    }
    s.target.assign(n_, -1);
    // Proposals in initiator order: each lands in the initiator's queue
    // (after its status quo) and then in the receiver's.
    std::vector<std::vector<Bargain>> made(n_);
    for (int i = 0; i < n_; ++i) {
      int best = -1;
      double best_gain = -1.0;
      double best_p = 0;
      for (int j = 0; j < n_; ++j) {
        if (j == i) continue;
        kernel::ChallengeValue v = Challenge(i, i, i, j);
        if (kernel::kMinSignificantGain < v.gain && best_gain < v.gain) {
          best = j;
          best_p = v.probability;
          best_gain = v.gain;
        }
      }
      if (best < 0) continue;
      s.target[i] = best;
      const int j = best;
      Bargain from_i = Interpolate(s, i, j, best_p);
      switch (o_.bargain) {
        case BargainModel::kInitiatorOnly:
          made[i].push_back(std::move(from_i));
          break;
        case BargainModel::kInitiatorReceiver: {
          // smpc passes j's estimate of i's expected gain where it means
          // j's estimate of P(i beats j) (smpbcn.cpp, pjiJ); so do we.
          double pj = Challenge(j, i, i, j).gain;
          made[i].push_back(std::move(from_i));
          made[i].push_back(Interpolate(s, i, j, pj));
          break;
        }
        case BargainModel::kPowerWeighted: {
          double pj = Challenge(j, i, i, j).gain;
          Bargain from_j = Interpolate(s, i, j, pj);
          // smpc weighs the receiver's view with the initiator's capability.
          const double wi = in_.capability[i] * total_salience_[i];
          const double wj = in_.capability[i] * total_salience_[j];
          Bargain mix{i, j, std::vector<double>(dims_),
                      std::vector<double>(dims_)};
          for (int d = 0; d < dims_; ++d) {
            mix.at_initiator[d] =
                (wi * from_i.at_initiator[d] + wj * from_j.at_initiator[d]) /
                (wi + wj);
            mix.at_receiver[d] =
                (wi * from_i.at_receiver[d] + wj * from_j.at_receiver[d]) /
                (wi + wj);
          }
          made[i].push_back(std::move(mix));
          break;
        }
      }
    }
    for (int i = 0; i < n_; ++i) {
      for (const Bargain& b : made[i]) queue[i].push_back(b);
    }
    for (int i = 0; i < n_; ++i) {
      for (const Bargain& b : made[i]) queue[b.receiver].push_back(b);
    }
    // Each actor picks from its own queue by a PCE over the entries.
    next.position = s.position;
    s.chosen.assign(n_, 0);
    std::vector<std::vector<double>> p(n_);
    for (int k = 0; k < n_; ++k) {
      const int q = static_cast<int>(queue[k].size());
      std::vector<double> u(n_ * q);
      for (int n = 0; n < n_; ++n) {
        for (int m = 0; m < q; ++m) {
          u[n * q + m] = BargainValue(s, n, queue[k][m]);
        }
      }
      if (auto ok =
              kernel::ScalarElection(o_.voting, o_.pce, o_.victory, n_, q,
                                     in_.capability.data(), u.data(), p[k]);
          !ok) {
        return ok;
      }
    }
    for (int k = 0; k < n_; ++k) {
      int pick = 0;
      if (o_.transitions == Transitions::kStochastic) {
        pick = random.Select(p[k]);
      } else {
        double best = -1.0;
        for (size_t m = 0; m < p[k].size(); ++m) {
          if (best < std::fabs(p[k][m])) {
            best = std::fabs(p[k][m]);
            pick = static_cast<int>(m);
          }
        }
      }
      s.chosen[k] = pick;
      const Bargain& b = queue[k][pick];
      if (b.initiator == b.receiver) continue;
      const std::vector<double>& x =
          b.initiator == k ? b.at_initiator : b.at_receiver;
      for (int d = 0; d < dims_; ++d) next.position[k * dims_ + d] = x[d];
    }
    // SMPState::newIdeals.
    next.ideal = next.position;
    if (!in_.accommodation.empty()) {
      for (int i = 0; i < n_; ++i) {
        double total = 0.0;
        std::vector<double> ideal(dims_, 0.0);
        for (int j = 0; j < n_; ++j) {
          const double a = in_.accommodation[i * n_ + j];
          total = total + a;
          for (int d = 0; d < dims_; ++d) {
            ideal[d] = ideal[d] + (a * next.position[j * dims_ + d]);
          }
        }
        total = total > 1.0 ? 1.0 : total;
        const double lag = 1.0 - total;
        for (int d = 0; d < dims_; ++d) {
          next.ideal[i * dims_ + d] = ideal[d] + (lag * s.ideal[i * dims_ + d]);
        }
      }
    }
    return {};
  }

  const Input& in_;
  const Options& o_;
  const int n_;
  const int dims_;
  std::vector<double> total_salience_;
  std::vector<double> salience_squares_;
  std::vector<double> delta_;
  std::vector<double> util_;
};

}  // namespace

std::expected<Run, std::string> RunSmpReference(const Input& input,
                                                const Options& options,
                                                std::uint64_t seed) {
  Reference reference(input, options);
  return reference.Go(seed);
}

}  // namespace unionstate::smp
