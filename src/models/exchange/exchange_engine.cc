#include "models/exchange/exchange_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <queue>
#include <tuple>
#include <type_traits>

#include "common/check.h"
#include "models/exchange/decimal28.h"

namespace unionstate::exchange {
namespace {

using internal::Decimal28;

// The two kinds of number a round can compute with: double, and Decimal28,
// which repeats decide's 28-digit decimals operation for operation.
template <class Num>
struct Arithmetic;

template <>
struct Arithmetic<double> {
  static double From(double x) { return x; }
  static double FromData(double x) { return x; }
  static double To(double x) { return x; }
  static double Abs(double x) { return std::abs(x); }
};

template <>
struct Arithmetic<Decimal28> {
  // Constants in decide's code are binary floats, converted exactly.
  static Decimal28 From(double x) { return Decimal28::FromDouble(x); }
  // decide reads its data from text: the shortest text of the double is
  // the number the file held.
  static Decimal28 FromData(double x) {
    return Decimal28::FromString(fmt::format("{}", x));
  }
  static double To(const Decimal28& x) { return x.ToDouble(); }
  static Decimal28 Abs(const Decimal28& x) { return internal::Abs(x); }
};

// Gains are ordered on 48 significant bits (about 15 digits): two exchanges
// whose gains agree that far are tied -- decide's shipped data has
// mathematically equal gains -- and ties go by the order in which decide
// forms the candidates: issue pair, A-D before B-C, then the actors (by id,
// so that the order of the actors in a scenario does not matter).
double Rank(double gain) {
  int exponent = 0;
  double fraction = std::frexp(gain, &exponent);
  return std::ldexp(std::round(std::ldexp(fraction, 48)), exponent - 48);
}

template <class Num>
class Round {
  using A = Arithmetic<Num>;

  // decide's history of moves of a candidate side: its validity rule wants
  // them in one direction, summing to at most 100. Rarely more than two, so
  // they live inline (a dense round holds millions of candidates).
  class Moves {
   public:
    bool empty() const { return size_ == 0; }
    const Num& back() const { return (*this)[size_ - 1]; }
    void push_back(const Num& m) {
      if (size_ < kInline) {
        inline_[size_] = m;
      } else {
        if (!more_) more_ = std::make_unique<std::vector<Num>>();
        more_->resize(size_ - kInline);
        more_->push_back(m);
      }
      ++size_;
    }
    void pop_back() {
      if (size_ > 0) --size_;
    }
    const Num& operator[](size_t k) const {
      return k < kInline ? inline_[k] : (*more_)[k - kInline];
    }
    size_t size() const { return size_; }

   private:
    static constexpr size_t kInline = 2;
    std::array<Num, kInline> inline_{};
    uint32_t size_ = 0;
    std::unique_ptr<std::vector<Num>> more_;
  };

  // One side of a candidate exchange: an actor that moves on its supply
  // issue towards the partner and gains on its demand issue. Its start and
  // demand positions, saliences and power are the round's data, looked up
  // by (actor, issue); its voting position is supply_pos + move.
  struct Side {
    int actor = 0;
    int supply = 0;
    int demand = 0;
    Num supply_pos{};  // current; moved by realised exchanges
    Num move{};
    Moves moves;
  };

  // The position of an actor on an issue that an earlier exchange moved, as
  // this candidate sees it (decide's `updates`).
  struct Update {
    int issue;
    int actor;
    Num position;
  };

  struct Candidate {
    Side i;  // supplies q, demands p
    Side j;  // supplies p, demands q
    // Where decide forms it: issue pair p * issues + q, 0 for an A-D pair
    // and 1 for B-C, and the two actors in group order.
    int pair = 0;
    int group = 0;
    int first = 0;
    int second = 0;
    Num gain{};
    bool valid = true;
    bool removed = false;
    uint32_t version = 0;
    std::vector<Update> updates;
  };

