#include "report/report_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/check.h"
#include "unionstate/calendar.h"
#include "unionstate/explain.h"

namespace unionstate::report {
namespace {

constexpr const char* kSchema =
    "https://vega.github.io/schema/vega-lite/v6.json";

// Colours: sides (positions) in muted tones, models in strong ones, the
// status quo and scale in grey. Fixed so a model keeps its colour across
// charts and reports.
const std::vector<std::string> kModelOrder = {"compromise", "nash", "parity",
                                              "bdm",        "smp",  "exchange"};
const std::vector<std::string> kModelColours = {
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#9d755d"};
const std::vector<std::string> kSideColours = {"#9ecae9", "#ff9d98", "#c7c7c7",
                                               "#bab0ac", "#d6bcc0", "#fcbf5f"};

std::string ModelColour(const std::string& model) {
  for (size_t k = 0; k < kModelOrder.size(); ++k) {
    if (kModelOrder[k] == model) return kModelColours[k];
  }
  return "#333333";
}

// Rounds to 6 significant digits: enough for every chart and table, and it
// keeps the report small.
Json Num(double x) {
  if (!std::isfinite(x)) return nullptr;
  if (x == 0) return 0.0;
  const double scale =
      std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::abs(x)))));
  return std::round(x * scale) / scale;
}

Json Columns(std::initializer_list<std::pair<const char*, const char*>> cols) {
  Json out = Json::array();
  for (const auto& [field, title] : cols) out.push_back({field, title});
  return out;
}

Json Chart(const std::string& id, const std::string& title,
           const std::string& caption, Json spec, Json columns) {
  return {{"kind", "chart"},         {"id", id},
          {"title", title},          {"caption", caption},
          {"spec", std::move(spec)}, {"columns", std::move(columns)}};
}

Json Table(const std::string& id, const std::string& title,
           const std::string& caption, Json columns, Json rows) {
  return {{"kind", "table"},
          {"id", id},
          {"title", title},
          {"caption", caption},
          {"columns", std::move(columns)},
          {"rows", std::move(rows)}};
}

Json Section(const std::string& id, const std::string& title,
             const std::string& intro, Json blocks) {
  return {{"id", id},
          {"title", title},
          {"intro", intro},
          {"blocks", std::move(blocks)}};
}

// The base of every spec: schema, data, and a quiet, readable style.
Json Spec(Json values) {
  return {{"$schema", kSchema},
          {"data", {{"values", std::move(values)}}},
          {"config",
           {{"view", {{"stroke", "#e6e6e6"}}},
            {"font", "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
            {"axis",
             {{"labelColor", "#444"},
              {"titleColor", "#333"},
              {"gridColor", "#eeeeee"},
              {"domainColor", "#bbbbbb"},
              {"tickColor", "#bbbbbb"}}},
            {"header",
             {{"labelColor", "#222"},
              {"labelFontSize", 11},
              {"labelFontWeight", 600}}},
            {"legend", {{"labelColor", "#444"}, {"titleColor", "#333"}}}}}};
}

Json IssueOrder(const Scenario& scenario) {
  Json order = Json::array();
  for (const Issue& issue : scenario.issues) order.push_back(issue.id);
  return order;
}

const IssueValues* FindIssueValues(const Round& round,
                                   const std::string& name) {
  for (const IssueValues& v : round.issue_values) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

// The per-round outcome a dynamic model reports, if any.
const char* RoundOutcomeName(const std::string& model) {
  if (model == "bdm") return "weighted_mean";
  if (model == "exchange") return "weighted_outcome";
  if (model == "smp") return "expected_outcome";
  return nullptr;
}

std::string FieldText(const Event::Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "yes" : "no";
        } else {
          return fmt::format("{}", x);
        }
      },
      v);
}

double FieldNumber(const Event::Value& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) {
    return static_cast<double>(*i);
  }
  return NAN;
}

