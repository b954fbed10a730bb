#include "models/smp/smp_kernels.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace unionstate::smp {
namespace kernel {
namespace {

// Model::condPCE: p_a proportional to prod_b pv_ab.
void ConditionalPce(int n, const std::vector<double>& pv,
                    std::vector<double>& p) {
  double total = 0;
  for (int i = 0; i < n; ++i) {
    double pi = 1.0;
    for (int j = 0; j < n; ++j) pi = pi * pv[i * n + j];
    p[i] = pi;
  }
  for (int i = 0; i < n; ++i) total = total + p[i];
  if (total > 0 && std::isfinite(total)) {
    for (int i = 0; i < n; ++i) p[i] = p[i] / total;
    return;
  }
  // Every product underflowed (only with hundreds of options far apart):
  // the same ratios, taken in logarithms. smpc would divide 0 by 0 here.
  std::vector<double> logs(n, 0.0);
  double best = -INFINITY;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) logs[i] += std::log(pv[i * n + j]);
    best = std::max(best, logs[i]);
  }
  total = 0;
  for (int i = 0; i < n; ++i) {
    p[i] = std::exp(logs[i] - best);
    total += p[i];
  }
  for (int i = 0; i < n; ++i) p[i] /= total;
}

std::expected<void, std::string> MarkovUniformPce(int n,
                                                  const std::vector<double>& pv,
                                                  std::vector<double>& p) {
  const double tolerance = 1e-6;
  p.assign(n, 1.0 / n);
  std::vector<double> q(n);
  double change = 1.0;
  int iterations = 0;
  while (tolerance < change) {
    if (iterations >= kMaxMarkovIterations) break;
    change = 0;
    for (int i = 0; i < n; ++i) {
      double pi = 0.0;
      for (int j = 0; j < n; ++j) pi = pi + pv[i * n + j] * (p[i] + p[j]);
      q[i] = pi / n;
      const double c = std::fabs(q[i] - p[i]);
      change = c > change ? c : change;
    }
    for (int i = 0; i < n; ++i) p[i] = (p[i] + q[i]) / 2.0;
    ++iterations;
  }
  if (iterations >= kMaxMarkovIterations) {
    return std::unexpected(fmt::format(
        "the MarkovUniform PCE over {} options did not converge in {} "
        "iterations",
        n, kMaxMarkovIterations));
  }
  return {};
}

std::expected<void, std::string> MarkovIncentivePce(
    int n, const double* c, const std::vector<double>& pv,
    std::vector<double>& p) {
  const double tolerance = 1e-8;
  // Incentive for i to challenge j, and the probability that i is the
  // challenger when j is the favourite.
  std::vector<double> incentive(n * n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      double x = c[i * n + j] * pv[i * n + j];
      if (i == j) x = x + 1e-10;
      incentive[i * n + j] = x;
    }
  }
  std::vector<double> challenge(n * n);
  for (int j = 0; j < n; ++j) {
    double sum = 0.0;
    for (int k = 0; k < n; ++k) sum = sum + incentive[k * n + j];
    for (int i = 0; i < n; ++i)
      challenge[i * n + j] = incentive[i * n + j] / sum;
  }
  p.assign(n, 1.0 / n);
  std::vector<double> q(n);
  std::vector<double> ct(n * n);
  double change = 1.0;
  int iterations = 0;
  while (tolerance < change) {
    if (iterations >= kMaxMarkovIterations) break;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) ct[i * n + j] = p[i] * challenge[j * n + i];
    }
    change = 0.0;
    for (int i = 0; i < n; ++i) {
      double qi = 0.0;
      for (int j = 0; j < n; ++j) {
        qi = qi + pv[i * n + j] * (ct[i * n + j] + ct[j * n + i]);
      }
      q[i] = qi;
      const double d = std::fabs(q[i] - p[i]);
      change = d > change ? d : change;
    }
    for (int i = 0; i < n; ++i) p[i] = (p[i] + q[i]) / 2.0;
    ++iterations;
  }
  if (iterations >= kMaxMarkovIterations) {
    return std::unexpected(fmt::format(
        "the MarkovIncentive PCE over {} options did not converge in {} "
        "iterations",
        n, kMaxMarkovIterations));
  }
  return {};
}

}  // namespace

std::expected<void, std::string> ProbabilisticElection(PceModel pce,
                                                       VictoryModel victory,
                                                       int options,
                                                       const double* c,
                                                       std::vector<double>& p) {
  const int n = options;
  // Every entry is written below; the buffer is the calling thread's and
  // only grows (an smp run holds one election per actor per turn).
  thread_local std::vector<double> pv;
  if (pv.size() < static_cast<size_t>(n) * n)
    pv.resize(static_cast<size_t>(n) * n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j) {
      VictoryPair pair =
          VictoryProbabilities(victory, c[i * n + j], c[j * n + i]);
      pv[i * n + j] = pair.first;
      pv[j * n + i] = pair.second;
    }
    pv[i * n + i] = 0.5;
  }
  p.assign(n, 0.0);
  switch (pce) {
    case PceModel::kConditional:
      ConditionalPce(n, pv, p);
      return {};
    case PceModel::kMarkovUniform:
      return MarkovUniformPce(n, pv, p);
    case PceModel::kMarkovIncentive:
      return MarkovIncentivePce(n, c, pv, p);
  }
  return {};
}

