#include "models/bdm/bdm_engine.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/check.h"

namespace unionstate::bdm {

State MakeState(std::vector<double> capability, std::vector<double> salience,
                std::vector<double> position) {
  US_CHECK(capability.size() == position.size() &&
               salience.size() == position.size(),
           "BDM state vectors differ in length");
  State state;
  state.capability = std::move(capability);
  state.salience = std::move(salience);
  state.position = std::move(position);
  state.risk.assign(state.position.size(), 1.0);
  if (!state.position.empty()) {
    auto [lo, hi] =
        std::minmax_element(state.position.begin(), state.position.end());
    state.range = *hi - *lo;
  }
  if (!(state.range > 0)) state.range = 1;  // nobody differs: nothing will move
  return state;
}

namespace {

// x^r, every power the model takes. Every risk update starts with all
// exponents 1, and std::pow(x, 1) is x itself (any faithfully rounded pow
// returns an exact result exactly; this libm's pow was checked bit for bit
// on 7e7 doubles, every power of two and its neighbours among them, and
// the goldens pin it), so a third of a round's powers cost nothing.
double Raise(double x, double r) { return r == 1 ? x : std::pow(x, r); }

// Voter m's utility distance to y: (|x_m - y| / R)^r_m.
double Distance(const State& s, size_t m, double y) {
  return Raise(std::abs(s.position[m] - y) / s.range, s.risk[m]);
}

double Weight(const State& s, size_t m) {
  return s.capability[m] * s.salience[m];
}

// The actors sorted by position, then by weight and risk exponent: a
// canonical order. Actors equal in all three contribute identical terms to
// every sum, so summing in this order gives bit-identical results whatever
// the actors' labels (the conformance battery relabels them).
void CanonicalOrder(const State& s, std::vector<size_t>& order) {
  order.resize(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (s.position[a] != s.position[b]) return s.position[a] < s.position[b];
    if (Weight(s, a) != Weight(s, b)) return Weight(s, a) < Weight(s, b);
    return s.risk[a] < s.risk[b];
  });
}

// v_m(a, b): voter m's vote for position a over position b.
double Vote(const State& s, size_t m, double a, double b) {
  return Weight(s, m) * (Distance(s, m, b) - Distance(s, m, a));
}

// The three powers of a gap g = |x_a - x_b| / R seen with exponent r:
// Distance()'s and the two of ExpectedUtility() that depend on the gap.
double SuccessTerm(double gap, double r) {
  return 2 - 4 * Raise(0.5 - 0.5 * gap, r);
}
double FailureTerm(double gap, double r) {
  return 2 - 4 * Raise(0.5 + 0.5 * gap, r);
}
double StatusQuoTerm(double r) { return 2 - 4 * Raise(0.5, r); }

struct Powers {
  double distance;  // g^r
  double success;   // SuccessTerm(g, r)
  double failure;   // FailureTerm(g, r)
};

// Every power of a fast round: the probability matrix raises the gap
// between a voter and a position to the voter's exponent, and actor k's
// expected utilities raise functions of the gap between k and another actor
// to k's exponent. Both depend on the actors only through the position and
// exponent at one end and the position at the other, so the table holds
// them once per distinct (position, exponent) "slot" and distinct position,
// computed by the same expressions with the same arguments as Distance()
// and ExpectedUtility(): every bit is theirs, made fewer times. A slot's
// entry against a position whose own slot with the same exponent is already
// filled is that slot's mirror entry (the gap is symmetric), so with equal
// exponents (every risk update starts with all exponents 1) each gap is
// raised once.
class PowerTable {
 public:
  // Fills the table for s's positions and exponents, reusing its storage.
  void Build(const State& s) {
    const size_t n = s.size();
    distinct_ = s.position;
    std::sort(distinct_.begin(), distinct_.end());
    distinct_.erase(std::unique(distinct_.begin(), distinct_.end()),
                    distinct_.end());
    const size_t d_count = distinct_.size();
    column_.resize(n);
    slot_.resize(n);
    first_slot_.assign(d_count, kNone);
    slot_risk_.clear();
    next_slot_.clear();
    status_quo_.clear();
    powers_.clear();
    // At most one slot per actor: no reallocation below, once grown.
    slot_risk_.reserve(n);
    next_slot_.reserve(n);
    status_quo_.reserve(n);
    powers_.reserve(n * d_count);
    for (size_t a = 0; a < n; ++a) {
      const size_t d = static_cast<size_t>(
          std::lower_bound(distinct_.begin(), distinct_.end(),
                           s.position[a]) -
          distinct_.begin());
      column_[a] = d;
      const double r = s.risk[a];
      size_t slot = Find(d, r);
      if (slot == kNone) {
        slot = slot_risk_.size();
        slot_risk_.push_back(r);
        next_slot_.push_back(first_slot_[d]);
        first_slot_[d] = slot;
        status_quo_.push_back(StatusQuoTerm(r));
        powers_.resize(powers_.size() + d_count);
        Powers* row = powers_.data() + slot * d_count;
        for (size_t e = 0; e < d_count; ++e) {
          const size_t mirror = e == d ? kNone : Find(e, r);
          if (mirror != kNone) {
            row[e] = powers_[mirror * d_count + d];
            continue;
          }
          const double gap = std::abs(distinct_[d] - distinct_[e]) / s.range;
          if (e == d) {
            // No gap: both utility terms are the status quo's, 0.5^r.
            row[e] = {Raise(gap, r), status_quo_.back(), status_quo_.back()};
            continue;
          }
          row[e] = {Raise(gap, r), SuccessTerm(gap, r), FailureTerm(gap, r)};
        }
      }
      slot_[a] = slot;
    }
  }

