#include "models/parity/parity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "models/issue_stances.h"

namespace unionstate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A bargainer in the level-2 Nash product over the issues of one group:
// gain(x) = b - sum_p a_p (x_p - c_p)^2, weighted by `weight`.
struct Gain {
  double weight = 0;
  std::vector<double> a;
  std::vector<double> c;
  double b = 0;

  double At(const std::vector<double>& x) const {
    double g = b;
    for (size_t p = 0; p < x.size(); ++p)
      g -= a[p] * (x[p] - c[p]) * (x[p] - c[p]);
    return g;
  }
};

double Objective(const std::vector<Gain>& gains, const std::vector<double>& x) {
  double f = 0;
  for (const Gain& g : gains) {
    double v = g.At(x);
    if (!(v > 0)) return -std::numeric_limits<double>::infinity();
    f += g.weight * std::log(v);
  }
  return f;
}

// Solves A z = r for a symmetric positive definite A (Cholesky) in place:
// `a` is overwritten by its factor and `r` by z; false when A is not
// positive definite.
bool SolveSpd(std::vector<double>& a, std::vector<double>& r, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    a[j * n + j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / a[j * n + j];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < i; ++k) r[i] -= a[i * n + k] * r[k];
    r[i] /= a[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {
    for (size_t k = i + 1; k < n; ++k) r[i] -= a[k * n + i] * r[k];
    r[i] /= a[i * n + i];
  }
  return true;
}

// Maximises sum_k w_k log gain_k(x) from a strictly feasible x (every gain
// positive) by damped Newton steps; returns x as it is when some gain there
// rounds to zero or below. The objective is strictly concave where
// it is finite in the coordinates somebody cares about; the others stay put.
// The work vectors are sized once; the arithmetic is the same in every
// iteration.
std::vector<double> MaximiseNashProduct(const std::vector<Gain>& gains,
                                        std::vector<double> x) {
  std::vector<size_t> active;
  for (size_t p = 0; p < x.size(); ++p) {
    bool cared = false;
    for (const Gain& g : gains) cared = cared || g.a[p] > 0;
    if (cared) active.push_back(p);
  }
  const size_t n = active.size();
  double f = Objective(gains, x);
  // The start gains something for every party in exact arithmetic, but a
  // gain narrower than the arithmetic resolves rounds to zero: a party
  // whose win-set is about 1e-20 wide beside one whose ideal is 33 units
  // away (Issue18.EveryModelKeepsItsInvariantsAtTheLimits found it). Then
  // no Newton step can be judged, and the start, which every party
  // prefers to the status quo in exact arithmetic, is the outcome.
  if (!std::isfinite(f)) return x;
  std::vector<double> grad(n), neg_hessian(n * n), dg(n);
  std::vector<double> factor(n * n), step(n);
  std::vector<double> next = x;
  for (int iteration = 0; iteration < 200 && n > 0; ++iteration) {
    std::fill(grad.begin(), grad.end(), 0.0);
    std::fill(neg_hessian.begin(), neg_hessian.end(), 0.0);
    for (const Gain& g : gains) {
      double v = g.At(x);
      for (size_t p = 0; p < n; ++p)
        dg[p] = -2 * g.a[active[p]] * (x[active[p]] - g.c[active[p]]);
      for (size_t p = 0; p < n; ++p) {
        grad[p] += g.weight * dg[p] / v;
        neg_hessian[p * n + p] += g.weight * 2 * g.a[active[p]] / v;
        for (size_t q = 0; q < n; ++q) {
          neg_hessian[p * n + q] += g.weight * dg[p] * dg[q] / (v * v);
        }
      }
    }
    std::copy(neg_hessian.begin(), neg_hessian.end(), factor.begin());
    std::copy(grad.begin(), grad.end(), step.begin());
    if (!SolveSpd(factor, step, n)) break;
    double decrement = 0;
    for (size_t p = 0; p < n; ++p) decrement += grad[p] * step[p];
    if (!(decrement > 1e-30)) break;
    double t = 1;
    std::copy(x.begin(), x.end(), next.begin());
    bool moved = false;
    for (int halving = 0; halving < 80; ++halving, t /= 2) {
      for (size_t p = 0; p < n; ++p)
        next[active[p]] = x[active[p]] + t * step[p];
      double fn = Objective(gains, next);
      if (fn >= f + 1e-4 * t * decrement) {
        moved = next != x;
        std::copy(next.begin(), next.end(), x.begin());
        f = fn;
        break;
      }
    }
    if (!moved) break;
  }
  return x;
}

}  // namespace