 public:
  Round(Data& data, const Options& options, Uniform* random)
      : d_(data), o_(options), random_(random) {
    const size_t cells = static_cast<size_t>(d_.actors) * d_.issues;
    x_.resize(cells);
    s_.resize(cells);
    c_.resize(cells);
    for (size_t k = 0; k < cells; ++k) {
      if (d_.position[k] != d_.position[k]) continue;
      x_[k] = ExactPosition(k);
      s_[k] = A::FromData(d_.salience[k]);
      c_[k] = A::FromData(d_.power[k]);
    }
    order_.resize(static_cast<size_t>(d_.issues));
    for (int i = 0; i < d_.issues; ++i) {
      std::vector<int>& order = order_[static_cast<size_t>(i)];
      if (!d_.sum_order.empty()) {
        order = d_.sum_order[static_cast<size_t>(i)];
      } else {
        for (int a = 0; a < d_.actors; ++a) {
          if (d_.has(a, i)) order.push_back(a);
        }
      }
    }
    denominator_.assign(static_cast<size_t>(d_.issues), Num(0));
    for (int i = 0; i < d_.issues; ++i) {
      for (int a : SumOrder(i))
        denominator_[static_cast<size_t>(i)] += S(a, i) * C(a, i);
    }
  }

  // The whole round, ending with the data moved to the next round's start.
  RoundResult Play() {
    RoundResult result;
    std::vector<Num> nbs(static_cast<size_t>(d_.issues));
    for (int i = 0; i < d_.issues; ++i) {
      nbs[static_cast<size_t>(i)] = NbsWith(i, nullptr, -1, Num(0));
      result.nbs_start.push_back(A::To(nbs[static_cast<size_t>(i)]));
    }
    Form(nbs);
    result.candidates = formed_;
    result.valid_candidates = static_cast<int64_t>(candidates_.size());
    if (o_.decide_arithmetic) {
      RealiseInDecideOrder();
    } else if (o_.realisation == Realisation::kIndexed) {
      RealiseIndexed();
    } else {
      RealiseReference();
    }
    for (size_t k : realised_)
      result.exchanges.push_back(Report(candidates_[k]));
    EndRound(result);
    return result;
  }

 private:
  Num ExactPosition(size_t cell) const {
    if constexpr (std::is_same_v<Num, Decimal28>) {
      if (!d_.exact.empty()) return Decimal28::FromString(d_.exact[cell]);
    }
    return A::FromData(d_.position[cell]);
  }

  size_t Cell(int a, int i) const {
    return static_cast<size_t>(a) * d_.issues + i;
  }
  // A side's fixed data and voting position.
  const Num& Start(const Side& s) const { return X(s.actor, s.supply); }
  const Num& DemandPos(const Side& s) const { return X(s.actor, s.demand); }
  const Num& SSupply(const Side& s) const { return S(s.actor, s.supply); }
  const Num& CSupply(const Side& s) const { return C(s.actor, s.supply); }
  const Num& SDemand(const Side& s) const { return S(s.actor, s.demand); }
  static Num Y(const Side& s) { return s.supply_pos + s.move; }
  const Num& X(int a, int i) const { return x_[Cell(a, i)]; }
  const Num& S(int a, int i) const { return s_[Cell(a, i)]; }
  const Num& C(int a, int i) const { return c_[Cell(a, i)]; }

  // The actors with a position on `issue`, in the order its sums run.
  const std::vector<int>& SumOrder(int issue) const {
    return order_[static_cast<size_t>(issue)];
  }

  // The NBS of `issue` with the candidate's updates and `actor` at
  // `position` (no actor when -1), summed as decide does.
  Num NbsWith(int issue, const Candidate* e, int actor,
              const Num& position) const {
    const Num& d = denominator_[static_cast<size_t>(issue)];
    if (d == Num(0)) return Num(0);
    Num numerator(0);
    for (int a : SumOrder(issue)) {
      numerator +=
          PositionOf(e, issue, a, actor, position) * S(a, issue) * C(a, issue);
    }
    return numerator / d;
  }