  // Actor a's powers against each distinct position, with a's exponent.
  const Powers* Row(size_t a) const {
    return powers_.data() + slot_[a] * distinct_.size();
  }
  // The index of actor a's position among the distinct positions (sorted).
  size_t Column(size_t a) const { return column_[a]; }
  // 2 - 4 * 0.5^r with actor a's exponent r.
  double StatusQuo(size_t a) const { return status_quo_[slot_[a]]; }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  size_t Find(size_t d, double r) const {
    for (size_t t = first_slot_[d]; t != kNone; t = next_slot_[t]) {
      if (slot_risk_[t] == r) return t;
    }
    return kNone;
  }

  std::vector<double> distinct_;     // the distinct positions, ascending
  std::vector<size_t> column_;       // actor -> its index in distinct_
  std::vector<size_t> slot_;         // actor -> its slot
  std::vector<size_t> first_slot_;   // distinct position -> a slot there
  std::vector<size_t> next_slot_;    // slot -> the next at its position
  std::vector<double> slot_risk_;    // slot -> its exponent
  std::vector<double> status_quo_;   // slot -> StatusQuoTerm(exponent)
  std::vector<Powers> powers_;       // slot-major, one per distinct position
};

// Buffers that a thread reuses from round to round: an ensemble plays
// millions of small rounds (the Union State's issues have 4 to 7 actors),
// and allocating and freeing some forty vectors per round had become a
// fifth of their time. Each buffer has one user at a time (noted).
struct Scratch {
  PowerTable powers;                // UpdateRisk, MoveRound
  std::vector<double> probability;  // UpdateRisk, MoveRound
  // UpdateRisk, MoveRound (and the FastMatrix they call), WeightedMean,
  // WeightedMedian:
  std::vector<size_t> order;
  std::vector<double> danger;       // UpdateRisk
  std::vector<double> moved;        // MoveRound
  // FastMatrix:
  std::vector<double> sorted;
  std::vector<size_t> row_of;
  std::vector<double> rows;
  std::vector<double> distinct_y;   // row -> its position
  std::vector<double> by_position;  // P between distinct positions
  std::vector<double> g;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

std::vector<double> NaiveMatrix(const State& s, const Options& options) {
  const size_t n = s.size();
  std::vector<double> p(n * n, 0.0);
  double global = 0;
  if (options.variant == Variant::kScholz) {
    for (size_t m = 0; m < n; ++m) {
      for (size_t a1 = 0; a1 < n; ++a1) {
        for (size_t a2 = 0; a2 < n; ++a2) {
          global += std::abs(Vote(s, m, s.position[a1], s.position[a2]));
        }
      }
    }
  }
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      if (s.position[a] == s.position[b]) continue;
      double for_a = 0;
      double for_b = 0;
      for (size_t m = 0; m < n; ++m) {
        double v = Vote(s, m, s.position[a], s.position[b]);
        for_a += std::max(0.0, v);
        for_b += std::max(0.0, -v);
      }
      double denominator =
          options.variant == Variant::kScholz ? global : for_a + for_b;
      p[a * n + b] = denominator > 0 ? for_a / denominator : 0;
    }
  }
  return p;
}

