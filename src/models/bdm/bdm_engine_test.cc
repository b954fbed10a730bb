// The two implementations of a BDM round agree, and the model's invariants
// hold: positions stay inside the initial range, risk exponents in [0.5, 2],
// and relabelling the actors changes nothing.

#include "models/bdm/bdm_engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace unionstate::bdm {
namespace {

// A random issue: n actors, positions on a coarse grid (so that equal
// positions, and hence ties, occur) or anywhere in [0, 100].
State RandomState(int n, bool grid) {
  std::vector<double> c, s, x;
  for (int k = 0; k < n; ++k) {
    c.push_back(*rc::gen::inRange(1, 101) / 100.0);
    s.push_back(*rc::gen::inRange(0, 101) / 100.0);
    x.push_back(grid ? 25.0 * *rc::gen::inRange(0, 5)
                     : *rc::gen::inRange(0, 100001) / 1000.0);
  }
  return MakeState(c, s, x);
}

double MaxRelativeGap(const std::vector<double>& a,
                      const std::vector<double>& b) {
  double gap = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    double scale = std::max({std::abs(a[k]), std::abs(b[k]), 1e-300});
    gap = std::max(gap, std::abs(a[k] - b[k]) / scale);
  }
  return gap;
}

// Voter m's weighted distance term c_m s_m (|x_m - y| / R)^r_m, and its sum
// over all voters: the largest prefix sum the fast round forms for target y.
// Recomputed here from the equations, not taken from the engine under test.
double Term(const State& s, size_t m, double y) {
  return s.capability[m] * s.salience[m] *
         std::pow(std::abs(s.position[m] - y) / s.range, s.risk[m]);
}
double RowTotal(const State& s, double y) {
  double total = 0;
  for (size_t m = 0; m < s.size(); ++m) total += Term(s, m, y);
  return total;
}