namespace internal {

double DirectionBound(const std::vector<double>& w,
                      const std::vector<int>& sign) {
  double bound = 0;
  for (size_t p = 0; p < sign.size(); ++p) {
    // v_p ranges over [0, 1] (sign 1), [-1, 0] (sign -1) or [-1, 1] (0).
    bound += sign[p] > 0   ? std::max(w[p], 0.0)
             : sign[p] < 0 ? std::max(-w[p], 0.0)
                           : std::abs(w[p]);
  }
  return bound;
}

double PairValue(const std::vector<double>& u, const std::vector<double>& w,
                 const std::vector<int>& sign, double* best_lambda) {
  // bound(lambda u + (1 - lambda) w) is convex and piecewise linear in
  // lambda; its least value is at an end or where some coordinate is 0.
  const size_t n = sign.size();
  std::vector<double> mixed(n);
  double best = std::numeric_limits<double>::infinity();
  auto try_lambda = [&](double lambda) {
    for (size_t p = 0; p < n; ++p)
      mixed[p] = lambda * u[p] + (1 - lambda) * w[p];
    double bound = DirectionBound(mixed, sign);
    if (bound < best) {
      best = bound;
      if (best_lambda) *best_lambda = lambda;
    }
  };
  try_lambda(1);
  try_lambda(0);
  for (size_t p = 0; p < n; ++p) {
    if (u[p] == w[p]) continue;
    double lambda = w[p] / (w[p] - u[p]);
    if (lambda > 0 && lambda < 1) try_lambda(lambda);
  }
  return best;
}

bool NoDirectionShown(const std::vector<std::vector<double>>& unit,
                      const std::vector<int>& sign, double margin) {
  for (size_t s = 0; s < unit.size(); ++s) {
    for (size_t t = s; t < unit.size(); ++t) {
      if (PairValue(unit[s], unit[t], sign, nullptr) <= margin) return true;
    }
  }
  return false;
}

namespace {

// The allowed corner of the box that w points to: v_p = 1 where w_p > 0 and
// the scale lets x_p rise, -1 where w_p < 0 and it lets x_p fall, else 0.
std::vector<double> Corner(const std::vector<double>& w,
                           const std::vector<int>& sign) {
  std::vector<double> v(w.size(), 0);
  for (size_t p = 0; p < w.size(); ++p) {
    if (w[p] > 0 && sign[p] >= 0) v[p] = 1;
    if (w[p] < 0 && sign[p] <= 0) v[p] = -1;
  }
  return v;
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t p = 0; p < a.size(); ++p) d += a[p] * b[p];
  return d;
}

// The direction that maximises min(u.v, w.v) over the allowed box: by the
// minimax theorem that maximum is PairValue, at lambda*; v maximises
// (lambda* u + (1 - lambda*) w).v, so it lies on the face spanned by the
// corners the mixture points to just left and right of lambda*, and on that
// face u.v = w.v where lambda* is inside (0, 1). Breaks that coincide in
// exact arithmetic (gradients proportional on several issues) may differ by
// an ulp or two; those within kSameBreak of lambda* count as one, so that
// the corners are taken clear of all of them.
std::vector<double> BestDirectionOfTwo(const std::vector<double>& u,
                                       const std::vector<double>& w,
                                       const std::vector<int>& sign) {
  constexpr double kSameBreak = 1e-13;
  const size_t n = sign.size();
  double lambda = 0;
  PairValue(u, w, sign, &lambda);
  std::vector<double> breaks;
  for (size_t p = 0; p < n; ++p) {
    if (u[p] == w[p]) continue;
    double at = w[p] / (w[p] - u[p]);
    if (at > 0 && at < 1) breaks.push_back(at);
  }
  // The breaks at lambda* (within kSameBreak), then the nearest other
  // break (or end) on either side, to step halfway to.
  double low = lambda, high = lambda;
  for (double at : breaks) {
    if (std::abs(at - lambda) <= kSameBreak) {
      low = std::min(low, at);
      high = std::max(high, at);
    }
  }
  double left = 0, right = 1;
  for (double at : breaks) {
    if (at < low && at > left) left = at;
    if (at > high && at < right) right = at;
  }
  auto corner_at = [&](double l) {
    std::vector<double> mixed(n);
    for (size_t p = 0; p < n; ++p) mixed[p] = l * u[p] + (1 - l) * w[p];
    return Corner(mixed, sign);
  };
  std::vector<double> v_left = corner_at((left + low) / 2);
  std::vector<double> v_right = corner_at((high + right) / 2);
  // (u - w).v: the slope of the bound left and right of lambda*.
  double d_left = Dot(u, v_left) - Dot(w, v_left);
  double d_right = Dot(u, v_right) - Dot(w, v_right);
  if (d_left < 0 && d_right > 0) {
    double theta = d_right / (d_right - d_left);
    std::vector<double> v(n);
    for (size_t p = 0; p < n; ++p)
      v[p] = theta * v_left[p] + (1 - theta) * v_right[p];
    return v;
  }
  auto least = [&](const std::vector<double>& v) {
    return std::min(Dot(u, v), Dot(w, v));
  };
  return least(v_left) >= least(v_right) ? v_left : v_right;
}

}  // namespace

