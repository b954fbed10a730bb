#include "unionstate/model.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "common/number.h"

namespace unionstate {

Forecast Model::StartForecast(const Scenario& scenario,
                              const RunOptions& options) const {
  Forecast forecast;
  forecast.scenario = scenario.name;
  forecast.model = info().short_name;
  forecast.parameters = parameters_;
  forecast.seed = options.seed;
  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    IssueForecast issue;
    issue.issue = static_cast<int>(i);
    const Issue& input = scenario.issues[i];
    issue.outcome = input.status_quo ? input.status_quo->value
                                     : (input.min + input.max) / 2;
    forecast.issues.push_back(issue);
  }
  Round round;
  round.positions.assign(scenario.actors.size() * scenario.issues.size(),
                         std::numeric_limits<double>::quiet_NaN());
  for (const Stance& stance : scenario.stances) {
    round.positions[static_cast<size_t>(stance.actor) * scenario.issues.size() +
                    static_cast<size_t>(stance.issue)] = stance.position.value;
  }
  forecast.rounds.push_back(std::move(round));
  return forecast;
}

namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

std::string Names() {
  std::string names;
  for (const RegisteredModel& model : RegisteredModels()) {
    names += (names.empty() ? "" : ", ") + model.info->short_name;
  }
  return names;
}

}  // namespace

Result<ModelSpec> ParseModelSpec(std::string_view spec) {
  std::string text = Trim(spec);
  ModelSpec out;
  size_t k = 0;
  while (k < text.size() && IsNameChar(text[k])) ++k;
  out.name = text.substr(0, k);
  if (out.name.empty()) {
    return InvalidArgument(
        fmt::format("model specification \"{}\" has no model name; expected "
                    "NAME or NAME(KEY=VALUE, ...)",
                    spec));
  }
  if (k == text.size()) return out;
  if (text[k] != '(' || text.back() != ')') {
    return InvalidArgument(
        fmt::format("model specification \"{}\" is malformed; expected NAME or "
                    "NAME(KEY=VALUE, ...)",
                    spec));
  }
  std::string_view body =
      std::string_view(text).substr(k + 1, text.size() - k - 2);
  // Split at top-level commas, keeping nested parentheses and quotes intact.
  std::vector<std::string> pieces;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (char c : body) {
    if (quote) {
      if (c == quote) quote = 0;
      current += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      current += c;
    } else if (c == '(') {
      ++depth;
      current += c;
    } else if (c == ')') {
      if (--depth < 0) break;
      current += c;
    } else if (c == ',' && depth == 0) {
      pieces.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (depth != 0 || quote) {
    return InvalidArgument(fmt::format(
        "model specification \"{}\" has unbalanced parentheses or quotes",
        spec));
  }
  if (!Trim(current).empty() || !pieces.empty()) pieces.push_back(current);
  for (const std::string& piece : pieces) {
    size_t eq = piece.find('=');
    std::string key = Trim(piece.substr(0, eq == std::string::npos ? 0 : eq));
    if (eq == std::string::npos || key.empty()) {
      return InvalidArgument(fmt::format(
          "argument \"{}\" in \"{}\" is malformed; expected KEY=VALUE",
          Trim(piece), spec));
    }
    std::string value = Trim(piece.substr(eq + 1));
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') &&
        value.back() == value[0]) {
      value = value.substr(1, value.size() - 2);
    }
    for (const auto& [existing, unused] : out.arguments) {
      if (existing == key) {
        return InvalidArgument(fmt::format(
            "parameter \"{}\" is given twice in \"{}\"; expected it once", key,
            spec));
      }
    }
    out.arguments.emplace_back(key, value);
  }
  return out;
}

Result<Parameters> ResolveParameters(const ModelInfo& info,
                                     const ModelSpec& spec) {
  std::vector<std::pair<std::string, ParamValue>> values;
  for (const ParameterSpec& p : info.parameters)
    values.emplace_back(p.name, p.default_value);
  for (const auto& [key, text] : spec.arguments) {
    const ParameterSpec* p = nullptr;
    size_t index = 0;
    for (size_t k = 0; k < info.parameters.size(); ++k) {
      if (info.parameters[k].name == key) {
        p = &info.parameters[k];
        index = k;
      }
    }
    if (p == nullptr) {
      std::string accepted;
      for (const ParameterSpec& q : info.parameters) {
        accepted += (accepted.empty() ? "" : ", ") + q.name;
      }
      return InvalidArgument(fmt::format(
          "model \"{}\" has no parameter \"{}\"; expected {}", info.short_name,
          key, accepted.empty() ? "no parameters" : "one of " + accepted));
    }
    auto bad = [&]() {
      return InvalidArgument(
          fmt::format("parameter \"{}\" of model \"{}\" is \"{}\"; expected {}",
                      key, info.short_name, text, p->RangeText()));
    };
    ParamValue value;
    switch (p->type) {
      case ParamType::kBool:
        if (text == "true") {
          value = true;
        } else if (text == "false") {
          value = false;
        } else {
          return bad();
        }
        break;
      case ParamType::kInt: {
        std::optional<double> x = internal::ParseNumber(text);
        if (!x || *x != std::floor(*x) || *x < p->min || *x > p->max)
          return bad();
        value = static_cast<std::int64_t>(*x);
        break;
      }
      case ParamType::kDouble: {
        std::optional<double> x = internal::ParseNumber(text);
        if (!x || *x < p->min || *x > p->max) return bad();
        value = *x;
        break;
      }
      case ParamType::kChoice: {
        bool known = false;
        for (const std::string& choice : p->choices)
          known = known || choice == text;
        if (!known) return bad();
        value = text;
        break;
      }
      case ParamType::kModel:
        if (text.empty()) return bad();
        value = text;
        break;
      case ParamType::kText:
        value = text;
        break;
    }
    values[index].second = std::move(value);
  }
  return Parameters(std::move(values));
}

Result<std::unique_ptr<Model>> LoadModel(std::string_view spec) {
  Result<ModelSpec> parsed = ParseModelSpec(spec);
  if (!parsed) return std::unexpected(parsed.error());
  for (const RegisteredModel& model : RegisteredModels()) {
    if (model.info->short_name != parsed->name) continue;
    Result<Parameters> parameters = ResolveParameters(*model.info, *parsed);
    if (!parameters) return std::unexpected(parameters.error());
    return model.make(*parameters);
  }
  return InvalidArgument(fmt::format("unknown model \"{}\"; expected one of {}",
                                     parsed->name, Names()));
}

std::string CanonicalSpec(const Model& model) {
  std::string out = model.info().short_name;
  const auto& values = model.parameters().values();
  if (values.empty()) return out;
  out += "(";
  for (size_t k = 0; k < values.size(); ++k) {
    out += (k ? ", " : "") + values[k].first + "=" +
           ParamValueToString(values[k].second);
  }
  return out + ")";
}

}  // namespace unionstate