const Event::Value* Field(const Event& e, const std::string& name) {
  for (const auto& [key, value] : e.fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

// Position on the issue's scale in percent (0 = min, 100 = max): every
// issue shares one axis, so the whole scenario fits one view.
Json Pct(const Issue& issue, double x) {
  return Num(100 * (x - issue.min) / (issue.max - issue.min));
}

std::string ScaleText(const Issue& issue) {
  std::string text = fmt::format("{:g} – {:g}", issue.min, issue.max);
  if (!issue.unit.empty()) text += " " + issue.unit;
  if (issue.deadline) text += " · by " + issue.deadline->ToString();
  return text;
}

// The shared x axis (percent of each issue's scale) and the scale text to
// the right of each row.
Json PctAxis() {
  return {{"field", "pct"},
          {"type", "quantitative"},
          {"title",
           "position on each issue's scale (0 % = its minimum, 100 % = its "
           "maximum)"},
          {"scale", {{"domain", {0, 100}}, {"nice", false}}},
          {"axis",
           {{"values", {0, 25, 50, 75, 100}},
            {"labelExpr", "datum.value + ' %'"},
            {"orient", "top"}}}};
}

Json ScaleTextLayer(Json y) {
  return {{"transform", {{{"filter", "datum.kind == 'scale'"}}}},
          {"mark",
           {{"type", "text"},
            {"align", "left"},
            {"dx", 8},
            {"fontSize", 10},
            {"color", "#667"}}},
          {"encoding",
           {{"y", std::move(y)},
            {"x", {{"datum", 100}, {"type", "quantitative"}}},
            {"text", {{"field", "scale"}}}}}};
}

// Strip plots: one row per issue; actors' positions (size: capability x
// salience), the status quo, and each model's forecast.
Json StripChart(const Scenario& scenario, std::span<const Forecast> forecasts) {
  Json values = Json::array();
  const std::vector<std::string> sides = scenario.Sides();
  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    const Issue& issue = scenario.issues[i];
    values.push_back({{"issue", issue.id},
                      {"lane", "actors"},
                      {"kind", "scale"},
                      {"who", ""},
                      {"scale", ScaleText(issue)}});
    if (issue.status_quo) {
      values.push_back({{"issue", issue.id},
                        {"lane", "actors"},
                        {"kind", "status quo"},
                        {"who", "status quo"},
                        {"value", Num(issue.status_quo->value)},
                        {"pct", Pct(issue, issue.status_quo->value)}});
    }
    for (size_t a = 0; a < scenario.actors.size(); ++a) {
      const Stance* s =
          scenario.FindStance(static_cast<int>(a), static_cast<int>(i));
      if (s == nullptr) continue;
      const Actor& actor = scenario.actors[a];
      values.push_back(
          {{"issue", issue.id},
           {"lane", "actors"},
           {"kind", "position"},
           {"who", actor.id},
           {"colour", actor.side.empty() ? "no side" : actor.side},
           {"value", Num(s->position.value)},
           {"pct", Pct(issue, s->position.value)},
           {"salience", Num(s->salience.value)},
           {"weight", Num(scenario.CapabilityOf(*s) * s->salience.value)}});
    }
    for (const Forecast& f : forecasts) {
      values.push_back({{"issue", issue.id},
                        {"lane", "forecasts"},
                        {"kind", "forecast"},
                        {"who", f.model},
                        {"colour", f.model},
                        {"value", Num(f.issues[i].outcome)},
                        {"pct", Pct(issue, f.issues[i].outcome)}});
    }
  }
  Json domain = Json::array(), range = Json::array();
  for (size_t k = 0; k < sides.size(); ++k) {
    domain.push_back(sides[k]);
    range.push_back(kSideColours[k % kSideColours.size()]);
  }
  domain.push_back("no side");
  range.push_back("#bbbbbb");
  for (const Forecast& f : forecasts) {
    domain.push_back(f.model);
    range.push_back(ModelColour(f.model));
  }
  Json colour = {{"field", "colour"},
                 {"type", "nominal"},
                 {"title", "side / model"},
                 {"scale", {{"domain", domain}, {"range", range}}}};
  Json x = PctAxis();
  Json y = {{"field", "issue"},
            {"type", "nominal"},
            {"title", nullptr},
            {"sort", IssueOrder(scenario)},
            {"axis", {{"labelFontWeight", 600}, {"labelColor", "#222"}}}};
  Json lane = {{"field", "lane"},
               {"sort", {"actors", "forecasts"}},
               {"scale", {{"paddingInner", 0.15}}}};
  Json tooltip = Json::array({{{"field", "issue"}},
                              {{"field", "who"}, {"title", "who"}},
                              {{"field", "kind"}},
                              {{"field", "value"}, {"format", ".4~g"}}});
  Json layers = Json::array();
  layers.push_back({{"transform", {{{"filter", "datum.kind == 'status quo'"}}}},
                    {"mark",
                     {{"type", "tick"},
                      {"color", "#555"},
                      {"thickness", 1.5},
                      {"opacity", 0.9},
                      {"size", 20}}},
                    {"encoding", {{"x", x}, {"y", y}, {"tooltip", tooltip}}}});
  layers.push_back({{"transform", {{{"filter", "datum.kind == 'position'"}}}},
                    {"mark",
                     {{"type", "circle"},
                      {"opacity", 0.8},
                      {"stroke", "#555"},
                      {"strokeWidth", 0.4}}},
                    {"encoding",
                     {{"x", x},
                      {"y", y},
                      {"yOffset", lane},
                      {"color", colour},
                      {"size",
                       {{"field", "weight"},
                        {"type", "quantitative"},
                        {"title", "capability × salience"},
                        {"scale", {{"range", {12, 220}}}},
                        {"legend", nullptr}}},
                      {"tooltip", tooltip}}}});
  layers.push_back(
      {{"transform", {{{"filter", "datum.kind == 'forecast'"}}}},
       {"mark", {{"type", "tick"}, {"thickness", 2.5}, {"size", 10}}},
       {"encoding",
        {{"x", x},
         {"y", y},
         {"yOffset", lane},
         {"color", colour},
         {"tooltip", tooltip}}}});
  layers.push_back(ScaleTextLayer(y));
  Json spec = Spec(std::move(values));
  spec["width"] = 520;
  spec["height"] = static_cast<int>(24 * scenario.issues.size());
  spec["layer"] = std::move(layers);
  spec["config"]["legend"]["orient"] = "bottom";
  spec["config"]["legend"]["direction"] = "horizontal";
  spec["config"]["legend"]["columns"] = 6;
  return Chart(
      "strip", "Positions and forecasts, issue by issue",
      "One row per issue, each on its own scale (written at the right; the "
      "axis runs from the scale's minimum to its maximum). Upper lane: the "
      "actors' positions (area: capability × salience; colour: side). Lower "
      "lane: each model's forecast. Grey tick: the status quo.",
      std::move(spec),
      Columns({{"issue", "issue"},
               {"kind", "kind"},
               {"who", "actor / model"},
               {"value", "value"},
               {"pct", "% of scale"},
               {"salience", "salience"},
               {"weight", "capability × salience"},
               {"scale", "scale"}}));
}

Json WhyTable(const Scenario& scenario, std::span<const Forecast> forecasts) {
  Json rows = Json::array();
  for (const Forecast& f : forecasts) {
    std::vector<IssueExplanation> why = ExplainForecast(scenario, f);
    for (size_t i = 0; i < f.issues.size(); ++i) {
      const IssueForecast& fi = f.issues[i];
      const Issue& issue = scenario.issues[static_cast<size_t>(fi.issue)];
      std::string blocking;
      for (const std::string& b : fi.blocking) {
        blocking += (blocking.empty() ? "" : ", ") + b;
      }
      rows.push_back(
          {{"issue", issue.id},
           {"model", f.model},
           {"status_quo",
            issue.status_quo ? Num(issue.status_quo->value) : Json(nullptr)},
           {"forecast", Num(fi.outcome)},
           {"unit", issue.unit},
           {"agreement", fi.agreement ? "yes" : "no"},
           {"blocked_by", blocking},
           {"convergence", ConvergenceWord(why[i].convergence)},
           {"why", why[i].text}});
    }
  }
  return Table("why", "Forecasts and why, per issue and model",
               "The \"why\" is computed once by the library "
               "(include/unionstate/explain.h) and is the same line "
               "`unionstate run --format table` prints.",
               Columns({{"issue", "issue"},
                        {"model", "model"},
                        {"status_quo", "status quo"},
                        {"forecast", "forecast"},
                        {"unit", "unit"},
                        {"agreement", "agreement"},
                        {"blocked_by", "blocked by"},
                        {"convergence", "convergence"},
                        {"why", "why"}}),
               std::move(rows));
}

// Per-round positions of every actor, and the model's per-round outcome.
Json TrajectoryChart(const Scenario& scenario, const Forecast& f) {
  const size_t n = scenario.issues.size();
  Json values = Json::array();
  const char* outcome_name = RoundOutcomeName(f.model);
  std::set<size_t> moved;
  for (size_t i = 0; i < n; ++i) {
    for (size_t a = 0; a < scenario.actors.size(); ++a) {
      const double x0 = f.rounds.front().positions[a * n + i];
      for (const Round& r : f.rounds) {
        const double x = r.positions[a * n + i];
        if (!std::isnan(x) && !std::isnan(x0) && x != x0) moved.insert(i);
      }
    }
  }
  for (size_t i : moved) {
    const Issue& issue = scenario.issues[i];
    for (const Round& r : f.rounds) {
      for (size_t a = 0; a < scenario.actors.size(); ++a) {
        const double x = r.positions[a * n + i];
        if (std::isnan(x)) continue;
        values.push_back({{"issue", issue.id},
                          {"round", r.round},
                          {"actor", scenario.actors[a].id},
                          {"position", Num(x)}});
      }
      if (outcome_name != nullptr) {
        if (const IssueValues* v = FindIssueValues(r, outcome_name)) {
          values.push_back({{"issue", issue.id},
                            {"round", r.round},
                            {"actor", "(model outcome)"},
                            {"position", Num(v->values[i])}});
        }
      }
    }
  }
  Json spec = Spec(std::move(values));
  spec["facet"] = {{"field", "issue"},
                   {"type", "nominal"},
                   {"title", nullptr},
                   {"sort", IssueOrder(scenario)}};
  spec["columns"] = 3;
  spec["spec"] = {
      {"width", 230},
      {"height", 110},
      {"layer",
       Json::array(
           {{{"transform", {{{"filter", "datum.actor != '(model outcome)'"}}}},
             {"mark",
              {{"type", "line"}, {"strokeWidth", 1.2}, {"opacity", 0.8}}},
             {"encoding",
              {{"x",
                {{"field", "round"},
                 {"type", "quantitative"},
                 {"axis", {{"tickMinStep", 1}}}}},
               {"y",
                {{"field", "position"},
                 {"type", "quantitative"},
                 {"title", nullptr},
                 {"scale", {{"zero", false}}}}},
               {"color",
                {{"field", "actor"},
                 {"type", "nominal"},
                 {"scale", {{"scheme", "tableau20"}}},
                 {"legend", {{"columns", 2}}}}},
               {"tooltip",
                {{{"field", "actor"}},
                 {{"field", "round"}},
                 {{"field", "position"}, {"format", ".4~g"}}}}}}},
            {{"transform", {{{"filter", "datum.actor == '(model outcome)'"}}}},
             {"mark",
              {{"type", "line"},
               {"color", "#111"},
               {"strokeWidth", 2.5},
               {"strokeDash", {5, 2}}}},
             {"encoding",
              {{"x", {{"field", "round"}, {"type", "quantitative"}}},
               {"y", {{"field", "position"}, {"type", "quantitative"}}},
               {"tooltip",
                {{{"field", "round"}},
                 {{"field", "position"},
                  {"format", ".4~g"},
                  {"title", "model outcome"}}}}}}}})}};
  spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  const size_t still = n - moved.size();
  return Chart(
      "trajectory-" + f.model, f.model + ": positions round by round",
      fmt::format("Every actor's position after each round{}. {} issue{} on "
                  "which no position ever moved {} left out.",
                  outcome_name != nullptr
                      ? fmt::format("; the dashed black line is the model's "
                                    "outcome ({})",
                                    outcome_name)
                      : "",
                  still, still == 1 ? "" : "s", still == 1 ? "is" : "are"),
      std::move(spec),
      Columns({{"issue", "issue"},
               {"round", "round"},
               {"actor", "actor"},
               {"position", "position"}}));
}

// The largest move of any actor per issue and round, in % of the scale.
Json ConvergenceChart(const Scenario& scenario, const Forecast& f) {
  const size_t n = scenario.issues.size();
  Json values = Json::array();
  for (size_t i = 0; i < n; ++i) {
    const Issue& issue = scenario.issues[i];
    for (size_t r = 1; r < f.rounds.size(); ++r) {
      double most = 0;
      for (size_t a = 0; a < scenario.actors.size(); ++a) {
        const double x = f.rounds[r].positions[a * n + i];
        const double y = f.rounds[r - 1].positions[a * n + i];
        if (!std::isnan(x) && !std::isnan(y))
          most = std::max(most, std::abs(x - y));
      }
      values.push_back({{"issue", issue.id},
                        {"round", f.rounds[r].round},
                        {"change", Num(100 * most / (issue.max - issue.min))}});
    }
  }
  Json spec = Spec(std::move(values));
  spec["width"] = 560;
  spec["height"] = {{"step", 14}};
  spec["mark"] = {{"type", "rect"}, {"stroke", "white"}, {"strokeWidth", 0.5}};
  spec["encoding"] = {
      {"x", {{"field", "round"}, {"type", "ordinal"}}},
      {"y",
       {{"field", "issue"},
        {"type", "nominal"},
        {"sort", IssueOrder(scenario)},
        {"title", nullptr}}},
      {"color",
       {{"field", "change"},
        {"type", "quantitative"},
        {"title", "largest move, % of scale"},
        {"scale", {{"type", "sqrt"}, {"scheme", "orangered"}}}}},
      {"tooltip",
       {{{"field", "issue"}},
        {{"field", "round"}},
        {{"field", "change"},
         {"format", ".3~g"},
         {"title", "largest move (% of scale)"}}}}};
  return Chart("convergence-" + f.model, f.model + ": convergence",
               "The largest move of any actor on each issue in each round, in "
               "percent of the issue's scale. White to the right means the "
               "issue settled; a checkerboard means it oscillates between "
               "rounds. The \"why\" table names each issue's convergence.",
               std::move(spec),
               Columns({{"issue", "issue"},
                        {"round", "round"},
                        {"change", "largest move (% of scale)"}}));
}

// Parity: each state's win-set, their overlap, the outcome and status quo.
Json WinSetChart(const Scenario& scenario, const Forecast& f) {
  const Round& r = f.rounds.front();
  Json values = Json::array();
  const std::vector<std::string> sides = scenario.Sides();
  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    const Issue& issue = scenario.issues[i];
    double lo = -INFINITY, hi = INFINITY;
    bool any = false;
    for (const std::string& side : sides) {
      const IssueValues* mn = FindIssueValues(r, "win_set_min_" + side);
      const IssueValues* mx = FindIssueValues(r, "win_set_max_" + side);
      const IssueValues* pos = FindIssueValues(r, "position_" + side);
      if (mn == nullptr || mx == nullptr) continue;
      const double a = mn->values[i], b = mx->values[i];
      if (std::isnan(a) || std::isnan(b)) continue;
      any = true;
      lo = std::max(lo, a);
      hi = std::min(hi, b);
      const double p = pos != nullptr ? pos->values[i] : NAN;
      values.push_back(
          {{"issue", issue.id},
           {"lane", side},
           {"kind", "win-set"},
           {"from", Num(a)},
           {"to", Num(b)},
           {"from_pct", Pct(issue, a)},
           {"to_pct", Pct(issue, b)},
           {"position", Num(p)},
           {"position_pct", std::isnan(p) ? Json(nullptr) : Pct(issue, p)}});
    }
    if (!any) continue;
    const bool meet = lo <= hi;
    values.push_back({{"issue", issue.id},
                      {"lane", "common"},
                      {"kind", meet ? "common" : "none"},
                      {"from", meet ? Num(lo) : Json(nullptr)},
                      {"to", meet ? Num(hi) : Json(nullptr)},
                      {"from_pct", meet ? Pct(issue, lo) : Json(nullptr)},
                      {"to_pct", meet ? Pct(issue, hi) : Json(nullptr)}});
    values.push_back({{"issue", issue.id},
                      {"lane", "common"},
                      {"kind", "outcome"},
                      {"from", Num(f.issues[i].outcome)},
                      {"to", Num(f.issues[i].outcome)},
                      {"from_pct", Pct(issue, f.issues[i].outcome)},
                      {"blocked_by", [&] {
                         std::string b;
                         for (const std::string& id : f.issues[i].blocking)
                           b += (b.empty() ? "" : ", ") + id;
                         return b;
                       }()}});
    if (issue.status_quo) {
      values.push_back({{"issue", issue.id},
                        {"lane", "common"},
                        {"kind", "status quo"},
                        {"from", Num(issue.status_quo->value)},
                        {"to", Num(issue.status_quo->value)},
                        {"from_pct", Pct(issue, issue.status_quo->value)}});
    }
    values.push_back({{"issue", issue.id},
                      {"lane", "common"},
                      {"kind", "scale"},
                      {"scale", ScaleText(issue)}});
  }
  Json lanes = Json::array(), lane_colours = Json::array();
  for (size_t k = 0; k < sides.size(); ++k) {
    if (FindIssueValues(r, "win_set_min_" + sides[k]) == nullptr) continue;
    lanes.push_back(sides[k]);
    lane_colours.push_back(kSideColours[k % kSideColours.size()]);
  }
  lanes.push_back("common");
  lane_colours.push_back("#54a24b");
  Json x = PctAxis();
  x["field"] = "from_pct";
  Json y = {{"field", "issue"},
            {"type", "nominal"},
            {"title", nullptr},
            {"sort", IssueOrder(scenario)},
            {"axis", {{"labelFontWeight", 600}, {"labelColor", "#222"}}}};
  Json lane = {
      {"field", "lane"}, {"sort", lanes}, {"scale", {{"paddingInner", 0.2}}}};
  Json tooltip = Json::array({{{"field", "issue"}},
                              {{"field", "lane"}, {"title", "state"}},
                              {{"field", "kind"}},
                              {{"field", "from"}, {"format", ".4~g"}},
                              {{"field", "to"}, {"format", ".4~g"}}});
  Json layers = Json::array(
      {{{"transform",
         {{{"filter", "datum.kind == 'win-set' || datum.kind == 'common'"}}}},
        {"mark", {{"type", "bar"}, {"cornerRadius", 2}}},
        {"encoding",
         {{"x", x},
          {"x2", {{"field", "to_pct"}}},
          {"y", y},
          {"yOffset", lane},
          {"color",
           {{"field", "lane"},
            {"type", "nominal"},
            {"title", "win-set of"},
            {"scale", {{"domain", lanes}, {"range", lane_colours}}}}},
          {"tooltip", tooltip}}}},
       {{"transform",
         {{{"filter",
            "datum.kind == 'win-set' && datum.position_pct != null"}}}},
        {"mark",
         {{"type", "point"},
          {"shape", "diamond"},
          {"filled", true},
          {"color", "#1d2330"},
          {"size", 30}}},
        {"encoding",
         {{"x", {{"field", "position_pct"}, {"type", "quantitative"}}},
          {"y", y},
          {"yOffset", lane},
          {"tooltip",
           {{{"field", "issue"}},
            {{"field", "lane"}, {"title", "state"}},
            {{"field", "position"},
             {"title", "state's position"},
             {"format", ".4~g"}}}}}}},
       {{"transform", {{{"filter", "datum.kind == 'status quo'"}}}},
        {"mark", {{"type", "tick"}, {"color", "#555"}, {"thickness", 1.5}}},
        {"encoding", {{"x", x}, {"y", y}, {"tooltip", tooltip}}}},
       {{"transform", {{{"filter", "datum.kind == 'outcome'"}}}},
        {"mark",
         {{"type", "tick"}, {"color", "#111"}, {"thickness", 3}, {"size", 9}}},
        {"encoding",
         {{"x", x},
          {"y", y},
          {"yOffset", lane},
          {"tooltip",
           {{{"field", "issue"}},
            {{"field", "from"}, {"title", "forecast"}, {"format", ".4~g"}},
            {{"field", "blocked_by"}, {"title", "blocked by"}}}}}}},
       ScaleTextLayer(y)});
  Json spec = Spec(std::move(values));
  spec["width"] = 520;
  spec["height"] = static_cast<int>(10 * lanes.size() * scenario.issues.size());
  spec["config"]["legend"]["orient"] = "bottom";
  spec["config"]["legend"]["direction"] = "horizontal";
  spec["layer"] = std::move(layers);
  return Chart("winsets", "parity: each state's win-set and the common one",
               "Per issue, the outcomes each state's domestic actors accept "
               "(diamond: the state's position), their overlap (green; missing "
               "when the win-sets do not meet, and the status quo stays), the "
               "forecast (black tick in the common lane) and the status quo "
               "(grey tick).",
               std::move(spec),
               Columns({{"issue", "issue"},
                        {"lane", "state"},
                        {"kind", "kind"},
                        {"from", "from"},
                        {"to", "to"},
                        {"position", "state's position"},
                        {"blocked_by", "blocked by"},
                        {"scale", "scale"}}));
}