// The first probability on which the fast round departs from the naive
// one by more than rounding explains (the pair, both values and the
// bound), or "" when none does.
//
// The bound, to first order in eps (the spacing of doubles at 1, so every
// +, -, *, / errs by at most eps / 2 relative and glibc's pow, which is
// within one ulp, by at most eps). A distance term (|x - y| / R)^r carries
// up to 5 eps relative (eps from the subtraction and eps from the division,
// each raised to r <= 2, and eps from pow); a term W (|x - y| / R)^r up to
// 7 eps; a vote W (g(b) - g(a)) up to 8 eps (g(a) + g(b)) absolute however
// small the vote (two close positions: the voters barely prefer either).
// Write F(y) for the sum of W (|x - y| / R)^r over all voters,
// S = sum over actors a of F(x_a), A for the exact vote sum for a, D for
// the exact denominator and P = A / D (Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed., 3.1 and 4.2: a recursive sum of k terms
// errs by at most (k - 1) eps times the sum of their magnitudes).
//
//   * Fast vote sum: a difference of two prefix sums of at most n terms,
//     each prefix at most F(y): (n + 8) eps (F(x_a) + F(x_b)). The paper's
//     denominator for_a + for_b takes six prefix sums:
//     3 (n + 8) eps (F(x_a) + F(x_b)) + eps D.
//   * Naive vote sum: n nonnegative votes, 8 eps (F(x_a) + F(x_b)) from
//     the votes and (n - 1) eps A from the sum; likewise for its paper
//     denominator, 8 eps (F(x_a) + F(x_b)) + n eps D.
//   * Naive Scholz normaliser: n^3 nonnegative terms |v_m(a1, a2)|, so
//     16 n eps S from the votes (each (voter, actor) distance appears in
//     2 n of them) and (n^3 - 1) eps D from the recursive sum. This term is
//     the one an earlier bound (n eps D) left out: with n = 18 on a grid the
//     naive normaliser erred by 174 eps relative while the fast one was
//     correct to 1 eps, which moved P(0, 4) = 0.0057 by 2.2e-16.
//   * Fast Scholz normaliser: per voter sum g_(i) (2i - n + 1) over its
//     sorted distances, whose terms reach (n - 1) g_(i) and partly cancel:
//     (n + 6) (n - 1) eps times the voter's sum of g, times 2 W; over all
//     voters 2 (n + 6) (n - 1) eps S, plus (n + 2) eps D for the weights
//     and the outer sum of n nonnegative terms.
//
// Both rounds count a voter for a exactly when |x - x_a| < |x - x_b| in
// floating point (the fast one finds that boundary by binary search), so
// they sum the same votes and differ only by the roundings above.
//
// Then |fast P - naive P| <= (dA_fast + dA_naive) / D
//                            + P (dD_fast + dD_naive) / D + 2 eps P,
// the last term for the two divisions. Counting every rounding as a full
// eps where it is at most eps / 2 leaves room for the second-order terms.
// A wrong engine is not hidden: a 1e-7 relative change to the normaliser
// moves P by 1e-7 P, against a bound near n^3 eps P < 4e-12 P.
std::string ProbabilityMismatch(const State& s, const Options& options,
                                const std::vector<double>& naive,
                                const std::vector<double>& fast) {
  const size_t n = s.size();
  const double eps = std::numeric_limits<double>::epsilon();
  const double nd = static_cast<double>(n);
  double global = 0;
  double sum_rows = 0;  // S
  for (size_t a = 0; a < n; ++a) sum_rows += RowTotal(s, s.position[a]);
  for (size_t m = 0; m < n; ++m)
    for (size_t a = 0; a < n; ++a)
      for (size_t b = 0; b < n; ++b)
        global +=
            std::abs(Term(s, m, s.position[a]) - Term(s, m, s.position[b]));
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      const double xa = s.position[a];
      const double xb = s.position[b];
      double pair = 0;
      for (size_t m = 0; m < n; ++m)
        pair += std::abs(Term(s, m, xa) - Term(s, m, xb));
      const bool scholz = options.variant == Variant::kScholz;
      const double denominator = scholz ? global : pair;
      const double p = std::abs(naive[a * n + b]);
      const double rows = RowTotal(s, xa) + RowTotal(s, xb);
      // Both numerators, in units of eps, divided by D: (n + 16) rows / D
      // from the votes and (n - 1) P from the naive sum.
      double numerator = (nd + 16) * rows / denominator + (nd - 1) * p;
      double normaliser =
          scholz
              ? (nd * nd * nd + nd + 1) +
                    (16 * nd + 2 * (nd + 6) * (nd - 1)) * sum_rows / denominator
              : (3 * (nd + 8) + 8) * rows / denominator + (nd + 1);
      double bound = eps * (numerator + p * normaliser + 2 * p);
      if (!(std::abs(fast[a * n + b] - naive[a * n + b]) <= bound) &&
          !(denominator == 0 && fast[a * n + b] == naive[a * n + b])) {
        return fmt::format(
            "P({},{}): fast {:.17g}, naive {:.17g}, bound {:.3g}", a, b,
            fast[a * n + b], naive[a * n + b], bound);
      }
    }
  }
  return "";
}

