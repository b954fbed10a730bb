// The fast SMP engine. Same arithmetic as smp_reference.cc (both call the
// kernels of smp_kernels.h in smpc's order); what differs is the layout and
// the reuse:
//   * distances are kept twice, delta[i][j] and its transpose, so the loops
//     over third parties read contiguous rows;
//   * per turn, the risk estimates rho[h][i], the own utilities U^n_nl and
//     the value of every bargain to every actor are computed once and
//     shared by all the PCEs that need them (smpc recomputes them per call
//     and keeps an N x N x N array of utilities);
//   * challenges, bargain values and the bargain PCEs run over actors in
//     parallel (oneTBB); each task writes only its own slots;
//   * the loop over third parties is instantiated per voting rule and
//     commitment rule so the inner loop has no switch.

#include "models/smp/smp_engine.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cmath>

#include "models/smp/smp_kernels.h"

namespace unionstate::smp {
namespace {

using kernel::DistanceUtility;

// kernel::DistanceUtility without a branch, for SIMD lanes: the same two
// products, one of them selected.
inline double LaneUtility(double d, double r) {
  const double dr = d * r;
  const double f = d <= 1 ? dr : r;
  return (1 - d) * (1 + f);
}

// A proposal: initiator a offers itself at_a and receiver b at_b.
struct Proposal {
  int initiator;
  int receiver;
  std::vector<double> at_initiator;
  std::vector<double> at_receiver;
};

// GCC compiles the lane kernels once per instruction set and picks one at
// load time. Clang (the fuzz build, fuzz/README.md) cannot clone function
// templates; it builds the default only, with the same results.
#if defined(__clang__)
#define UNIONSTATE_LANE_CLONES
#else
#define UNIONSTATE_LANE_CLONES \
  __attribute__((target_clones("default", "avx2", "avx512f")))
#endif

// kernel::ScalarElection with the coalition sums in SIMD lanes: for each
// option i, its strengths against every j < i at once, each summed over the
// voters in order (the same sums as smpc's).
template <VotingRule kRule>
UNIONSTATE_LANE_CLONES void
LaneCoalitions(int voters, int options, const double* w, const double* u,
               double* c) {
  const int n = options;
  std::vector<double> against(n);
  for (int i = 0; i < n; ++i) {
    double* __restrict cij = &c[i * n];
    double* __restrict cji = against.data();
    for (int j = 0; j < i; ++j) cij[j] = cji[j] = kernel::kCoalitionFloor;
    for (int k = 0; k < voters; ++k) {
      const double* __restrict uk = &u[k * n];
      const double uki = uk[i];
      const double wk = w[k];
      for (int j = 0; j < i; ++j) {
        const double v = kernel::Vote(kRule, wk, uki, uk[j]);
        cij[j] = cij[j] + std::max(v, 0.0);
        cji[j] = cji[j] - std::min(v, 0.0);
      }
    }
    for (int j = 0; j < i; ++j) c[j * n + i] = cji[j];
    c[i * n + i] = kernel::kCoalitionFloor;
  }
}

// Third party t's votes in the contests of challenger i against every
// target j in [from, to): one SIMD lane per target. Built for AVX2 and
// AVX-512 as well as the baseline, chosen when the program starts; the
// operations and their order are the same in every version (no fused
// multiply-add: -ffp-contract=off), so are the results.
template <VotingRule kRule, ThirdPartyCommit kCommit>
UNIONSTATE_LANE_CLONES void
ThirdPartyLanes(int from, int to, const double* __restrict dt, double ut,
                double un, double wt, double rt, const double* __restrict fi,
                const double* __restrict fj, double* __restrict cij,
                double* __restrict cji) {
  for (int j = from; j < to; ++j) {
    const double unj = LaneUtility(dt[j], rt);
    const double vn = kernel::Vote(kRule, wt, ut, unj);
    const double cni = fi[j] + std::max(vn, 0.0);
    const double cnj = fj[j] - std::min(vn, 0.0);
    const double pin = cni / (cni + cnj);
    const double v =
        kernel::ThirdPartyVote(kCommit, kRule, wt, pin, 1.0 - pin, ut, unj, un);
    cij[j] = cij[j] + std::max(v, 0.0);
    cji[j] = cji[j] - std::min(v, 0.0);
  }
}

// Per-thread work space of BestTarget, reused across actors and turns.
struct Scratch {
  explicit Scratch(int n)
      : ui(n), unn(n), uij(n), fi(n), fj(n), cij(n), cji(n) {}
  std::vector<double> ui, unn, uij, fi, fj, cij, cji;
};

class Engine {
 public:
  Engine(const Input& input, const Options& options, bool serial)
      : in_(input),
        o_(options),
        n_(input.actors),
        dims_(input.dims),
        serial_(serial) {
    weight_.resize(n_);
    total_salience_.resize(n_);
    salience_squares_.resize(n_);
    for (int i = 0; i < n_; ++i) {
      double s = 0.0;
      for (int d = 0; d < dims_; ++d) s = s + input.salience[i * dims_ + d];
      total_salience_[i] = s;
      weight_[i] = s * input.capability[i];
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
    double first = 0;
    for (int turn = 1;; ++turn) {
      State next;
      if (auto ok = Step(run.states.back(), next, random); !ok) {
        return std::unexpected(ok.error());
      }
      run.states.push_back(std::move(next));
      if (auto ok = Setup(run.states.back()); !ok) {
        return std::unexpected(ok.error());
      }
      const double last = Movement(run.states[turn - 1], run.states[turn]);
      if (turn == 1) first = last + kernel::kStopFloor;
      run.states.back().change_ratio = last / first;
      if (turn >= o_.max_turns) break;
      if (turn >= o_.min_turns && last / first < o_.stop_ratio) break;
    }
    return run;
  }

 private:
  // f(i) for i in [0, n): over threads, or in a plain loop when the
  // problem is too small for threads to pay (a turn of 40 actors takes
  // about a tenth of a millisecond).
  template <class F>
  void ParallelFor(int n, F&& f) const {
    if (serial_) {
      for (int i = 0; i < n; ++i) f(i);
      return;
    }
    tbb::parallel_for(tbb::blocked_range<int>(0, n),
                      [&](const tbb::blocked_range<int>& r) {
                        for (int i = r.begin(); i < r.end(); ++i) f(i);
                      });
  }

  // f.template operator()<rule>() for the run's voting rule.
  template <class F>
  void DispatchVoting(F&& f) const {
    switch (o_.voting) {
      case VotingRule::kBinary:
        return f.template operator()<VotingRule::kBinary>();
      case VotingRule::kPropBin:
        return f.template operator()<VotingRule::kPropBin>();
      case VotingRule::kProportional:
        return f.template operator()<VotingRule::kProportional>();
      case VotingRule::kPropCubic:
        return f.template operator()<VotingRule::kPropCubic>();
      case VotingRule::kCubic:
        return f.template operator()<VotingRule::kCubic>();
      case VotingRule::kAsymmetricProspect:
        return f.template operator()<VotingRule::kAsymmetricProspect>();
    }
  }

  double Movement(const State& a, const State& b) const {
    double sum = 0;
    for (int i = 0; i < n_; ++i) {
      sum = sum + kernel::EuclideanDistance(&a.position[i * dims_],
                                            &b.position[i * dims_], dims_);
    }
    return sum;
  }

  double Delta(const State& s, int i, const double* position) const {
    return kernel::WeightedDistance(&s.ideal[i * dims_], position,
                                    &in_.salience[i * dims_], dims_,
                                    salience_squares_[i]);
  }

  std::expected<void, std::string> Setup(State& s) {
    const int n = n_;
    kernel::UniquePositions(n, dims_, s.position.data(), s.class_first,
                            s.class_of);
    delta_.resize(n * n);
    delta_t_.resize(n * n);
    ParallelFor(n, [&](int i) {
      for (int j = 0; j < n; ++j) {
        delta_[i * n + j] = Delta(s, i, &s.position[j * dims_]);
      }
    });
    delta_diag_.resize(n);
    for (int i = 0; i < n; ++i) {
      delta_diag_[i] = delta_[i * n + i];
      for (int j = 0; j < n; ++j) delta_t_[j * n + i] = delta_[i * n + j];
    }
    // Coalitions over the N positions with risk-neutral utilities and
    // capabilities as weights (risk inference): one PCE over all actors'
    // positions, duplicates included, as smpc does.
    neutral_.resize(n * n);
    for (int k = 0; k < n * n; ++k) neutral_[k] = DistanceUtility(delta_[k], 0);
    std::vector<double> p;
    if (auto ok = FastScalarElection(o_.voting, o_.pce, o_.victory, n, n,
                                     in_.capability.data(), neutral_.data(), p);
        !ok) {
      return ok;
    }
    kernel::RiskFromProbabilities(o_.risk_range, p, s.risk);
    rho_.resize(n * n);
    own_.resize(n * n);
    own_t_.resize(n * n);
    status_quo_value_.resize(n);
    ParallelFor(n, [&](int h) {
      for (int i = 0; i < n; ++i) {
        rho_[h * n + i] =
            kernel::EstimateRisk(o_.risk_adjust, s.risk[h], s.risk[i]);
      }
      const double r = rho_[h * n + h];
      double sum = 0.0;
      for (int l = 0; l < n; ++l) {
        own_[h * n + l] = DistanceUtility(delta_[h * n + l], r);
        sum = sum + own_[h * n + l];
      }
      status_quo_value_[h] = sum / n;
    });
    for (int h = 0; h < n; ++h) {
      for (int l = 0; l < n; ++l) own_t_[l * n + h] = own_[h * n + l];
    }
    const int m = static_cast<int>(s.class_first.size());
    std::vector<double> u(n * m);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < m; ++k) u[i * m + k] = own_[i * n + s.class_first[k]];
    }
    return FastScalarElection(o_.voting, o_.pce, o_.victory, n, m,
                              in_.capability.data(), u.data(),
                              s.class_probability);
  }