Json PackageTable(const Forecast& f) {
  Json rows = Json::array();
  for (const Round& r : f.rounds) {
    for (const Event& e : r.events) {
      if (e.kind != "package") continue;
      Json row = Json::object();
      for (const auto& [key, value] : e.fields) row[key] = FieldText(value);
      rows.push_back(row);
    }
  }
  return Table("packages", "parity: linked packages",
               "Issues bargained together: whether the package passed and "
               "which state blocked it.",
               Columns({{"package", "package"},
                        {"passed", "passed"},
                        {"blocking", "blocked by"}}),
               std::move(rows));
}

// Exchange: who gave a move on which issue to whom.
Json TradesChart(const Forecast& f) {
  Json values = Json::array();
  for (const Round& r : f.rounds) {
    for (const Event& e : r.events) {
      if (e.kind != "exchange") continue;
      auto text = [&](const char* k) {
        const Event::Value* v = Field(e, k);
        return v != nullptr ? FieldText(*v) : std::string();
      };
      auto num = [&](const char* k) {
        const Event::Value* v = Field(e, k);
        return v != nullptr ? Num(FieldNumber(*v)) : Json(nullptr);
      };
      values.push_back({{"round", r.round},
                        {"giver", text("actor_i")},
                        {"issue", text("supply_i")},
                        {"move", num("move_i")},
                        {"receiver", text("actor_j")},
                        {"gain", num("gain")}});
      values.push_back({{"round", r.round},
                        {"giver", text("actor_j")},
                        {"issue", text("supply_j")},
                        {"move", num("move_j")},
                        {"receiver", text("actor_i")},
                        {"gain", num("gain")}});
    }
  }
  Json spec = Spec(std::move(values));
  spec["width"] = {{"step", 22}};
  spec["height"] = {{"step", 22}};
  spec["layer"] = Json::array(
      {{{"mark", {{"type", "rect"}, {"stroke", "white"}}},
        {"encoding",
         {{"x",
           {{"field", "receiver"},
            {"type", "nominal"},
            {"title", "to (receiver)"}}},
          {"y",
           {{"field", "giver"},
            {"type", "nominal"},
            {"title", "gave a move (giver)"}}},
          {"color",
           {{"aggregate", "count"},
            {"type", "quantitative"},
            {"title", "moves given"},
            {"scale", {{"scheme", "blues"}}}}},
          {"tooltip",
           {{{"field", "giver"}},
            {{"field", "receiver"}},
            {{"aggregate", "count"}, {"title", "moves given"}},
            {{"field", "gain"},
             {"aggregate", "sum"},
             {"format", ".3~g"},
             {"title", "summed gain"}}}}}}},
       {{"mark", {{"type", "text"}, {"fontSize", 9}}},
        {"encoding",
         {{"x", {{"field", "receiver"}, {"type", "nominal"}}},
          {"y", {{"field", "giver"}, {"type", "nominal"}}},
          {"text", {{"aggregate", "count"}, {"type", "quantitative"}}}}}}});
  return Chart("trades", "exchange: the trades realised",
               "Each cell counts the moves the row's actor made on one of its "
               "less salient issues for the column's actor, which moved on "
               "another in return (the table lists every trade, round by "
               "round: who gave what to whom).",
               std::move(spec),
               Columns({{"round", "round"},
                        {"giver", "giver"},
                        {"issue", "issue given"},
                        {"move", "move (issue units)"},
                        {"receiver", "to"},
                        {"gain", "gain each"}}));
}

}  // namespace