  // An actor's position on an issue as a candidate sees it: its update if
  // an earlier exchange recorded one, overridden by `position` for `actor`.
  const Num& PositionOf(const Candidate* e, int issue, int a, int actor,
                        const Num& position) const {
    if (a == actor) return position;
    if (e != nullptr) {
      for (const Update& u : e->updates) {
        if (u.issue == issue && u.actor == a) return u.position;
      }
    }
    return X(a, issue);
  }

  Side MakeSide(int actor, int supply, int demand) const {
    Side s;
    s.actor = actor;
    s.supply = supply;
    s.demand = demand;
    s.supply_pos = X(actor, supply);
    return s;
  }

  // The move of `side` that puts the outcome of its supply issue at
  // `target`. Published rule: from its current supply position to the
  // position that does it. decide's adjusted_nbs_by_position means to
  // return that position, but leaves the actor in its sum (a deep copy
  // defeats its identity test), so it returns the move from the actor's
  // position as the candidate sees it -- its recorded update, if any. The
  // two differ only when an earlier exchange recorded the actor's own move.
  Num CutMove(const Candidate& e, const Side& side, const Num& target) const {
    const int issue = side.supply;
    Num sum(0);
    for (int a : SumOrder(issue)) {
      if (a != side.actor) {
        sum += PositionOf(&e, issue, a, -1, side.supply_pos) * S(a, issue) *
               C(a, issue);
      } else if (o_.decide_nbs_cut) {
        const Num& own = HasUpdate(e, issue, a)
                             ? PositionOf(&e, issue, a, -1, side.supply_pos)
                             : side.supply_pos;
        sum += own * S(a, issue) * C(a, issue);
      }
    }
    Num left = target * denominator_[static_cast<size_t>(issue)] - sum;
    Num value = left / (SSupply(side) * CSupply(side));
    return o_.decide_nbs_cut ? A::Abs(value) : A::Abs(value - side.supply_pos);
  }

  static bool HasUpdate(const Candidate& e, int issue, int actor) {
    for (const Update& u : e.updates) {
      if (u.issue == issue && u.actor == actor) return true;
    }
    return false;
  }

  // decide's calculations, with its order of operations.
  Num ExchangeRatio(const Num& delta, const Side& side) const {
    return delta * SSupply(side) * CSupply(side) /
           denominator_[static_cast<size_t>(side.supply)];
  }
  Num ReverseMove(const Side& side, const Num& ratio) const {
    return ratio * denominator_[static_cast<size_t>(side.supply)] /
           (CSupply(side) * SSupply(side));
  }
  // by_exchange_ratio: what `partner` supplies for `side` supplying `ratio`.
  Num EqualGainRatio(const Side& side, const Side& partner,
                     const Num& ratio) const {
    return (SSupply(side) + SDemand(partner)) /
           (SDemand(side) + SSupply(partner)) * ratio;
  }
  Num Utility(const Side& side, const Num& demand_ratio,
              const Num& supply_ratio) const {
    return A::Abs(demand_ratio * SSupply(side) - supply_ratio * SDemand(side));
  }

  static bool Valid(const Side& s, const Num& move) {
    static const Num kHundred(100);
    static const Num kTiny = A::From(1e-10);
    Num size = A::Abs(move);
    if (size > kHundred || size <= kTiny) return false;
    Num y = s.supply_pos + move;
    if (y < Num(0) || y > kHundred) return false;
    if (s.moves.empty()) return false;
    Num sum(0);
    Num lo = s.moves[0];
    Num hi = s.moves[0];
    for (size_t k = 0; k < s.moves.size(); ++k) {
      const Num& m = s.moves[k];
      sum += m;
      lo = std::min(lo, m);
      hi = std::max(hi, m);
    }
    if (sum > kHundred) return false;
    return (lo < Num(0) && hi < Num(0)) || (lo > Num(0) && hi > Num(0));
  }

  static void Replace(Side& s, const Num& move) {
    if (!s.moves.empty()) s.moves.pop_back();
    s.moves.push_back(move);
  }

