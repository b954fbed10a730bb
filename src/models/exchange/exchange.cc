#include "models/exchange/exchange.h"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <pcg_random.hpp>

#include "models/convergence.h"
#include "models/exchange/exchange_engine.h"
#include "models/issue_stances.h"
#include "models/negotiations.h"

namespace unionstate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class SeededUniform : public exchange::Uniform {
 public:
  explicit SeededUniform(std::uint64_t seed) : rng_(seed) {}
  double Next() override { return boost::random::uniform_01<double>()(rng_); }

 private:
  pcg64 rng_;
};

class Exchange : public Model {
 public:
  explicit Exchange(const Parameters& parameters)
      : Model(parameters),
        rounds_(static_cast<int>(parameters.GetInt("rounds"))) {
    options_.fixed_weight = parameters.GetDouble("fixed_weight");
    options_.salience_weight = parameters.GetDouble("salience_weight");
    decide_ = parameters.GetString("behaviour") == "decide";
    options_.decide_nbs_cut = decide_;
    options_.decide_arithmetic = decide_;
    options_.random_gain = parameters.GetDouble("random_gain");
  }

  const ModelInfo& info() const override { return ExchangeInfo(); }

  Result<Forecast> Run(const Scenario& scenario,
                       const RunOptions& options) const override {
    // Exchanges happen inside a dossier only (models/negotiations.h).
    return internal::RunPerNegotiation(
        scenario, options, [this](const Scenario& s, const RunOptions& o) {
          return RunOneNegotiation(s, o);
        });
  }

 private:
  Result<Forecast> RunOneNegotiation(const Scenario& scenario,
                                     const RunOptions& options) const {
    Forecast forecast = StartForecast(scenario, options);
    const int n = static_cast<int>(scenario.actors.size());
    const int m = static_cast<int>(scenario.issues.size());
    exchange::Data data = exchange::FromScenario(scenario, decide_);
    const std::vector<int>& order = data.scenario_actor;
    SeededUniform random(options.seed);
    std::vector<double> outcome = exchange::Nbs(data);
    forecast.rounds[0].issue_values.push_back(
        {"weighted_outcome", FromUnit(scenario, outcome)});
    for (int r = 1; r <= rounds_; ++r) {
      exchange::RoundResult result =
          exchange::PlayRound(data, options_, &random);
      Round round;
      round.round = r;
      round.positions.assign(static_cast<size_t>(n * m), kNaN);
      for (int k = 0; k < n; ++k) {
        size_t a = static_cast<size_t>(order[static_cast<size_t>(k)]);
        for (int i = 0; i < m; ++i) {
          double u = result.voting[static_cast<size_t>(k * m + i)];
          round.positions[a * static_cast<size_t>(m) + static_cast<size_t>(i)] =
              std::isnan(u)
                  ? kNaN
                  : FromUnit(scenario.issues[static_cast<size_t>(i)], u);
        }
      }
      round.issue_values.push_back(
          {"weighted_outcome", FromUnit(scenario, result.nbs_voting)});
      round.issue_values.push_back(
          {"start_outcome", FromUnit(scenario, result.nbs_start)});
      for (const exchange::Exchange& e : result.exchanges) {
        const Issue& p = scenario.issues[static_cast<size_t>(e.supply_i)];
        const Issue& q = scenario.issues[static_cast<size_t>(e.supply_j)];
        round.events.push_back(
            {"exchange",
             {{"actor_i", data.actor_ids[static_cast<size_t>(e.actor_i)]},
              {"supply_i", p.id},
              {"actor_j", data.actor_ids[static_cast<size_t>(e.actor_j)]},
              {"supply_j", q.id},
              {"gain", e.gain},
              {"start_i", FromUnit(p, e.start_i)},
              {"move_i", e.move_i * (p.max - p.min) / 100},
              {"voting_i", FromUnit(p, e.voting_i)},
              {"start_j", FromUnit(q, e.start_j)},
              {"move_j", e.move_j * (q.max - q.min) / 100},
              {"voting_j", FromUnit(q, e.voting_j)}}});
      }
      outcome = result.nbs_voting;
      forecast.rounds.push_back(std::move(round));
    }
    for (IssueForecast& f : forecast.issues) {
      const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
      if (internal::StancesOn(scenario, f.issue).empty()) continue;
      f.outcome =
          std::clamp(FromUnit(issue, outcome[static_cast<size_t>(f.issue)]),
                     issue.min, issue.max);
      f.agreement = internal::MovesFromStatusQuo(issue, f.outcome);
    }
    internal::DetectConvergence(scenario, "weighted_outcome",
                                /*stopped_by_rule=*/false, &forecast);
    internal::SettleWeightlessIssues(scenario, &forecast);
    return forecast;
  }

  static double FromUnit(const Issue& issue, double u) {
    return issue.min + u * (issue.max - issue.min) / 100;
  }
  static std::vector<double> FromUnit(const Scenario& s,
                                      const std::vector<double>& u) {
    std::vector<double> out(u.size());
    for (size_t i = 0; i < u.size(); ++i) out[i] = FromUnit(s.issues[i], u[i]);
    return out;
  }

  int rounds_;
  bool decide_ = false;
  exchange::Options options_;
};

}  // namespace

const ModelInfo& ExchangeInfo() {
  static const ModelInfo* info = new ModelInfo{
      .short_name = "exchange",
      .long_name = "Stokman's exchange model (equal gain)",
      .summary =
          "Actors on opposite sides of two issues trade voting positions, each "
          "giving "
          "ground where it cares less; exchanges are realised by highest equal "
          "gain, "
          "round after round.",
      .citation =
          "Stokman & Van Oosten (1994) in European Community Decision Making; "
          "foarsitter/decide-exchange-model",
      .parameters =
          {IntParameter("rounds", "rounds to play", 10, 0, 1000),
           DoubleParameter(
               "fixed_weight",
               "fixed part of the weight that moves an actor's start "
               "position towards "
               "its voting position after a round",
               0.1, 0, 1),
           DoubleParameter("salience_weight",
                           "salience part of that weight, times (1 - salience)",
                           0.4, 0, 1),
           ChoiceParameter(
               "behaviour",
               "published: the published rules in double precision; decide: "
               "decide's "
               "numbers, with its 28-digit decimals, orders and NBS "
               "cut (slow)",
               "published", {"published", "decide"}),
           DoubleParameter(
               "random_gain",
               "p of the randomised variant: one side's gain drawn up "
               "to p of the way "
               "towards its maximum or towards nothing (0: equal gain)",
               0.0, 0, 1)},
      .stochastic = true,
      .min_actors = 2,
  };
  return *info;
}

Result<std::unique_ptr<Model>> MakeExchange(const Parameters& parameters) {
  if (parameters.GetString("behaviour") == "decide" &&
      parameters.GetDouble("random_gain") > 0) {
    return InvalidArgument(
        "model \"exchange\": behaviour=decide reproduces decide's equal-gain "
        "runs only; "
        "expected random_gain=0 with it");
  }
  return std::make_unique<Exchange>(parameters);
}

}  // namespace unionstate