Json GlanceSection(const Scenario& scenario) {
  Json actors = Json::array();
  for (const Actor& a : scenario.actors) {
    int stances = 0;
    for (size_t i = 0; i < scenario.issues.size(); ++i) {
      if (scenario.FindStance(static_cast<int>(&a - scenario.actors.data()),
                              static_cast<int>(i)) != nullptr) {
        ++stances;
      }
    }
    actors.push_back({{"id", a.id},
                      {"name", a.name},
                      {"side", a.side},
                      {"capability", Num(a.capability.value)},
                      {"veto", a.veto ? "yes" : "no"},
                      {"issues", stances}});
  }
  Json issues = Json::array();
  for (const Issue& i : scenario.issues) {
    issues.push_back({{"id", i.id},
                      {"name", i.name},
                      {"unit", i.unit},
                      {"scale", fmt::format("{:g} – {:g}", i.min, i.max)},
                      {"status_quo",
                       i.status_quo ? Num(i.status_quo->value) : Json(nullptr)},
                      {"deadline", i.deadline ? i.deadline->ToString() : ""},
                      {"rule", std::string(DecisionRuleName(i.rule))}});
  }
  std::string intro = scenario.description;
  if (scenario.as_of) intro += " As of " + scenario.as_of->ToString() + ".";
  return Section(
      "glance", "The scenario at a glance", intro,
      Json::array({Table("actors", "Actors",
                         "Who takes part, on which side, with what "
                         "capability, and who holds a veto.",
                         Columns({{"id", "id"},
                                  {"name", "name"},
                                  {"side", "side"},
                                  {"capability", "capability"},
                                  {"veto", "veto"},
                                  {"issues", "issues with a position"}}),
                         std::move(actors)),
                   Table("issues", "Issues",
                         "What is decided, on which scale, from "
                         "which status quo, by when and under which rule.",
                         Columns({{"id", "id"},
                                  {"name", "name"},
                                  {"unit", "unit"},
                                  {"scale", "scale"},
                                  {"status_quo", "status quo"},
                                  {"deadline", "deadline"},
                                  {"rule", "rule"}}),
                         std::move(issues))}));
}

// The axes and deadline marks shared by the charts of P(agreed by date):
// small multiples by issue (one scale for all), the deadline a dashed red
// rule with the probability at it as a dot.
Json TimeX() {
  return {{"field", "date"},
          {"type", "temporal"},
          {"title", nullptr},
          {"axis",
           {{"format", "%Y"},
            {"tickCount", {{"interval", "year"}, {"step", 2}}},
            {"labelFontSize", 9}}}};
}

Json TimeY(const char* field) {
  return {{"field", field},
          {"type", "quantitative"},
          {"title", nullptr},
          {"scale", {{"domain", {0, 1}}}},
          {"axis", {{"format", "%"}, {"tickCount", 3}, {"labelFontSize", 9}}}};
}