// How close a round's choices come to a knife edge: the least distance of
// any quantity a choice compares from its threshold. These are two distinct
// positions (equal positions make no offer), EU_i(i->j) against 0 and
// against EU_i(j->i), EU_i(j->i) against 0 and |EU_i(i->j)|, and two keys
// of one actor's offers of one kind. Below about 1e-9 the fast and the
// naive round, whose positions and expected utilities differ in the last
// digits, may rightly choose differently.
double DecisionMargin(const State& s, const Options& options,
                      const std::vector<double>& p) {
  const size_t n = s.size();
  double margin = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> keys[2];  // confrontations, compromises
    for (size_t j = 0; j < n; ++j) {
      const double xi = s.position[i];
      const double xj = s.position[j];
      if (xi == xj) continue;
      margin = std::min(margin, std::abs(xi - xj) / s.range);
      double ij = ExpectedUtility(s, options, p, i, i, j);
      double ji = ExpectedUtility(s, options, p, i, j, i);
      margin = std::min({margin, std::abs(ij), std::abs(ji), std::abs(ji - ij),
                         std::abs(ji - std::abs(ij))});
      keys[0].push_back(std::abs(xi - xj) / s.range);
      if (ji > 0 && ij < 0) {
        keys[1].push_back(
            options.variant == Variant::kScholz
                ? (std::abs(ij) * xi + ji * xj) / (std::abs(ij) + ji) / s.range
                : std::abs(xj - xi) * std::abs(ij / ji) / s.range);
      }
    }
    for (std::vector<double>& kind : keys) {
      std::sort(kind.begin(), kind.end());
      for (size_t k = 1; k < kind.size(); ++k) {
        if (kind[k] != kind[k - 1])
          margin = std::min(margin, kind[k] - kind[k - 1]);
      }
    }
  }
  return margin;
}

// The fast O(n^2) round equals the naive O(n^3) reference: probabilities
// equal to rounding, and the same exponents, offers and positions for as
// long as no choice sits on a knife edge (a round whose decision margin is
// below 1e-9 ends the comparison; rapidcheck reports how often).
TEST(BdmEngine, FastRoundEqualsTheNaiveReference) {
  for (Variant variant : {Variant::kScholz, Variant::kPaper}) {
    bool ok = rc::check("fast == naive", [variant] {
      int n = *rc::gen::inRange(2, 25);
      State naive = RandomState(n, *rc::gen::arbitrary<bool>());
      for (int k = 0; k < n; ++k)
        naive.risk[static_cast<size_t>(k)] = *rc::gen::inRange(50, 201) / 100.0;
      State fast = naive;
      Options slow_options{.variant = variant, .algorithm = Algorithm::kNaive};
      Options fast_options{.variant = variant, .algorithm = Algorithm::kFast};
      std::string mismatch = ProbabilityMismatch(
          naive, slow_options, ProbabilityMatrix(naive, slow_options),
          ProbabilityMatrix(fast, fast_options));
      if (!mismatch.empty()) RC_FAIL("probability " + mismatch);
      for (int round = 0; round < 3; ++round) {
        UpdateRisk(naive, slow_options);
        UpdateRisk(fast, fast_options);
        RC_ASSERT(MaxRelativeGap(naive.risk, fast.risk) < 1e-9);
        if (DecisionMargin(naive, slow_options,
                           ProbabilityMatrix(naive, slow_options)) < 1e-9) {
          RC_TAG("knife edge in round " + std::to_string(round + 1));
          break;
        }
        std::vector<Offer> a = MoveRound(naive, slow_options);
        std::vector<Offer> b = MoveRound(fast, fast_options);
        RC_ASSERT(a.size() == b.size());
        for (size_t k = 0; k < a.size(); ++k) {
          RC_ASSERT(a[k].actor == b[k].actor);
          RC_ASSERT(a[k].counterpart == b[k].counterpart);
          RC_ASSERT(a[k].kind == b[k].kind);
          RC_ASSERT(std::abs(a[k].new_position - b[k].new_position) < 1e-9);
        }
      }
    });
    EXPECT_TRUE(ok);
  }
}

TEST(BdmEngine, AVoterAHairOffTheMidpointVotesOnItsOwnSide) {
  // 71.523 is not exactly halfway between the doubles nearest 71.513 and
  // 71.533: the middle voter is 1.4e-14 nearer 71.513 and votes for it,
  // however little. The computed midpoint 71.513 + (71.533 - 71.513) / 2
  // equals it, and the fast round, which once sorted voters by that
  // midpoint, left its vote out.
  for (Variant variant : {Variant::kScholz, Variant::kPaper}) {
    State state = MakeState({1, 1, 1}, {1, 1, 1}, {71.513, 71.523, 71.533});
    state.risk = {1, 0.5, 1};
    Options naive{.variant = variant, .algorithm = Algorithm::kNaive};
    Options fast{.variant = variant, .algorithm = Algorithm::kFast};
    EXPECT_EQ(ProbabilityMismatch(state, naive, ProbabilityMatrix(state, naive),
                                  ProbabilityMatrix(state, fast)),
              "");
  }
}

