// Summaries of an ensemble: quantiles, agreement and blocking shares, and
// sensitivity (standardised regression coefficients, first-order Sobol
// indices from given data).

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "unionstate/ensemble.h"

namespace unionstate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Moments {
  double mean = 0;
  double sd = 0;
};

Moments MomentsOf(std::span<const double> v) {
  Moments m;
  if (v.empty()) return {kNaN, kNaN};
  double sum = 0;
  for (double x : v) sum += x;
  m.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - m.mean) * (x - m.mean);
  m.sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0;
  return m;
}

// Standardised regression coefficients of y on the columns of x that vary,
// and the regression's R^2.
void Src(const std::vector<std::vector<double>>& x, std::span<const double> y,
         IssueSummary& out) {
  const size_t p = x.size();
  const size_t n = y.size();
  out.src.assign(p, kNaN);
  out.src_r2 = kNaN;
  const Moments my = MomentsOf(y);
  if (!(my.sd > 0)) return;
  std::vector<size_t> used;
  std::vector<Moments> mx(p);
  for (size_t k = 0; k < p; ++k) {
    mx[k] = MomentsOf(x[k]);
    if (mx[k].sd > 0) used.push_back(k);
  }
  if (used.empty() || n < used.size() + 2) return;
  Eigen::MatrixXd a(n, used.size());
  Eigen::VectorXd b(n);
  for (size_t r = 0; r < n; ++r) {
    b(static_cast<Eigen::Index>(r)) = (y[r] - my.mean) / my.sd;
    for (size_t c = 0; c < used.size(); ++c) {
      const size_t k = used[c];
      a(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
          (x[k][r] - mx[k].mean) / mx[k].sd;
    }
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  if (qr.rank() < static_cast<Eigen::Index>(used.size())) return;
  const Eigen::VectorXd beta = qr.solve(b);
  for (size_t c = 0; c < used.size(); ++c)
    out.src[used[c]] = beta(static_cast<Eigen::Index>(c));
  const double residual = (a * beta - b).squaredNorm();
  const double total = b.squaredNorm();
  out.src_r2 = 1 - residual / total;
}

}  // namespace

double Quantile(std::span<const double> sorted, double p) {
  if (sorted.empty()) return kNaN;
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Sorting on x, the runs fall into bins: one per distinct value of x when x
// takes at most sqrt(n) values (a discrete input), else sqrt(n) bins of
// (nearly) equal count. The between-bin sum of squares over the total
// estimates Var(E[Y|X]) / Var(Y); it carries a bias of about (bins - 1) /
// (n - 1) when Y does not depend on X at all, which is subtracted, and the
// result is cut to [0, 1].
double FirstOrderSobol(std::span<const double> x, std::span<const double> y) {
  const size_t n = y.size();
  if (n < 4 || x.size() != n) return kNaN;
  const Moments my = MomentsOf(y);
  const Moments mx = MomentsOf(x);
  if (!(my.sd > 0) || !(mx.sd > 0)) return kNaN;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return x[a] != x[b] ? x[a] < x[b] : a < b;
  });
  const size_t target =
      static_cast<size_t>(std::floor(std::sqrt(static_cast<double>(n))));
  size_t distinct = 1;
  for (size_t k = 1; k < n && distinct <= target; ++k) {
    if (x[order[k]] != x[order[k - 1]]) ++distinct;
  }
  std::vector<size_t> bin_of(n);
  size_t bins = 0;
  if (distinct <= target) {
    for (size_t k = 0; k < n; ++k) {
      if (k > 0 && x[order[k]] != x[order[k - 1]]) ++bins;
      bin_of[k] = bins;
    }
    ++bins;
  } else {
    bins = target;
    for (size_t k = 0; k < n; ++k) bin_of[k] = k * bins / n;
  }
  std::vector<double> sum(bins, 0);
  std::vector<double> count(bins, 0);
  for (size_t k = 0; k < n; ++k) {
    sum[bin_of[k]] += y[order[k]];
    count[bin_of[k]] += 1;
  }
  double between = 0;
  for (size_t b = 0; b < bins; ++b) {
    const double d = sum[b] / count[b] - my.mean;
    between += count[b] * d * d;
  }
  const double total = my.sd * my.sd * static_cast<double>(n - 1);
  const double s = between / total -
                   static_cast<double>(bins - 1) / static_cast<double>(n - 1);
  return std::clamp(s, 0.0, 1.0);
}

EnsembleSummary Summarise(const Scenario& scenario, const EnsemblePlan& plan,
                          std::span<const RunRecord> runs) {
  EnsembleSummary summary;
  summary.runs = static_cast<std::int64_t>(runs.size());
  for (const UncertainInput& in : plan.inputs)
    summary.inputs.push_back(in.name);
  const size_t p = plan.inputs.size();
  std::vector<std::vector<double>> x(p);
  for (size_t k = 0; k < p; ++k) {
    x[k].reserve(runs.size());
    for (const RunRecord& r : runs) x[k].push_back(r.inputs[k]);
  }
  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    IssueSummary out;
    out.issue = scenario.issues[i].id;
    std::vector<double> y;
    y.reserve(runs.size());
    double agreed = 0;
    std::map<std::string, double> blocked;
    for (const RunRecord& r : runs) {
      y.push_back(r.outcomes[i]);
      agreed += r.agreement[i];
      for (const std::string& who : r.blocking[i]) blocked[who] += 1;
    }
    const double n = static_cast<double>(runs.size());
    const Moments m = MomentsOf(y);
    out.mean = m.mean;
    out.sd = m.sd;
    std::vector<double> sorted = y;
    std::sort(sorted.begin(), sorted.end());
    out.q05 = Quantile(sorted, 0.05);
    out.q25 = Quantile(sorted, 0.25);
    out.q50 = Quantile(sorted, 0.50);
    out.q75 = Quantile(sorted, 0.75);
    out.q95 = Quantile(sorted, 0.95);
    out.p_agreement = runs.empty() ? kNaN : agreed / n;
    for (const auto& [who, count] : blocked)
      out.p_blocking.emplace_back(who, count / n);
    std::stable_sort(
        out.p_blocking.begin(), out.p_blocking.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    Src(x, y, out);
    if (p <= static_cast<size_t>(kMaxSobolInputs)) {
      for (size_t k = 0; k < p; ++k)
        out.sobol.push_back(FirstOrderSobol(x[k], y));
    }
    summary.issues.push_back(std::move(out));
  }
  return summary;
}

}  // namespace unionstate