// The fast probability matrix, into p (resized to n * n), with the powers
// of s from `powers` (built for s) and the voters (= actors) in s's
// CanonicalOrder.
void FastMatrix(const State& s, const Options& options,
                const PowerTable& powers, const std::vector<size_t>& order,
                std::vector<double>& p) {
  const size_t n = s.size();
  p.assign(n * n, 0.0);
  if (n == 0) return;
  Scratch& scratch = ThreadScratch();
  std::vector<double>& sorted = scratch.sorted;
  sorted.resize(n);
  for (size_t k = 0; k < n; ++k) sorted[k] = s.position[order[k]];

  // One prefix-sum row per distinct position y: F_y[k] = sum over the k
  // leftmost voters of c s (|x - y| / R)^r.
  std::vector<size_t>& row_of = scratch.row_of;
  row_of.resize(n);
  std::vector<double>& rows = scratch.rows;
  rows.clear();
  std::vector<double>& ys = scratch.distinct_y;
  ys.clear();
  size_t distinct = 0;
  for (size_t k = 0; k < n; ++k) {
    if (k > 0 && sorted[k] == sorted[k - 1]) {
      row_of[order[k]] = row_of[order[k - 1]];
      continue;
    }
    row_of[order[k]] = distinct++;
    ys.push_back(sorted[k]);
    // Distance(s, m, sorted[k]), from the table.
    const size_t column = powers.Column(order[k]);
    size_t base = rows.size();
    rows.resize(base + n + 1);
    rows[base] = 0;
    for (size_t v = 0; v < n; ++v) {
      size_t m = order[v];
      rows[base + v + 1] =
          rows[base + v] + Weight(s, m) * powers.Row(m)[column].distance;
    }
  }
  double global = 0;
  if (options.variant == Variant::kScholz) {
    // Sum over ordered actor pairs of |g(a1) - g(a2)| for each voter, with
    // g the voter's distance term: twice the sum over sorted g of
    // g_(i) (2i - n + 1). Distances grow away from the voter on both sides,
    // so the sorted order is a merge of the two sides.
    std::vector<double>& g = scratch.g;
    g.resize(n);
    for (size_t v = 0; v < n; ++v) {
      size_t m = order[v];
      double x = s.position[m];
      size_t right = static_cast<size_t>(
          std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
      size_t left = right;  // sorted[left - 1] is the next one leftwards
      const Powers* from_m = powers.Row(m);
      for (size_t out = 0; out < n; ++out) {
        bool take_left =
            left > 0 && (right == n || std::abs(x - sorted[left - 1]) <=
                                           std::abs(sorted[right] - x));
        size_t y = take_left ? --left : right++;
        g[out] = from_m[powers.Column(order[y])].distance;  // Distance()
      }
      double pairs = 0;
      for (size_t i = 0; i < n; ++i) {
        pairs += g[i] *
                 (2.0 * static_cast<double>(i) - static_cast<double>(n) + 1.0);
      }
      global += Weight(s, m) * 2 * pairs;
    }
  }

  // P(a, b) depends on a and b only through their positions, and one
  // search serves both orders: for xa < xb the voters [0, lo) prefer a and
  // [hi, n) prefer b, and P(b, a) is P(a, b) with the two sums swapped
  // (the same subtractions the pair (b, a) would make, in the same order).
  // So the pairs of distinct positions are computed once, lower first,
  // into `by_position`, and copied to the actors' pairs.
  std::vector<double>& by_position = scratch.by_position;
  by_position.resize(distinct * distinct);
  for (size_t da = 0; da < distinct; ++da) {
    const double xa = ys[da];
    const double* fa = rows.data() + da * (n + 1);
    for (size_t db = da + 1; db < distinct; ++db) {
      const double xb = ys[db];  // xa < xb
      const double* fb = rows.data() + db * (n + 1);
      // The voters who prefer a are those nearer a, the naive round's own
      // comparison of |x - xa| with |x - xb|: with positions that doubles
      // do not hold exactly (50.001, 50.002, 50.003) the voter "at" the
      // midpoint is a hair nearer one side, and a computed midpoint
      // xa + (xb - xa) / 2 can put it on the other. Along the sorted
      // voters the comparison changes once, so a binary search finds where.
      auto nearer_a = [&](double x) {
        return std::abs(x - xa) < std::abs(x - xb);
      };
      auto nearer_b = [&](double x) {
        return std::abs(x - xb) < std::abs(x - xa);
      };
      // Voters [0, lo) prefer a; voters [hi, n) prefer b.
      size_t lo = static_cast<size_t>(
          std::partition_point(sorted.begin(), sorted.end(), nearer_a) -
          sorted.begin());
      size_t hi = static_cast<size_t>(
          std::partition_point(sorted.begin(), sorted.end(),
                               [&](double x) { return !nearer_b(x); }) -
          sorted.begin());
      double for_a = fb[lo] - fa[lo];
      double for_b = (fa[n] - fa[hi]) - (fb[n] - fb[hi]);
      // Rounding can leave a hair below zero where the exact sum is zero.
      for_a = std::max(0.0, for_a);
      for_b = std::max(0.0, for_b);
      double denominator =
          options.variant == Variant::kScholz ? global : for_a + for_b;
      by_position[da * distinct + db] =
          denominator > 0 ? for_a / denominator : 0;
      // P(b, a): for_a and for_b trade places (and for_b + for_a is
      // for_a + for_b: addition commutes in floating point).
      by_position[db * distinct + da] =
          denominator > 0 ? for_b / denominator : 0;
    }
  }
  for (size_t a = 0; a < n; ++a) {
    const double* from_a = by_position.data() + row_of[a] * distinct;
    for (size_t b = 0; b < n; ++b) {
      if (row_of[a] != row_of[b]) p[a * n + b] = from_a[row_of[b]];
    }
  }
}

}  // namespace

