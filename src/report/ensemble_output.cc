#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "unionstate/output.h"

namespace unionstate {
namespace {

using json = nlohmann::ordered_json;

// NaN (undefined: an input or outcome that does not vary) becomes null.
json Number(double x) { return std::isnan(x) ? json(nullptr) : json(x); }

// Indices of the inputs by decreasing |SRC| (NaN last), ties by index.
std::vector<size_t> BySensitivity(const IssueSummary& s) {
  std::vector<size_t> order(s.src.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](size_t k) {
    return std::isnan(s.src[k]) ? -1.0 : std::abs(s.src[k]);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return key(a) > key(b); });
  return order;
}

}  // namespace

std::string EnsembleToJson(const Scenario& scenario,
                           const EnsembleReport& report) {
  const EnsembleSummary& sum = report.summary;
  json out;
  out["scenario"] = report.scenario;
  out["model"] = report.model;
  out["seed"] = report.seed;
  out["perturbation"] = report.perturbation;
  out["runs_requested"] = report.runs_requested;
  out["runs"] = sum.runs;
  out["interrupted"] = report.interrupted;
  out["inputs"] = sum.inputs;
  if (sum.sobol_base_runs > 0) {
    out["sobol_design"] = {{"base_runs", sum.sobol_base_runs},
                           {"runs", sum.sobol_runs},
                           {"bootstrap", sum.sobol_bootstrap},
                           {"confidence", sum.sobol_confidence}};
  }
  json issues = json::array();
  for (size_t i = 0; i < sum.issues.size(); ++i) {
    const IssueSummary& s = sum.issues[i];
    json issue;
    issue["id"] = s.issue;
    issue["unit"] = scenario.issues[i].unit;
    issue["mean"] = Number(s.mean);
    issue["sd"] = Number(s.sd);
    issue["quantiles"] = {{"5", Number(s.q05)},
                          {"25", Number(s.q25)},
                          {"50", Number(s.q50)},
                          {"75", Number(s.q75)},
                          {"95", Number(s.q95)}};
    issue["p_agreement"] = Number(s.p_agreement);
    json blocking = json::object();
    for (const auto& [who, p] : s.p_blocking) blocking[who] = p;
    issue["p_blocking"] = std::move(blocking);
    json src = json::object();
    for (size_t k = 0; k < s.src.size(); ++k)
      src[sum.inputs[k]] = Number(s.src[k]);
    issue["src"] = std::move(src);
    issue["src_r2"] = Number(s.src_r2);
    if (!s.sobol.empty()) {
      json sobol = json::object();
      for (size_t k = 0; k < s.sobol.size(); ++k) {
        sobol[sum.inputs[k]] = {
            {"first", Number(s.sobol[k])},
            {"first_ci",
             {Number(s.sobol_ci[k].first), Number(s.sobol_ci[k].second)}},
            {"total", Number(s.sobol_total[k])},
            {"total_ci",
             {Number(s.sobol_total_ci[k].first),
              Number(s.sobol_total_ci[k].second)}}};
      }
      issue["sobol"] = std::move(sobol);
    }
    issues.push_back(std::move(issue));
  }
  out["issues"] = std::move(issues);
  return out.dump(2) + "\n";
}

std::string EnsembleToTable(const Scenario& scenario,
                            const EnsembleReport& report) {
  const EnsembleSummary& sum = report.summary;
  std::string out;
  out += fmt::format("Scenario: {}\nModel:    {}\nSeed:     {}\n",
                     scenario.name, report.model, report.seed);
  out += fmt::format("Runs:     {} of {}{}\n", sum.runs, report.runs_requested,
                     report.interrupted ? " (interrupted)" : "");
  out += fmt::format("Inputs:   {} uncertain{}\n\n", sum.inputs.size(),
                     report.perturbation.empty()
                         ? ""
                         : " (perturbed: " + report.perturbation + ")");
  out += fmt::format("{:<24} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}  {}\n",
                     "issue", "5%", "25%", "median", "75%", "95%", "P(agree)",
                     "likeliest blocker");
  for (size_t i = 0; i < sum.issues.size(); ++i) {
    const IssueSummary& s = sum.issues[i];
    std::string blocker = "-";
    if (!s.p_blocking.empty()) {
      blocker = fmt::format("{} ({:.0f} %)", s.p_blocking[0].first,
                            100 * s.p_blocking[0].second);
    }
    out += fmt::format(
        "{:<24} {:>10.5g} {:>10.5g} {:>10.5g} {:>10.5g} {:>10.5g} {:>8.3f}  "
        "{}\n",
        s.issue, s.q05, s.q25, s.q50, s.q75, s.q95, s.p_agreement, blocker);
  }
  if (sum.inputs.empty()) {
    out +=
        "\nNo input is uncertain: every run is the same. Give values a "
        "distribution or use "
        "--perturb.\n";
    return out;
  }
  out +=
      "\nMost influential inputs per issue (standardised regression "
      "coefficient";
  out += sum.issues.empty() || sum.issues[0].sobol.empty()
             ? ")\n"
             : "; first- and total-order Sobol index)\n";
  for (size_t i = 0; i < sum.issues.size(); ++i) {
    const IssueSummary& s = sum.issues[i];
    std::vector<std::string> parts;
    for (size_t k : BySensitivity(s)) {
      if (parts.size() == 3 || std::isnan(s.src[k])) break;
      parts.push_back(s.sobol.empty()
                          ? fmt::format("{} {:+.2f}", sum.inputs[k], s.src[k])
                          : fmt::format("{} {:+.2f}; {:.2f}/{:.2f}",
                                        sum.inputs[k], s.src[k], s.sobol[k],
                                        s.sobol_total[k]));
    }
    std::string text = fmt::format("{}", fmt::join(parts, ", "));
    if (parts.empty()) {
      text =
          !(s.sd > 0)
              ? "(the outcome does not vary)"
              : fmt::format("(regression needs at least {} runs for {} inputs)",
                            sum.inputs.size() + 2, sum.inputs.size());
    }
    out += fmt::format("{:<24} {}\n", s.issue, text);
  }
  return out;
}

}  // namespace unionstate