  // The best target of actor i (its own estimates, h = k = i), as
  // bestChallenge picks it; -1 when no gain exceeds the threshold.
  //
  // The loops are interchanged: for each third party t, all targets j are
  // updated at once (SIMD lanes over j), each still accumulating its
  // coalition strengths over t in smpc's order. max(v, 0) and min(v, 0)
  // replace smpc's conditional adds: adding +0.0 to a positive strength
  // leaves it unchanged, so the sums are bit for bit smpc's.
  template <VotingRule kRule, ThirdPartyCommit kCommit>
  void BestTarget(int i, Scratch& w, int& best, double& best_p) const {
    const int n = n_;
    const double* rho = &rho_[i * n];
    double* __restrict ui = w.ui.data();
    double* __restrict unn = w.unn.data();
    double* __restrict uij = w.uij.data();
    double* __restrict fi = w.fi.data();
    double* __restrict fj = w.fj.data();
    double* __restrict cij = w.cij.data();
    double* __restrict cji = w.cji.data();
    // U^i_li, U^i_ll and U^i_ij for every l, j.
    for (int l = 0; l < n; ++l) {
      ui[l] = DistanceUtility(delta_t_[i * n + l], rho[l]);
      unn[l] = DistanceUtility(delta_diag_[l], rho[l]);
      uij[l] = DistanceUtility(delta_[i * n + l], rho[i]);
    }
    const double wi = weight_[i];
    for (int j = 0; j < n; ++j) {
      kernel::Strengths p = kernel::PrincipalStrengths(
          kRule, wi, weight_[j], ui[i], uij[j], ui[j], unn[j]);
      fi[j] = cij[j] = p.for_i;
      fj[j] = cji[j] = p.for_j;
    }
    for (int t = 0; t < n; ++t) {
      if (t == i) continue;
      const double* dt = &delta_[t * n];  // delta(t, j) over j
      ThirdPartyLanes<kRule, kCommit>(0, t, dt, ui[t], unn[t], weight_[t],
                                      rho[t], fi, fj, cij, cji);
      ThirdPartyLanes<kRule, kCommit>(t + 1, n, dt, ui[t], unn[t], weight_[t],
                                      rho[t], fi, fj, cij, cji);
    }
    double best_gain = -1.0;
    best = -1;
    best_p = 0;
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      kernel::ChallengeValue value =
          kernel::Challenge(cij[j], cji[j], ui[i], uij[j], total_salience_[j]);
      if (kernel::kMinSignificantGain < value.gain && best_gain < value.gain) {
        best = j;
        best_p = value.probability;
        best_gain = value.gain;
      }
    }
  }

