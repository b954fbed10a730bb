// Summaries of an ensemble, streamed: quantile sketches, agreement and
// blocking counts, and the cross-products behind the standardised
// regression coefficients; and the Saltelli/Jansen Sobol estimator with its
// Poisson bootstrap.

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <pcg_random.hpp>

#include "common/worker_pool.h"
#include "ensemble/gram.h"
#include "unionstate/ensemble.h"

namespace unionstate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs per block of the cross-products (a multiple of kGramRuns): the sums
// are formed in passes of kGramRuns runs in stream order however the runs
// arrive; a block is shared among threads by rows of the matrix.
constexpr size_t kBlockRuns = 32 * internal::kGramRuns;
// Rows of the cross-product matrix per task.
constexpr size_t kRowsPerTask = 16;
// Outcomes a quantile sketch takes at a time. Its bins (about 80 KB an
// issue, 3 MB for the Union State's 41) do not stay in a core's cache
// from one batch to the next, so each visit pays its cache misses again:
// one visit per 1 024 runs rather than per batch of 256 pays them a
// quarter as often.
constexpr size_t kPendingRuns = 1024;

}  // namespace

void QuantileSketch::Bin::Count(double x) {
  if (count == 0) {
    lo = hi = x;
  } else {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  ++count;
}

void QuantileSketch::Add(double x) {
  ++count_;
  if (bins_.empty()) {
    kept_.push_back(x);
    if (count_ > kExactRuns) Freeze();
    return;
  }
  bins_[BinOf(x)].Count(x);
}

void QuantileSketch::Add(std::span<const double> xs) {
  size_t k = 0;
  for (; k < xs.size() && bins_.empty(); ++k) Add(xs[k]);
  if (k == xs.size()) return;
  found_.resize(xs.size() - k);
  for (size_t j = k; j < xs.size(); ++j)
    found_[j - k] = static_cast<std::uint32_t>(BinOf(xs[j]));
  for (size_t j = k; j < xs.size(); ++j) bins_[found_[j - k]].Count(xs[j]);
  count_ += static_cast<std::int64_t>(xs.size() - k);
}

void QuantileSketch::Freeze() {
  std::vector<double> v = std::move(kept_);
  kept_ = {};
  std::sort(v.begin(), v.end());
  const size_t step = v.size() / static_cast<size_t>(kBins);
  starts_.push_back(-std::numeric_limits<double>::infinity());
  auto add_start = [&](double s) {
    if (s > starts_.back()) starts_.push_back(s);
  };
  for (size_t i = step; i < v.size(); i += step) {
    add_start(v[i]);
    // A value that repeats is a point mass: it gets a bin of its own.
    const bool repeats =
        (i + 1 < v.size() && v[i + 1] == v[i]) || (i > 0 && v[i - 1] == v[i]);
    if (repeats)
      add_start(std::nextafter(v[i], std::numeric_limits<double>::infinity()));
  }
  bins_.assign(starts_.size(), Bin{});
  // The grid: cell c of kGrid equal cells over [starts_[1], starts_.back())
  // starts in bin grid_[c].
  const size_t last = starts_.size() - 1;
  grid_.clear();
  if (last >= 2) {
    const double lo = starts_[1];
    const double width = (starts_.back() - lo) / kGrid;
    for (int c = 0; c <= kGrid; ++c) {
      const double edge = lo + width * c;
      grid_.push_back(static_cast<std::uint32_t>(
          std::upper_bound(starts_.begin(), starts_.end(), edge) -
          starts_.begin() - 1));
    }
    grid_.back() = static_cast<std::uint32_t>(last);
  }
  count_ = 0;
  for (double x : v) Add(x);
}

size_t QuantileSketch::BinOf(double x) const {
  // Bin k holds [starts_[k], starts_[k + 1]); the grid narrows the search
  // to the bins of x's cell, checked, else the whole range is searched.
  size_t first = 0;  // starts_[first] <= x
  size_t end = starts_.size();
  if (!grid_.empty()) {
    const double lo = starts_[1];
    const double cell =
        (x - lo) / (starts_.back() - lo) * static_cast<double>(kGrid);
    if (cell >= 0 && cell < kGrid) {
      const size_t c = static_cast<size_t>(cell);
      const size_t g0 = grid_[c];
      const size_t g1 = grid_[c + 1] + 1;
      if (starts_[g0] <= x && (g1 >= starts_.size() || x < starts_[g1])) {
        first = g0;
        end = g1;
      }
    }
  }
  // The last start <= x in [first, end), by a search without branches on
  // the data (a conditional move per step).
  const double* base = starts_.data() + first;
  size_t n = end - first;
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half] <= x ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - starts_.data());
}