std::optional<std::vector<double>> ImprovingDirection(
    const std::vector<std::vector<double>>& gradients,
    const std::vector<int>& sign) {
  const size_t n = sign.size();
  std::vector<std::vector<double>> unit;
  for (const std::vector<double>& g : gradients) {
    double norm = 0;
    for (double x : g) norm += x * x;
    norm = std::sqrt(norm);
    if (!(norm > 0))
      return std::nullopt;  // a state content with the status quo
    std::vector<double> u(n);
    for (size_t p = 0; p < n; ++p) u[p] = g[p] / norm;
    unit.push_back(std::move(u));
  }
  auto project = [&](std::vector<double>& v) {
    for (size_t p = 0; p < n; ++p) {
      v[p] =
          std::clamp(v[p], sign[p] > 0 ? 0.0 : -1.0, sign[p] < 0 ? 0.0 : 1.0);
    }
  };
  auto worst = [&](const std::vector<double>& v, size_t& which) {
    double m = std::numeric_limits<double>::infinity();
    for (size_t s = 0; s < unit.size(); ++s) {
      double d = 0;
      for (size_t p = 0; p < n; ++p) d += unit[s][p] * v[p];
      if (d < m) {
        m = d;
        which = s;
      }
    }
    return m;
  };
  std::vector<double> v(n, 0);
  for (const std::vector<double>& u : unit) {
    for (size_t p = 0; p < n; ++p) v[p] += u[p];
  }
  project(v);
  size_t which = 0;
  if (worst(v, which) > kDirectionMargin) return v;
  // The sum of the unit gradients is not a direction. For one or two
  // states the best one is found (BestDirectionOfTwo); for more, one or two
  // of them may show that none exists, and the subgradient steps below,
  // from the sum, settle the rest (and catch a best direction that
  // rounding spoilt).
  if (NoDirectionShown(unit, sign, kDirectionMargin)) return std::nullopt;
  if (unit.size() <= 2) {
    std::vector<double> best =
        BestDirectionOfTwo(unit.front(), unit.back(), sign);
    if (worst(best, which) > kDirectionMargin) return best;
  }
  for (int k = 0; k < 2000; ++k) {
    if (worst(v, which) > kDirectionMargin) return v;
    double eta = 1.0 / (k + 2);
    for (size_t p = 0; p < n; ++p) v[p] += eta * unit[which][p];
    project(v);
  }
  return std::nullopt;
}

}  // namespace internal