Json DeadlineRule() {
  return {{"transform", {{{"filter", "datum.kind == 'deadline'"}}}},
          {"mark",
           {{"type", "rule"},
            {"color", "#b03a2e"},
            {"strokeDash", {3, 2}},
            {"clip", true}}},
          {"encoding", {{"x", TimeX()}}}};
}

Json TimeFacets(Json values, Json order, Json layers) {
  Json spec = Spec(std::move(values));
  spec["facet"] = {{"field", "issue"},
                   {"type", "nominal"},
                   {"title", nullptr},
                   {"sort", std::move(order)},
                   {"header", {{"labelFontSize", 10}, {"labelLimit", 150}}}};
  spec["columns"] = 6;
  spec["spec"] = {{"width", 118}, {"height", 60}, {"layer", std::move(layers)}};
  // One shared date axis under each column, not one under every cell: the
  // per-cell axes were about a third of this chart's drawing work (41 cells
  // for the Union State), and the scale was shared anyway.
  spec["config"]["legend"]["orient"] = "top";
  return spec;
}

// P(agreed by date) per issue, one line per model, from each model's time
// forecast.
Json AgreementOverTimeChart(const Scenario& scenario,
                            std::span<const Forecast> forecasts,
                            std::span<const TimeForecast> times) {
  Json values = Json::array();
  for (size_t k = 0; k < times.size(); ++k) {
    const std::string& model = forecasts[k].model;
    for (const IssueTime& t : times[k].issues) {
      const std::string& id = scenario.issues[static_cast<size_t>(t.issue)].id;
      // An issue agreed or dropped by as_of is a flat line: its ends do.
      const size_t step = t.state == "open"
                              ? kTimeStepMonths
                              : std::max<size_t>(t.agreed_by.size(), 1);
      for (size_t g = 0; g < t.agreed_by.size(); ++g) {
        if (g % step != 0 && g + 1 != t.agreed_by.size()) continue;
        values.push_back({{"issue", id},
                          {"model", model},
                          {"kind", "curve"},
                          {"date", t.agreed_by[g].date.ToString()},
                          {"p", Num(t.agreed_by[g].value)}});
      }
      if (t.deadline && t.p_agreed_by_deadline) {
        values.push_back({{"issue", id},
                          {"model", model},
                          {"kind", "deadline"},
                          {"date", t.deadline->ToString()},
                          {"p", Num(*t.p_agreed_by_deadline)}});
      }
    }
  }
  Json domain = Json::array(), range = Json::array();
  for (const Forecast& f : forecasts) {
    domain.push_back(f.model);
    range.push_back(ModelColour(f.model));
  }
  Json colour = {{"field", "model"},
                 {"type", "nominal"},
                 {"title", "model"},
                 {"scale", {{"domain", domain}, {"range", range}}}};
  Json tooltip = Json::array({{{"field", "issue"}},
                              {{"field", "model"}},
                              {{"field", "kind"}},
                              {{"field", "date"}, {"type", "temporal"}},
                              {{"field", "p"}, {"format", ".1%"}}});
  Json layers = Json::array(
      {DeadlineRule(),
       {{"transform", {{{"filter", "datum.kind == 'curve'"}}}},
        {"mark",
         {{"type", "line"},
          {"strokeWidth", 1.4},
          {"interpolate", "monotone"},
          {"clip", true}}},
        {"encoding",
         {{"x", TimeX()},
          {"y", TimeY("p")},
          {"color", colour},
          {"tooltip", tooltip}}}},
       {{"transform", {{{"filter", "datum.kind == 'deadline'"}}}},
        {"mark",
         {{"type", "point"}, {"filled", true}, {"size", 22}, {"clip", true}}},
        {"encoding",
         {{"x", TimeX()},
          {"y", TimeY("p")},
          {"color", colour},
          {"tooltip", tooltip}}}}});
  const TimeForecast& first = times.front();
  return Chart(
      "agreement-time", "Probability of agreement over time",
      fmt::format(
          "Per issue and model, the probability that agreement is reached by "
          "each date, from {} (as of; no agreement by then unless the event "
          "log records one) to {}, every {} months (docs/time.md: a {} "
          "baseline from {} stretched by what each model forecasts). Dashed "
          "red: the deadline, with the probability of meeting it as a dot. A "
          "flat line at 100 % is an issue agreed by the as-of date, at 0 % "
          "one dropped.",
          first.as_of.ToString(), first.horizon.ToString(), kTimeStepMonths,
          BaselineMethodName(first.baseline.method),
          first.reference_class.empty() ? "the reference class"
                                        : first.reference_class),
      TimeFacets(std::move(values), IssueOrder(scenario), std::move(layers)),
      Columns({{"issue", "issue"},
               {"model", "model"},
               {"kind", "kind"},
               {"date", "date"},
               {"p", "P(agreed by date)"}}));
}

std::vector<Json> ForecastSections(const Scenario& scenario,
                                   std::span<const Forecast> forecasts) {
  std::vector<Json> out;
  out.push_back(Section(
      "forecasts", "Forecasts",
      "Every model's forecast on every issue, against the actors' positions "
      "and the status quo, and why each issue came out as it did.",
      Json::array(
          {StripChart(scenario, forecasts), WhyTable(scenario, forecasts)})));
  for (const Forecast& f : forecasts) {
    Json blocks = Json::array();
    if (f.rounds.size() > 1) {
      blocks.push_back(TrajectoryChart(scenario, f));
      blocks.push_back(ConvergenceChart(scenario, f));
    }
    if (f.model == "parity") {
      blocks.push_back(WinSetChart(scenario, f));
      blocks.push_back(PackageTable(f));
    }
    if (f.model == "exchange") blocks.push_back(TradesChart(f));
    if (blocks.empty()) continue;
    out.push_back(
        Section("model-" + f.model, "Model: " + f.model,
                fmt::format("{} round{} after the input.", f.rounds.size() - 1,
                            f.rounds.size() == 2 ? "" : "s"),
                std::move(blocks)));
  }
  return out;
}