  // Does moving `a` from its supply position to Y(a) carry the outcome past
  // the partner's position x? decide tests the signs of x - NBS before and
  // after exactly; in doubles an outcome an earlier cut put exactly on
  // x sits there only up to rounding, which decide's decimals resolve as
  // "past" -- so within 1e-9 of x counts as on it.
  bool Crosses(const Num& before, const Num& after) const {
    if (o_.decide_arithmetic) {
      return !((before >= Num(0) && after >= Num(0)) ||
               (before <= Num(0) && after <= Num(0)));
    }
    const Num at = A::From(1e-9);
    return (before > at && after < -at) || (before < -at && after > at) ||
           (A::Abs(before) <= at && A::Abs(after) > at);
  }

  // Cuts the exchange when `a`'s move would carry the outcome of its supply
  // issue past the partner's position (decide's check_nbs).
  void CheckNbs(Candidate& e, Side& a, Side& partner) {
    Num nbs_0 = NbsWith(a.supply, &e, a.actor, a.supply_pos);
    Num nbs_1 = NbsWith(a.supply, &e, a.actor, Y(a));
    const Num& x = DemandPos(partner);
    if (!Crosses(x - nbs_0, x - nbs_1)) return;
    Num delta = CutMove(e, a, x);
    Num ratio_a = ExchangeRatio(delta, a);
    Num ratio_partner = EqualGainRatio(a, partner, ratio_a);
    partner.move = A::Abs(ReverseMove(partner, ratio_partner));
    a.move = delta;
    if (partner.supply_pos > DemandPos(a)) partner.move = -partner.move;
    if (a.supply_pos > DemandPos(partner)) a.move = -a.move;
    Replace(partner, partner.move);
    Replace(a, a.move);
    e.gain = Utility(partner, ratio_partner, ratio_a);
    e.valid = Valid(partner, partner.move) && Valid(a, a.move);
  }

  // Equal gain: J first moves all the way to I's position on p; if I would
  // then overshoot J's position on q, I moves all the way instead.
  void Calculate(Candidate& e) {
    Side& I = e.i;
    Side& J = e.j;
    Num dp = ExchangeRatio(A::Abs(DemandPos(I) - J.supply_pos), J);
    Num dq = EqualGainRatio(J, I, dp);
    I.move = ReverseMove(I, dq);
    J.move = A::Abs(DemandPos(I) - J.supply_pos);
    if (A::Abs(I.move) > A::Abs(DemandPos(J) - I.supply_pos)) {
      dq = ExchangeRatio(A::Abs(DemandPos(J) - I.supply_pos), I);
      dp = EqualGainRatio(I, J, dq);
      I.move = A::Abs(DemandPos(J) - I.supply_pos);
      J.move = ReverseMove(J, dp);
    }
    if (I.supply_pos > DemandPos(J)) I.move = -I.move;
    if (J.supply_pos > DemandPos(I)) J.move = -J.move;
    I.moves.push_back(I.move);
    J.moves.push_back(J.move);
    e.gain = Utility(I, dq, dp);
    e.valid =
        Valid(I, I.move) && Valid(J, J.move) && !(e.gain < A::From(1e-10));
    if (!e.valid) return;
    CheckNbs(e, I, J);
    CheckNbs(e, J, I);
    e.valid = Valid(I, I.move) && Valid(J, J.move);
    if (e.valid && o_.random_gain > 0) Randomise(e);
  }

