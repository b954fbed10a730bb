#include "models/nash/nash.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"
#include "models/issue_stances.h"

namespace unionstate {
namespace {

struct Bargainer {
  int actor;
  double position;
  double salience;
  double capability;
  bool veto;
  double delta = 0;  // disagreement utility
};

double Utility(const Bargainer& b, double x) {
  return -b.salience * (x - b.position) * (x - b.position);
}

// d/dx sum_i c_i log(U_i(x) - delta_i).
double Slope(const std::vector<Bargainer>& bargainers, double x) {
  double slope = 0;
  for (const Bargainer& b : bargainers) {
    double gain = Utility(b, x) - b.delta;
    double derivative = -2 * b.salience * (x - b.position);
    slope += b.capability * derivative / gain;
  }
  return slope;
}

// The maximiser of the strictly concave objective on [lo, hi].
double Maximise(const std::vector<Bargainer>& bargainers, double lo,
                double hi) {
  if (bargainers.empty()) return (lo + hi) / 2;
  // Slope is decreasing; at an end where a gain vanishes it is infinite.
  double a = lo;
  double b = hi;
  for (int k = 0; k < 2000 && b - a > 0; ++k) {
    double mid = a + (b - a) / 2;
    if (mid <= a || mid >= b) break;
    double slope = Slope(bargainers, mid);
    US_CHECK(!std::isnan(slope), "Nash objective slope is NaN");
    if (slope > 0) {
      a = mid;
    } else if (slope < 0) {
      b = mid;
    } else {
      return mid;
    }
  }
  return a + (b - a) / 2;
}

class Nash : public Model {
 public:
  explicit Nash(const Parameters& parameters)
      : Model(parameters), veto_(parameters.GetBool("veto")) {}

  const ModelInfo& info() const override { return NashInfo(); }

  Result<Forecast> Run(const Scenario& scenario,
                       const RunOptions& options) const override {
    Forecast forecast = StartForecast(scenario, options);
    IssueValues set_min{"veto_set_min", {}};
    IssueValues set_max{"veto_set_max", {}};
    for (IssueForecast& out : forecast.issues) {
      const Issue& issue = scenario.issues[static_cast<size_t>(out.issue)];
      std::vector<Bargainer> bargainers;
      std::vector<Bargainer> vetoes;
      for (const internal::IssueStance& s :
           internal::StancesOn(scenario, out.issue)) {
        bool veto = veto_ && issue.status_quo &&
                    (issue.rule == DecisionRule::kUnanimity ||
                     scenario.actors[static_cast<size_t>(s.actor)].veto);
        Bargainer b{s.actor, s.position, s.salience, s.capability, veto};
        // An indifferent veto holder accepts anything; it can still block
        // nothing, so only actors who care constrain or bargain.
        if (b.salience <= 0) continue;
        if (veto) vetoes.push_back(b);
        if (b.capability > 0) bargainers.push_back(b);
      }
      double lo = issue.min;
      double hi = issue.max;
      double d = issue.status_quo ? issue.status_quo->value : 0;
      for (const Bargainer& v : vetoes) {
        double mirror = 2 * v.position - d;
        lo = std::max(lo, std::min(d, mirror));
        hi = std::min(hi, std::max(d, mirror));
      }
      set_min.values.push_back(lo);
      set_max.values.push_back(hi);
      if (bargainers.empty()) {  // nobody cares: nothing moves
        out.agreement = false;
        continue;
      }
      if (!(hi - lo > 1e-12 * (issue.max - issue.min))) {
        out.outcome = d;
        out.agreement = false;
        out.blocking = Blockers(scenario, vetoes, bargainers, d);
        continue;
      }
      for (Bargainer& b : bargainers) {
        b.delta =
            b.veto ? Utility(b, d) : std::min(Utility(b, lo), Utility(b, hi));
      }
      // An actor whose gain is zero everywhere on [lo, hi] cannot happen:
      // its utility is strictly concave and delta is its minimum over a
      // non-degenerate interval (or its value at d, inside F's end).
      out.outcome = std::clamp(Maximise(bargainers, lo, hi), lo, hi);
      out.agreement = internal::MovesFromStatusQuo(issue, out.outcome);
    }
    forecast.rounds[0].issue_values = {std::move(set_min), std::move(set_max)};
    internal::SettleWeightlessIssues(scenario, &forecast);
    return forecast;
  }

 private:
  // The veto holders who refuse every move in the direction the weighted
  // mean points to.
  static std::vector<std::string> Blockers(
      const Scenario& scenario, const std::vector<Bargainer>& vetoes,
      const std::vector<Bargainer>& bargainers, double d) {
    double weighted = 0;
    double total = 0;
    for (const Bargainer& b : bargainers) {
      weighted += b.capability * b.salience * b.position;
      total += b.capability * b.salience;
    }
    double direction = total > 0 ? weighted / total - d : 0;
    std::vector<std::string> ids;
    for (const Bargainer& v : vetoes) {
      bool blocks = direction > 0   ? v.position <= d
                    : direction < 0 ? v.position >= d
                                    : v.position == d;
      if (blocks)
        ids.push_back(scenario.actors[static_cast<size_t>(v.actor)].id);
    }
    return ids;
  }

  bool veto_;
};

}  // namespace

const ModelInfo& NashInfo() {
  static const ModelInfo* info = new ModelInfo{
      .short_name = "nash",
      .long_name = "Nash bargaining solution with vetoes",
      .summary =
          "Maximises the capability-weighted Nash product of quadratic "
          "utilities, with "
          "the status quo as disagreement point; no veto holder ends below it.",
      .citation =
          "Nash (1950), Econometrica 18(2); Thomson, Stokman, Achen & Koenig "
          "(eds.), "
          "The European Union Decides, Cambridge UP 2006",
      .parameters = {BoolParameter(
          "veto",
          "honour veto holders (actors with veto = true; everyone under "
          "unanimity); false: nobody can block",
          true)},
  };
  return *info;
}

Result<std::unique_ptr<Model>> MakeNash(const Parameters& parameters) {
  return std::make_unique<Nash>(parameters);
}

}  // namespace unionstate
