// The fast SMP engine. Same arithmetic as smp_reference.cc (both call the
// kernels of smp_kernels.h in smpc's order); what differs is the layout and
// the reuse:
//   * each state's distances are kept as the two tables the utilities are
//     made of, near = 1 - delta and capped = min(delta, 1), row by row and
//     transposed, so the loops over third parties and over targets read
//     contiguous rows in SIMD lanes;
//   * per turn, the risk estimates rho[h][i], the own utilities U^n_nl and
//     the value of every bargain to every actor are computed once and
//     shared by all the PCEs that need them (smpc recomputes them per call
//     and keeps an N x N x N array of utilities);
//   * the tables and work space are allocated once per run (per thread for
//     the per-actor work), not per turn or per election;
//   * challenges, bargain values and the bargain PCEs run over actors in
//     parallel (common/worker_pool.h); each task writes only its own slots;
//   * the loop over third parties is instantiated per voting rule and
//     commitment rule so the inner loop has no switch;
//   * a challenger's contests are run only against the targets that could
//     still be its best, by a bound on each target's gain (BestTarget):
//     about half of them on KTAB's SOE-Competitive;
//   * the forecast groups' election copies the coalitions it shares with
//     the classes' (Setup), summing only the pairs of the other groups;
//   * the conditional PCE's victory probabilities and products run in
//     lanes too (LaneElection, PairElectionLanes).

#include "models/smp/smp_engine.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/worker_pool.h"
#include "models/smp/smp_kernels.h"