namespace {

using internal::ImprovingDirection;

// The bargainers that gain at `start`. The first `n_states` always do (the
// start lies inside every win-set); an outside actor's disagreement is its
// worst point on the win-sets' bounding box, which holds the start, so it
// gains there unless the start sits exactly on that worst corner -- then it
// can gain nowhere in the bargaining set and drops out.
std::vector<Gain> StrictlyGaining(const std::vector<Gain>& gains,
                                  size_t n_states,
                                  const std::vector<double>& start) {
  std::vector<Gain> out;
  for (size_t k = 0; k < gains.size(); ++k) {
    if (k < n_states || gains[k].At(start) > 0) out.push_back(gains[k]);
  }
  return out;
}

class Parity : public Model {
 public:
  Parity(const Parameters& parameters, std::unique_ptr<Model> domestic)
      : Model(parameters),
        domestic_(std::move(domestic)),
        equal_weights_(parameters.GetString("state_weights") == "equal"),
        outside_(parameters.GetBool("outside")) {
    std::string list = parameters.GetString("states");
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      std::string side = list.substr(
          start, comma == std::string::npos ? comma : comma - start);
      side.erase(0, side.find_first_not_of(' '));
      side.erase(side.find_last_not_of(' ') + 1);
      if (!side.empty()) named_states_.push_back(side);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }

  const ModelInfo& info() const override { return ParityInfo(); }

  Result<Forecast> Run(const Scenario& scenario,
                       const RunOptions& options) const override;

 private:
  struct State {
    std::string side;
    double capability = 0;         // sum over the side's actors
    std::vector<double> position;  // y_s per issue
    std::vector<double> sigma;     // per issue
  };

  Result<std::vector<std::string>> StateSides(const Scenario& scenario) const;
  // The position and win-set weights of `side`, from the domestic model run
  // on `sub` refilled with the side's actors (`sub` holds the issues, copied
  // once for every side).
  Result<State> DomesticLevel(const Scenario& scenario, const std::string& side,
                              const RunOptions& options, Scenario& sub) const;