TEST(BdmEngine, PositionsStayInTheInitialRangeAndExponentsInBounds) {
  bool ok = rc::check("invariants", [] {
    int n = *rc::gen::inRange(2, 30);
    State state = RandomState(n, *rc::gen::arbitrary<bool>());
    double lo = *std::min_element(state.position.begin(), state.position.end());
    double hi = *std::max_element(state.position.begin(), state.position.end());
    Options options;
    options.variant =
        *rc::gen::arbitrary<bool>() ? Variant::kScholz : Variant::kPaper;
    for (int round = 0; round < 10; ++round) {
      UpdateRisk(state, options);
      for (double r : state.risk) {
        RC_ASSERT(r >= 0.5 - 1e-12);
        RC_ASSERT(r <= 2 + 1e-12);
      }
      MoveRound(state, options);
      for (double x : state.position) {
        RC_ASSERT(x >= lo - 1e-9);
        RC_ASSERT(x <= hi + 1e-9);
      }
    }
  });
  EXPECT_TRUE(ok);
}

TEST(BdmEngine, RelabellingActorsChangesNothing) {
  bool ok = rc::check("relabelling", [] {
    int n = *rc::gen::inRange(2, 20);
    State state = RandomState(n, *rc::gen::arbitrary<bool>());
    std::vector<size_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    for (int k = n - 1; k > 0; --k) {
      std::swap(order[static_cast<size_t>(k)],
                order[static_cast<size_t>(*rc::gen::inRange(0, k + 1))]);
    }
    State relabelled = state;
    for (size_t k = 0; k < order.size(); ++k) {
      relabelled.capability[k] = state.capability[order[k]];
      relabelled.salience[k] = state.salience[order[k]];
      relabelled.position[k] = state.position[order[k]];
    }
    Options options;
    options.variant =
        *rc::gen::arbitrary<bool>() ? Variant::kScholz : Variant::kPaper;
    options.q = *rc::gen::element(1.0, 0.75);
    // Bit-identical, not merely close: every sum runs in a canonical order,
    // so rounding cannot differ, and a near-tie between two offers cannot
    // tip one way for one labelling and the other way for another (which
    // then moves positions by whole units in later rounds).
    for (int round = 0; round < 5; ++round) {
      UpdateRisk(state, options);
      UpdateRisk(relabelled, options);
      MoveRound(state, options);
      MoveRound(relabelled, options);
      for (size_t k = 0; k < order.size(); ++k) {
        RC_ASSERT(relabelled.risk[k] == state.risk[order[k]]);
        RC_ASSERT(relabelled.position[k] == state.position[order[k]]);
      }
      RC_ASSERT(WeightedMean(relabelled) == WeightedMean(state));
    }
  });
  EXPECT_TRUE(ok);
}

TEST(BdmEngine, AWeightlessIssueHasThePlainMeanAndTheLowestMedian) {
  // Both saliences 0: no weighted mean exists; the plain one is taken
  // whichever actor is listed first.
  EXPECT_EQ(WeightedMean(MakeState({1, 1}, {0, 0}, {2, 6})), 4);
  EXPECT_EQ(WeightedMean(MakeState({1, 1}, {0, 0}, {6, 2})), 4);
  EXPECT_EQ(WeightedMedian(MakeState({1, 1}, {0, 0}, {6, 2})), 2);
}

TEST(BdmEngine, EqualDangerLeavesExponentsAtOne) {
  // Two identical actors apart: each is in the same danger.
  State state = MakeState({0.5, 0.5}, {0.5, 0.5}, {0, 10});
  UpdateRisk(state, Options{});
  EXPECT_EQ(state.risk, (std::vector<double>{1, 1}));
}

}  // namespace
}  // namespace unionstate::bdm
