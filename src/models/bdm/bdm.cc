#include "models/bdm/bdm.h"

#include <cmath>
#include <limits>

#include "models/bdm/bdm_engine.h"
#include "models/convergence.h"
#include "models/issue_stances.h"

namespace unionstate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class Bdm : public Model {
 public:
  explicit Bdm(const Parameters& parameters)
      : Model(parameters),
        rounds_(static_cast<int>(parameters.GetInt("rounds"))),
        stop_(parameters.GetDouble("stop")),
        median_forecast_(parameters.GetString("forecast") == "median") {
    options_.variant = parameters.GetString("variant") == "paper"
                           ? bdm::Variant::kPaper
                           : bdm::Variant::kScholz;
    options_.q = parameters.GetDouble("q");
    options_.t = parameters.GetDouble("t");
  }

  const ModelInfo& info() const override { return BdmInfo(); }

  Result<Forecast> Run(const Scenario& scenario,
                       const RunOptions& options) const override {
    Forecast forecast = StartForecast(scenario, options);
    const size_t n_actors = scenario.actors.size();
    const size_t n_issues = scenario.issues.size();
    for (int r = 1; r <= rounds_; ++r) {
      Round round;
      round.round = r;
      round.positions = forecast.rounds[0].positions;
      round.actor_issue_values.push_back(
          {"risk_exponent", std::vector<double>(n_actors * n_issues, kNaN)});
      round.issue_values.push_back(
          {"weighted_mean", std::vector<double>(n_issues, kNaN)});
      round.issue_values.push_back(
          {"weighted_median", std::vector<double>(n_issues, kNaN)});
      forecast.rounds.push_back(std::move(round));
    }
    Round& first = forecast.rounds[0];
    first.issue_values.push_back(
        {"weighted_mean", std::vector<double>(n_issues, kNaN)});
    first.issue_values.push_back(
        {"weighted_median", std::vector<double>(n_issues, kNaN)});

    for (size_t i = 0; i < n_issues; ++i) {
      std::vector<internal::IssueStance> stances =
          internal::StancesOn(scenario, static_cast<int>(i));
      std::vector<double> c, s, x;
      std::vector<std::string> ids;
      for (const internal::IssueStance& st : stances) {
        c.push_back(st.capability);
        s.push_back(st.salience);
        x.push_back(st.position);
        ids.push_back(scenario.actors[static_cast<size_t>(st.actor)].id);
      }
      bdm::State state =
          bdm::MakeState(std::move(c), std::move(s), std::move(x));
      first.issue_values[0].values[i] = bdm::WeightedMean(state);
      first.issue_values[1].values[i] = bdm::WeightedMedian(state);
      bool stopped = stances.empty();
      for (int r = 1; r <= rounds_; ++r) {
        Round& round = forecast.rounds[static_cast<size_t>(r)];
        if (!stopped) {
          std::vector<double> before = state.position;
          bdm::UpdateRisk(state, options_);
          for (size_t k = 0; k < stances.size(); ++k) {
            round.actor_issue_values[0]
                .values[static_cast<size_t>(stances[k].actor) * n_issues + i] =
                state.risk[k];
          }
          std::vector<bdm::Offer> offers = bdm::MoveRound(state, options_);
          for (const bdm::Offer& o : offers) {
            round.events.push_back(
                {"offer",
                 {{"actor", ids[o.actor]},
                  {"issue", scenario.issues[i].id},
                  {"offer", std::string(bdm::OfferKindName(o.kind))},
                  {"counterpart", ids[o.counterpart]},
                  {"eu_challenge", o.eu_challenge},
                  {"eu_response", o.eu_response},
                  {"new_position", o.new_position}}});
          }
          double largest = 0;
          for (size_t k = 0; k < before.size(); ++k) {
            largest =
                std::max(largest, std::abs(state.position[k] - before[k]));
          }
          stopped = largest <= stop_ * state.range;
          if (stop_ == 0) stopped = false;
        }
        for (size_t k = 0; k < stances.size(); ++k) {
          round
              .positions[static_cast<size_t>(stances[k].actor) * n_issues + i] =
              state.position[k];
        }
        if (!stances.empty()) {
          round.issue_values[0].values[i] = bdm::WeightedMean(state);
          round.issue_values[1].values[i] = bdm::WeightedMedian(state);
        }
      }
      IssueForecast& out = forecast.issues[i];
      if (!stances.empty()) {
        out.outcome = median_forecast_ ? bdm::WeightedMedian(state)
                                       : bdm::WeightedMean(state);
        out.agreement =
            internal::MovesFromStatusQuo(scenario.issues[i], out.outcome);
      }
    }
    internal::DetectConvergence(
        scenario, median_forecast_ ? "weighted_median" : "weighted_mean",
        /*stopped_by_rule=*/false, &forecast);
    internal::SettleWeightlessIssues(scenario, &forecast);
    return forecast;
  }

 private:
  int rounds_;
  double stop_;
  bool median_forecast_;
  bdm::Options options_;
};

}  // namespace

const ModelInfo& BdmInfo() {
  static const ModelInfo* info = new ModelInfo{
      .short_name = "bdm",
      .long_name =
          "Bueno de Mesquita's expected-utility model (Scholz et al. 2011)",
      .summary =
          "Rounds of risk update, offers (confrontation, compromise, "
          "capitulation) and "
          "simultaneous moves, issue by issue; forecasts the weighted mean.",
      .citation =
          "Scholz, Calbert & Smith (2011), Journal of Theoretical Politics "
          "23(4) "
          "510-531; Bueno de Mesquita (1994) in European Community Decision "
          "Making",
      .parameters =
          {IntParameter("rounds", "rounds to play", 10, 0, 10000),
           DoubleParameter(
               "stop",
               "stop an issue when no position moved more than stop * "
               "(range of the "
               "initial positions) in a round; 0 plays every round",
               0.0, 0, 1),
           DoubleParameter(
               "q", "Q, the probability that the target does not move anyway",
               1.0, 0, 1),
           DoubleParameter("t",
                           "T, the probability that such a move is favourable "
                           "(matters when q < 1)",
                           1.0, 0, 1),
           ChoiceParameter(
               "variant",
               "scholz reproduces the published replication with its "
               "three quirks; "
               "paper follows the paper's prose",
               "scholz", {"scholz", "paper"}),
           ChoiceParameter("forecast",
                           "what the forecast is: the weighted mean or the "
                           "weighted median after "
                           "the last round",
                           "mean", {"mean", "median"})},
      .min_actors = 2,
  };
  return *info;
}

Result<std::unique_ptr<Model>> MakeBdm(const Parameters& parameters) {
  return std::make_unique<Bdm>(parameters);
}

}  // namespace unionstate