  void DispatchBestTarget(int i, Scratch& w, int& best, double& p) const {
    auto with_commit = [&]<VotingRule kRule>() {
      switch (o_.commit) {
        case ThirdPartyCommit::kNoCommit:
          return BestTarget<kRule, ThirdPartyCommit::kNoCommit>(i, w, best, p);
        case ThirdPartyCommit::kSemiCommit:
          return BestTarget<kRule, ThirdPartyCommit::kSemiCommit>(i, w, best,
                                                                  p);
        case ThirdPartyCommit::kFullCommit:
          return BestTarget<kRule, ThirdPartyCommit::kFullCommit>(i, w, best,
                                                                  p);
      }
    };
    switch (o_.voting) {
      case VotingRule::kBinary:
        return with_commit.template operator()<VotingRule::kBinary>();
      case VotingRule::kPropBin:
        return with_commit.template operator()<VotingRule::kPropBin>();
      case VotingRule::kProportional:
        return with_commit.template operator()<VotingRule::kProportional>();
      case VotingRule::kPropCubic:
        return with_commit.template operator()<VotingRule::kPropCubic>();
      case VotingRule::kCubic:
        return with_commit.template operator()<VotingRule::kCubic>();
      case VotingRule::kAsymmetricProspect:
        return with_commit
            .template operator()<VotingRule::kAsymmetricProspect>();
    }
  }

