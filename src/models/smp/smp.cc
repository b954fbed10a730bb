#include "models/smp/smp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/convergence.h"
#include "models/issue_stances.h"
#include "models/negotiations.h"
#include "models/smp/smp_engine.h"
#include "models/smp/smp_kernels.h"

namespace unionstate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class E>
E Pick(const std::string& value, std::initializer_list<const char*> names) {
  int k = 0;
  for (const char* name : names) {
    if (value == name) return static_cast<E>(k);
    ++k;
  }
  return static_cast<E>(0);  // ResolveParameters admits only listed names
}

smp::Options OptionsFrom(const Parameters& p) {
  smp::Options o;
  o.victory = Pick<smp::VictoryModel>(
      p.GetString("victory"),
      {"linear", "square", "quartic", "octic", "binary"});
  o.pce = Pick<smp::PceModel>(
      p.GetString("pce"),
      {"conditional", "markov_incentive", "markov_uniform"});
  o.transitions = Pick<smp::Transitions>(p.GetString("transitions"),
                                         {"deterministic", "stochastic"});
  o.voting = Pick<smp::VotingRule>(
      p.GetString("voting"), {"binary", "prop_bin", "proportional",
                              "prop_cubic", "cubic", "asymmetric_prospect"});
  o.risk_adjust = Pick<smp::RiskAdjust>(
      p.GetString("risk_adjust"),
      {"none", "one_third", "half", "two_thirds", "full"});
  o.risk_range =
      Pick<smp::RiskRange>(p.GetString("risk_range"), {"min", "mid", "max"});
  o.commit = Pick<smp::ThirdPartyCommit>(p.GetString("commitment"),
                                         {"none", "semi", "full"});
  o.interpolation = Pick<smp::Interpolation>(p.GetString("interpolation"),
                                             {"s1p1", "s2p2", "s2pmax"});
  o.bargain = Pick<smp::BargainModel>(
      p.GetString("bargain"),
      {"initiator", "initiator_receiver", "power_weighted"});
  o.max_turns = static_cast<int>(p.GetInt("max_turns"));
  o.min_turns = static_cast<int>(p.GetInt("min_turns"));
  o.stop_ratio = p.GetDouble("stop_ratio");
  return o;
}

// The scenario on the engine's scale, or the reasons it cannot run.
Result<smp::Input> InputFrom(const Scenario& s) {
  const int n = static_cast<int>(s.actors.size());
  const int dims = static_cast<int>(s.issues.size());
  std::vector<Diagnostic> problems;
  SourceLocation file{s.file, 0, 0};
  if (n < 2 || dims < 1) {
    return InvalidInput(file, fmt::format("the scenario has {} actor(s) and {} "
                                          "issue(s); smp expected at least 2 "
                                          "actors and 1 issue",
                                          n, dims));
  }
  smp::Input in;
  in.actors = n;
  in.dims = dims;
  in.capability.resize(n);
  in.salience.assign(static_cast<size_t>(n) * dims, 0.0);
  in.position.resize(static_cast<size_t>(n) * dims);
  for (int a = 0; a < n; ++a) {
    const Actor& actor = s.actors[static_cast<size_t>(a)];
    in.capability[a] = actor.capability.value;
    if (!(actor.capability.value > 0)) {
      problems.push_back(
          {actor.capability.where.line > 0 ? actor.capability.where
                                           : actor.where,
           fmt::format("actor \"{}\" has capability {}; smp expected a "
                       "capability > 0",
                       actor.id, actor.capability.value)});
    }
    double total = 0;
    for (int d = 0; d < dims; ++d) {
      const Issue& issue = s.issues[static_cast<size_t>(d)];
      const Stance* stance = s.FindStance(a, d);
      double x = issue.status_quo ? issue.status_quo->value
                                  : (issue.min + issue.max) / 2;
      if (stance) {
        x = stance->position.value;
        in.salience[a * dims + d] = stance->salience.value;
        total += stance->salience.value;
      }
      in.position[a * dims + d] = (x - issue.min) / (issue.max - issue.min);
    }
    if (!(total > 0)) {
      problems.push_back(
          {actor.where,
           fmt::format("actor \"{}\" has salience 0 on every issue; smp "
                       "expected some salience",
                       actor.id)});
    } else if (total > 1 + 1e-9) {
      for (int d = 0; d < dims; ++d) in.salience[a * dims + d] /= total;
    }
  }
  if (!s.ideal_adjustments.empty()) {
    in.accommodation.assign(static_cast<size_t>(n) * n, 0.0);
    for (int a = 0; a < n; ++a) in.accommodation[a * n + a] = 1.0;
    for (const IdealAdjustment& adj : s.ideal_adjustments) {
      in.accommodation[adj.actor * n + adj.reference] = adj.rate;
    }
  }
  if (!problems.empty()) {
    return std::unexpected(
        Error(ErrorKind::kInvalidInput, std::move(problems)));
  }
  return in;
}