  std::unique_ptr<Model> domestic_;
  bool equal_weights_;
  bool outside_;
  std::vector<std::string> named_states_;
};

Result<std::vector<std::string>> Parity::StateSides(
    const Scenario& scenario) const {
  std::vector<std::string> sides = scenario.Sides();
  std::vector<std::string> states;
  if (!named_states_.empty()) {
    for (const std::string& side : named_states_) {
      if (std::find(sides.begin(), sides.end(), side) == sides.end()) {
        std::string known;
        for (const std::string& s : sides)
          known += (known.empty() ? "" : ", ") + s;
        return InvalidArgument(
            fmt::format("parity: states names the side \"{}\", which no actor "
                        "has; expected sides of the "
                        "scenario: {}",
                        side, known.empty() ? "(none)" : known));
      }
      if (std::find(states.begin(), states.end(), side) == states.end())
        states.push_back(side);
    }
  } else {
    for (const std::string& side : sides) {
      for (const Actor& actor : scenario.actors) {
        if (actor.side == side && actor.veto) {
          states.push_back(side);
          break;
        }
      }
    }
    if (states.size() < 2) states = sides;
  }
  if (states.size() < 2) {
    return InvalidInput(
        {scenario.file, 0, 0},
        fmt::format(
            "the parity model needs at least two states, but the scenario has "
            "{} "
            "side(s); expected actors with `side` set to at least two states",
            states.size()));
  }
  std::sort(states.begin(), states.end());  // order-free results
  return states;
}

// What a model reads of a stance, for actor `actor` of a side's scenario:
// the values, not their provenance (sources, locations, distributions). No
// model reads those (a model's errors name actors, which DomesticLevel
// copies whole), and each is a string of its own: copying them was a
// tenth of a `parity` run's instructions on the built-in scenario.
Stance ValuesOf(const Stance& stance, int actor) {
  Stance values;
  values.actor = actor;
  values.issue = stance.issue;
  values.position.value = stance.position.value;
  values.salience.value = stance.salience.value;
  if (stance.capability)
    values.capability.emplace().value = stance.capability->value;
  return values;
}

Result<Parity::State> Parity::DomesticLevel(const Scenario& scenario,
                                            const std::string& side,
                                            const RunOptions& options,
                                            Scenario& sub) const {
  // The side's scenario: its actors and their stances on every issue. It is
  // a part of a validated scenario, so it keeps every rule CheckScenario
  // enforces (ids unique, values in range, one stance per actor and issue)
  // and only the lookup index ValidateScenario would add is built here.
  sub.name = scenario.name + " / " + side;
  sub.actors.clear();
  sub.stances.clear();
  std::vector<int> index(scenario.actors.size(), -1);
  State state;
  state.side = side;
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    if (scenario.actors[a].side != side) continue;
    index[a] = static_cast<int>(sub.actors.size());
    sub.actors.push_back(scenario.actors[a]);
    state.capability += scenario.actors[a].capability.value;
  }
  const size_t n = scenario.issues.size();
  state.sigma.assign(n, 0);
  sub.stance_index.assign(sub.actors.size() * n, -1);
  // The side's stances, counted first: growing the vector by copies
  // touched more fresh pages than the copies cost.
  size_t count = 0;
  for (const Stance& stance : scenario.stances)
    count += index[static_cast<size_t>(stance.actor)] >= 0 ? 1 : 0;
  sub.stances.reserve(count);
  for (const Stance& stance : scenario.stances) {
    const int actor = index[static_cast<size_t>(stance.actor)];
    if (actor < 0) continue;
    sub.stance_index[static_cast<size_t>(actor) * n +
                     static_cast<size_t>(stance.issue)] =
        static_cast<int>(sub.stances.size());
    sub.stances.push_back(ValuesOf(stance, actor));
    state.sigma[static_cast<size_t>(stance.issue)] +=
        scenario.CapabilityOf(stance) * stance.salience.value;
  }
  for (double& s : state.sigma)
    s = state.capability > 0 ? s / state.capability : 0;
  Result<Forecast> domestic = domestic_->Run(sub, options);
  if (!domestic) {
    std::vector<Diagnostic> diagnostics = domestic.error().diagnostics();
    for (Diagnostic& d : diagnostics) {
      d.message =
          fmt::format("parity: the domestic model {} on side \"{}\": {}",
                      domestic_->info().short_name, side, d.message);
    }
    return std::unexpected(
        Error(domestic.error().kind(), std::move(diagnostics)));
  }
  for (size_t i = 0; i < n; ++i)
    state.position.push_back(domestic->issues[i].outcome);
  return state;
}

