#include "tests/support/fuzz_targets.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/invariants.h"
#include "unionstate/ensemble.h"
#include "unionstate/evaluate.h"
#include "unionstate/model.h"
#include "scenario/scenario_image.h"
#include "unionstate/scenario_io.h"

namespace unionstate::testing {
namespace {

constexpr std::array<std::string_view, 12> kTargets = {
    "toml",   "observed", "bdm_csv",    "ktab_csv", "ktab_xml", "decide",
    "deu",    "detect",   "model_spec", "perturb",  "models",
    "scenario_image"};

[[noreturn]] void Finding(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::abort();
}

void Perturb(std::string_view input) {
  Result<Perturbation> p = ParsePerturbation(input);
  if (!p) return;
  const std::string printed = PerturbationToString(*p);
  Result<Perturbation> again = ParsePerturbation(printed);
  if (!again || PerturbationToString(*again) != printed)
    Finding("--perturb '" + std::string(input) + "' prints as '" + printed +
            "', which does not read back the same");
}

void Models(std::string_view input) {
  Result<Scenario> scenario = ParseScenario(input, "fuzz.input");
  if (!scenario || scenario->actors.size() > 8 || scenario->issues.size() > 4)
    return;
  for (const RegisteredModel& registered : RegisteredModels()) {
    Result<std::unique_ptr<Model>> model =
        LoadModel(registered.info->short_name);
    if (!model) Finding("model " + registered.info->short_name + " does not load");
    Result<Forecast> forecast = (*model)->Run(*scenario, {.seed = 1});
    if (!forecast) continue;  // refusing a scenario is allowed
    std::vector<std::string> bad = ConformanceViolations(*scenario, *forecast);
    if (!bad.empty()) Finding(registered.info->short_name + ": " + bad.front());
  }
}

// The built-in scenarios' image decoder (src/scenario/scenario_image.h): any
// bytes decode to a scenario or to an error, never undefined behaviour; a
// decoded scenario's stance index points at its stances; and encoding it
// is stable (its image decodes to a scenario with the same image).
void ScenarioImage(std::string_view input) {
  const uint64_t text_size =
      internal::ScenarioImageTextSize(input).value_or(0);
  Result<Scenario> decoded =
      internal::DecodeScenarioImage(input, "fuzz.input", text_size);
  if (!decoded) return;
  const size_t issues = decoded->issues.size();
  if (decoded->stance_index.size() != decoded->actors.size() * issues)
    Finding("the stance index has the wrong size");
  for (size_t k = 0; k < decoded->stances.size(); ++k) {
    const Stance& stance = decoded->stances[k];
    if (decoded->FindStance(stance.actor, stance.issue) != &stance)
      Finding("stance " + std::to_string(k) + " is not where its index says");
  }
  const std::string image = internal::EncodeScenarioImage(*decoded, text_size);
  Result<Scenario> again =
      internal::DecodeScenarioImage(image, "fuzz.input", text_size);
  if (!again) Finding("a decoded scenario's own image does not decode");
  if (internal::EncodeScenarioImage(*again, text_size) != image)
    Finding("a decoded scenario's image decodes to a different image");
}

}  // namespace

std::span<const std::string_view> FuzzTargetNames() { return kTargets; }

bool RunFuzzTarget(std::string_view target, std::string_view input) {
  const std::string file = "fuzz.input";
  auto parse = [&](InputFormat format) {
    (void)ParseScenario(input, file, {.format = format});
  };
  if (target == "toml") {
    parse(InputFormat::kToml);
  } else if (target == "observed") {
    (void)ParseObserved(input, file);
  } else if (target == "bdm_csv") {
    parse(InputFormat::kBdm);
  } else if (target == "ktab_csv") {
    parse(InputFormat::kKtab);
  } else if (target == "ktab_xml") {
    parse(InputFormat::kKtabXml);
  } else if (target == "decide") {
    parse(InputFormat::kDecide);
  } else if (target == "deu") {
    parse(InputFormat::kDeu);
  } else if (target == "detect") {
    (void)ParseScenario(input, file);
  } else if (target == "model_spec") {
    if (Result<std::unique_ptr<Model>> m = LoadModel(input))
      (void)CanonicalSpec(**m);
  } else if (target == "perturb") {
    Perturb(input);
  } else if (target == "models") {
    Models(input);
  } else if (target == "scenario_image") {
    ScenarioImage(input);
  } else {
    return false;
  }
  return true;
}

}  // namespace unionstate::testing