  // The randomised variant: one side, chosen at random, gains more or less
  // than the equal gain -- up to the most it could get with its partner no
  // worse off than before, or down towards nothing -- and the moves follow
  // from that gain. Candidates are still realised by their equal gain.
  void Randomise(Candidate& e) {
    const Num u = A::From(random_->Next());
    const Num v = A::From(random_->Next());
    const Num z = A::From(random_->Next());
    const Num half = A::From(0.5);
    const Num p = A::From(o_.random_gain);
    Side& a = u < half ? e.i : e.j;
    Side& b = u < half ? e.j : e.i;
    Num full_a = ExchangeRatio(A::Abs(a.supply_pos - DemandPos(b)), a);
    Num full_b = ExchangeRatio(A::Abs(b.supply_pos - DemandPos(a)), b);
    // a gains ratio_b * s_a,demand - ratio_a * s_a,supply; b gains nothing
    // when ratio_a * s_b,demand = ratio_b * s_b,supply.
    Num ratio_b = std::min(full_b, full_a * SDemand(b) / SSupply(b));
    Num best = ratio_b * (SDemand(a) - SSupply(b) * SSupply(a) / SDemand(b));
    Num eu = e.gain;
    Num target =
        v < half ? eu + p * z * (std::max(best, eu) - eu) : eu - p * z * eu;
    Num ratio_a = full_a;
    ratio_b = (target + ratio_a * SSupply(a)) / SDemand(a);
    if (ratio_b > full_b) {
      ratio_b = full_b;
      ratio_a = (ratio_b * SDemand(a) - target) / SSupply(a);
    }
    a.move = A::Abs(ReverseMove(a, ratio_a));
    b.move = A::Abs(ReverseMove(b, ratio_b));
    if (a.supply_pos > DemandPos(b)) a.move = -a.move;
    if (b.supply_pos > DemandPos(a)) b.move = -b.move;
    Replace(a, a.move);
    Replace(b, b.move);
    e.valid = Valid(a, a.move) && Valid(b, b.move);
  }

  void Form(const std::vector<Num>& nbs) {
    for (int p = 0; p < d_.issues; ++p) {
      for (int q = p + 1; q < d_.issues; ++q) {
        std::vector<int> group[4];
        for (int a = 0; a < d_.actors; ++a) {
          if (!d_.has(a, p) || !d_.has(a, q)) continue;
          int left_p = X(a, p) < nbs[static_cast<size_t>(p)];
          int left_q = X(a, q) < nbs[static_cast<size_t>(q)];
          group[left_p | left_q * 2].push_back(a);
        }
        int kind = 0;
        for (auto [g, h] : {std::pair{0, 3}, std::pair{1, 2}}) {
          for (int a : group[g]) {
            for (int b : group[h]) Add(a, b, p, q, kind);
          }
          ++kind;
        }
      }
    }
  }

  // Roles: the actor with the larger relative salience s_q / s_p demands q.
  void Add(int a, int b, int p, int q, int kind) {
    Candidate e;
    e.pair = p * d_.issues + q;
    e.group = kind;
    e.first = a;
    e.second = b;
    if (S(a, p) / S(a, q) < S(b, p) / S(b, q)) {
      e.i = MakeSide(b, q, p);
      e.j = MakeSide(a, p, q);
    } else {
      e.i = MakeSide(a, q, p);
      e.j = MakeSide(b, p, q);
    }
    ++formed_;
    Calculate(e);
    if (e.valid) candidates_.push_back(std::move(e));
  }

  static bool SameSupply(const Side& a, const Side& b) {
    return a.actor == b.actor && a.supply == b.supply;
  }
  static bool SameDemand(const Side& a, const Side& b) {
    return a.actor == b.actor && a.demand == b.demand;
  }

  static void PopMoves(Candidate& e) {
    if (!e.i.moves.empty()) e.i.moves.pop_back();
    if (!e.j.moves.empty()) e.j.moves.pop_back();
  }

  void SetUpdate(Candidate& e, int issue, const Side& mover) const {
    const Num y = Y(mover);
    for (Update& u : e.updates) {
      if (u.issue == issue && u.actor == mover.actor) {
        // decide's update_updates: of the two, the one further along.
        if (Start(mover) <= u.position) {
          if (!(u.position < y)) u.position = y;
        } else {
          if (!(u.position > y)) u.position = y;
        }
        return;
      }
    }
    e.updates.push_back({issue, mover.actor, y});
  }