namespace unionstate::smp {
namespace {


// A proposal: initiator a offers itself at_a and receiver b at_b (dims
// coordinates each, in the engine's per-turn offer table).
struct Proposal {
  int initiator;
  int receiver;
  const double* at_initiator;
  const double* at_receiver;
};

// A block of SIMD lanes (GCC's and Clang's vector extension): 4 doubles,
// one AVX2 register, two SSE2 ones in the baseline build of the lane
// kernels; the AVX-512 build runs the same 256-bit operations (8-lane
// blocks compiled to scalar selects in the AVX2 build, and this machine's
// AMD cores split a 512-bit operation in two 256-bit halves anyway). Every
// operation below is the kernel's own (smp_kernels.h) on each lane: the same
// operations in the same order, selects for its conditionals, so each lane's
// result is bit for bit the scalar one.
//
// The helpers take and return Lanes by value; they are always inlined into
// the kernels below, so no call ever passes a 64-byte vector and GCC's
// warning that such calls' ABI differs between instruction sets does not
// apply. (GCC reports it at the end of the file, so it is off for the
// rest of this file.)
#pragma GCC diagnostic ignored "-Wpsabi"
#define UNIONSTATE_LANE_INLINE inline __attribute__((always_inline))
constexpr int kLanes = 4;
using Lanes = double __attribute__((vector_size(kLanes * sizeof(double))));
// n rounded up to whole blocks.
inline int Padded(int n) { return (n + kLanes - 1) / kLanes * kLanes; }

// x in every lane, as one broadcast (a list of x's compiles to one insert
// per lane).
UNIONSTATE_LANE_INLINE Lanes Splat(double x) {
  const Lanes first = {x};
  return __builtin_shufflevector(first, first, 0, 0, 0, 0);
}
UNIONSTATE_LANE_INLINE Lanes Load(const double* p) {
  Lanes x;
  std::memcpy(&x, p, sizeof x);
  return x;
}
UNIONSTATE_LANE_INLINE void Store(double* p, Lanes x) {
  std::memcpy(p, &x, sizeof x);
}
// std::max(v, 0.0) and std::min(v, 0.0), lane by lane.
UNIONSTATE_LANE_INLINE Lanes MaxZero(Lanes v) {
  return v < Splat(0.0) ? Splat(0.0) : v;
}
UNIONSTATE_LANE_INLINE Lanes MinZero(Lanes v) {
  return Splat(0.0) < v ? Splat(0.0) : v;
}

// kernel::Vote.
template <VotingRule kRule>
UNIONSTATE_LANE_INLINE Lanes VoteLanes(Lanes w, Lanes ua, Lanes ub) {
  const Lanes du = ua - ub;
  Lanes binary = du / Splat(1e-8);
  binary = binary > Splat(1) ? Splat(1) : binary;
  binary = binary < Splat(-1) ? Splat(-1) : binary;
  if constexpr (kRule == VotingRule::kBinary) {
    return w * binary;
  } else if constexpr (kRule == VotingRule::kPropBin) {
    const double rbp = 0.2;
    return w * (Splat(1 - rbp) * du + Splat(rbp) * binary);
  } else if constexpr (kRule == VotingRule::kProportional) {
    return w * du;
  } else if constexpr (kRule == VotingRule::kPropCubic) {
    const double rpc = 0.5;
    return w * (Splat(1 - rpc) * du + Splat(rpc) * (du * du * du));
  } else if constexpr (kRule == VotingRule::kCubic) {
    return w * (du * du * du);
  } else {
    const Lanes up = (Splat(2.0) * w * du) / Splat(3.0);
    const Lanes zero = Splat(0.0);
    return du < zero ? w * du : (du > zero ? up : zero);
  }
}

// kernel::ThirdPartyVote with n's utilities U^n_ni = uni and U^n_nn = unn
// the same in every lane.
template <VotingRule kRule, ThirdPartyCommit kCommit>
UNIONSTATE_LANE_INLINE Lanes ThirdPartyVoteLanes(double wn, Lanes pin,
                                                 Lanes pjn, double uni,
                                                 Lanes unj, double unn) {
  Lanes join_i_wins;
  Lanes join_i_loses;
  Lanes join_j_loses;
  Lanes join_j_wins;
  if constexpr (kCommit == ThirdPartyCommit::kFullCommit) {
    join_i_wins = Splat(uni + uni + uni);
    join_i_loses = unj + unj + unj;
    join_j_loses = Splat(uni + uni + uni);
    join_j_wins = unj + unj + unj;
  } else if constexpr (kCommit == ThirdPartyCommit::kSemiCommit) {
    join_i_wins = Splat(uni + uni + unn);
    join_i_loses = unj + unj + unj;
    join_j_loses = Splat(uni + uni + uni);
    join_j_wins = unj + unj + Splat(unn);
  } else {
    join_i_wins = Splat(uni + uni + unn);
    join_i_loses = unj + unj + Splat(unn);
    join_j_loses = Splat(uni + uni + unn);
    join_j_wins = unj + unj + Splat(unn);
  }
  const Lanes join_i = (pin * join_i_wins) + (pjn * join_i_loses);
  const Lanes join_j = (pin * join_j_loses) + (pjn * join_j_wins);
  return VoteLanes<kRule>(Splat(wn), join_i, join_j);
}

// GCC compiles the lane kernels once per instruction set and picks one at
// load time. Clang (the fuzz build, fuzz/README.md) cannot clone function
// templates; it builds the default only, with the same results.
#if defined(__clang__)
#define UNIONSTATE_LANE_CLONES
#else
#define UNIONSTATE_LANE_CLONES \
  __attribute__((target_clones("default", "avx2", "avx512f")))
#endif

// kernel::ScalarElection's coalition sums of option i with the options
// j0 .. j0 + kBlocks * kLanes - 1: each lane sums the votes of the voters
// in order (the same sums as smpc's), the sums kept in registers over the
// voters, kBlocks blocks of lanes at a time so that their additions
// overlap and the voter's weight and utility of i are broadcast once for
// all of them. The pairs are summed as the rows of the larger option hold
// them: below (kAbove false) the pairs (i, j) of row i, j < i, into
// c[i][j] and c[j][i]; above, the pairs (j, i) of the rows j > i, into
// c[j][i] and c[i][j]. The other lanes read the padding or options not
// due, and are dropped.
template <VotingRule kRule, int kBlocks, bool kAbove = false>
UNIONSTATE_LANE_INLINE void CoalitionBlocks(int voters, int n, int stride,
                                            int i, int j0, const double* w,
                                            const double* u, double* c) {
  Lanes larger[kBlocks];   // the larger option's sums
  Lanes smaller[kBlocks];  // the smaller option's
  for (int b = 0; b < kBlocks; ++b) {
    larger[b] = Splat(kernel::kCoalitionFloor);
    smaller[b] = Splat(kernel::kCoalitionFloor);
  }
  for (int k = 0; k < voters; ++k) {
    const double* uk = &u[k * stride];
    const Lanes wk = Splat(w[k]);
    const Lanes uki = Splat(uk[i]);
    for (int b = 0; b < kBlocks; ++b) {
      const Lanes ukj = Load(&uk[j0 + b * kLanes]);
      const Lanes v = kAbove ? VoteLanes<kRule>(wk, ukj, uki)
                             : VoteLanes<kRule>(wk, uki, ukj);
      larger[b] = larger[b] + MaxZero(v);
      smaller[b] = smaller[b] - MinZero(v);
    }
  }
  for (int b = 0; b < kBlocks; ++b) {
    const int jb = j0 + b * kLanes;
    const int end = kAbove ? kLanes : std::min(kLanes, i - jb);
    for (int l = 0; l < end; ++l) {
      const int j = jb + l;
      if (kAbove && (j <= i || j >= n)) continue;
      const int high = kAbove ? j : i;
      const int low = kAbove ? i : j;
      c[high * n + low] = larger[b][l];
      c[low * n + high] = smaller[b][l];
    }
  }
}

// kernel::ScalarElection's coalition sums c (options x options), two
// blocks of kLanes options j < i at a time while both hold some, then one
// (CoalitionBlocks). u has `voters` rows of `stride` >= Padded(options)
// utilities.
template <VotingRule kRule>
UNIONSTATE_LANE_CLONES void LaneCoalitions(int voters, int options, int stride,
                                           const double* w, const double* u,
                                           double* c) {
  const int n = options;
  for (int i = 0; i < n; ++i) {
    int j0 = 0;
    for (; j0 + kLanes < i; j0 += 2 * kLanes) {
      CoalitionBlocks<kRule, 2>(voters, n, stride, i, j0, w, u, c);
    }
    if (j0 < i) CoalitionBlocks<kRule, 1>(voters, n, stride, i, j0, w, u, c);
    c[i * n + i] = kernel::kCoalitionFloor;
  }
}

// Every entry of LaneCoalitions' c (options x options) in row and column
// b, the same sums: the pairs (b, j), j < b, as row b holds them, the
// pairs (j, b), j > b, as the rows j do, and the floor on the diagonal. u
// as LaneCoalitions'.
template <VotingRule kRule>
UNIONSTATE_LANE_CLONES void CoalitionsOfOption(int voters, int options,
                                               int stride, int b,
                                               const double* w, const double* u,
                                               double* c) {
  const int n = options;
  int j0 = 0;
  for (; j0 + kLanes < b; j0 += 2 * kLanes) {
    CoalitionBlocks<kRule, 2>(voters, n, stride, b, j0, w, u, c);
  }
  if (j0 < b) CoalitionBlocks<kRule, 1>(voters, n, stride, b, j0, w, u, c);
  int j1 = (b + 1) / kLanes * kLanes;
  for (; j1 + kLanes < n; j1 += 2 * kLanes) {
    CoalitionBlocks<kRule, 2, true>(voters, n, stride, b, j1, w, u, c);
  }
  if (j1 < n)
    CoalitionBlocks<kRule, 1, true>(voters, n, stride, b, j1, w, u, c);
  c[b * n + b] = kernel::kCoalitionFloor;
}

// Challenger i's contests against kBlocks blocks of kLanes targets, one
// lane per target, two blocks at a time so that their operations overlap
// (one for a last block alone): the principals' strengths fi, fj, then
// every third party t's vote in order (smpc's order), the sums kept in
// registers over the third parties. A third party is never one of the
// principals: t == i is skipped, and in the lane of target t (when t is one
// of these blocks' targets) the vote is replaced by +0, which adds exactly
// nothing. max(v, 0) and min(v, 0) replace smpc's conditional adds: adding
// +0.0 to a positive strength leaves it unchanged. Built for AVX2 and
// AVX-512 as well as the baseline, chosen when the program starts; the
// operations and their order are the same in every version (no fused
// multiply-add: -ffp-contract=off), so are the results.
//
// The targets stand in the engine's target order (Engine::order_): column q
// of near and capped (rows of `stride`, one per third party t) is target
// order[q], and block b is columns first[b] .. first[b] + kLanes - 1.
// near and capped hold 1 - delta(t, j) and min(delta(t, j), 1) (1 when
// delta exceeds 1): kernel::DistanceUtility(delta, r) is then near * (1 +
// capped * r), the same two products, since 1 * r is r exactly. target[q]
// is order[q] as a double (-1 in the padding), place[t] the column of
// target t; fi, fj (by column) the principals' strengths, and cij, cji (by
// column) get the contests' sums. ut, un, wt and rt hold the third
// parties' U^i_ti, U^i_tt, weight and estimated risk.
template <VotingRule kRule, ThirdPartyCommit kCommit, int kBlocks>
UNIONSTATE_LANE_CLONES void ThirdPartyBlock(
    int n, int i, const int* first, int stride, const double* near,
    const double* capped, const int* place, const double* target,
    const double* ut, const double* un, const double* wt, const double* rt,
    const double* fi_in, const double* fj_in, double* cij_out,
    double* cji_out) {
  struct Block {
    Lanes fi, fj, cij, cji, lane;
  };
  Block blocks[kBlocks];
  for (int b = 0; b < kBlocks; ++b) {
    const int q = first[b];
    blocks[b].fi = blocks[b].cij = Load(&fi_in[q]);
    blocks[b].fj = blocks[b].cji = Load(&fj_in[q]);
    blocks[b].lane = Load(&target[q]);
  }
  const Lanes one = Splat(1.0);
  auto third_party = [&]<bool kTarget>(int t) {
    const Lanes r = Splat(rt[t]);
    const double w = wt[t];
    const double u = ut[t];
    for (int b = 0; b < kBlocks; ++b) {
      Block& k = blocks[b];
      const int at = t * stride + first[b];
      const Lanes unj = Load(&near[at]) * (one + Load(&capped[at]) * r);
      // kernel::LittleContest.
      const Lanes vn = VoteLanes<kRule>(Splat(w), Splat(u), unj);
      const Lanes cni = k.fi + MaxZero(vn);
      const Lanes cnj = k.fj - MinZero(vn);
      const Lanes pin = cni / (cni + cnj);
      Lanes v =
          ThirdPartyVoteLanes<kRule, kCommit>(w, pin, one - pin, u, unj, un[t]);
      if constexpr (kTarget) v = k.lane == Splat(t) ? Splat(0.0) : v;
      k.cij = k.cij + MaxZero(v);
      k.cji = k.cji - MinZero(v);
    }
  };
  for (int t = 0; t < n; ++t) {
    if (t == i) continue;
    bool target_here = false;
    for (int b = 0; b < kBlocks; ++b) {
      target_here =
          target_here || static_cast<unsigned>(place[t] - first[b]) < kLanes;
    }
    if (target_here) {
      third_party.template operator()<true>(t);
    } else {
      third_party.template operator()<false>(t);
    }
  }
  for (int b = 0; b < kBlocks; ++b) {
    Store(&cij_out[first[b]], blocks[b].cij);
    Store(&cji_out[first[b]], blocks[b].cji);
  }
}

// Each actor a's utilities of a bargain's two new positions x and y,
// summed as smpc starts the bargain's value: (0 + U^a(x)) + U^a(y), one
// lane per actor, with kernel::WeightedDistance and kernel::DistanceUtility
// done lane by lane (the utility's branch as a select). ideal and salience
// hold coordinate d of every actor in row d (rows of `stride`, a multiple
// of kLanes), squares and risk one value per actor; the padding lanes have
// salience 0 and squares 1.
UNIONSTATE_LANE_CLONES void BargainUtilityLanes(
    int dims, int stride, const double* ideal, const double* salience,
    const double* squares, const double* risk, const double* x, const double* y,
    double* sum) {
  const Lanes one = Splat(1.0);
  for (int a0 = 0; a0 < stride; a0 += kLanes) {
    Lanes sx = Splat(0.0);
    Lanes sy = Splat(0.0);
    for (int d = 0; d < dims; ++d) {
      const Lanes from = Load(&ideal[d * stride + a0]);
      const Lanes s = Load(&salience[d * stride + a0]);
      const Lanes dx = (from - Splat(x[d])) * s;
      const Lanes dy = (from - Splat(y[d])) * s;
      sx = sx + dx * dx;
      sy = sy + dy * dy;
    }
    const Lanes q = Load(&squares[a0]);
    Lanes ex = sx / q;
    Lanes ey = sy / q;
    for (int l = 0; l < kLanes; ++l) {
      ex[l] = std::sqrt(ex[l]);
      ey[l] = std::sqrt(ey[l]);
    }
    const Lanes r = Load(&risk[a0]);
    const Lanes ux = (one - ex) * (one + (ex <= one ? ex * r : r));
    const Lanes uy = (one - ey) * (one + (ey <= one ? ey * r : r));
    Store(&sum[a0], (Splat(0.0) + ux) + uy);
  }
}

// The value of a bargain to every actor a (smpc's sum over l of U^a_al
// with the two changed positions replaced, over N): sum[a] arrives holding
// U^a of the two new positions, (0 + ua) + ub, and each lane adds U^a_al
// for every other l in order, the sums kept in registers, up to four blocks
// of lanes at a time so that their additions overlap. The loop over l runs in
// three stretches around the initiator and the receiver rather than
// testing every l. own_t has rows of `stride` (a multiple of kLanes)
// utilities, as has sum; the padding lanes are dropped.
template <int kBlocks>
UNIONSTATE_LANE_INLINE void BargainValueBlocks(int n, int stride, int skip1,
                                               int skip2, const double* own_t,
                                               int a0, double* sum) {
  Lanes acc[kBlocks];
  for (int b = 0; b < kBlocks; ++b) acc[b] = Load(&sum[a0 + b * kLanes]);
  auto add = [&](int from, int to) {
    const double* row = own_t + static_cast<size_t>(from) * stride + a0;
    for (int l = from; l < to; ++l, row += stride) {
      for (int b = 0; b < kBlocks; ++b) {
        acc[b] = acc[b] + Load(&row[b * kLanes]);
      }
    }
  };
  add(0, skip1);
  add(skip1 + 1, skip2);
  add(skip2 + 1, n);
  const Lanes count = Splat(n);
  for (int b = 0; b < kBlocks; ++b) {
    Store(&sum[a0 + b * kLanes], acc[b] / count);
  }
}

UNIONSTATE_LANE_CLONES void BargainValueLanes(int n, int stride, int initiator,
                                              int receiver, const double* own_t,
                                              double* sum) {
  // The two skipped actors in order (one when they coincide, which the
  // stretches handle: the middle one is then empty).
  const int skip1 = std::min(initiator, receiver);
  const int skip2 = std::max(initiator, receiver);
  int a0 = 0;
  for (; a0 + 4 * kLanes <= stride; a0 += 4 * kLanes) {
    BargainValueBlocks<4>(n, stride, skip1, skip2, own_t, a0, sum);
  }
  for (; a0 + 2 * kLanes <= stride; a0 += 2 * kLanes) {
    BargainValueBlocks<2>(n, stride, skip1, skip2, own_t, a0, sum);
  }
  if (a0 < stride) {
    BargainValueBlocks<1>(n, stride, skip1, skip2, own_t, a0, sum);
  }
}

// Row i of the per-turn distance tables, one lane per position j: i's
// weighted distance d from its ideal (kernel::WeightedDistance, the same
// operations lane by lane), near[j] = 1 - d and capped[j] = min(d, 1) (d
// when d <= 1). position_t holds coordinate d of every position in row d
// (rows of `stride`); only the n entries of near and capped are written,
// their padding keeps its values.
UNIONSTATE_LANE_CLONES void DistanceRowLanes(int n, int dims, int stride,
                                             const double* ideal,
                                             const double* salience,
                                             double squares,
                                             const double* position_t,
                                             double* near, double* capped) {
  const Lanes one = Splat(1.0);
  for (int j0 = 0; j0 < n; j0 += kLanes) {
    Lanes sum = Splat(0.0);
    for (int d = 0; d < dims; ++d) {
      const Lanes ds =
          (Splat(ideal[d]) - Load(&position_t[d * stride + j0])) *
          Splat(salience[d]);
      sum = sum + ds * ds;
    }
    Lanes delta = sum / Splat(squares);
    for (int l = 0; l < kLanes; ++l) delta[l] = std::sqrt(delta[l]);
    const Lanes to_near = one - delta;
    const Lanes to_capped = delta <= one ? delta : one;
    if (j0 + kLanes <= n) {
      Store(&near[j0], to_near);
      Store(&capped[j0], to_capped);
    } else {
      for (int l = 0; j0 + l < n; ++l) {
        near[j0 + l] = to_near[l];
        capped[j0 + l] = to_capped[l];
      }
    }
  }
}

// Row h of the risk estimates and of the own utilities, one lane per
// actor: rho[i] = kernel::EstimateRisk(adjust, R_h, R_i) and U^h_hl =
// kernel::DistanceUtility(delta(h, l), rho_hh), the latter as near * (1 +
// capped * r), the same two products (ThirdPartyBlock says why). risk is
// padded to `stride` (zeros); the rows are written whole.
UNIONSTATE_LANE_CLONES void OwnRowLanes(RiskAdjust adjust, int stride, int h,
                                        const double* risk, const double* near,
                                        const double* capped, double* rho,
                                        double* own) {
  const double rh = risk[h];
  for (int i0 = 0; i0 < stride; i0 += kLanes) {
    const Lanes ri = Load(&risk[i0]);
    Lanes r;
    switch (adjust) {
      case RiskAdjust::kFull:
        r = ri;
        break;
      case RiskAdjust::kTwoThirds:
        r = (Splat(rh) + (Splat(2.0) * ri)) / Splat(3.0);
        break;
      case RiskAdjust::kHalf:
        r = (Splat(rh) + ri) / Splat(2.0);
        break;
      case RiskAdjust::kOneThird:
        r = (Splat(2.0 * rh) + ri) / Splat(3.0);
        break;
      case RiskAdjust::kNone:
      default:
        r = Splat(rh);
        break;
    }
    Store(&rho[i0], r);
  }
  const Lanes one = Splat(1.0);
  const Lanes r = Splat(rho[h]);
  for (int l0 = 0; l0 < stride; l0 += kLanes) {
    Store(&own[l0], Load(&near[l0]) * (one + Load(&capped[l0]) * r));
  }
}

// Challenger i's tables for BestTarget, one lane per actor: U^i_li, U^i_ll
// and U^i_il (ui, unn, uij: the utilities of third party l for i's and for
// its own position, and i's for l's) from the tables as near * (1 + capped *
// r), the same two products as kernel::DistanceUtility (ThirdPartyBlock
// says why); then the principals' strengths of i against every target j
// (kernel::PrincipalStrengths lane by lane, its conditional additions as
// selects of the same sums) into fi and fj, the whole blocks of targets in
// lanes and the rest one at a time (ThirdPartyBlock starts each contest's
// sums from them). near_col and capped_col are
// column i of near and capped (a row of their transposes), near_row and
// capped_row its row i, near_diag and capped_diag their diagonals, rho row
// i of the risk estimates, all padded to `stride`; weight has n entries.
template <VotingRule kRule>
UNIONSTATE_LANE_CLONES void ChallengerLanes(
    int n, int i, int stride, const double* near_col, const double* capped_col,
    const double* near_diag, const double* capped_diag, const double* near_row,
    const double* capped_row, const double* rho, const double* weight,
    double* ui, double* unn, double* uij, double* fi, double* fj) {
  const Lanes one = Splat(1.0);
  const Lanes rho_i = Splat(rho[i]);
  for (int l0 = 0; l0 < stride; l0 += kLanes) {
    const Lanes r = Load(&rho[l0]);
    Store(&ui[l0], Load(&near_col[l0]) * (one + Load(&capped_col[l0]) * r));
    Store(&unn[l0], Load(&near_diag[l0]) * (one + Load(&capped_diag[l0]) * r));
    Store(&uij[l0],
          Load(&near_row[l0]) * (one + Load(&capped_row[l0]) * rho_i));
  }
  const double wi = weight[i];
  const Lanes zero = Splat(0.0);
  const Lanes floor = Splat(kernel::kChallengeFloor);
  int j0 = 0;
  for (; j0 + kLanes <= n; j0 += kLanes) {
    const Lanes vi = VoteLanes<kRule>(Splat(wi), Splat(ui[i]), Load(&uij[j0]));
    const Lanes vj =
        VoteLanes<kRule>(Load(&weight[j0]), Load(&ui[j0]), Load(&unn[j0]));
    Lanes for_i = floor;
    Lanes for_j = floor;
    for_i = vi > zero ? for_i + vi : for_i;
    for_j = vi < zero ? for_j - vi : for_j;
    for_i = vj > zero ? for_i + vj : for_i;
    for_j = vj < zero ? for_j - vj : for_j;
    Store(&fi[j0], for_i);
    Store(&fj[j0], for_j);
  }
  for (int j = j0; j < n; ++j) {
    const kernel::Strengths p = kernel::PrincipalStrengths(
        kRule, wi, weight[j], ui[i], uij[j], ui[j], unn[j]);
    fi[j] = p.for_i;
    fj[j] = p.for_j;
  }
}

// kernel::VictoryProbabilities lane by lane (its branches as selects): the
// probabilities that the first side wins and that the second does, from
// the two sides' coalition strengths s1 and s2.
UNIONSTATE_LANE_INLINE void VictoryLanes(VictoryModel model, Lanes s1, Lanes s2,
                                         Lanes& first, Lanes& second) {
  Lanes x1 = s1;
  Lanes x2 = s2;
  switch (model) {
    case VictoryModel::kLinear:
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
      const Lanes q1 = s1 * s1 * s1 * s1;
      const Lanes q2 = s2 * s2 * s2 * s2;
      x1 = q1 * q1;
      x2 = q2 * q2;
      break;
    }
    case VictoryModel::kBinary: {
      const Lanes threshold = Splat(1.10);
      const Lanes floor = Splat(1e-6);
      const Lanes one = Splat(1.0);
      const Lanes r12 = s1 / (s1 + s2);
      const Lanes p12 = (r12 * (threshold + one) - one) / (threshold - one);
      const auto first_wins = s1 >= threshold * s2;
      const auto second_wins = s2 >= threshold * s1;
      x1 = first_wins ? one : (second_wins ? floor : p12);
      x2 = first_wins ? floor : (second_wins ? one : one - p12);
      break;
    }
  }
  first = x1 / (x1 + x2);
  second = x2 / (x1 + x2);
}

// kernel::ProbabilisticElection's conditional PCE (Model::condPCE) with its
// divisions and products in lanes, the same operations on each value, so
// the same bits: the pairs' victory probabilities kLanes pairs at a time,
// then each option's product over the options in order, kLanes options at
// a time. pair_s holds the pairs' strengths (two rows of `pairs`), pv the
// probabilities by column (pv[j * stride + i] is kernel's pv[i * n + j]).
UNIONSTATE_LANE_CLONES void ConditionalProducts(VictoryModel model, int n,
                                                int stride, int pairs,
                                                double* pair_s, double* pv,
                                                double* products) {
  for (int k0 = 0; k0 < pairs; k0 += kLanes) {
    Lanes first;
    Lanes second;
    VictoryLanes(model, Load(&pair_s[k0]), Load(&pair_s[pairs + k0]), first,
                 second);
    Store(&pair_s[k0], first);
    Store(&pair_s[pairs + k0], second);
  }
  int k = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j, ++k) {
      pv[j * stride + i] = pair_s[k];
      pv[i * stride + j] = pair_s[pairs + k];
    }
    pv[i * stride + i] = 0.5;
  }
  for (int i0 = 0; i0 < n; i0 += kLanes) {
    Lanes product = Splat(1.0);
    for (int j = 0; j < n; ++j) product = product * Load(&pv[j * stride + i0]);
    Store(&products[i0], product);
  }
}