std::vector<double> ProbabilityMatrix(const State& state,
                                      const Options& options) {
  if (options.algorithm == Algorithm::kNaive) {
    return NaiveMatrix(state, options);
  }
  PowerTable powers;
  powers.Build(state);
  std::vector<size_t> order;
  CanonicalOrder(state, order);
  std::vector<double> p;
  FastMatrix(state, options, powers, order, p);
  return p;
}

double WeightedMean(const State& s) {
  double weighted = 0;
  double total = 0;
  double plain = 0;
  std::vector<size_t>& order = ThreadScratch().order;
  CanonicalOrder(s, order);
  for (size_t m : order) {
    weighted += Weight(s, m) * s.position[m];
    total += Weight(s, m);
    plain += s.position[m];
  }
  if (total > 0) return weighted / total;
  // Nobody weighs anything (every salience or capability 0): the plain mean.
  return s.size() ? plain / static_cast<double>(s.size()) : 0;
}

namespace {

// WeightedMedian() with s's CanonicalOrder given.
double MedianInOrder(const State& s, const std::vector<size_t>& order) {
  double total = 0;
  for (size_t m : order) total += Weight(s, m);
  double running = 0;
  for (size_t m : order) {
    running += Weight(s, m);
    if (total > 0 ? running >= total / 2 : true) return s.position[m];
  }
  return order.empty() ? 0 : s.position[order.back()];
}

}  // namespace