  // The candidate's reaction to the realised exchange `r` (decide's
  // recalculate): a side that supplies the same issue as one of r's actors
  // continues from r's voting position; a side that demands what r moved
  // sees the new position in its outcome. Returns whether it changed.
  bool Recalculate(Candidate& e, const Candidate& r) {
    bool changed = false;
    for (Side* side : {&e.i, &e.j}) {
      const Side* from = SameSupply(*side, r.i)   ? &r.i
                         : SameSupply(*side, r.j) ? &r.j
                                                  : nullptr;
      if (from == nullptr) continue;
      side->supply_pos = Y(*from);
      side->moves.push_back(from->moves.back());
      changed = true;
    }
    if (changed) PopMoves(e);
    if (SameDemand(r.j, e.j) || SameDemand(r.j, e.i)) {
      SetUpdate(e, r.j.demand, r.i);
      if (!changed) PopMoves(e);
      changed = true;
    }
    if (SameDemand(r.i, e.j) || SameDemand(r.i, e.i)) {
      SetUpdate(e, r.i.demand, r.j);
      if (!changed) PopMoves(e);
      changed = true;
    }
    if (changed) Calculate(e);
    return changed;
  }

  static Exchange Report(const Candidate& e) {
    return {e.i.actor,       e.i.supply,    e.j.actor,
            e.j.supply,      A::To(e.gain), A::To(e.i.supply_pos),
            A::To(e.i.move), A::To(Y(e.i)), A::To(e.j.supply_pos),
            A::To(e.j.move), A::To(Y(e.j))};
  }

  // The order of realisation: higher gain first, ties as Rank() explains.
  bool TieBefore(const Candidate& x, const Candidate& y) const {
    auto key = [&](const Candidate& c) {
      return std::tie(c.pair, c.group,
                      d_.actor_ids[static_cast<size_t>(c.first)],
                      d_.actor_ids[static_cast<size_t>(c.second)]);
    };
    return key(x) < key(y);
  }
  bool Before(const Candidate& x, const Candidate& y) const {
    double rx = Rank(A::To(x.gain));
    double ry = Rank(A::To(y.gain));
    if (rx != ry) return rx > ry;
    return TieBefore(x, y);
  }

  // decide's loop exactly: the list is sorted (stably) by exact gain, the
  // first is realised, every other offered the change, invalid ones dropped.
  void RealiseInDecideOrder() {
    std::vector<size_t> list(candidates_.size());
    for (size_t k = 0; k < list.size(); ++k) list[k] = k;
    while (!list.empty()) {
      std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) {
        return candidates_[a].gain > candidates_[b].gain;
      });
      Candidate& realised = candidates_[list.front()];
      realised_.push_back(list.front());
      list.erase(list.begin());
      realised.removed = true;
      std::vector<size_t> kept;
      for (size_t k : list) {
        Candidate& c = candidates_[k];
        Recalculate(c, realised);
        if (c.valid) kept.push_back(k);
      }
      list = std::move(kept);
    }
  }

  void RealiseReference() {
    while (true) {
      Candidate* best = nullptr;
      for (Candidate& c : candidates_) {
        if (c.removed || !c.valid) continue;
        if (best == nullptr || Before(c, *best)) best = &c;
      }
      if (best == nullptr) break;
      best->removed = true;
      realised_.push_back(static_cast<size_t>(best - candidates_.data()));
      for (Candidate& c : candidates_) {
        if (c.removed || !c.valid) continue;
        Recalculate(c, *best);
      }
    }
  }