// kernel::ProbabilisticElection's conditional PCE of kLanes two-option
// elections at once (option 0 the status quo, 1 a bargain; c10 and c01
// their coalitions, c[1][0] and c[0][1]), lane by lane in the kernel's
// order: the options' products of victory probabilities (pv[0][0] and
// pv[1][1] are 0.5), their sum from 0 (the kernel's test for underflow)
// and the two probabilities.
UNIONSTATE_LANE_CLONES void PairElectionLanes(VictoryModel victory,
                                              const double* c10,
                                              const double* c01, double* p0,
                                              double* p1, double* total) {
  Lanes pv10;
  Lanes pv01;
  VictoryLanes(victory, Load(c10), Load(c01), pv10, pv01);
  const Lanes half = Splat(0.5);
  const Lanes one = Splat(1.0);
  const Lanes a = (one * half) * pv01;
  const Lanes b = (one * pv10) * half;
  const Lanes t = (Splat(0.0) + a) + b;
  Store(total, t);
  Store(p0, a / t);
  Store(p1, b / t);
}

// BestTarget's bounds, one lane per column q of the target order:
// kernel::ChallengeBound(uii, uij[q], salience[q]) with the same operations
// (its conditional as a select), so the same bits. uij and salience are by
// column, padded to `stride`.
UNIONSTATE_LANE_CLONES void BoundLanes(int stride, double uii,
                                       const double* uij,
                                       const double* salience, double* bound) {
  const Lanes one = Splat(1.0);
  const Lanes uki = Splat(uii);
  for (int q0 = 0; q0 < stride; q0 += kLanes) {
    const Lanes ukj = Load(&uij[q0]);
    const Lanes sj = Load(&salience[q0]);
    const Lanes victory = uki + uki;
    const Lanes loss = ukj + ukj;
    const Lanes status_quo = uki + ukj;
    const Lanes most = victory > loss ? victory : loss;
    const Lanes value = (one - sj) * victory + sj * most - status_quo;
    const Lanes zero = Splat(0.0);
    const Lanes scale = (victory < zero ? zero - victory : victory) +
                        (loss < zero ? zero - loss : loss) + one;
    Store(&bound[q0], value + Splat(1e-9) * scale);
  }
}