Json EvaluationSection(std::span<const Evaluation> evaluations) {
  Json values = Json::array();
  Json calls = Json::array();
  std::string observed;
  for (const Evaluation& e : evaluations) {
    observed = e.observed;
    int tp = 0, fp = 0, fn = 0, tn = 0;
    for (const IssueScore& s : e.issues) {
      values.push_back(
          {{"issue", s.id},
           {"model", e.model},
           {"forecast", Num(s.forecast)},
           {"observed", Num(s.observed)},
           {"unit", s.unit},
           {"error", Num(s.error)},
           {"error_percent", Num(s.error_percent)},
           {"agreement_forecast", s.agreement_forecast ? "yes" : "no"},
           {"agreement_observed", s.agreement_observed
                                      ? (*s.agreement_observed ? "yes" : "no")
                                      : "unknown"}});
      if (!s.agreement_observed) continue;
      if (s.agreement_forecast && *s.agreement_observed) ++tp;
      if (s.agreement_forecast && !*s.agreement_observed) ++fp;
      if (!s.agreement_forecast && *s.agreement_observed) ++fn;
      if (!s.agreement_forecast && !*s.agreement_observed) ++tn;
    }
    calls.push_back(
        {{"model", e.model},
         {"mae_percent", Num(e.mae_percent)},
         {"agreement_accuracy",
          e.agreement_accuracy ? Num(*e.agreement_accuracy) : Json(nullptr)},
         {"called_and_happened", tp},
         {"called_not_happened", fp},
         {"missed", fn},
         {"rightly_not_called", tn}});
  }
  Json colour = {{"field", "model"}, {"type", "nominal"}};
  {
    Json domain = Json::array(), range = Json::array();
    for (const Evaluation& e : evaluations) {
      domain.push_back(e.model);
      range.push_back(ModelColour(e.model));
    }
    colour["scale"] = {{"domain", domain}, {"range", range}};
  }
  Json errors = Spec(values);
  errors["width"] = 520;
  errors["height"] = {{"step", 7}};
  errors["mark"] = {{"type", "bar"}};
  errors["encoding"] = {{"y",
                         {{"field", "issue"},
                          {"type", "nominal"},
                          {"sort", nullptr},
                          {"title", nullptr}}},
                        {"yOffset", {{"field", "model"}}},
                        {"x",
                         {{"field", "error_percent"},
                          {"type", "quantitative"},
                          {"title", "error, % of the issue's scale"}}},
                        {"color", colour},
                        {"tooltip",
                         {{{"field", "issue"}},
                          {{"field", "model"}},
                          {{"field", "forecast"}, {"format", ".4~g"}},
                          {{"field", "observed"}, {"format", ".4~g"}},
                          {{"field", "error_percent"}, {"format", ".3~g"}}}}};
  Json scatter = Spec(values);
  scatter["width"] = 360;
  scatter["height"] = 360;
  scatter["layer"] = Json::array(
      {{{"mark", {{"type", "rule"}, {"color", "#aaa"}, {"strokeDash", {4, 3}}}},
        {"data", {{"values", {{{"a", 0}, {"b", 100}}}}}},
        {"encoding",
         {{"x", {{"datum", 0}, {"type", "quantitative"}}},
          {"y", {{"datum", 0}, {"type", "quantitative"}}},
          {"x2", {{"datum", 100}}},
          {"y2", {{"datum", 100}}}}}},
       {{"mark", {{"type", "point"}, {"filled", true}, {"opacity", 0.8}}},
        {"encoding",
         {{"x",
           {{"field", "observed"},
            {"type", "quantitative"},
            {"title", "observed"}}},
          {"y",
           {{"field", "forecast"},
            {"type", "quantitative"},
            {"title", "forecast"}}},
          {"color", colour},
          {"tooltip",
           {{{"field", "issue"}},
            {{"field", "model"}},
            {{"field", "forecast"}, {"format", ".4~g"}},
            {{"field", "observed"}, {"format", ".4~g"}}}}}}}});
  return Section(
      "evaluation", "Against what happened",
      "Observed outcomes: " + observed +
          ". Errors are in percent of each "
          "issue's scale, so issues in different units compare.",
      Json::array(
          {Chart("errors", "Error per issue",
                 "How far each model's forecast "
                 "fell from the observed outcome.",
                 std::move(errors),
                 Columns({{"issue", "issue"},
                          {"model", "model"},
                          {"forecast", "forecast"},
                          {"observed", "observed"},
                          {"unit", "unit"},
                          {"error", "error"},
                          {"error_percent", "error (% of scale)"},
                          {"agreement_forecast", "agreement forecast"},
                          {"agreement_observed", "agreement observed"}})),
           Chart("forecast-vs-observed", "Forecast against observed",
                 "On the issues' own scales; the dashed line is a perfect "
                 "forecast on a 0–100 scale (integration-depth issues).",
                 std::move(scatter),
                 Columns({{"issue", "issue"},
                          {"model", "model"},
                          {"forecast", "forecast"},
                          {"observed", "observed"}})),
           Table(
               "calls", "Calibration of the agreement calls",
               "Per model: mean error, and how its agreement calls (the "
               "issue moves from the status quo, or not) matched what was "
               "observed.",
               Columns({{"model", "model"},
                        {"mae_percent", "mean error (% of scale)"},
                        {"agreement_accuracy", "share of calls right"},
                        {"called_and_happened", "called, happened"},
                        {"called_not_happened", "called, did not happen"},
                        {"missed", "not called, happened"},
                        {"rightly_not_called", "not called, did not happen"}}),
               std::move(calls))}));
}

// P(agreed by date) across an ensemble's runs: the mean (a run drawn at
// random) with the 5-95 % band across runs.
Json EnsembleAgreementOverTimeChart(const StoredEnsemble& e,
                                    const EnsembleCurves& curves) {
  Json values = Json::array();
  Json order = Json::array();
  for (const IssueCurveDraws& c : curves.issues) {
    const std::string& id = e.issues[static_cast<size_t>(c.issue)].id;
    order.push_back(id);
    for (const CurveDraws& d : c.agreed_by) {
      values.push_back({{"issue", id},
                        {"kind", "curve"},
                        {"date", d.date.ToString()},
                        {"mean", Num(d.p.mean)},
                        {"q05", Num(d.p.q05)},
                        {"q50", Num(d.p.q50)},
                        {"q95", Num(d.p.q95)}});
    }
    if (c.deadline && c.agreed_by_deadline) {
      values.push_back({{"issue", id},
                        {"kind", "deadline"},
                        {"date", c.deadline->ToString()},
                        {"mean", Num(c.agreed_by_deadline->mean)},
                        {"q05", Num(c.agreed_by_deadline->q05)},
                        {"q50", Num(c.agreed_by_deadline->q50)},
                        {"q95", Num(c.agreed_by_deadline->q95)}});
    }
  }
  Json tooltip =
      Json::array({{{"field", "issue"}},
                   {{"field", "kind"}},
                   {{"field", "date"}, {"type", "temporal"}},
                   {{"field", "mean"}, {"format", ".1%"}},
                   {{"field", "q05"}, {"format", ".1%"}, {"title", "5 %"}},
                   {{"field", "q95"}, {"format", ".1%"}, {"title", "95 %"}}});
  Json layers = Json::array(
      {DeadlineRule(),
       {{"transform", {{{"filter", "datum.kind == 'curve'"}}}},
        {"mark",
         {{"type", "area"},
          {"color", "#54a24b"},
          {"opacity", 0.25},
          {"interpolate", "monotone"},
          {"clip", true}}},
        {"encoding",
         {{"x", TimeX()}, {"y", TimeY("q05")}, {"y2", {{"field", "q95"}}}}}},
       {{"transform", {{{"filter", "datum.kind == 'curve'"}}}},
        {"mark",
         {{"type", "line"},
          {"color", "#2f6b2a"},
          {"strokeWidth", 1.5},
          {"interpolate", "monotone"},
          {"clip", true}}},
        {"encoding",
         {{"x", TimeX()}, {"y", TimeY("mean")}, {"tooltip", tooltip}}}},
       {{"transform", {{{"filter", "datum.kind == 'deadline'"}}}},
        {"mark",
         {{"type", "point"},
          {"filled", true},
          {"size", 22},
          {"color", "#b03a2e"},
          {"clip", true}}},
        {"encoding",
         {{"x", TimeX()}, {"y", TimeY("mean")}, {"tooltip", tooltip}}}}});
  return Chart(
      fmt::format("agreement-time-{}", e.id),
      "Probability of agreement over time",
      fmt::format(
          "Per issue, the probability that agreement is reached by each "
          "date from {} (as of) to {}: the line is the mean over {} stored "
          "run{} (each run's curve from its drawn inputs and outcome, "
          "docs/time.md), the band the 5–95 % range across runs. Dashed red: "
          "the deadline, with the mean probability of meeting it as a dot. "
          "The database stores no time figures: these are recomputed from "
          "the stored runs.",
          curves.as_of.ToString(), curves.horizon.ToString(), curves.runs,
          curves.runs == 1 ? "" : "s"),
      TimeFacets(std::move(values), std::move(order), std::move(layers)),
      Columns({{"issue", "issue"},
               {"kind", "kind"},
               {"date", "date"},
               {"mean", "mean P(agreed by date)"},
               {"q05", "5 %"},
               {"q50", "median"},
               {"q95", "95 %"}}));
}