  void RealiseIndexed() {
    // Which candidates each (actor, issue) touches, as supplier or demander.
    const size_t m = static_cast<size_t>(d_.issues);
    auto key = [m](int actor, int issue) {
      return static_cast<size_t>(actor) * m + issue;
    };
    std::vector<std::vector<uint32_t>> by_supply(
        static_cast<size_t>(d_.actors) * m);
    std::vector<std::vector<uint32_t>> by_demand(
        static_cast<size_t>(d_.actors) * m);
    for (uint32_t k = 0; k < candidates_.size(); ++k) {
      for (const Side* s : {&candidates_[k].i, &candidates_[k].j}) {
        by_supply[key(s->actor, s->supply)].push_back(k);
        by_demand[key(s->actor, s->demand)].push_back(k);
      }
    }
    // Entries keep the rank they were pushed with, so the heap stays ordered
    // while candidates change; stale entries are skipped by version.
    struct Entry {
      double rank;
      uint32_t index;
      uint32_t version;
    };
    auto worse = [this](const Entry& a, const Entry& b) {
      if (a.rank != b.rank) return a.rank < b.rank;
      return TieBefore(candidates_[b.index], candidates_[a.index]);
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
    for (uint32_t k = 0; k < candidates_.size(); ++k) {
      heap.push({Rank(A::To(candidates_[k].gain)), k, 0});
    }
    std::vector<uint32_t> stamp(candidates_.size(), 0);
    uint32_t now = 0;
    while (!heap.empty()) {
      Entry top = heap.top();
      heap.pop();
      Candidate& realised = candidates_[top.index];
      if (realised.removed || !realised.valid ||
          top.version != realised.version)
        continue;
      realised.removed = true;
      realised_.push_back(top.index);
      ++now;
      auto touch = [&](const std::vector<uint32_t>& list) {
        for (uint32_t k : list) {
          Candidate& c = candidates_[k];
          if (c.removed || !c.valid || stamp[k] == now) continue;
          stamp[k] = now;
          if (Recalculate(c, realised) && c.valid) {
            heap.push({Rank(A::To(c.gain)), k, ++c.version});
          }
        }
      };
      touch(by_supply[key(realised.i.actor, realised.i.supply)]);
      touch(by_supply[key(realised.j.actor, realised.j.supply)]);
      touch(by_demand[key(realised.i.actor, realised.i.demand)]);
      touch(by_demand[key(realised.j.actor, realised.j.demand)]);
    }
  }

  // Voting positions (the last realised exchange of an actor on an issue
  // carries its cumulative move), their outcome -- the round's forecast --,
  // and the new start positions: part of the way from the round's start to
  // the voting position, further for actors who care less about the issue.
  void EndRound(RoundResult& result) {
    std::vector<Num> voting = x_;
    for (size_t k : realised_) {
      const Candidate& e = candidates_[k];
      voting[Cell(e.i.actor, e.i.supply)] = Y(e.i);
      voting[Cell(e.j.actor, e.j.supply)] = Y(e.j);
    }
    result.voting = d_.position;
    for (size_t cell = 0; cell < voting.size(); ++cell) {
      if (d_.position[cell] == d_.position[cell])
        result.voting[cell] = A::To(voting[cell]);
    }
    std::swap(x_, voting);  // the outcome of the voting positions
    for (int i = 0; i < d_.issues; ++i) {
      result.nbs_voting.push_back(A::To(NbsWith(i, nullptr, -1, Num(0))));
    }
    std::swap(x_, voting);
    const Num sw = A::From(o_.salience_weight);
    const Num fw = A::From(o_.fixed_weight);
    const Num one(1);
    for (size_t k : realised_) {
      const Candidate& e = candidates_[k];
      for (const Side* side : {&e.i, &e.j}) {
        size_t cell = Cell(side->actor, side->supply);
        const Num& s = s_[cell];
        const Num& x = Start(*side);
        const Num& y = voting[cell];
        Num next =
            (one - s) * sw * y + fw * y + (one - (one - s) * sw - fw) * x;
        d_.position[cell] = A::To(next);
        if constexpr (std::is_same_v<Num, Decimal28>) {
          if (d_.exact.empty()) d_.exact.resize(d_.position.size());
          d_.exact[cell] = next.ToString();
        }
      }
    }
    if constexpr (std::is_same_v<Num, Decimal28>) {
      // Positions nobody moved keep their exact value too.
      if (d_.exact.size() != d_.position.size())
        d_.exact.resize(d_.position.size());
      for (size_t cell = 0; cell < x_.size(); ++cell) {
        if (d_.exact[cell].empty() && d_.position[cell] == d_.position[cell]) {
          d_.exact[cell] = x_[cell].ToString();
        }
      }
    }
  }

  Data& d_;
  const Options& o_;
  Uniform* random_;
  std::vector<Num> x_, s_, c_;
  std::vector<Num> denominator_;
  std::vector<std::vector<int>>
      order_;  // per issue: the actors in summing order
  std::vector<Candidate> candidates_;
  std::vector<size_t> realised_;  // in the order realised
  int64_t formed_ = 0;
};

}  // namespace