// kernel::Challenge with k = i for the kLanes targets of one block (the
// same operations lane by lane, so the same bits): i's expected gain and
// its probability of winning. uij and salience are by column, cij and cji
// the block's contests.
UNIONSTATE_LANE_CLONES void ChallengeLanes(double uii, const double* uij,
                                           const double* salience,
                                           const double* cij, const double* cji,
                                           double* gain, double* win) {
  const Lanes one = Splat(1.0);
  const Lanes uki = Splat(uii);
  const Lanes a = Load(cij);
  const Lanes b = Load(cji);
  const Lanes pij = a / (a + b);
  const Lanes pji = b / (a + b);
  const Lanes ukj = Load(uij);
  const Lanes sj = Load(salience);
  const Lanes status_quo = uki + ukj;
  const Lanes victory = uki + uki;
  const Lanes loss = ukj + ukj;
  const Lanes contest = pij * victory + pji * loss;
  const Lanes challenge = (one - sj) * victory + sj * contest;
  Store(gain, challenge - status_quo);
  Store(win, pij);
}

// The coalition sums of kLanes two-option elections at once, one lane per
// election: the status quo (option 0, every voter's value status_quo[k])
// against one bargain (option 1, voter k's value option[l][k] in lane l).
// Each lane does what LaneCoalitions does for its election's one pair (i =
// 1, j = 0), the same operations in the same order: c10 gets c[1][0] and c01
// gets c[0][1].
template <VotingRule kRule>
UNIONSTATE_LANE_CLONES void PairCoalitionLanes(int voters, const double* w,
                                               const double* status_quo,
                                               const double* const* option,
                                               double* c10, double* c01) {
  Lanes cij = Splat(kernel::kCoalitionFloor);
  Lanes cji = Splat(kernel::kCoalitionFloor);
  for (int k = 0; k < voters; ++k) {
    Lanes ui;
    for (int l = 0; l < kLanes; ++l) ui[l] = option[l][k];
    const Lanes v = VoteLanes<kRule>(Splat(w[k]), ui, Splat(status_quo[k]));
    cij = cij + MaxZero(v);
    cji = cji - MinZero(v);
  }
  for (int l = 0; l < kLanes; ++l) {
    c10[l] = cij[l];
    c01[l] = cji[l];
  }
}

// Per-thread work space of BestTarget, reused across actors, turns and
// runs (a buffer of the calling thread, sized again only when the number of
// actors changes); the per-target rows have whole blocks of lanes, the
// padding neutral (1.0).
struct Scratch {
  void Resize(int n) {
    if (n_ == n) return;
    n_ = n;
    ui.assign(Padded(n), 0.0);
    unn.assign(Padded(n), 0.0);
    uij.assign(Padded(n), 0.0);
    fi.assign(Padded(n), 1.0);
    fj.assign(Padded(n), 1.0);
    cij.assign(Padded(n), 0.0);
    cji.assign(Padded(n), 0.0);
    fi_by_place.assign(Padded(n), 1.0);
    fj_by_place.assign(Padded(n), 1.0);
    uij_by_place.assign(Padded(n), 0.0);
    bound.assign(Padded(n), 0.0);
    block_bound.assign(Padded(n) / kLanes, 0.0);
    blocks.resize(Padded(n) / kLanes);
  }
  int n_ = -1;
  // ChallengerLanes' tables, by actor.
  std::vector<double> ui, unn, uij, fi, fj;
  // BestTarget's, by column of the target order: the contests' sums, the
  // strengths and U^i_ij; each target's bound and each block's largest,
  // the blocks by that.
  std::vector<double> cij, cji;
  std::vector<double> fi_by_place, fj_by_place, uij_by_place, bound,
      block_bound;
  std::vector<int> blocks;
};