Json EnsembleSection(const StoredEnsemble& e, const EnsembleCurves* curves,
                     const std::string& time_note) {
  Json order = Json::array();
  for (const StoredIssue& i : e.issues) order.push_back(i.id);
  Json agreement = Json::array();
  Json blockers = Json::array();
  Json tornado = Json::array();
  Json distribution = Json::array();
  for (const StoredIssue& i : e.issues) {
    const double span = i.max - i.min;
    auto pct = [&](double x) { return Num(100 * (x - i.min) / span); };
    distribution.push_back(
        {{"issue", i.id},
         {"kind", "scale"},
         {"scale", fmt::format("{:g} – {:g} {}", i.min, i.max, i.unit)}});
    if (i.summarised) {
      distribution.push_back({{"issue", i.id},
                              {"kind", "quantiles"},
                              {"q05", Num(i.q05)},
                              {"q25", Num(i.q25)},
                              {"median", Num(i.q50)},
                              {"q75", Num(i.q75)},
                              {"q95", Num(i.q95)},
                              {"mean", Num(i.mean)},
                              {"sd", Num(i.sd)},
                              {"q05_pct", pct(i.q05)},
                              {"q25_pct", pct(i.q25)},
                              {"median_pct", pct(i.q50)},
                              {"q75_pct", pct(i.q75)},
                              {"q95_pct", pct(i.q95)}});
      agreement.push_back(
          {{"issue", i.id}, {"p_agreement", Num(i.p_agreement)}});
      for (const auto& [who, p] : i.p_blocking) {
        blockers.push_back(
            {{"issue", i.id}, {"blocker", who}, {"p_blocking", Num(p)}});
      }
      std::vector<size_t> idx;
      for (size_t k = 0; k < i.src.size() && k < e.inputs.size(); ++k) {
        if (std::isfinite(i.src[k])) idx.push_back(k);
      }
      std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        return std::abs(i.src[a]) > std::abs(i.src[b]);
      });
      if (idx.size() > 6) idx.resize(6);
      for (size_t k : idx) {
        tornado.push_back(
            {{"issue", i.id},
             {"input", e.inputs[k]},
             {"src", Num(i.src[k])},
             {"abs_src", Num(std::abs(i.src[k]))},
             {"sobol", k < i.sobol.size() ? Num(i.sobol[k]) : Json(nullptr)},
             {"r2", Num(i.src_r2)}});
      }
    }
    std::int64_t total = 0;
    for (std::int64_t c : i.histogram) total += c;
    const double width = span / kHistogramBins;
    for (int b = 0; b < kHistogramBins; ++b) {
      const std::int64_t runs = i.histogram[static_cast<size_t>(b)];
      if (runs == 0) continue;
      distribution.push_back(
          {{"issue", i.id},
           {"kind", "bin"},
           {"from", Num(i.min + b * width)},
           {"to", Num(i.min + (b + 1) * width)},
           {"from_pct", Num(100.0 * b / kHistogramBins)},
           {"to_pct", Num(100.0 * (b + 1) / kHistogramBins)},
           {"runs", runs},
           {"share", Num(total > 0 ? static_cast<double>(runs) /
                                         static_cast<double>(total)
                                   : 0.0)}});
    }
  }
  Json blocks = Json::array();
  {
    Json y = {{"field", "issue"},
              {"type", "nominal"},
              {"title", nullptr},
              {"sort", order},
              {"axis", {{"labelFontWeight", 600}, {"labelColor", "#222"}}}};
    Json x = PctAxis();
    Json qtip = Json::array(
        {{{"field", "issue"}},
         {{"field", "q05"}, {"format", ".4~g"}, {"title", "5 %"}},
         {{"field", "q25"}, {"format", ".4~g"}, {"title", "25 %"}},
         {{"field", "median"}, {"format", ".4~g"}},
         {{"field", "q75"}, {"format", ".4~g"}, {"title", "75 %"}},
         {{"field", "q95"}, {"format", ".4~g"}, {"title", "95 %"}}});
    Json quantile_x = x;
    quantile_x["field"] = "q05_pct";
    Json layers = Json::array(
        {{{"transform", {{{"filter", "datum.kind == 'bin'"}}}},
          {"mark", {{"type", "rect"}, {"height", 16}}},
          {"encoding",
           {{"x",
             [&] {
               Json b = x;
               b["field"] = "from_pct";
               return b;
             }()},
            {"x2", {{"field", "to_pct"}}},
            {"y", y},
            {"color",
             {{"field", "share"},
              {"type", "quantitative"},
              {"title", "share of runs"},
              {"scale", {{"scheme", "blues"}, {"type", "sqrt"}}},
              {"legend", {{"format", ".0%"}}}}},
            {"tooltip",
             {{{"field", "issue"}},
              {{"field", "from"}, {"format", ".4~g"}},
              {{"field", "to"}, {"format", ".4~g"}},
              {{"field", "runs"}},
              {{"field", "share"}, {"format", ".1%"}}}}}}},
         {{"transform", {{{"filter", "datum.kind == 'quantiles'"}}}},
          {"mark",
           {{"type", "rule"}, {"color", "#b03a2e"}, {"strokeWidth", 1.2}}},
          {"encoding",
           {{"x", quantile_x},
            {"x2", {{"field", "q95_pct"}}},
            {"y", y},
            {"tooltip", qtip}}}},
         {{"transform", {{{"filter", "datum.kind == 'quantiles'"}}}},
          {"mark",
           {{"type", "bar"},
            {"height", 7},
            {"fill", "none"},
            {"stroke", "#b03a2e"},
            {"strokeWidth", 1.4}}},
          {"encoding",
           {{"x", {{"field", "q25_pct"}, {"type", "quantitative"}}},
            {"x2", {{"field", "q75_pct"}}},
            {"y", y},
            {"tooltip", qtip}}}},
         {{"transform", {{{"filter", "datum.kind == 'quantiles'"}}}},
          {"mark",
           {{"type", "tick"},
            {"color", "#b03a2e"},
            {"thickness", 2.5},
            {"size", 14}}},
          {"encoding",
           {{"x", {{"field", "median_pct"}, {"type", "quantitative"}}},
            {"y", y},
            {"tooltip", qtip}}}},
         ScaleTextLayer(y)});
    Json spec = Spec(std::move(distribution));
    spec["width"] = 520;
    spec["height"] = static_cast<int>(22 * e.issues.size());
    spec["layer"] = std::move(layers);
    spec["config"]["legend"]["orient"] = "bottom";
    spec["config"]["legend"]["direction"] = "horizontal";
    blocks.push_back(
        Chart(fmt::format("distribution-{}", e.id), "Outcome distributions",
              "Per issue, on its own scale (written at the right): the "
              "share of runs in each twentieth of the scale (blue), and "
              "the 5–95 % range (red line), 25–75 % range (red box) and "
              "median (red tick).",
              std::move(spec),
              Columns({{"issue", "issue"},
                       {"kind", "kind"},
                       {"from", "from"},
                       {"to", "to"},
                       {"runs", "runs"},
                       {"share", "share"},
                       {"q05", "5 %"},
                       {"q25", "25 %"},
                       {"median", "median"},
                       {"q75", "75 %"},
                       {"q95", "95 %"},
                       {"mean", "mean"},
                       {"sd", "sd"},
                       {"scale", "scale"}})));
  }
  {
    Json spec = Spec(std::move(agreement));
    spec["width"] = 420;
    spec["height"] = {{"step", 13}};
    spec["layer"] = Json::array(
        {{{"mark", {{"type", "bar"}, {"color", "#54a24b"}}},
          {"encoding",
           {{"y",
             {{"field", "issue"},
              {"type", "nominal"},
              {"sort", order},
              {"title", nullptr}}},
            {"x",
             {{"field", "p_agreement"},
              {"type", "quantitative"},
              {"title", "P(agreement)"},
              {"scale", {{"domain", {0, 1}}}},
              {"axis", {{"format", "%"}}}}},
            {"tooltip",
             {{{"field", "issue"}},
              {{"field", "p_agreement"}, {"format", ".1%"}}}}}}},
         {{"mark",
           {{"type", "text"}, {"align", "left"}, {"dx", 3}, {"fontSize", 9}}},
          {"encoding",
           {{"y", {{"field", "issue"}, {"type", "nominal"}, {"sort", order}}},
            {"x", {{"field", "p_agreement"}, {"type", "quantitative"}}},
            {"text", {{"field", "p_agreement"}, {"format", ".0%"}}}}}}});
    blocks.push_back(
        Chart(fmt::format("agreement-{}", e.id), "Probability of agreement",
              "Share of runs in which the issue moved from its status quo.",
              std::move(spec),
              Columns({{"issue", "issue"}, {"p_agreement", "P(agreement)"}})));
  }
  if (curves != nullptr && !curves->issues.empty()) {
    blocks.push_back(EnsembleAgreementOverTimeChart(e, *curves));
  } else if (!time_note.empty()) {
    blocks.push_back(Table(fmt::format("agreement-time-{}", e.id),
                           "Probability of agreement over time", time_note,
                           Columns({{"reason", "why"}}),
                           Json::array({{{"reason", time_note}}})));
  }
  if (!blockers.empty()) {
    Json spec = Spec(std::move(blockers));
    spec["width"] = {{"step", 40}};
    spec["height"] = {{"step", 14}};
    spec["layer"] = Json::array(
        {{{"mark", {{"type", "rect"}, {"stroke", "white"}}},
          {"encoding",
           {{"y",
             {{"field", "issue"},
              {"type", "nominal"},
              {"sort", order},
              {"title", nullptr}}},
            {"x",
             {{"field", "blocker"}, {"type", "nominal"}, {"title", "blocker"}}},
            {"color",
             {{"field", "p_blocking"},
              {"type", "quantitative"},
              {"title", "P(blocks)"},
              {"scale", {{"scheme", "reds"}, {"domain", {0, 1}}}}}},
            {"tooltip",
             {{{"field", "issue"}},
              {{"field", "blocker"}},
              {{"field", "p_blocking"}, {"format", ".1%"}}}}}}},
         {{"mark", {{"type", "text"}, {"fontSize", 9}}},
          {"encoding",
           {{"y", {{"field", "issue"}, {"type", "nominal"}, {"sort", order}}},
            {"x", {{"field", "blocker"}, {"type", "nominal"}}},
            {"text", {{"field", "p_blocking"}, {"format", ".0%"}}}}}}});
    blocks.push_back(
        Chart(fmt::format("blockers-{}", e.id), "Who blocks",
              "Share of runs in which each actor or state blocked the issue.",
              std::move(spec),
              Columns({{"issue", "issue"},
                       {"blocker", "blocker"},
                       {"p_blocking", "P(blocks)"}})));
  }
  if (!tornado.empty()) {
    Json spec = Spec(std::move(tornado));
    spec["facet"] = {{"field", "issue"},
                     {"type", "nominal"},
                     {"title", nullptr},
                     {"sort", order}};
    spec["columns"] = 3;
    spec["spec"] = {
        {"width", 150},
        {"height", {{"step", 11}}},
        {"mark", {{"type", "bar"}}},
        {"encoding",
         {{"y",
           {{"field", "input"},
            {"type", "nominal"},
            {"title", nullptr},
            {"sort",
             {{"field", "abs_src"}, {"op", "max"}, {"order", "descending"}}},
            {"axis", {{"labelFontSize", 8}, {"labelLimit", 170}}}}},
          {"x",
           {{"field", "src"},
            {"type", "quantitative"},
            {"title", "SRC"},
            {"scale", {{"domain", {-1, 1}}}}}},
          {"color",
           {{"condition", {{"test", "datum.src < 0"}, {"value", "#e45756"}}},
            {"value", "#4c78a8"}}},
          {"tooltip",
           {{{"field", "input"}},
            {{"field", "src"}, {"format", ".3f"}},
            {{"field", "sobol"},
             {"format", ".3f"},
             {"title", "first-order Sobol"}},
            {{"field", "r2"}, {"format", ".2f"}, {"title", "R²"}}}}}}};
    spec["resolve"] = {{"scale", {{"y", "independent"}}}};
    blocks.push_back(
        Chart(fmt::format("tornado-{}", e.id), "Sensitivity (tornado)",
              "Per issue, the six inputs with the largest standardised "
              "regression coefficients (SRC) of the outcome: blue raises "
              "it, red lowers it. The table adds first-order Sobol indices "
              "and the regression's R².",
              std::move(spec),
              Columns({{"issue", "issue"},
                       {"input", "input"},
                       {"src", "SRC"},
                       {"sobol", "first-order Sobol"},
                       {"r2", "R²"}})));
  }
  if (tornado.empty() && !e.inputs.empty()) {
    blocks.push_back(Table(
        fmt::format("sensitivity-{}", e.id), "Sensitivity",
        "No sensitivity could be estimated.", Columns({{"reason", "why"}}),
        Json::array(
            {{{"reason",
               fmt::format("The regression needs at least inputs + 2 runs "
                           "({} + 2) and outcomes that vary; this ensemble "
                           "stored {} runs.",
                           e.inputs.size(), e.runs_stored)}}})));
  }
  Json facts = Json::array(
      {{{"field", "scenario"},
        {"value", e.scenario_name + " (" + e.scenario_file + ")"}},
       {{"field", "model"}, {"value", e.model}},
       {{"field", "seed"}, {"value", e.seed}},
       {{"field", "perturbation"},
        {"value", e.perturbation.empty() ? "none" : e.perturbation}},
       {{"field", "runs"},
        {"value", fmt::format("{} stored of {} requested", e.runs_stored,
                              e.runs_requested)}},
       {{"field", "status"}, {"value", e.status}},
       {{"field", "created"}, {"value", e.created}},
       {{"field", "uncertain inputs"},
        {"value", fmt::format("{}", e.inputs.size())}}});
  blocks.insert(blocks.begin(),
                Table(fmt::format("ensemble-{}", e.id), "What was run", "",
                      Columns({{"field", "field"}, {"value", "value"}}),
                      std::move(facts)));
  std::string intro =
      e.status == "complete"
          ? ""
          : fmt::format(
                "Status \"{}\": the summaries below cover the runs "
                "stored before it stopped, where a summary was written.",
                e.status);
  return Section(fmt::format("ensemble-{}", e.id),
                 fmt::format("Ensemble {}: {}", e.id, e.model), intro,
                 std::move(blocks));
}