Data FromScenario(const Scenario& scenario, bool decide_order) {
  const int n = static_cast<int>(scenario.actors.size());
  const int m = static_cast<int>(scenario.issues.size());
  Data data;
  data.actors = n;
  data.issues = m;
  data.scenario_actor.resize(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) data.scenario_actor[static_cast<size_t>(k)] = k;
  if (!decide_order) {
    std::sort(data.scenario_actor.begin(), data.scenario_actor.end(),
              [&](int a, int b) {
                return scenario.actors[static_cast<size_t>(a)].id <
                       scenario.actors[static_cast<size_t>(b)].id;
              });
  }
  std::vector<int> engine_actor(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k)
    engine_actor[static_cast<size_t>(
        data.scenario_actor[static_cast<size_t>(k)])] = k;
  const size_t cells = static_cast<size_t>(n) * m;
  data.position.assign(cells, std::numeric_limits<double>::quiet_NaN());
  data.salience.assign(cells, 0);
  data.power.assign(cells, 0);
  if (decide_order) data.exact.resize(cells);
  auto text = [](double x) {
    return Decimal28::FromString(fmt::format("{}", x));
  };
  for (int k = 0; k < n; ++k) {
    int a = data.scenario_actor[static_cast<size_t>(k)];
    data.actor_ids.push_back(scenario.actors[static_cast<size_t>(a)].id);
    for (int i = 0; i < m; ++i) {
      const Stance* st = scenario.FindStance(a, i);
      if (st == nullptr) continue;
      const Issue& issue = scenario.issues[static_cast<size_t>(i)];
      size_t cell = static_cast<size_t>(k) * m + i;
      data.position[cell] =
          (st->position.value - issue.min) * (100 / (issue.max - issue.min));
      data.salience[cell] = st->salience.value;
      data.power[cell] = scenario.CapabilityOf(*st);
      if (decide_order) {
        Decimal28 step = Decimal28(100) / (text(issue.max) - text(issue.min));
        data.exact[cell] =
            ((text(st->position.value) - text(issue.min)) * step).ToString();
      }
    }
  }
  if (decide_order) {
    data.sum_order.resize(static_cast<size_t>(m));
    for (const Stance& st : scenario.stances) {
      data.sum_order[static_cast<size_t>(st.issue)].push_back(
          engine_actor[static_cast<size_t>(st.actor)]);
    }
  }
  return data;
}

std::vector<double> Nbs(const Data& data) {
  std::vector<double> out(static_cast<size_t>(data.issues), 0);
  for (int i = 0; i < data.issues; ++i) {
    double numerator = 0;
    double denominator = 0;
    for (int a = 0; a < data.actors; ++a) {
      if (!data.has(a, i)) continue;
      numerator += data.x(a, i) * data.s(a, i) * data.c(a, i);
      denominator += data.s(a, i) * data.c(a, i);
    }
    out[static_cast<size_t>(i)] =
        denominator == 0 ? 0 : numerator / denominator;
  }
  return out;
}

RoundResult PlayRound(Data& data, const Options& options, Uniform* random) {
  US_CHECK(options.random_gain == 0 || random != nullptr,
           "the randomised exchange variant needs a source of random numbers");
  US_CHECK(!options.decide_arithmetic || options.random_gain == 0,
           "decide's arithmetic is for the equal-gain variant only");
  if (options.decide_arithmetic)
    return Round<Decimal28>(data, options, random).Play();
  return Round<double>(data, options, random).Play();
}

}  // namespace unionstate::exchange