// f.template operator()<rule>(), for the voting rule chosen at run time:
// the lane kernels take it as a template argument.
template <class F>
decltype(auto) WithVotingRule(VotingRule rule, F&& f) {
  switch (rule) {
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
      break;
  }
  return f.template operator()<VotingRule::kAsymmetricProspect>();
}

// KTAB's Model::scalarPCE on utilities already laid out for the lanes: u
// has `voters` rows of `stride` >= Padded(options) entries. The padding
// may hold anything, a previous election's utilities for instance: only
// lanes that are dropped read it (the engine's buffers are value-initialised
// when they grow, so it is never indeterminate). Every election of the
// engine writes its utilities this way as it builds them, with no copy.
std::expected<void, std::string> PaddedElection(
    VotingRule rule, PceModel pce, VictoryModel victory, int voters,
    int options, int stride, const double* w, const double* u,
    std::vector<double>& p);

class Engine {
 public:
  // `pool`: the threads the per-actor loops share; null: run them serially.
  Engine(const Input& input, const Options& options, internal::WorkerPool* pool)
      : in_(input),
        o_(options),
        n_(input.actors),
        dims_(input.dims),
        pool_(pool) {
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
    const int stride = Padded(n_);
    salience_t_.assign(static_cast<size_t>(dims_) * stride, 0.0);
    squares_pad_.assign(stride, 1.0);
    for (int i = 0; i < n_; ++i) {
      squares_pad_[i] = salience_squares_[i];
      for (int d = 0; d < dims_; ++d) {
        salience_t_[d * stride + i] = input.salience[i * dims_ + d];
      }
    }
    // The per-turn tables, allocated once for the run. Setup and Step write
    // every entry of the first n columns of each row in every turn; the
    // padding columns keep these values: near 1 and capped 0 (a neutral
    // third party's utility in the dropped lanes), zeros elsewhere.
    const size_t rows = static_cast<size_t>(n_) * stride;
    position_t_.assign(static_cast<size_t>(dims_) * stride, 0.0);
    near_.assign(rows, 1.0);
    capped_.assign(rows, 0.0);
    near_t_.assign(rows, 1.0);
    capped_t_.assign(rows, 0.0);
    near_diag_.assign(stride, 1.0);
    capped_diag_.assign(stride, 0.0);
    order_.resize(n_);
    place_.resize(n_);
    target_.assign(stride, -1.0);
    salience_by_place_.assign(stride, 0.0);
    near_by_place_.assign(rows, 1.0);
    capped_by_place_.assign(rows, 0.0);
    own_t_.assign(rows, 0.0);
    own_.assign(rows, 0.0);
    rho_.assign(rows, 0.0);
    status_quo_value_.resize(n_);
    ideal_t_.assign(static_cast<size_t>(dims_) * stride, 0.0);
    risk_pad_.assign(stride, 0.0);
    // At most two proposals per initiator (initiator_receiver), each two
    // points of dims coordinates.
    offer_.resize(static_cast<size_t>(n_) * 4 * dims_);
    made_.resize(n_);
    queue_start_.resize(n_ + 1);
    queue_fill_.resize(n_);
    pce_.resize(n_);
    failure_.resize(n_);
    accommodated_.resize(dims_);
  }

  std::expected<Run, std::string> Go(std::uint64_t seed) {
    KtabRandom random(seed);
    Run run;
    // Most runs stop by the movement rule within a few dozen turns.
    run.states.reserve(static_cast<size_t>(std::min(o_.max_turns, 64)) + 1);
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
    if (pool_ == nullptr) {
      for (int i = 0; i < n; ++i) f(i);
      return;
    }
    // About four blocks a thread: enough to even out uneven rows.
    const size_t grain = std::max<size_t>(
        1, static_cast<size_t>(n) / (4 * static_cast<size_t>(pool_->size())));
    pool_->For(
        static_cast<size_t>(n), [&](size_t i, int) { f(static_cast<int>(i)); },
        grain);
  }

  // f.template operator()<rule>() for the run's voting rule.
  template <class F>
  void DispatchVoting(F&& f) const {
    WithVotingRule(o_.voting, std::forward<F>(f));
  }

  double Movement(const State& a, const State& b) const {
    double sum = 0;
    for (int i = 0; i < n_; ++i) {
      sum = sum + kernel::EuclideanDistance(&a.position[i * dims_],
                                            &b.position[i * dims_], dims_);
    }
    return sum;
  }