Json TimeSection(const Scenario& scenario, std::span<const Forecast> forecasts,
                 std::span<const TimeForecast> times) {
  US_CHECK(times.size() == forecasts.size(), "one time forecast per model");
  Json blocks = Json::array();
  std::string intro;
  if (times.empty() || times.front().issues.empty()) {
    intro = times.empty() || times.front().reference_class.empty()
                ? "The scenario names no reference class, so there is no "
                  "baseline to date agreement from (docs/time.md)."
                : times.front().baseline.note;
  } else {
    intro = times.front().baseline.note;
    blocks.push_back(AgreementOverTimeChart(scenario, forecasts, times));
  }
  return Section("time", "Agreement over time", intro, std::move(blocks));
}

Json ScenarioReport(const Scenario& scenario,
                    std::span<const Forecast> forecasts,
                    std::span<const Evaluation> evaluations,
                    std::span<const TimeForecast> times) {
  std::string models;
  for (const Forecast& f : forecasts)
    models += (models.empty() ? "" : ", ") + f.model;
  Json sections = Json::array();
  sections.push_back(GlanceSection(scenario));
  std::vector<Json> forecast_sections = ForecastSections(scenario, forecasts);
  for (size_t k = 0; k < forecast_sections.size(); ++k) {
    sections.push_back(std::move(forecast_sections[k]));
    // Agreement over time right after the forecasts it dates.
    if (k == 0 && !times.empty())
      sections.push_back(TimeSection(scenario, forecasts, times));
  }
  if (!evaluations.empty()) sections.push_back(EvaluationSection(evaluations));
  return {
      {"title", scenario.name},
      {"subtitle",
       "Models: " + models +
           (scenario.file.empty() ? "" : " · scenario file: " + scenario.file)},
      {"sections", std::move(sections)}};
}

}  // namespace unionstate::report