class Smp : public Model {
 public:
  explicit Smp(const Parameters& parameters)
      : Model(parameters),
        options_(OptionsFrom(parameters)),
        by_id_(parameters.GetString("actor_order") == "id") {}

  const ModelInfo& info() const override { return SmpInfo(); }

  Result<Forecast> Run(const Scenario& scenario,
                       const RunOptions& options) const override {
    // One bargaining per dossier (models/negotiations.h).
    return internal::RunPerNegotiation(
        scenario, options, [this](const Scenario& s, const RunOptions& o) {
          return RunOneNegotiation(s, o);
        });
  }

 private:
  Result<Forecast> RunOneNegotiation(const Scenario& scenario,
                                     const RunOptions& options) const {
    if (by_id_) {
      // Run on the actors in id order and give each actor its results back.
      std::vector<int> order(scenario.actors.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return scenario.actors[static_cast<size_t>(a)].id <
               scenario.actors[static_cast<size_t>(b)].id;
      });
      if (!std::is_sorted(order.begin(), order.end())) {
        Result<Scenario> canonical = Reordered(scenario, order);
        if (!canonical) return std::unexpected(canonical.error());
        Result<Forecast> f = RunInOrder(*canonical, options);
        if (!f) return f;
        Restore(*f, order, scenario.issues.size());
        f->scenario = scenario.name;
        return f;
      }
    }
    return RunInOrder(scenario, options);
  }

  // The scenario with actor k of the result being actor order[k] of `s`.
  static Result<Scenario> Reordered(const Scenario& s,
                                    const std::vector<int>& order) {
    Scenario out = s;
    out.actors.clear();
    std::vector<int> to(order.size());
    for (size_t k = 0; k < order.size(); ++k) {
      out.actors.push_back(s.actors[static_cast<size_t>(order[k])]);
      to[static_cast<size_t>(order[k])] = static_cast<int>(k);
    }
    for (Stance& st : out.stances) st.actor = to[static_cast<size_t>(st.actor)];
    for (IdealAdjustment& a : out.ideal_adjustments) {
      a.actor = to[static_cast<size_t>(a.actor)];
      a.reference = to[static_cast<size_t>(a.reference)];
    }
    out.stance_index.clear();
    return ValidateScenario(std::move(out));
  }

  // Puts per-actor results computed in `order` back in the input's order.
  static void Restore(Forecast& f, const std::vector<int>& order,
                      size_t issues) {
    auto per_actor = [&](std::vector<double>& v, size_t width) {
      std::vector<double> out(v.size());
      for (size_t k = 0; k < order.size(); ++k) {
        const size_t a = static_cast<size_t>(order[k]);
        for (size_t i = 0; i < width; ++i)
          out[a * width + i] = v[k * width + i];
      }
      v = std::move(out);
    };
    for (Round& r : f.rounds) {
      per_actor(r.positions, issues);
      for (ActorValues& v : r.actor_values) per_actor(v.values, 1);
      for (ActorIssueValues& v : r.actor_issue_values)
        per_actor(v.values, issues);
    }
  }

  Result<Forecast> RunInOrder(const Scenario& scenario,
                              const RunOptions& options) const {
    Result<smp::Input> input = InputFrom(scenario);
    if (!input) return std::unexpected(input.error());
    std::expected<smp::Run, std::string> run =
        smp::RunSmp(*input, options_, options.seed);
    if (!run) return Failed("smp: " + run.error());
    Forecast forecast = StartForecast(scenario, options);
    forecast.rounds.clear();
    forecast.rounds.reserve(run->states.size());
    // Each actor's stance on each issue (null: none), looked up once.
    const int n = input->actors;
    const int dims = input->dims;
    std::vector<const Stance*> stances(static_cast<size_t>(n) * dims);
    for (int a = 0; a < n; ++a) {
      for (int d = 0; d < dims; ++d) stances[a * dims + d] = scenario.FindStance(a, d);
    }
    for (size_t t = 0; t < run->states.size(); ++t) {
      forecast.rounds.push_back(
          MakeRound(scenario, stances, *input, *run, static_cast<int>(t)));
    }
    const Round& last = forecast.rounds.back();
    for (IssueForecast& out : forecast.issues) {
      out.outcome = last.issue_values[0].values[static_cast<size_t>(out.issue)];
      out.agreement = internal::MovesFromStatusQuo(
          scenario.issues[static_cast<size_t>(out.issue)], out.outcome);
    }
    // Fewer turns than max_turns: the movement rule ended the play.
    internal::DetectConvergence(
        scenario, "expected_outcome",
        static_cast<int>(run->states.size()) - 1 < options_.max_turns,
        &forecast);
    internal::SettleWeightlessIssues(scenario, &forecast);
    return forecast;
  }

  // Round t of the forecast from state t (and the challenges of turn t - 1,
  // which led to it).
  Round MakeRound(const Scenario& s, const std::vector<const Stance*>& stances,
                  const smp::Input& in, const smp::Run& run, int t) const {
    const smp::State& st = run.states[static_cast<size_t>(t)];
    const int n = in.actors;
    const int dims = in.dims;
    Round round;
    round.round = t;
    round.positions.assign(static_cast<size_t>(n) * dims, kNaN);
    for (int a = 0; a < n; ++a) {
      for (int d = 0; d < dims; ++d) {
        const Stance* stance = stances[a * dims + d];
        if (!stance) continue;
        const Issue& issue = s.issues[static_cast<size_t>(d)];
        const double x = st.position[a * dims + d];
        // A coordinate that never moved is written as the analyst wrote it.
        round.positions[a * dims + d] =
            x == in.position[a * dims + d]
                ? stance->position.value
                : issue.min + x * (issue.max - issue.min);
      }
    }
    // Order-free groups (the engine's, smp::State): each group's probability
    // is its PCE value with the group's lexicographically smallest position
    // standing for it, shared by its members.
    const std::vector<int>& heads = st.group_head;
    const std::vector<double>& p = st.group_probability;
    round.actor_values.reserve(3);
    std::vector<double>& win =
        round.actor_values
            .emplace_back(ActorValues{"win_probability", std::vector<double>(n)})
            .values;
    {
      thread_local std::vector<int> size;
      size.assign(heads.size(), 0);
      for (int a = 0; a < n; ++a) ++size[st.group_of[a]];
      for (int a = 0; a < n; ++a) {
        const int g = st.group_of[a];
        win[a] = p[g] / size[g];
      }
    }
    // smpc's column: the probability of each actor's class.
    std::vector<double>& chance =
        round.actor_values
            .emplace_back(
                ActorValues{"position_win_chance", std::vector<double>(n)})
            .values;
    for (int a = 0; a < n; ++a) {
      chance[a] = st.class_probability[st.class_of[a]];
    }
    round.actor_values.push_back(ActorValues{"risk_attitude", st.risk});
    round.issue_values.reserve(2);
    std::vector<double>& expected =
        round.issue_values
            .emplace_back(
                IssueValues{"expected_outcome", std::vector<double>(dims, 0.0)})
            .values;
    std::vector<double>& modal =
        round.issue_values
            .emplace_back(IssueValues{"most_probable_outcome",
                                      std::vector<double>(dims)})
            .values;
    size_t top = 0;
    for (size_t g = 0; g < heads.size(); ++g) {
      if (p[g] > p[top]) top = g;
    }
    for (int d = 0; d < dims; ++d) {
      const Issue& issue = s.issues[static_cast<size_t>(d)];
      double sum = 0;
      for (size_t g = 0; g < heads.size(); ++g) {
        sum += p[g] * st.position[heads[g] * dims + d];
      }
      sum = std::clamp(sum, 0.0, 1.0);
      expected[d] = issue.min + sum * (issue.max - issue.min);
      modal[d] = issue.min + st.position[heads[top] * dims + d] *
                                 (issue.max - issue.min);
    }
    if (t > 0) {
      const smp::State& before = run.states[static_cast<size_t>(t - 1)];
      int challenges = 0;
      for (int a = 0; a < n; ++a) challenges += before.target[a] >= 0;
      round.events.reserve(static_cast<size_t>(challenges) + 1);
      for (int a = 0; a < n; ++a) {
        if (before.target[a] < 0) continue;
        Event& e = round.events.emplace_back();
        e.kind = "challenge";
        e.fields.reserve(2);
        e.fields.emplace_back("actor", s.actors[static_cast<size_t>(a)].id);
        e.fields.emplace_back(
            "target", s.actors[static_cast<size_t>(before.target[a])].id);
      }
      Event& stop = round.events.emplace_back();
      stop.kind = "stop_rule";
      stop.fields.reserve(2);
      stop.fields.emplace_back("ratio", st.change_ratio);
      stop.fields.emplace_back("threshold", options_.stop_ratio);
    }
    return round;
  }

  smp::Options options_;
  bool by_id_;
};

}  // namespace