  std::expected<void, std::string> Setup(State& s) {
    const int n = n_;
    const int dims = dims_;
    kernel::PositionsWithinTolerance(n, dims, s.position.data(), within_);
    kernel::UniquePositions(n, within_.data(), s.class_first, s.class_of);
    const int stride = Padded(n);
    for (int j = 0; j < n; ++j) {
      for (int d = 0; d < dims; ++d) {
        position_t_[d * stride + j] = s.position[j * dims + d];
      }
    }
    ParallelFor(n, [&](int i) {
      DistanceRowLanes(n, dims, stride, &s.ideal[i * dims],
                       &in_.salience[i * dims], salience_squares_[i],
                       position_t_.data(), &near_[i * stride],
                       &capped_[i * stride]);
    });
    // Their transposes and diagonals, for BestTarget's columns.
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        near_t_[j * stride + i] = near_[i * stride + j];
        capped_t_[j * stride + i] = capped_[i * stride + j];
      }
      near_diag_[i] = near_[i * stride + i];
      capped_diag_[i] = capped_[i * stride + i];
    }
    // BestTarget's target order: by position (its coordinates in turn),
    // then by actor; and the tables' columns in that order.
    for (int j = 0; j < n; ++j) order_[j] = j;
    std::sort(order_.begin(), order_.end(), [&](int a, int b) {
      const double* pa = &s.position[a * dims];
      const double* pb = &s.position[b * dims];
      for (int d = 0; d < dims; ++d) {
        if (pa[d] != pb[d]) return pa[d] < pb[d];
      }
      return a < b;
    });
    for (int q = 0; q < n; ++q) {
      place_[order_[q]] = q;
      target_[q] = order_[q];
      salience_by_place_[q] = total_salience_[order_[q]];
    }
    for (int t = 0; t < n; ++t) {
      for (int q = 0; q < n; ++q) {
        near_by_place_[t * stride + q] = near_[t * stride + order_[q]];
        capped_by_place_[t * stride + q] = capped_[t * stride + order_[q]];
      }
    }
    // Coalitions over the N positions with risk-neutral utilities and
    // capabilities as weights (risk inference): one PCE over all actors'
    // positions, duplicates included, as smpc does. The risk-neutral
    // utility DistanceUtility(delta, 0) is (1 - delta) * (1 + delta * 0) or
    // (1 - delta) * (1 + 0): 1 - delta exactly for every finite delta >= 0,
    // so the table near (rows of voters, padded) is that election's input.
    if (auto ok = PaddedElection(o_.voting, o_.pce, o_.victory, n, n, stride,
                                 in_.capability.data(), near_.data(),
                                 risk_pce_);
        !ok) {
      return ok;
    }
    kernel::RiskFromProbabilities(o_.risk_range, risk_pce_, s.risk);
    std::copy(s.risk.begin(), s.risk.end(), risk_pad_.begin());
    ParallelFor(n, [&](int h) {
      OwnRowLanes(o_.risk_adjust, stride, h, risk_pad_.data(),
                  &near_[h * stride], &capped_[h * stride], &rho_[h * stride],
                  &own_[h * stride]);
      const double* own = &own_[h * stride];
      double sum = 0.0;
      for (int l = 0; l < n; ++l) sum = sum + own[l];
      status_quo_value_[h] = sum / n;
    });
    for (int h = 0; h < n; ++h) {
      for (int l = 0; l < n; ++l) own_t_[l * stride + h] = own_[h * stride + l];
    }
    // The PCE over the classes, each voter's utilities in a padded row (the
    // padding left as it is: PaddedElection).
    const int m = static_cast<int>(s.class_first.size());
    const int m_stride = Padded(m);
    class_u_.resize(std::max(class_u_.size(), static_cast<size_t>(n) * m_stride));
    for (int i = 0; i < n; ++i) {
      double* row = &class_u_[static_cast<size_t>(i) * m_stride];
      for (int k = 0; k < m; ++k) {
        row[k] = own_[i * stride + s.class_first[k]];
      }
    }
    // Its coalitions are kept: the groups' election below shares most.
    class_c_.resize(std::max(class_c_.size(), static_cast<size_t>(m) * m));
    DispatchVoting([&]<VotingRule kRule>() {
      LaneCoalitions<kRule>(n, m, m_stride, in_.capability.data(),
                            class_u_.data(), class_c_.data());
    });
    if (auto ok = LaneElection(o_.pce, o_.victory, m, class_c_.data(),
                               s.class_probability);
        !ok) {
      return ok;
    }
    // The forecast's groups: the classes' PCE when they are the classes
    // with the same positions standing for them, else their own over the
    // heads' columns of U^i_il (the forecast's positions within 1e-3 of each
    // other are seldom equal, so this is most states').
    kernel::ForecastGroups(n, dims_, s.position.data(), within_.data(),
                           s.group_of, s.group_head);
    const int g = static_cast<int>(s.group_head.size());
    bool same = g == m && s.group_of == s.class_of;
    for (int k = 0; same && k < m; ++k) {
      same = std::equal(&s.position[s.group_head[k] * dims_],
                        &s.position[s.group_head[k] * dims_] + dims_,
                        &s.position[s.class_first[k] * dims_]);
    }
    if (same) {
      s.group_probability = s.class_probability;
      return {};
    }
    const int g_stride = Padded(g);
    class_u_.resize(std::max(class_u_.size(), static_cast<size_t>(n) * g_stride));
    for (int i = 0; i < n; ++i) {
      double* row = &class_u_[static_cast<size_t>(i) * g_stride];
      for (int k = 0; k < g; ++k) {
        row[k] = own_[i * stride + s.group_head[k]];
      }
    }
    // A group whose head stands exactly where the first actor of the
    // head's class does has that class's column of utilities (U^n_nl
    // depends on l's position alone). Two such groups, when their classes
    // come in the groups' order, have the classes' coalitions: the same
    // votes summed in the same order, so the same bits under every voting
    // rule. Those are copied, and the pairs of the other groups summed
    // (CoalitionsOfOption); all are summed when the others are many. In
    // KTAB's SOE-Competitive one to five groups of twenty to thirty are
    // others.
    group_class_.resize(static_cast<size_t>(g));
    int last = -1;
    int others = 0;
    for (int a = 0; a < g; ++a) {
      const double* head = &s.position[s.group_head[a] * dims];
      const int k = s.class_of[s.group_head[a]];
      const double* first = &s.position[s.class_first[k] * dims];
      if (k > last && std::equal(head, head + dims, first)) {
        group_class_[a] = k;
        last = k;
      } else {
        group_class_[a] = -1;
        ++others;
      }
    }
    group_c_.resize(std::max(group_c_.size(), static_cast<size_t>(g) * g));
    double* c = group_c_.data();
    DispatchVoting([&]<VotingRule kRule>() {
      const double* w = in_.capability.data();
      if (2 * others >= g) {
        LaneCoalitions<kRule>(n, g, g_stride, w, class_u_.data(), c);
        return;
      }
      for (int a = 0; a < g; ++a) {
        const int ka = group_class_[a];
        if (ka < 0) {
          CoalitionsOfOption<kRule>(n, g, g_stride, a, w, class_u_.data(), c);
          continue;
        }
        for (int b = 0; b < a; ++b) {
          const int kb = group_class_[b];
          if (kb < 0) continue;  // CoalitionsOfOption(b) sums it
          c[a * g + b] = class_c_[ka * m + kb];
          c[b * g + a] = class_c_[kb * m + ka];
        }
        c[a * g + a] = kernel::kCoalitionFloor;
      }
    });
    return LaneElection(o_.pce, o_.victory, g, c, s.group_probability);
  }

  // The best target of actor i (its own estimates, h = k = i), as
  // bestChallenge picks it: the largest gain over kMinSignificantGain, the
  // first target among equal gains; -1 when none.
  //
  // The loops are interchanged: for each third party t, a block of targets
  // j is updated at once (SIMD lanes over j), each still accumulating its
  // coalition strengths over t in smpc's order. max(v, 0) and min(v, 0)
  // replace smpc's conditional adds: adding +0.0 to a positive strength
  // leaves it unchanged, so the sums are bit for bit smpc's.
  //
  // Not every target needs its contest. Whatever the contest's outcome,
  // kernel::Challenge's gain is at most kernel::ChallengeBound (the gain were
  // i's side to take every vote), a few operations; the contests, a pass over
  // every third party per target, are most of a turn. So the blocks of
  // targets go in order of their largest bound, and once the next block's
  // is below the best gain found, no target left can beat it or tie it:
  // they are skipped. The targets stand in the order of their positions
  // (order_), so that a block holds targets near each other, which i values
  // alike: the blocks near i's own position, worth little to challenge, are
  // the ones skipped. A target's gain, when computed, is the same bits as
  // before, and the choice the same target (bench/README.md: about half the
  // contests are skipped on KTAB's SOE-Competitive).
  template <VotingRule kRule, ThirdPartyCommit kCommit>
  void BestTarget(int i, Scratch& w, int& best, double& best_p) const {
    const int n = n_;
    const int stride = Padded(n);
    const double* rho = &rho_[i * stride];
    double* __restrict ui = w.ui.data();
    double* __restrict unn = w.unn.data();
    double* __restrict uij = w.uij.data();
    double* __restrict fi = w.fi.data();
    double* __restrict fj = w.fj.data();
    double* __restrict cij = w.cij.data();
    double* __restrict cji = w.cji.data();
    ChallengerLanes<kRule>(
        n, i, stride, &near_t_[i * stride], &capped_t_[i * stride],
        near_diag_.data(), capped_diag_.data(), &near_[i * stride],
        &capped_[i * stride], rho, weight_.data(), ui, unn, uij, fi, fj);
    // Strengths and U^i_ij by column, the bounds, and each block's largest
    // (i itself and the padding are no target), the blocks by it, largest
    // first (an insertion sort: a few dozen blocks at most in practice).
    for (int q = 0; q < n; ++q) {
      const int j = order_[q];
      w.fi_by_place[q] = fi[j];
      w.fj_by_place[q] = fj[j];
      w.uij_by_place[q] = uij[j];
    }
    BoundLanes(stride, ui[i], w.uij_by_place.data(), salience_by_place_.data(),
               w.bound.data());
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    w.bound[place_[i]] = kNone;
    const int blocks = stride / kLanes;
    for (int b = 0; b < blocks; ++b) {
      double most = kNone;
      for (int q = b * kLanes; q < std::min(n, (b + 1) * kLanes); ++q) {
        most = std::max(most, w.bound[q]);
      }
      w.block_bound[b] = most;
      int at = b;
      for (; at > 0 && w.block_bound[w.blocks[at - 1]] < most; --at) {
        w.blocks[at] = w.blocks[at - 1];
      }
      w.blocks[at] = b;
    }
    double best_gain = 0;
    best = -1;
    best_p = 0;
    // Whether block b may hold a target to choose.
    auto open = [&](int b) {
      const double most = w.block_bound[b];
      return most > kernel::kMinSignificantGain &&
             (best < 0 || most >= best_gain);
    };
    for (int k = 0; k < blocks && open(w.blocks[k]);) {
      int first[2] = {w.blocks[k] * kLanes, 0};
      int taken = 1;
      if (k + 1 < blocks && open(w.blocks[k + 1])) {
        first[1] = w.blocks[k + 1] * kLanes;
        taken = 2;
        ThirdPartyBlock<kRule, kCommit, 2>(
            n, i, first, stride, near_by_place_.data(), capped_by_place_.data(),
            place_.data(), target_.data(), ui, unn, weight_.data(), rho,
            w.fi_by_place.data(), w.fj_by_place.data(), cij, cji);
      } else {
        ThirdPartyBlock<kRule, kCommit, 1>(
            n, i, first, stride, near_by_place_.data(), capped_by_place_.data(),
            place_.data(), target_.data(), ui, unn, weight_.data(), rho,
            w.fi_by_place.data(), w.fj_by_place.data(), cij, cji);
      }
      k += taken;
      for (int b = 0; b < taken; ++b) {
        const int q0 = first[b];
        alignas(32) double gain[kLanes];
        alignas(32) double win[kLanes];
        ChallengeLanes(ui[i], &w.uij_by_place[q0], &salience_by_place_[q0],
                       &cij[q0], &cji[q0], gain, win);
        for (int l = 0; l < kLanes && q0 + l < n; ++l) {
          const int j = order_[q0 + l];
          if (j == i) continue;
          if (kernel::kMinSignificantGain < gain[l] &&
              (best < 0 || best_gain < gain[l] ||
               (gain[l] == best_gain && j < best))) {
            best = j;
            best_p = win[l];
            best_gain = gain[l];
          }
        }
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
    return WithVotingRule(o_.voting, with_commit);
  }

  // h's estimate of the expected gain to k when i challenges j, for any h
  // (only the InitRcvr and PWComp bargain models need h != i).
  double ChallengeGain(int h, int k, int i, int j) const {
    const int n = n_;
    const int stride = Padded(n);
    const double* rho = &rho_[h * stride];
    // kernel::DistanceUtility from the tables (BestTarget says why).
    auto u = [&](int a, int b) {
      const int ab = a * stride + b;
      return near_[ab] * (1 + capped_[ab] * rho[a]);
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

  // i's proposal to j with i's estimated probability of winning pi: the
  // points offered to i and to j, dims coordinates each, into `to` (2 dims).
  void Interpolate(const State& s, int i, int j, double pi, double* to) const {
    const double* si = &in_.salience[i * dims_];
    const double* sj = &in_.salience[j * dims_];
    for (int d = 0; d < dims_; ++d) {
      kernel::Interpolate(o_.interpolation, s.position[i * dims_ + d], si[d],
                          pi, s.position[j * dims_ + d], sj[d], 1 - pi, to[d],
                          to[dims_ + d]);
    }
  }

  // Slot k (0 or 1) of initiator i's proposals in the offer table.
  double* Offer(int i, int k) {
    return &offer_[(static_cast<size_t>(i) * 2 + k) * 2 * dims_];
  }

  std::expected<void, std::string> Step(State& s, State& next,
                                        KtabRandom& random) {
    const int n = n_;
    const int dims = dims_;
    s.target.assign(n, -1);
    auto challenges = [&](int begin, int end) {
      thread_local Scratch scratch;
      scratch.Resize(n);
      for (int i = begin; i < end; ++i) {
        int j = -1;
        double pi = 0;
        DispatchBestTarget(i, scratch, j, pi);
        s.target[i] = j;
        made_[i] = 0;
        if (j < 0) continue;
        double* from_i = Offer(i, 0);
        Interpolate(s, i, j, pi, from_i);
        made_[i] = 1;
        if (o_.bargain == BargainModel::kInitiatorOnly) continue;
        // smpc passes j's estimate of i's gain as if it were a
        // probability (smpbcn.cpp, pjiJ); see smp.h.
        const double pj = ChallengeGain(j, i, i, j);
        double* from_j = Offer(i, 1);
        Interpolate(s, i, j, pj, from_j);
        if (o_.bargain == BargainModel::kInitiatorReceiver) {
          made_[i] = 2;
          continue;
        }
        // The power-weighted mix of the two, in slot 0 (coordinate by
        // coordinate, each read before it is overwritten).
        const double wi = in_.capability[i] * total_salience_[i];
        const double wj = in_.capability[i] * total_salience_[j];
        for (int d = 0; d < 2 * dims; ++d) {
          from_i[d] = (wi * from_i[d] + wj * from_j[d]) / (wi + wj);
        }
      }
    };
    if (pool_ == nullptr) {
      challenges(0, n);
    } else {
      pool_->For(static_cast<size_t>(n), [&](size_t i, int) {
        challenges(static_cast<int>(i), static_cast<int>(i) + 1);
      });
    }
    // Every proposal once, in initiator order, with its value to every
    // actor: both queues it lands in share the column.
    proposals_.clear();
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < made_[i]; ++k) {
        const double* at = Offer(i, k);
        proposals_.push_back({i, s.target[i], at, at + dims});
      }
    }
    const int count = static_cast<int>(proposals_.size());
    const int stride = Padded(n);
    // The actors' ideals by coordinate, for BargainUtilityLanes (the
    // padding stays 0; risk_pad_ is Setup's).
    for (int a = 0; a < n; ++a) {
      for (int d = 0; d < dims; ++d) {
        ideal_t_[d * stride + a] = s.ideal[a * dims + d];
      }
    }
    // [b][n], every entry written below.
    if (value_.size() < static_cast<size_t>(count) * stride) {
      value_.resize(static_cast<size_t>(count) * stride);
    }
    ParallelFor(count, [&](int q) {
      const Proposal& b = proposals_[q];
      double* sum = &value_[static_cast<size_t>(q) * stride];
      BargainUtilityLanes(dims, stride, ideal_t_.data(), salience_t_.data(),
                          squares_pad_.data(), risk_pad_.data(),
                          b.at_initiator, b.at_receiver, sum);
      BargainValueLanes(n, stride, b.initiator, b.receiver, own_t_.data(), sum);
    });
    // Queues: status quo, own proposals, received ones in initiator order;
    // actor k's are queue_[queue_start_[k] .. queue_start_[k + 1]).
    std::fill(queue_start_.begin(), queue_start_.end(), 0);
    for (const Proposal& b : proposals_) {
      ++queue_start_[b.initiator + 1];
      ++queue_start_[b.receiver + 1];
    }
    for (int k = 0; k < n; ++k) queue_start_[k + 1] += queue_start_[k];
    queue_.resize(static_cast<size_t>(queue_start_[n]));
    std::copy(queue_start_.begin(), queue_start_.begin() + n,
              queue_fill_.begin());
    for (int q = 0; q < count; ++q) {
      queue_[queue_fill_[proposals_[q].initiator]++] = q;
    }
    for (int q = 0; q < count; ++q) {
      queue_[queue_fill_[proposals_[q].receiver]++] = q;
    }
    for (std::string& f : failure_) f.clear();
    // Most queues hold one bargain (a two-option election against the
    // status quo): those run kLanes at a time (PairCoalitionLanes), the
    // others one by one.
    pairs_.clear();
    others_.clear();
    for (int k = 0; k < n; ++k) {
      (queue_start_[k + 1] - queue_start_[k] == 1 ? pairs_ : others_)
          .push_back(k);
    }
    const int pair_batches =
        (static_cast<int>(pairs_.size()) + kLanes - 1) / kLanes;
    ParallelFor(pair_batches, [&](int batch) {
      int actor[kLanes];
      const double* option[kLanes];
      const int first = batch * kLanes;
      const int filled =
          std::min(kLanes, static_cast<int>(pairs_.size()) - first);
      for (int l = 0; l < kLanes; ++l) {
        // Lanes past the last election repeat its first and are dropped.
        actor[l] = pairs_[first + (l < filled ? l : 0)];
        option[l] = &value_[static_cast<size_t>(queue_[queue_start_[actor[l]]]) *
                            stride];
      }
      double c10[kLanes];
      double c01[kLanes];
      DispatchVoting([&]<VotingRule kRule>() {
        PairCoalitionLanes<kRule>(n, in_.capability.data(),
                                  status_quo_value_.data(), option, c10, c01);
      });
      alignas(32) double p0[kLanes];
      alignas(32) double p1[kLanes];
      alignas(32) double total[kLanes];
      const bool lanes = o_.pce == PceModel::kConditional;
      if (lanes) PairElectionLanes(o_.victory, c10, c01, p0, p1, total);
      for (int l = 0; l < filled; ++l) {
        std::vector<double>& p = pce_[actor[l]];
        if (lanes && total[l] > 0 && std::isfinite(total[l])) {
          p.assign({p0[l], p1[l]});
          continue;
        }
        // The other PCEs, and an underflow: the kernel.
        const double c[4] = {kernel::kCoalitionFloor, c01[l], c10[l],
                             kernel::kCoalitionFloor};
        auto ok = kernel::ProbabilisticElection(o_.pce, o_.victory, 2, c, p);
        if (!ok) failure_[actor[l]] = ok.error();
      }
    });
    ParallelFor(static_cast<int>(others_.size()), [&](int o) {
      const int k = others_[o];
      const int* queue =
          queue_.data() + queue_start_[k];  // queue_ may be empty
      const int q = queue_start_[k + 1] - queue_start_[k] + 1;
      const int q_stride = Padded(q);
      // The utilities of k's queue, a padded row per voter (the padding
      // left as it is: PaddedElection), in a buffer of the thread that only
      // grows.
      thread_local std::vector<double> u;
      if (u.size() < static_cast<size_t>(n) * q_stride) {
        u.resize(static_cast<size_t>(n) * q_stride);
      }
      for (int a = 0; a < n; ++a) {
        double* row = &u[static_cast<size_t>(a) * q_stride];
        row[0] = status_quo_value_[a];
        for (int m = 1; m < q; ++m) {
          row[m] = value_[static_cast<size_t>(queue[m - 1]) * stride + a];
        }
      }
      auto ok = PaddedElection(o_.voting, o_.pce, o_.victory, n, q, q_stride,
                               in_.capability.data(), u.data(), pce_[k]);
      if (!ok) failure_[k] = ok.error();
    });
    for (const std::string& f : failure_) {
      if (!f.empty()) return std::unexpected(f);
    }
    next.position = s.position;
    s.chosen.assign(n, 0);
    for (int k = 0; k < n; ++k) {
      const std::vector<double>& p = pce_[k];
      int pick = 0;
      if (o_.transitions == Transitions::kStochastic) {
        pick = random.Select(p);
      } else {
        double best = -1.0;
        for (size_t m = 0; m < p.size(); ++m) {
          if (best < std::fabs(p[m])) {
            best = std::fabs(p[m]);
            pick = static_cast<int>(m);
          }
        }
      }
      s.chosen[k] = pick;
      if (pick == 0) continue;
      const Proposal& b = proposals_[queue_[queue_start_[k] + pick - 1]];
      const double* x = b.initiator == k ? b.at_initiator : b.at_receiver;
      for (int d = 0; d < dims; ++d) next.position[k * dims + d] = x[d];
    }
    next.ideal = next.position;
    if (!in_.accommodation.empty()) {
      // SMPState::newIdeals; zero entries add exactly nothing and are
      // skipped.
      for (int i = 0; i < n; ++i) {
        double total = 0.0;
        double* ideal = accommodated_.data();
        std::fill(accommodated_.begin(), accommodated_.end(), 0.0);
        for (int j = 0; j < n; ++j) {
          const double a = in_.accommodation[i * n + j];
          if (a == 0) continue;
          total = total + a;
          for (int d = 0; d < dims; ++d) {
            ideal[d] = ideal[d] + (a * next.position[j * dims + d]);
          }
        }
        total = total > 1.0 ? 1.0 : total;
        const double lag = 1.0 - total;
        for (int d = 0; d < dims; ++d) {
          next.ideal[i * dims + d] = ideal[d] + (lag * s.ideal[i * dims + d]);
        }
      }
    }
    return {};
  }

  const Input& in_;
  const Options& o_;
  const int n_;
  const int dims_;
  internal::WorkerPool* const pool_;
  std::vector<double> weight_;  // S_i * c_i
  std::vector<double> total_salience_;
  std::vector<double> salience_squares_;
  // By coordinate (rows of Padded(n)): salience_t_[d][i], ideal_t_[d][i];
  // squares_pad_ and risk_pad_ padded to Padded(n).
  std::vector<double> salience_t_;
  std::vector<double> squares_pad_;
  std::vector<double> ideal_t_;
  std::vector<double> risk_pad_;
  std::vector<double> position_t_;  // [d][j]: rows of Padded(n)
  // [t][j], rows of Padded(n): 1 - delta(t, j) and min(delta(t, j), 1).
  std::vector<double> near_;
  std::vector<double> capped_;
  // Their transposes ([j][t]) and diagonals, padded alike.
  std::vector<double> near_t_;
  std::vector<double> capped_t_;
  std::vector<double> near_diag_;
  std::vector<double> capped_diag_;
  // BestTarget's target order (Setup): order_[q] is the target in column
  // q, place_[j] the column of target j, target_[q] order_[q] as a double
  // (-1 in the padding); near and capped with their columns in that order.
  std::vector<int> order_;
  std::vector<int> place_;
  std::vector<double> target_;
  std::vector<double> salience_by_place_;  // total_salience_ by column
  std::vector<double> near_by_place_;
  std::vector<double> capped_by_place_;
  std::vector<double> own_t_;  // [l][n]: U^n_nl, rows of Padded(n)
  // Rows of Padded(n): rho_[h][i], h's estimate of R_i, and own_[n][l],
  // U^n_nl.
  std::vector<double> rho_;
  std::vector<double> own_;
  std::vector<double> status_quo_value_;  // [n]: sum_l U^n_nl / N
  // Setup's work space: which positions are within tolerance of each
  // other, the risk inference's PCE, the classes' (then the groups')
  // utilities.
  std::vector<unsigned char> within_;
  std::vector<double> risk_pce_;
  std::vector<double> class_u_;
  // The classes' coalitions (m x m) and the groups' (g x g); each group's
  // class when the group shares that class's coalitions, else -1.
  std::vector<double> class_c_;
  std::vector<double> group_c_;
  std::vector<int> group_class_;
  // Step's work space, reused every turn: the proposals (offer_ holds two
  // slots of two points per initiator, made_ how many it filled), their
  // values value_[b][n] (rows of Padded(n)), the queues of every actor
  // (queue_ from queue_start_[k]), each actor's PCE over its queue and the
  // failure of that election, if any.
  std::vector<double> offer_;
  std::vector<int> made_;
  std::vector<Proposal> proposals_;
  std::vector<double> value_;
  std::vector<int> queue_start_;
  std::vector<int> queue_fill_;
  std::vector<int> queue_;
  std::vector<int> pairs_;   // the actors whose queue holds one bargain
  std::vector<int> others_;  // and the rest
  std::vector<std::vector<double>> pce_;
  std::vector<std::string> failure_;
  std::vector<double> accommodated_;  // [dims]: one actor's new ideal
};

}  // namespace