Result<Forecast> Parity::Run(const Scenario& scenario,
                             const RunOptions& options) const {
  Result<std::vector<std::string>> sides = StateSides(scenario);
  if (!sides) return std::unexpected(sides.error());
  std::vector<State> states;
  Scenario sub;
  sub.file = scenario.file;
  sub.as_of = scenario.as_of;
  sub.issues = scenario.issues;
  for (const std::string& side : *sides) {
    Result<State> state = DomesticLevel(scenario, side, options, sub);
    if (!state) return std::unexpected(state.error());
    states.push_back(std::move(*state));
  }
  double mean_capability = 0;
  for (const State& s : states) mean_capability += s.capability / states.size();

  std::vector<int> outside;
  if (outside_) {
    for (size_t a = 0; a < scenario.actors.size(); ++a) {
      if (std::find(sides->begin(), sides->end(), scenario.actors[a].side) ==
          sides->end()) {
        outside.push_back(static_cast<int>(a));
      }
    }
  }

  // Issue groups: each package (issues not claimed by an earlier one), then
  // every remaining issue alone.
  const size_t n = scenario.issues.size();
  std::vector<std::vector<int>> groups;
  std::vector<int> package_of_group;
  std::vector<bool> grouped(n, false);
  for (size_t k = 0; k < scenario.packages.size(); ++k) {
    const Package& package = scenario.packages[k];
    std::vector<int> members;
    for (int issue : package.issues) {
      if (grouped[static_cast<size_t>(issue)]) continue;
      if (!scenario.issues[static_cast<size_t>(issue)].status_quo) {
        return InvalidInput(
            package.where,
            fmt::format(
                "package \"{}\" holds issue \"{}\", which has no status "
                "quo; expected a status_quo on every packaged issue",
                package.id, scenario.issues[static_cast<size_t>(issue)].id));
      }
      members.push_back(issue);
      grouped[static_cast<size_t>(issue)] = true;
    }
    if (members.empty()) continue;
    groups.push_back(members);
    package_of_group.push_back(static_cast<int>(k));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!grouped[i]) {
      groups.push_back({static_cast<int>(i)});
      package_of_group.push_back(-1);
    }
  }

  Forecast forecast = StartForecast(scenario, options);
  std::vector<IssueValues> values;
  for (const State& s : states) {
    values.push_back({"position_" + s.side, s.position});
    values.push_back({"win_set_min_" + s.side, std::vector<double>(n, kNaN)});
    values.push_back({"win_set_max_" + s.side, std::vector<double>(n, kNaN)});
  }

  for (size_t g = 0; g < groups.size(); ++g) {
    const std::vector<int>& group = groups[g];
    const size_t d = group.size();
    // Level 2 works on every issue's scale mapped to 0..100, so that a
    // salience weighs the whole width of a scale the same on every issue
    // (what matters for packages of issues in different units).
    auto to_unit = [&](size_t p, double x) {
      const Issue& issue = scenario.issues[static_cast<size_t>(group[p])];
      return 100 * (x - issue.min) / (issue.max - issue.min);
    };
    auto from_unit = [&](size_t p, double u) {
      const Issue& issue = scenario.issues[static_cast<size_t>(group[p])];
      return issue.min + u * (issue.max - issue.min) / 100;
    };
    const std::vector<double> lo(d, 0), hi(d, 100);
    std::vector<double> q(d);
    bool has_status_quo = true;
    for (size_t p = 0; p < d; ++p) {
      const Issue& issue = scenario.issues[static_cast<size_t>(group[p])];
      has_status_quo = has_status_quo && issue.status_quo.has_value();
      q[p] = issue.status_quo ? to_unit(p, issue.status_quo->value) : 50;
    }

    // Win-sets and their bounding boxes (on the scale).
    std::vector<double> box_lo = lo, box_hi = hi;
    std::vector<const State*> caring;
    for (size_t k = 0; k < states.size(); ++k) {
      const State& s = states[k];
      double radius = 0;  // sum_p sigma_p (q_p - y_p)^2
      bool cares = false;
      for (size_t p = 0; p < d; ++p) {
        size_t i = static_cast<size_t>(group[p]);
        double y = to_unit(p, s.position[i]);
        radius += s.sigma[i] * (q[p] - y) * (q[p] - y);
        cares = cares || s.sigma[i] > 0;
      }
      for (size_t p = 0; p < d; ++p) {
        size_t i = static_cast<size_t>(group[p]);
        double w_lo = lo[p], w_hi = hi[p];
        if (has_status_quo && s.sigma[i] > 0) {
          double half = std::sqrt(radius / s.sigma[i]);
          w_lo = std::max(lo[p], to_unit(p, s.position[i]) - half);
          w_hi = std::min(hi[p], to_unit(p, s.position[i]) + half);
        }
        values[3 * k + 1].values[i] = from_unit(p, w_lo);
        values[3 * k + 2].values[i] = from_unit(p, w_hi);
        box_lo[p] = std::max(box_lo[p], w_lo);
        box_hi[p] = std::min(box_hi[p], w_hi);
      }
      if (cares) caring.push_back(&s);
    }

    // The bargainers of level 2.
    std::vector<Gain> gains;
    std::vector<std::vector<double>> gradients;
    for (const State* s : caring) {
      Gain gain;
      gain.weight = equal_weights_ ? mean_capability : s->capability;
      for (size_t p = 0; p < d; ++p) {
        size_t i = static_cast<size_t>(group[p]);
        gain.a.push_back(s->sigma[i]);
        gain.c.push_back(to_unit(p, s->position[i]));
      }
      std::vector<double> gradient(d);
      if (has_status_quo) {
        for (size_t p = 0; p < d; ++p) {
          gain.b += gain.a[p] * (q[p] - gain.c[p]) * (q[p] - gain.c[p]);
          gradient[p] = 2 * gain.a[p] * (gain.c[p] - q[p]);
        }
      } else {
        // No status quo to hold out for: the worst point of the scale.
        for (size_t p = 0; p < d; ++p) {
          double far = std::max(std::abs(lo[p] - gain.c[p]),
                                std::abs(hi[p] - gain.c[p]));
          gain.b += gain.a[p] * far * far;
        }
      }
      gains.push_back(std::move(gain));
      gradients.push_back(std::move(gradient));
    }
    const size_t n_states = gains.size();
    for (int a : outside) {
      Gain gain;
      gain.weight = scenario.actors[static_cast<size_t>(a)].capability.value;
      bool cares = false;
      for (size_t p = 0; p < d; ++p) {
        const Stance* stance = scenario.FindStance(a, group[p]);
        double salience = stance ? stance->salience.value : 0;
        double ideal = stance ? to_unit(p, stance->position.value) : q[p];
        if (stance) gain.weight = scenario.CapabilityOf(*stance);
        gain.a.push_back(salience);
        gain.c.push_back(ideal);
        double far =
            std::max(std::abs(box_lo[p] - ideal), std::abs(box_hi[p] - ideal));
        gain.b += salience * far * far;
        cares = cares || salience > 0;
      }
      if (cares && gain.weight > 0) gains.push_back(std::move(gain));
    }

    std::vector<std::string> blocking;
    std::optional<std::vector<double>> outcome;
    if (n_states == 0) {
      // No state cares: nothing moves.
    } else if (!has_status_quo) {
      std::vector<double> start(d);
      for (size_t p = 0; p < d; ++p) start[p] = (lo[p] + hi[p]) / 2;
      outcome =
          MaximiseNashProduct(StrictlyGaining(gains, n_states, start), start);
    } else {
      std::vector<int> sign(d, 0);
      for (size_t p = 0; p < d; ++p)
        sign[p] = q[p] <= lo[p] ? 1 : q[p] >= hi[p] ? -1 : 0;
      std::optional<std::vector<double>> v =
          ImprovingDirection(gradients, sign);
      if (v) {
        // Step into every win-set, and not off the scale.
        double t = std::numeric_limits<double>::infinity();
        for (size_t k = 0; k < n_states; ++k) {
          double slope = 0, curve = 0;
          for (size_t p = 0; p < d; ++p) {
            slope += gradients[k][p] * (*v)[p];
            curve += gains[k].a[p] * (*v)[p] * (*v)[p];
          }
          if (curve > 0) t = std::min(t, slope / curve);
        }
        for (size_t p = 0; p < d; ++p) {
          if ((*v)[p] > 0) t = std::min(t, (hi[p] - q[p]) / (*v)[p]);
          if ((*v)[p] < 0) t = std::min(t, (lo[p] - q[p]) / (*v)[p]);
        }
        std::vector<double> start(d);
        for (size_t p = 0; p < d; ++p) start[p] = q[p] + 0.5 * t * (*v)[p];
        outcome =
            MaximiseNashProduct(StrictlyGaining(gains, n_states, start), start);
      } else {
        bool anyone_wants_change = false;
        for (const std::vector<double>& gradient : gradients) {
          for (double x : gradient)
            anyone_wants_change = anyone_wants_change || x != 0;
        }
        if (anyone_wants_change) {
          for (size_t k = 0; k < n_states; ++k) {
            std::vector<std::vector<double>> others;
            for (size_t j = 0; j < n_states; ++j) {
              if (j != k) others.push_back(gradients[j]);
            }
            if (ImprovingDirection(others, sign))
              blocking.push_back(caring[k]->side);
          }
          if (blocking.empty()) {
            for (const State* s : caring) blocking.push_back(s->side);
          }
        }
      }
    }

    for (size_t p = 0; p < d; ++p) {
      IssueForecast& out = forecast.issues[static_cast<size_t>(group[p])];
      const Issue& issue = scenario.issues[static_cast<size_t>(group[p])];
      if (outcome) {
        out.outcome =
            std::clamp(from_unit(p, (*outcome)[p]), issue.min, issue.max);
        out.agreement = internal::MovesFromStatusQuo(issue, out.outcome);
      } else {
        out.outcome =
            issue.status_quo ? issue.status_quo->value : from_unit(p, q[p]);
        out.agreement = false;
        out.blocking = blocking;
      }
    }
    if (package_of_group[g] >= 0) {
      std::string blockers;
      for (const std::string& b : blocking)
        blockers += (blockers.empty() ? "" : ",") + b;
      forecast.rounds[0].events.push_back(
          {"package",
           {{"package",
             scenario.packages[static_cast<size_t>(package_of_group[g])].id},
            {"passed", outcome.has_value()},
            {"blocking", blockers}}});
    }
  }
  forecast.rounds[0].issue_values = std::move(values);
  internal::SettleWeightlessIssues(scenario, &forecast);
  return forecast;
}

}  // namespace

