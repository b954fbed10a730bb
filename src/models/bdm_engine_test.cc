// The two implementations of a BDM round agree, and the model's invariants
// hold: positions stay inside the initial range, risk exponents in [0.5, 2],
// and relabelling the actors changes nothing.

#include "models/bdm_engine.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <numeric>

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

// The largest difference between two probability matrices, relative to the
// largest probability. The fast round takes each vote sum as a difference
// of two prefix sums, so a probability far smaller than the others (voters
// nearly indifferent between two close positions) keeps an absolute error
// of the order of the larger sums' rounding, not a small relative one; the
// naive round sums the small differences themselves.
double MaxScaledGap(const std::vector<double>& a,
                    const std::vector<double>& b) {
  double largest = 1e-300;
  for (double x : a) largest = std::max(largest, std::abs(x));
  double gap = 0;
  for (size_t k = 0; k < a.size(); ++k)
    gap = std::max(gap, std::abs(a[k] - b[k]));
  return gap / largest;
}

// The fast O(n^2) round equals the naive O(n^3) reference: the same
// probabilities (to rounding), exponents, offers and positions.
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
      RC_ASSERT(MaxScaledGap(ProbabilityMatrix(naive, slow_options),
                             ProbabilityMatrix(fast, fast_options)) < 1e-12);
      for (int round = 0; round < 3; ++round) {
        UpdateRisk(naive, slow_options);
        UpdateRisk(fast, fast_options);
        RC_ASSERT(MaxRelativeGap(naive.risk, fast.risk) < 1e-9);
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
    for (int round = 0; round < 5; ++round) {
      UpdateRisk(state, options);
      UpdateRisk(relabelled, options);
      MoveRound(state, options);
      MoveRound(relabelled, options);
      for (size_t k = 0; k < order.size(); ++k) {
        RC_ASSERT(std::abs(relabelled.risk[k] - state.risk[order[k]]) < 1e-9);
        RC_ASSERT(std::abs(relabelled.position[k] - state.position[order[k]]) <
                  1e-9);
      }
    }
  });
  EXPECT_TRUE(ok);
}

TEST(BdmEngine, EqualDangerLeavesExponentsAtOne) {
  // Two identical actors apart: each is in the same danger.
  State state = MakeState({0.5, 0.5}, {0.5, 0.5}, {0, 10});
  UpdateRisk(state, Options{});
  EXPECT_EQ(state.risk, (std::vector<double>{1, 1}));
}

}  // namespace
}  // namespace unionstate::bdm