  // h's estimate of the expected gain to k when i challenges j, for any h
  // (only the InitRcvr and PWComp bargain models need h != i).
  double ChallengeGain(int h, int k, int i, int j) const {
    const int n = n_;
    const double* rho = &rho_[h * n];
    auto u = [&](int a, int b) {
      return DistanceUtility(delta_[a * n + b], rho[a]);
    };
    kernel::Strengths principals = kernel::PrincipalStrengths(
        o_.voting, weight_[i], weight_[j], u(i, i), u(i, j), u(j, i), u(j, j));
    double cij = principals.for_i;
    double cji = principals.for_j;
    for (int t = 0; t < n; ++t) {
      if (t == i || t == j) continue;
      const double pin =
          kernel::LittleContest(o_.voting, weight_[t], u(t, i), u(t, j),
                                principals.for_i, principals.for_j);
      const double v =
          kernel::ThirdPartyVote(o_.commit, o_.voting, weight_[t], pin,
                                 1.0 - pin, u(t, i), u(t, j), u(t, t));
      cij = v > 0 ? cij + v : cij;
      cji = v < 0 ? cji - v : cji;
    }
    return kernel::Challenge(cij, cji, u(k, i), u(k, j), total_salience_[j])
        .gain;
  }

  Proposal Interpolate(const State& s, int i, int j, double pi) const {
    Proposal b{i, j, std::vector<double>(dims_), std::vector<double>(dims_)};
    const double* si = &in_.salience[i * dims_];
    const double* sj = &in_.salience[j * dims_];
    for (int d = 0; d < dims_; ++d) {
      kernel::Interpolate(o_.interpolation, s.position[i * dims_ + d], si[d],
                          pi, s.position[j * dims_ + d], sj[d], 1 - pi,
                          b.at_initiator[d], b.at_receiver[d]);
    }
    return b;
  }

