#ifndef UNIONSTATE_MODEL_H_
#define UNIONSTATE_MODEL_H_

// The model interface and registry (open_spiel's Game/GameType/registry).
//
// Every collective-decision model is one class behind the small interface
// below. Its static facts -- short name, what it is, its citation, the
// parameters it accepts with meaning, range and default -- live in a plain
// ModelInfo struct. Models are created by short name with parameters:
//
//   Result<std::unique_ptr<Model>> m = LoadModel("nash(veto=false)");
//   Result<Forecast> f = (*m)->Run(scenario, {.seed = 7});
//
// A specification is NAME or NAME(KEY=VALUE, ...). Values are true/false,
// numbers, bare words or "quoted text"; a value may itself be a
// specification with parentheses ("parity(domestic=nash(veto=false))").
// Unknown names, unknown keys, values of the wrong type or out of range are
// reported as kInvalidArgument errors that list what is accepted.
//
// docs/adding-a-model.md is the recipe for a new model.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/forecast.h"
#include "unionstate/parameters.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

struct ModelInfo {
  std::string short_name;  // registry key, e.g. "nash"
  std::string long_name;   // e.g. "Nash bargaining solution"
  std::string summary;     // one or two sentences for `unionstate models`
  std::string citation;    // the source the model follows
  std::vector<ParameterSpec> parameters;
  // True when the outcome depends on the seed (random draws inside a run).
  bool stochastic = false;
  // True when the model needs every actor on a side (two-level models).
  bool needs_sides = false;
  // Smallest number of actors with a stance on an issue it can handle.
  int min_actors = 1;
};

struct RunOptions {
  std::uint64_t seed = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  virtual const ModelInfo& info() const = 0;
  const Parameters& parameters() const { return parameters_; }

  // One run: a pure function of (scenario, parameters, seed). Fails with
  // kInvalidInput when the scenario lacks what the model needs (sides, a
  // status quo) and kFailed when the computation cannot finish.
  // REQUIRES: `scenario` came out of ValidateScenario.
  // Thread-safe: ensembles call Run concurrently on one instance.
  virtual Result<Forecast> Run(const Scenario& scenario,
                               const RunOptions& options) const = 0;

 protected:
  explicit Model(Parameters parameters) : parameters_(std::move(parameters)) {}

  // A forecast with scenario, model, parameters and seed filled in, one
  // IssueForecast per issue and round 0 holding the input positions.
  Forecast StartForecast(const Scenario& scenario,
                         const RunOptions& options) const;

 private:
  Parameters parameters_;
};

// Makes a model from validated parameters (every declared one present).
// May reject combinations of values with kInvalidArgument.
using ModelFactory = Result<std::unique_ptr<Model>> (*)(const Parameters&);

struct RegisteredModel {
  const ModelInfo* info;
  ModelFactory make;
};

// Every model, in the order `unionstate models` lists them.
std::span<const RegisteredModel> RegisteredModels();

// A specification split into name and raw KEY=VALUE pairs.
struct ModelSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> arguments;
};
Result<ModelSpec> ParseModelSpec(std::string_view spec);

// Checks `spec`'s arguments against `info` and fills in defaults.
Result<Parameters> ResolveParameters(const ModelInfo& info,
                                     const ModelSpec& spec);

// Parses, resolves and creates. An unknown name fails with the list of
// registered names.
Result<std::unique_ptr<Model>> LoadModel(std::string_view spec);

// "name(key=value, ...)" with every parameter, defaults included.
std::string CanonicalSpec(const Model& model);

}  // namespace unionstate

#endif  // UNIONSTATE_MODEL_H_