double QuantileSketch::Quantile(double p) const {
  if (count_ == 0) return kNaN;
  if (bins_.empty()) {
    std::vector<double> sorted = kept_;
    std::sort(sorted.begin(), sorted.end());
    return unionstate::Quantile(sorted, p);
  }
  // The value of rank r (0-based) among all, from its bin.
  auto at = [&](std::int64_t r) {
    std::int64_t before = 0;
    for (const Bin& bin : bins_) {
      if (r < before + bin.count) {
        const std::int64_t offset = r - before;
        if (bin.count == 1) return bin.lo;
        return bin.lo + (bin.hi - bin.lo) * static_cast<double>(offset) /
                            static_cast<double>(bin.count - 1);
      }
      before += bin.count;
    }
    return bins_.back().hi;
  };
  const double h = static_cast<double>(count_ - 1) * p;
  const std::int64_t lo = static_cast<std::int64_t>(std::floor(h));
  const std::int64_t hi = std::min(lo + 1, count_ - 1);
  const double a = at(lo);
  const double b = hi == lo ? a : at(hi);
  return a + (h - static_cast<double>(lo)) * (b - a);
}

double Quantile(std::span<const double> sorted, double p) {
  if (sorted.empty()) return kNaN;
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// The cross-products of w = (1, x - x0, y - y0) over the runs, x0 the
// inputs' single-run values and y0 the first run's outcomes (shifts that
// keep the sums small, so that centring them later loses few digits): the
// lower triangle of W'W, accumulated block by block.
struct EnsembleAccumulator::Impl {
  const Scenario* scenario;
  const EnsemblePlan* plan;
  size_t p;  // inputs
  size_t m;  // issues
  size_t d;  // 1 + p + m
  internal::WorkerPool pool;
  std::int64_t runs = 0;
  std::vector<double> x0;
  std::vector<double> y0;
  std::vector<double> gram;   // d x d, row-major, lower triangle
  std::vector<double> block;  // kBlockRuns x d, row-major; rows [0, filled)
  size_t filled = 0;
  std::vector<double> x_lo, x_hi, y_lo, y_hi;  // exact ranges
  std::vector<QuantileSketch> quantiles;
  // Per issue, the outcomes not yet in its sketch: a sketch takes them
  // kPendingRuns at a time (the same sketch whatever the grouping).
  std::vector<std::vector<double>> pending;
  std::vector<std::int64_t> agreed;
  std::vector<std::map<std::string, std::int64_t>> blocked;

  Impl(const Scenario& s, const EnsemblePlan& pl, int threads)
      : scenario(&s),
        plan(&pl),
        p(pl.inputs.size()),
        m(s.issues.size()),
        d(1 + p + m),
        pool(threads),
        gram(d * d, 0.0),
        block(kBlockRuns * d),
        x_lo(p, std::numeric_limits<double>::infinity()),
        x_hi(p, -std::numeric_limits<double>::infinity()),
        y_lo(m, std::numeric_limits<double>::infinity()),
        y_hi(m, -std::numeric_limits<double>::infinity()),
        quantiles(m),
        pending(m),
        agreed(m, 0),
        blocked(m) {
    for (const UncertainInput& in : pl.inputs) x0.push_back(in.value);
  }

  // Adds the first `rows` rows of the block to `into`, in passes of
  // kGramRuns runs, the matrix's rows shared among threads.
  void AddBlock(std::vector<double>& into, size_t rows) {
    const size_t tasks = (d + kRowsPerTask - 1) / kRowsPerTask;
    pool.For(tasks, [&](size_t t, int) {
      const size_t a0 = t * kRowsPerTask;
      const size_t a1 = std::min(d, a0 + kRowsPerTask);
      for (size_t r = 0; r < rows; r += internal::kGramRuns) {
        internal::GramUpdate(block.data() + r * d,
                             std::min(internal::kGramRuns, rows - r), d, a0, a1,
                             into.data());
      }
    });
  }
};

EnsembleAccumulator::EnsembleAccumulator(const Scenario& scenario,
                                         const EnsemblePlan& plan, int threads)
    : impl_(std::make_unique<Impl>(scenario, plan, threads)) {}
EnsembleAccumulator::~EnsembleAccumulator() = default;

std::int64_t EnsembleAccumulator::runs() const { return impl_->runs; }

void EnsembleAccumulator::Add(std::span<const RunRecord> runs) {
  Impl& s = *impl_;
  if (runs.empty()) return;
  if (s.runs == 0) s.y0 = runs.front().outcomes;
  // Per issue: its own state, its runs in order; issues in parallel.
  s.pool.For(s.m, [&](size_t i, int) {
    double lo = s.y_lo[i], hi = s.y_hi[i];
    std::int64_t agreed = 0;
    std::vector<double>& ys = s.pending[i];
    for (const RunRecord& r : runs) {
      const double y = r.outcomes[i];
      lo = std::min(lo, y);
      hi = std::max(hi, y);
      ys.push_back(y);
      agreed += r.agreement[i];
      for (const std::string& who : r.blocking[i]) ++s.blocked[i][who];
    }
    if (ys.size() >= kPendingRuns) {
      s.quantiles[i].Add(ys);
      ys.clear();
    }
    s.y_lo[i] = lo;
    s.y_hi[i] = hi;
    s.agreed[i] += agreed;
  });
  for (const RunRecord& r : runs) {
    ++s.runs;
    double* w = s.block.data() + s.filled * s.d;
    w[0] = 1;
    for (size_t k = 0; k < s.p; ++k) {
      const double x = r.inputs[k];
      w[1 + k] = x - s.x0[k];
      s.x_lo[k] = std::min(s.x_lo[k], x);
      s.x_hi[k] = std::max(s.x_hi[k], x);
    }
    for (size_t i = 0; i < s.m; ++i) w[1 + s.p + i] = r.outcomes[i] - s.y0[i];
    if (++s.filled == kBlockRuns) {
      s.AddBlock(s.gram, kBlockRuns);
      s.filled = 0;
    }
  }
}

EnsembleSummary EnsembleAccumulator::Summary() const {
  Impl& s = *impl_;
  EnsembleSummary summary;
  summary.runs = s.runs;
  for (const UncertainInput& in : s.plan->inputs)
    summary.inputs.push_back(in.name);
  const double n = static_cast<double>(s.runs);
  // The pending block goes into a copy: adding it here would change how
  // later runs are blocked.
  std::vector<double> copy;
  const std::vector<double>* gram = &s.gram;
  if (s.filled > 0) {
    copy = s.gram;
    s.AddBlock(copy, s.filled);
    gram = &copy;
  }
  auto g = [&](Eigen::Index a, Eigen::Index b) {
    return (*gram)[static_cast<size_t>(std::max(a, b)) * s.d +
                   static_cast<size_t>(std::min(a, b))];
  };
  // Centred cross-products: C_ab = sum w_a w_b - sum w_a sum w_b / n.
  auto centred = [&](Eigen::Index a, Eigen::Index b) {
    return g(a, b) - g(a, 0) * g(b, 0) / n;
  };
  // The inputs that vary, and their correlation matrix, factored once.
  std::vector<Eigen::Index> used;
  for (size_t k = 0; k < s.p; ++k) {
    if (s.x_lo[k] < s.x_hi[k]) used.push_back(static_cast<Eigen::Index>(1 + k));
  }
  const Eigen::Index u = static_cast<Eigen::Index>(used.size());
  std::vector<size_t> varying;  // issues whose outcome varies
  for (size_t i = 0; i < s.m; ++i) {
    if (s.y_lo[i] < s.y_hi[i]) varying.push_back(i);
  }
  Eigen::MatrixXd beta;  // u x varying.size()
  Eigen::VectorXd r2;
  bool solved = false;
  if (u > 0 && !varying.empty() && s.runs >= u + 2) {
    Eigen::VectorXd sx(u);
    for (Eigen::Index a = 0; a < u; ++a)
      sx(a) = std::sqrt(centred(used[a], used[a]));
    Eigen::MatrixXd corr(u, u);
    for (Eigen::Index a = 0; a < u; ++a) {
      for (Eigen::Index b = 0; b <= a; ++b) {
        corr(a, b) = corr(b, a) =
            a == b ? 1 : centred(used[a], used[b]) / (sx(a) * sx(b));
      }
    }
    const Eigen::Index v = static_cast<Eigen::Index>(varying.size());
    Eigen::MatrixXd rhs(u, v);
    for (Eigen::Index c = 0; c < v; ++c) {
      const Eigen::Index y =
          static_cast<Eigen::Index>(1 + s.p + varying[static_cast<size_t>(c)]);
      const double sy = std::sqrt(centred(y, y));
      for (Eigen::Index a = 0; a < u; ++a)
        rhs(a, c) = centred(used[a], y) / (sx(a) * sy);
    }
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(corr);
    if (qr.rank() == u) {
      beta = qr.solve(rhs);
      r2 = (rhs.array() * beta.array()).colwise().sum().transpose();
      solved = true;
    }
  }

  static constexpr double kPs[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
  size_t next_varying = 0;
  for (size_t i = 0; i < s.m; ++i) {
    IssueSummary out;
    out.issue = s.scenario->issues[i].id;
    const Eigen::Index y = static_cast<Eigen::Index>(1 + s.p + i);
    if (s.runs == 0) {
      out.mean = out.sd = kNaN;
    } else {
      out.mean = s.y0[i] + g(y, 0) / n;
      out.sd = s.runs > 1 && s.y_lo[i] < s.y_hi[i]
                   ? std::sqrt(std::max(0.0, centred(y, y)) / (n - 1))
                   : 0;
    }
    double* q[5] = {&out.q05, &out.q25, &out.q50, &out.q75, &out.q95};
    if (!s.pending[i].empty()) {
      // The same sketch as had it taken them with the runs before.
      s.quantiles[i].Add(s.pending[i]);
      s.pending[i].clear();
    }
    for (int k = 0; k < 5; ++k) *q[k] = s.quantiles[i].Quantile(kPs[k]);
    out.p_agreement = s.runs == 0 ? kNaN : static_cast<double>(s.agreed[i]) / n;
    for (const auto& [who, count] : s.blocked[i])
      out.p_blocking.emplace_back(who, static_cast<double>(count) / n);
    std::stable_sort(
        out.p_blocking.begin(), out.p_blocking.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    out.src.assign(s.p, kNaN);
    out.src_r2 = kNaN;
    const bool varies =
        next_varying < varying.size() && varying[next_varying] == i;
    if (varies) {
      if (solved) {
        const Eigen::Index c = static_cast<Eigen::Index>(next_varying);
        for (Eigen::Index a = 0; a < u; ++a)
          out.src[static_cast<size_t>(used[static_cast<size_t>(a)] - 1)] =
              beta(a, c);
        out.src_r2 = r2(c);
      }
      ++next_varying;
    }
    summary.issues.push_back(std::move(out));
  }
  return summary;
}

EnsembleSummary Summarise(const Scenario& scenario, const EnsemblePlan& plan,
                          std::span<const RunRecord> runs) {
  EnsembleAccumulator acc(scenario, plan);
  acc.Add(runs);
  return acc.Summary();
}

SobolAccumulator::SobolAccumulator(int inputs, int outputs, std::uint64_t seed,
                                   int bootstrap)
    : inputs_(inputs), outputs_(outputs), seed_(seed) {
  const size_t m = static_cast<size_t>(outputs);
  const size_t km = static_cast<size_t>(inputs) * m;
  point_ = Sums{0, std::vector<double>(m), std::vector<double>(m),
                std::vector<double>(km), std::vector<double>(km)};
  replicates_.assign(static_cast<size_t>(bootstrap), point_);
}

void SobolAccumulator::Accumulate(Sums& sums, double w,
                                  std::span<const double> f_a,
                                  std::span<const double> f_b,
                                  std::span<const double> f_ab) const {
  const size_t m = static_cast<size_t>(outputs_);
  sums.weight += w;
  for (size_t o = 0; o < m; ++o) {
    const double a = f_a[o] - shift_[o];
    const double b = f_b[o] - shift_[o];
    sums.f[o] += w * (a + b);
    sums.f2[o] += w * (a * a + b * b);
  }
  for (size_t i = 0; i < static_cast<size_t>(inputs_); ++i) {
    for (size_t o = 0; o < m; ++o) {
      const double ab = f_ab[i * m + o];
      const double diff = ab - f_a[o];
      sums.first[i * m + o] += w * (f_b[o] - shift_[o]) * diff;
      sums.total[i * m + o] += w * diff * diff;
    }
  }
}

void SobolAccumulator::AddRow(std::span<const double> f_a,
                              std::span<const double> f_b,
                              std::span<const double> f_ab) {
  if (rows_ == 0) shift_.assign(f_a.begin(), f_a.end());
  Accumulate(point_, 1, f_a, f_b, f_ab);
  // Poisson(1) weights of this row in every replicate, from the row's own
  // stream: Knuth's product of uniforms, exact for a small mean.
  pcg64 rng(seed_ ^ 0x6a09e667f3bcc909u, static_cast<std::uint64_t>(rows_));
  for (Sums& sums : replicates_) {
    int w = 0;
    double product = static_cast<double>(rng() >> 11) * 0x1p-53;
    while (product > 0.36787944117144233) {  // exp(-1)
      ++w;
      product *= static_cast<double>(rng() >> 11) * 0x1p-53;
    }
    if (w > 0) Accumulate(sums, w, f_a, f_b, f_ab);
  }
  ++rows_;
}

void SobolAccumulator::Fill(std::vector<IssueSummary>& issues,
                            double confidence) const {
  const size_t m = static_cast<size_t>(outputs_);
  const size_t k = static_cast<size_t>(inputs_);
  // Indices from one set of sums; NaN where the outcome does not vary.
  auto indices = [&](const Sums& s, size_t i, size_t o) {
    const double n = s.weight;
    // Variance over the 2n values of A and B.
    const double var =
        n > 0 ? (s.f2[o] - s.f[o] * s.f[o] / (2 * n)) / (2 * n) : 0;
    if (!(var > 0)) return std::pair(kNaN, kNaN);
    return std::pair(s.first[i * m + o] / n / var,
                     s.total[i * m + o] / (2 * n) / var);
  };
  const double tail = (1 - confidence) / 2;
  std::vector<double> firsts, totals;
  for (size_t o = 0; o < m && o < issues.size(); ++o) {
    IssueSummary& out = issues[o];
    out.sobol.assign(k, kNaN);
    out.sobol_total.assign(k, kNaN);
    out.sobol_ci.assign(k, {kNaN, kNaN});
    out.sobol_total_ci.assign(k, {kNaN, kNaN});
    for (size_t i = 0; i < k; ++i) {
      const auto [first, total] = indices(point_, i, o);
      out.sobol[i] = first;
      out.sobol_total[i] = total;
      if (std::isnan(first)) continue;
      firsts.clear();
      totals.clear();
      for (const Sums& r : replicates_) {
        const auto [f, t] = indices(r, i, o);
        if (std::isnan(f)) continue;
        firsts.push_back(f);
        totals.push_back(t);
      }
      if (firsts.empty()) continue;
      std::sort(firsts.begin(), firsts.end());
      std::sort(totals.begin(), totals.end());
      out.sobol_ci[i] = {Quantile(firsts, tail), Quantile(firsts, 1 - tail)};
      out.sobol_total_ci[i] = {Quantile(totals, tail),
                               Quantile(totals, 1 - tail)};
    }
  }
}

}  // namespace unionstate