double WeightedMedian(const State& s) {
  std::vector<size_t>& order = ThreadScratch().order;
  CanonicalOrder(s, order);
  return MedianInOrder(s, order);
}

namespace {

// ExpectedUtility() given its powers of the gap (SuccessTerm, FailureTerm)
// and StatusQuoTerm, all with k's exponent.
double Utility(const State& s, const Options& options, double p, size_t k,
               size_t i, size_t j, double success, double failure,
               double status_quo) {
  const double sj = s.salience[j];
  double eu = sj * (p * success + (1 - p) * failure) + (1 - sj) * success -
              options.q * status_quo;
  if (options.q < 1) {
    const double r = s.risk[k];
    const double gap = std::abs(s.position[i] - s.position[j]) / s.range;
    double spread = 0.25 * (std::abs(s.position[i] - s.median) / s.range + gap);
    double better = 2 - 4 * Raise(std::max(0.0, 0.5 - spread), r);
    double worse = 2 - 4 * Raise(0.5 + spread, r);
    eu -= (1 - options.q) * (options.t * better + (1 - options.t) * worse);
  }
  return eu;
}

}  // namespace

double ExpectedUtility(const State& s, const Options& options,
                       const std::vector<double>& probability, size_t k,
                       size_t i, size_t j) {
  const size_t n = s.size();
  const double r = s.risk[k];
  const double gap = std::abs(s.position[i] - s.position[j]) / s.range;
  return Utility(s, options, probability[i * n + j], k, i, j,
                 SuccessTerm(gap, r), FailureTerm(gap, r), StatusQuoTerm(r));
}

void UpdateRisk(State& s, const Options& options) {
  const size_t n = s.size();
  std::fill(s.risk.begin(), s.risk.end(), 1.0);
  Scratch& scratch = ThreadScratch();
  // One canonical order serves the median, the matrix and the sums below.
  std::vector<size_t>& order = scratch.order;
  CanonicalOrder(s, order);
  s.median = MedianInOrder(s, order);
  std::vector<double>& danger = scratch.danger;
  danger.assign(n, 0);
  // Summed over challengers in canonical order: a challenger's term depends
  // only on its position, so the sums do not depend on the actors' labels.
  if (options.algorithm == Algorithm::kNaive) {
    std::vector<double> p = NaiveMatrix(s, options);
    for (size_t k = 0; k < n; ++k) {
      for (size_t j : order) {
        if (j != k) danger[k] += ExpectedUtility(s, options, p, k, j, k);
      }
    }
  } else {
    // The same sums with ExpectedUtility()'s powers from the table.
    PowerTable& powers = scratch.powers;
    powers.Build(s);
    std::vector<double>& p = scratch.probability;
    FastMatrix(s, options, powers, order, p);
    for (size_t k = 0; k < n; ++k) {
      const Powers* from_k = powers.Row(k);
      const double status_quo = powers.StatusQuo(k);
      for (size_t j : order) {
        if (j == k) continue;
        const Powers& gap = from_k[powers.Column(j)];
        danger[k] += Utility(s, options, p[j * n + k], k, j, k, gap.success,
                             gap.failure, status_quo);
      }
    }
  }
  if (n == 0) return;
  auto [lo, hi] = std::minmax_element(danger.begin(), danger.end());
  double most = *hi;
  double least = *lo;
  if (!(most > least)) return;  // everyone equally safe: exponents stay 1
  for (size_t k = 0; k < n; ++k) {
    double acceptance = (2 * danger[k] - most - least) / (most - least);
    s.risk[k] = (1 - acceptance / 3.0) / (1 + acceptance / 3.0);
  }
}

const char* OfferKindName(OfferKind kind) {
  switch (kind) {
    case OfferKind::kConfrontation:
      return "confrontation";
    case OfferKind::kCompromise:
      return "compromise";
    case OfferKind::kCapitulation:
      return "capitulation";
  }
  return "confrontation";
}