const ModelInfo& ParityInfo() {
  static const ModelInfo* info = new ModelInfo{
      .short_name = "parity",
      .long_name = "Parity two-level game (Union State rule)",
      .summary =
          "Each state's domestic model gives its position and win-set; an "
          "issue (or a "
          "package of linked issues) moves only inside every state's win-set, "
          "split by "
          "Nash bargaining; otherwise the blocking state is named.",
      .citation =
          "Putnam (1988), International Organization 42(3); the 1999 Union "
          "State "
          "treaty's parity principle (seed 000); Nash (1950)",
      .parameters =
          {TextParameter(
               ParamType::kModel, "domestic",
               "the model that turns each state's actors into its position",
               "compromise"),
           ChoiceParameter("state_weights",
                           "the states' exponents in the Nash product: equal "
                           "(sovereign equality) "
                           "or the sum of their actors' capabilities",
                           "equal", {"equal", "capability"}),
           BoolParameter("outside",
                         "actors of sides that are not states (EU, protest "
                         "movement) pull the "
                         "split without a veto",
                         true),
           TextParameter(ParamType::kText, "states",
                         "comma-separated sides that are states; empty: the "
                         "sides with a "
                         "veto-holding actor (all sides when none has one)",
                         "")},
      .needs_sides = true,
  };
  return *info;
}

Result<std::unique_ptr<Model>> MakeParity(const Parameters& parameters) {
  const std::string& spec = parameters.GetString("domestic");
  Result<ModelSpec> parsed = ParseModelSpec(spec);
  if (!parsed) return std::unexpected(parsed.error());
  if (parsed->name == "parity") {
    return InvalidArgument(
        "parameter \"domestic\" of model \"parity\" is parity itself; "
        "expected a one-level model such as compromise, nash or bdm");
  }
  Result<std::unique_ptr<Model>> domestic = LoadModel(spec);
  if (!domestic) return std::unexpected(domestic.error());
  return std::make_unique<Parity>(parameters, std::move(*domestic));
}

}  // namespace unionstate