std::expected<void, std::string> ScalarElection(
    VotingRule rule, PceModel pce, VictoryModel victory, int voters,
    int options, const double* w, const double* u, std::vector<double>& p) {
  const int n = options;
  std::vector<double> c(static_cast<size_t>(n) * n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j) {
      double cij = kCoalitionFloor;
      double cji = kCoalitionFloor;
      for (int k = 0; k < voters; ++k) {
        const double v = Vote(rule, w[k], u[k * n + i], u[k * n + j]);
        if (v > 0) cij = cij + v;
        if (v < 0) cji = cji - v;
      }
      c[i * n + j] = cij;
      c[j * n + i] = cji;
    }
    c[i * n + i] = kCoalitionFloor;
  }
  return ProbabilisticElection(pce, victory, n, c.data(), p);
}

void RiskFromProbabilities(RiskRange range, const std::vector<double>& p,
                           std::vector<double>& r) {
  double lo = 1.0;
  double hi = 0.0;
  for (double x : p) {
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  r.assign(p.size(), 0.0);
  if (!(hi > lo)) return;
  for (size_t i = 0; i < p.size(); ++i) {
    switch (range) {
      case RiskRange::kMin:
        r[i] = (p[i] - lo) / (hi - lo);
        break;
      case RiskRange::kMid:
        r[i] = (3 * p[i] - (hi + 2 * lo)) / (2 * (hi - lo));
        break;
      case RiskRange::kMax:
        r[i] = (2 * p[i] - (hi + lo)) / (hi - lo);
        break;
    }
  }
}

void PositionsWithinTolerance(int actors, int dims, const double* position,
                              std::vector<unsigned char>& within) {
  const int n = actors;
  within.resize(static_cast<size_t>(n) * n);
  for (int i = 0; i < n; ++i) {
    within[i * n + i] = 1;
    for (int j = 0; j < i; ++j) {
      const unsigned char near = RootBelow(
          SquaredDistance(position + i * dims, position + j * dims, dims),
          kPositionTolerance);
      within[i * n + j] = near;
      within[j * n + i] = near;
    }
  }
}

void UniquePositions(int actors, const unsigned char* within,
                     std::vector<int>& first, std::vector<int>& class_of) {
  const int n = actors;
  first.clear();
  class_of.assign(n, -1);
  for (int i = 0; i < n; ++i) {
    bool found = false;
    for (size_t u = 0; !found && u < first.size(); ++u) {
      found = within[i * n + first[u]];
    }
    if (!found) first.push_back(i);
  }
  // posProb keeps the last unique position within tolerance.
  for (int i = 0; i < n; ++i) {
    for (int u = static_cast<int>(first.size()) - 1; u >= 0; --u) {
      if (within[i * n + first[u]]) {
        class_of[i] = u;
        break;
      }
    }
  }
}

void ForecastGroups(int actors, int dims, const double* position,
                    const unsigned char* within, std::vector<int>& group_of,
                    std::vector<int>& head) {
  const int n = actors;
  // Union-find over the pairs within tolerance, the smaller root kept, so
  // every group's root is its first actor; group_of serves as the parent
  // array, then holds the roots.
  std::vector<int>& parent = group_of;
  parent.resize(n);
  for (int i = 0; i < n; ++i) parent[i] = i;
  auto find = [&](int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j) {
      if (within[i * n + j]) {
        const int a = find(i);
        const int b = find(j);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
    }
  }
  for (int i = 0; i < n; ++i) group_of[i] = find(i);
  // Each root's group number, and the group's head.
  thread_local std::vector<int> number;
  number.assign(n, -1);
  head.clear();
  for (int a = 0; a < n; ++a) {
    if (group_of[a] != a) continue;
    int best = a;
    for (int b = a + 1; b < n; ++b) {
      if (group_of[b] != a) continue;
      if (std::lexicographical_compare(
              position + b * dims, position + (b + 1) * dims,
              position + best * dims, position + (best + 1) * dims)) {
        best = b;
      }
    }
    number[a] = static_cast<int>(head.size());
    head.push_back(best);
  }
  for (int i = 0; i < n; ++i) group_of[i] = number[group_of[i]];
}

}  // namespace kernel

struct KtabRandom::Engine {
  std::mt19937_64 mt;
};

KtabRandom::KtabRandom(std::uint64_t seed) : engine_(new Engine{}) {
  engine_->mt.seed(seed);
}
KtabRandom::~KtabRandom() { delete engine_; }

std::uint64_t KtabRandom::Next() {
  // KBase::qTrans: a bijection of 64-bit words without fixed points.
  const std::uint64_t i = engine_->mt();
  const std::uint64_t n = 2;
  const std::uint64_t c = 3;
  const std::uint64_t a = 0xE08C1D668B756F83ull;
  return (i + a) * ((n * i) + c);
}

double KtabRandom::Uniform() {
  return static_cast<double>(Next()) /
         static_cast<double>(0xFFFFFFFFFFFFFFFFull);
}

int KtabRandom::Select(const std::vector<double>& probabilities) {
  const double x = Uniform();
  double sum = 0.0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    sum = sum + probabilities[i];
    if (x <= sum) return static_cast<int>(i);
  }
  return static_cast<int>(probabilities.size()) - 1;
}

}  // namespace unionstate::smp