  std::expected<void, std::string> Step(State& s, State& next,
                                        KtabRandom& random) {
    const int n = n_;
    s.target.assign(n, -1);
    std::vector<std::vector<Proposal>> made(n);
    auto challenges = [&](int begin, int end) {
      Scratch scratch(n);
      for (int i = begin; i < end; ++i) {
        int j = -1;
        double pi = 0;
        DispatchBestTarget(i, scratch, j, pi);
        s.target[i] = j;
        if (j < 0) continue;
        Proposal from_i = Interpolate(s, i, j, pi);
        if (o_.bargain == BargainModel::kInitiatorOnly) {
          made[i].push_back(std::move(from_i));
          continue;
        }
        // smpc passes j's estimate of i's gain as if it were a
        // probability (smpbcn.cpp, pjiJ); see smp.h.
        const double pj = ChallengeGain(j, i, i, j);
        Proposal from_j = Interpolate(s, i, j, pj);
        if (o_.bargain == BargainModel::kInitiatorReceiver) {
          made[i].push_back(std::move(from_i));
          made[i].push_back(std::move(from_j));
          continue;
        }
        const double wi = in_.capability[i] * total_salience_[i];
        const double wj = in_.capability[i] * total_salience_[j];
        Proposal mix{i, j, std::vector<double>(dims_),
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
      }
    };
    if (serial_) {
      challenges(0, n);
    } else {
      tbb::parallel_for(tbb::blocked_range<int>(0, n, 1),
                        [&](const tbb::blocked_range<int>& r) {
                          challenges(r.begin(), r.end());
                        });
    }
    // Every proposal once, in initiator order, with its value to every
    // actor: both queues it lands in share the column.
    std::vector<const Proposal*> proposals;
    for (int i = 0; i < n; ++i) {
      for (const Proposal& b : made[i]) proposals.push_back(&b);
    }
    const int count = static_cast<int>(proposals.size());
    std::vector<double> value(static_cast<size_t>(count) * n);  // [b][n]
    // Lanes over the actors a; each sums its own utilities over l in
    // order, as smpc does.
    ParallelFor(count, [&](int q) {
      const Proposal& b = *proposals[q];
      double* sum = &value[static_cast<size_t>(q) * n];
      for (int a = 0; a < n; ++a) {
        const double ua =
            DistanceUtility(Delta(s, a, b.at_initiator.data()), s.risk[a]);
        const double ub =
            DistanceUtility(Delta(s, a, b.at_receiver.data()), s.risk[a]);
        sum[a] = (0.0 + ua) + ub;
      }
      for (int l = 0; l < n; ++l) {
        if (l == b.initiator || l == b.receiver) continue;
        const double* own = &own_t_[l * n];
        for (int a = 0; a < n; ++a) sum[a] = sum[a] + own[a];
      }
      for (int a = 0; a < n; ++a) sum[a] = sum[a] / n;
    });
    // Queues: status quo, own proposals, received ones in initiator order.
    std::vector<std::vector<int>> queue(n);
    for (int q = 0; q < count; ++q) queue[proposals[q]->initiator].push_back(q);
    for (int q = 0; q < count; ++q) queue[proposals[q]->receiver].push_back(q);
    std::vector<std::vector<double>> p(n);
    std::vector<std::string> failure(n);
    ParallelFor(n, [&](int k) {
      const int q = static_cast<int>(queue[k].size()) + 1;
      std::vector<double> u(static_cast<size_t>(n) * q);
      for (int a = 0; a < n; ++a) {
        u[a * q] = status_quo_value_[a];
        for (int m = 1; m < q; ++m) {
          u[a * q + m] = value[static_cast<size_t>(queue[k][m - 1]) * n + a];
        }
      }
      auto ok = FastScalarElection(o_.voting, o_.pce, o_.victory, n, q,
                                   in_.capability.data(), u.data(), p[k]);
      if (!ok) failure[k] = ok.error();
    });
    for (const std::string& f : failure) {
      if (!f.empty()) return std::unexpected(f);
    }
    next.position = s.position;
    s.chosen.assign(n, 0);
    for (int k = 0; k < n; ++k) {
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
      if (pick == 0) continue;
      const Proposal& b = *proposals[queue[k][pick - 1]];
      const std::vector<double>& x =
          b.initiator == k ? b.at_initiator : b.at_receiver;
      for (int d = 0; d < dims_; ++d) next.position[k * dims_ + d] = x[d];
    }
    next.ideal = next.position;
    if (!in_.accommodation.empty()) {
      // SMPState::newIdeals; zero entries add exactly nothing and are
      // skipped.
      for (int i = 0; i < n; ++i) {
        double total = 0.0;
        std::vector<double> ideal(dims_, 0.0);
        for (int j = 0; j < n; ++j) {
          const double a = in_.accommodation[i * n + j];
          if (a == 0) continue;
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
  const bool serial_;
  std::vector<double> weight_;  // S_i * c_i
  std::vector<double> total_salience_;
  std::vector<double> salience_squares_;
  std::vector<double> delta_;             // [i][j]: i's ideal to j's position
  std::vector<double> delta_t_;           // [j][i]
  std::vector<double> delta_diag_;        // [i]: i's ideal to its position
  std::vector<double> neutral_;           // [k][j]: 1 - delta(k, j)
  std::vector<double> own_t_;             // [l][n]: U^n_nl
  std::vector<double> rho_;               // [h][i]: h's estimate of R_i
  std::vector<double> own_;               // [n][l]: U^n_nl
  std::vector<double> status_quo_value_;  // [n]: sum_l U^n_nl / N
};

}  // namespace

std::expected<void, std::string> FastScalarElection(
    VotingRule rule, PceModel pce, VictoryModel victory, int voters,
    int options, const double* w, const double* u, std::vector<double>& p) {
  std::vector<double> c(static_cast<size_t>(options) * options);
  switch (rule) {
    case VotingRule::kBinary:
      LaneCoalitions<VotingRule::kBinary>(voters, options, w, u, c.data());
      break;
    case VotingRule::kPropBin:
      LaneCoalitions<VotingRule::kPropBin>(voters, options, w, u, c.data());
      break;
    case VotingRule::kProportional:
      LaneCoalitions<VotingRule::kProportional>(voters, options, w, u,
                                                c.data());
      break;
    case VotingRule::kPropCubic:
      LaneCoalitions<VotingRule::kPropCubic>(voters, options, w, u, c.data());
      break;
    case VotingRule::kCubic:
      LaneCoalitions<VotingRule::kCubic>(voters, options, w, u, c.data());
      break;
    case VotingRule::kAsymmetricProspect:
      LaneCoalitions<VotingRule::kAsymmetricProspect>(voters, options, w, u,
                                                      c.data());
      break;
  }
  return kernel::ProbabilisticElection(pce, victory, options, c.data(), p);
}

std::expected<Run, std::string> RunSmp(const Input& input,
                                       const Options& options,
                                       std::uint64_t seed, int threads) {
  // Below about 40 actors a turn is too short for threads to pay.
  const bool serial = threads == 1 || input.actors < 40;
  Engine engine(input, options, serial);
  if (threads <= 0 || serial) return engine.Go(seed);
  tbb::task_arena arena(threads);
  std::expected<Run, std::string> out;
  arena.execute([&] { out = engine.Go(seed); });
  return out;
}

}  // namespace unionstate::smp
