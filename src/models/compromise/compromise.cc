#include "models/compromise/compromise.h"

#include "models/issue_stances.h"

namespace unionstate {
namespace {

class Compromise : public Model {
 public:
  explicit Compromise(const Parameters& parameters)
      : Model(parameters), weights_(parameters.GetString("weights")) {}

  const ModelInfo& info() const override { return CompromiseInfo(); }

  Result<Forecast> Run(const Scenario& scenario,
                       const RunOptions& options) const override {
    Forecast forecast = StartForecast(scenario, options);
    for (IssueForecast& out : forecast.issues) {
      double weighted = 0;
      double total = 0;
      for (const internal::IssueStance& s :
           internal::StancesOn(scenario, out.issue)) {
        double w = weights_ == "none"       ? 1.0
                   : weights_ == "salience" ? s.salience
                                            : s.capability * s.salience;
        weighted += w * s.position;
        total += w;
      }
      const Issue& issue = scenario.issues[static_cast<size_t>(out.issue)];
      if (total > 0) out.outcome = weighted / total;
      out.agreement =
          total > 0 && internal::MovesFromStatusQuo(issue, out.outcome);
    }
    internal::SettleWeightlessIssues(scenario, &forecast);
    return forecast;
  }

 private:
  std::string weights_;
};

}  // namespace

const ModelInfo& CompromiseInfo() {
  static const ModelInfo* info = new ModelInfo{
      .short_name = "compromise",
      .long_name = "Compromise model (weighted mean)",
      .summary =
          "The capability- and salience-weighted mean of the positions, issue "
          "by issue.",
      .citation =
          "Achen (2006) and Van den Bos (1991) in Thomson, Stokman, Achen & "
          "Koenig "
          "(eds.), The European Union Decides, Cambridge UP 2006",
      .parameters = {ChoiceParameter(
          "weights",
          "what weighs a position: capability*salience, salience only, "
          "or nothing (plain mean)",
          "capability_salience", {"capability_salience", "salience", "none"})},
  };
  return *info;
}

Result<std::unique_ptr<Model>> MakeCompromise(const Parameters& parameters) {
  return std::make_unique<Compromise>(parameters);
}

}  // namespace unionstate