namespace {

std::expected<void, std::string> PaddedElection(
    VotingRule rule, PceModel pce, VictoryModel victory, int voters,
    int options, int stride, const double* w, const double* u,
    std::vector<double>& p) {
  // c is written whole by LaneCoalitions; a buffer of the calling thread
  // that only grows.
  thread_local std::vector<double> c;
  if (c.size() < static_cast<size_t>(options) * options) {
    c.resize(static_cast<size_t>(options) * options);
  }
  WithVotingRule(rule, [&]<VotingRule kRule>() {
    LaneCoalitions<kRule>(voters, options, stride, w, u, c.data());
  });
  return LaneElection(pce, victory, options, c.data(), p);
}

}  // namespace

std::expected<void, std::string> LaneElection(PceModel pce,
                                              VictoryModel victory, int options,
                                              const double* c,
                                              std::vector<double>& p) {
  const int n = options;
  if (pce != PceModel::kConditional || n < 8) {
    return kernel::ProbabilisticElection(pce, victory, n, c, p);
  }
  // Buffers of the calling thread that only grow; the padding lanes are
  // computed and dropped.
  const int stride = Padded(n);
  const int pairs = Padded(n * (n - 1) / 2);
  thread_local std::vector<double> pair_s;
  thread_local std::vector<double> pv;
  thread_local std::vector<double> products;
  if (pair_s.size() < static_cast<size_t>(2 * pairs)) {
    pair_s.resize(static_cast<size_t>(2 * pairs), 1.0);
  }
  if (pv.size() < static_cast<size_t>(n) * stride) {
    pv.resize(static_cast<size_t>(n) * stride, 1.0);
  }
  if (products.size() < static_cast<size_t>(stride)) {
    products.resize(static_cast<size_t>(stride));
  }
  int k = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j, ++k) {
      pair_s[k] = c[i * n + j];
      pair_s[pairs + k] = c[j * n + i];
    }
  }
  ConditionalProducts(victory, n, stride, pairs, pair_s.data(), pv.data(),
                      products.data());
  // Model::condPCE's normalisation (kernel's ConditionalPce); when every
  // product underflowed, the kernel's logarithms.
  double total = 0;
  for (int i = 0; i < n; ++i) total = total + products[i];
  if (!(total > 0 && std::isfinite(total))) {
    return kernel::ProbabilisticElection(pce, victory, n, c, p);
  }
  p.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) p[i] = products[i] / total;
  return {};
}

std::expected<Run, std::string> RunSmp(const Input& input,
                                       const Options& options,
                                       std::uint64_t seed, int threads) {
  // Below about 40 actors a turn is too short for threads to pay; inside
  // another parallel loop (an ensemble's) the threads are taken.
  if (threads == 1 || input.actors < 40 || internal::WorkerPool::InsideLoop())
    return Engine(input, options, nullptr).Go(seed);
  internal::WorkerPool pool(threads, /*poll=*/true);  // loops back to back
  return Engine(input, options, &pool).Go(seed);
}

}  // namespace unionstate::smp