std::vector<Offer> MoveRound(State& s, const Options& options) {
  const size_t n = s.size();
  Scratch& scratch = ThreadScratch();
  std::vector<size_t>& order = scratch.order;
  CanonicalOrder(s, order);
  s.median = MedianInOrder(s, order);
  // The naive round is the reference: it calls ExpectedUtility() itself.
  const bool naive = options.algorithm == Algorithm::kNaive;
  PowerTable* powers = nullptr;
  std::vector<double>& p = scratch.probability;
  if (naive) {
    p = NaiveMatrix(s, options);
  } else {
    powers = &scratch.powers;
    powers->Build(s);
    FastMatrix(s, options, *powers, order, p);
  }
  std::vector<Offer> accepted;
  std::vector<double>& moved = scratch.moved;
  moved = s.position;
  for (size_t i = 0; i < n; ++i) {
    // The best offer of each kind, by the choice rule of the variant.
    struct Best {
      bool any = false;
      Offer offer;
      double key = 0;
    } best[3];
    const Powers* from_i = naive ? nullptr : powers->Row(i);
    const double status_quo = naive ? 0 : powers->StatusQuo(i);
    for (size_t j = 0; j < n; ++j) {
      if (s.position[i] == s.position[j]) continue;
      double eu_ij;
      double eu_ji;
      if (naive) {
        eu_ij = ExpectedUtility(s, options, p, i, i, j);
        eu_ji = ExpectedUtility(s, options, p, i, j, i);
      } else {
        // Both from i's view across the same gap: the same powers.
        const Powers& gap = from_i[powers->Column(j)];
        eu_ij = Utility(s, options, p[i * n + j], i, i, j, gap.success,
                        gap.failure, status_quo);
        eu_ji = Utility(s, options, p[j * n + i], i, j, i, gap.success,
                        gap.failure, status_quo);
      }
      Offer offer{i, j, OfferKind::kConfrontation, eu_ij, eu_ji, 0};
      if (eu_ji > eu_ij && eu_ij > 0) {
        offer.kind = OfferKind::kConfrontation;
        offer.new_position = s.position[j];
      } else if (eu_ji > 0 && 0 > eu_ij && eu_ji > std::abs(eu_ij)) {
        offer.kind = OfferKind::kCompromise;
        double concession =
            (s.position[j] - s.position[i]) * std::abs(eu_ij / eu_ji);
        offer.new_position = s.position[i] + concession;
      } else if (options.variant == Variant::kPaper && eu_ji > 0 && 0 > eu_ij &&
                 eu_ji < std::abs(eu_ij)) {
        // Scholz's code tests eu_ji < |eu_ji| here, which never holds.
        offer.kind = OfferKind::kCapitulation;
        offer.new_position = s.position[j];
      } else {
        continue;
      }
      double key = std::abs(s.position[i] - offer.new_position);
      if (offer.kind == OfferKind::kCompromise &&
          options.variant == Variant::kScholz) {
        key = (std::abs(eu_ij) * s.position[i] +
               std::abs(eu_ji) * s.position[j]) /
              (std::abs(eu_ij) + std::abs(eu_ji));
      }
      Best& slot = best[static_cast<int>(offer.kind)];
      // Equal keys: the lower new position wins (so the result does not
      // depend on actor order); offers to the same position are equivalent
      // and the first in actor order is reported, as the replication does.
      bool better =
          !slot.any || key < slot.key ||
          (key == slot.key && offer.new_position < slot.offer.new_position);
      if (better) slot = {true, offer, key};
    }
    for (const Best& slot :
         best) {  // confrontation, then compromise, then capitulation
      if (!slot.any) continue;
      accepted.push_back(slot.offer);
      moved[i] = slot.offer.new_position;
      break;
    }
  }
  s.position.swap(moved);
  return accepted;
}

}  // namespace unionstate::bdm