const ModelInfo& SmpInfo() {
  static const ModelInfo* info = new ModelInfo{
      .short_name = "smp",
      .long_name = "KTAB spatial model of politics",
      .summary =
          "KTAB's multi-dimensional bargaining model: actors challenge, "
          "propose compromises and adopt them by probabilistic Condorcet "
          "elections, turn by turn, on all issues at once.",
      .citation =
          "Wise et al., KAPSARC Toolkit for Behavioral Analysis (KTAB), "
          "smpc; \"Multidimensional Bargaining using KTAB\", KAPSARC 2016",
      .parameters =
          {ChoiceParameter("victory",
                           "victory probability from coalition strengths (KTAB "
                           "VictoryProbModel)",
                           "linear",
                           {"linear", "square", "quartic", "octic", "binary"}),
           ChoiceParameter(
               "pce",
               "probabilistic Condorcet election variant (KTAB PCEModel)",
               "conditional",
               {"conditional", "markov_incentive", "markov_uniform"}),
           ChoiceParameter("transitions",
                           "adopt the likeliest bargain or draw one (KTAB "
                           "StateTransitions)",
                           "deterministic", {"deterministic", "stochastic"}),
           ChoiceParameter("voting",
                           "vote as a function of utility difference (KTAB "
                           "VotingRule)",
                           "proportional",
                           {"binary", "prop_bin", "proportional", "prop_cubic",
                            "cubic", "asymmetric_prospect"}),
           ChoiceParameter(
               "risk_adjust",
               "how h estimates i's risk attitude (KTAB BigRAdjust)",
               "one_third",
               {"none", "one_third", "half", "two_thirds", "full"}),
           ChoiceParameter("risk_range",
                           "range of inferred risk attitudes (KTAB "
                           "BigRRange)",
                           "mid", {"min", "mid", "max"}),
           ChoiceParameter(
               "commitment",
               "third parties' commitment to the side they join (KTAB "
               "ThirdPartyCommit)",
               "semi", {"none", "semi", "full"}),
           ChoiceParameter("interpolation",
                           "how a proposal interpolates two positions (KTAB "
                           "InterVecBrgn)",
                           "s2p2", {"s1p1", "s2p2", "s2pmax"}),
           ChoiceParameter(
               "bargain", "whose estimates shape a proposal (KTAB BargnModel)",
               "initiator",
               {"initiator", "initiator_receiver", "power_weighted"}),
           ChoiceParameter(
               "actor_order",
               "the order actors act and ties go in: by id, so the "
               "forecast does not depend on the file's order, or the "
               "input's order, as smpc does",
               "id", {"id", "input"}),
           IntParameter("max_turns", "stop after this many turns", 100, 1,
                        10000),
           IntParameter("min_turns",
                        "no stop by the movement rule before this turn", 2, 1,
                        10000),
           DoubleParameter(
               "stop_ratio",
               "stop when a turn's movement over the first turn's falls "
               "below this",
               0.02, 0, 1)},
      .stochastic = false,
      .min_actors = 2,
  };
  return *info;
}

Result<std::unique_ptr<Model>> MakeSmp(const Parameters& parameters) {
  return std::make_unique<Smp>(parameters);
}

}  // namespace unionstate
