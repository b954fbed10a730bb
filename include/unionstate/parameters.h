#ifndef UNIONSTATE_PARAMETERS_H_
#define UNIONSTATE_PARAMETERS_H_

// Model parameters: what a model declares it accepts (ParameterSpec) and the
// values one instance runs with (Parameters). Values come from a model
// specification such as "bdm(rounds=20, variant=paper)" (model.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace unionstate {

// bool, integer, real or text (a choice or a nested model specification).
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

// "true", "10", "0.1", "scholz": the value as a specification writes it.
std::string ParamValueToString(const ParamValue& value);

enum class ParamType {
  kBool,
  kInt,
  kDouble,
  kChoice,  // one of `choices`
  kModel,   // a model specification, e.g. "compromise" or "nash(veto=false)"
  kText,    // free text, possibly empty (quote it when it holds commas)
};

// One parameter a model accepts.
struct ParameterSpec {
  std::string name;  // as written in a specification
  ParamType type = ParamType::kDouble;
  std::string meaning;  // one sentence for `unionstate models`
  ParamValue default_value;
  // Inclusive range for kInt and kDouble.
  double min = 0;
  double max = 0;
  std::vector<std::string> choices;  // kChoice only

  // "[0, 1]", "one of scholz, paper", "true or false", "a model".
  std::string RangeText() const;
};

// Declarations for a model's ModelInfo::parameters.
ParameterSpec IntParameter(std::string name, std::string meaning,
                           std::int64_t default_value, std::int64_t min,
                           std::int64_t max);
ParameterSpec DoubleParameter(std::string name, std::string meaning,
                              double default_value, double min, double max);
ParameterSpec BoolParameter(std::string name, std::string meaning,
                            bool default_value);
ParameterSpec ChoiceParameter(std::string name, std::string meaning,
                              std::string default_value,
                              std::vector<std::string> choices);
// kModel or kText.
ParameterSpec TextParameter(ParamType type, std::string name,
                            std::string meaning, std::string default_value);

// The values one model instance runs with: every declared parameter, in
// declaration order, defaults filled in.
class Parameters {
 public:
  Parameters() = default;
  explicit Parameters(std::vector<std::pair<std::string, ParamValue>> values)
      : values_(std::move(values)) {}

  const std::vector<std::pair<std::string, ParamValue>>& values() const {
    return values_;
  }
  const ParamValue* Find(std::string_view name) const;

  // Typed access. REQUIRES: the parameter exists with that type (LoadModel
  // guarantees it for declared parameters); a mismatch is a programming
  // error and stops the program.
  bool GetBool(std::string_view name) const;
  std::int64_t GetInt(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  const std::string& GetString(std::string_view name) const;

  bool operator==(const Parameters&) const = default;

 private:
  std::vector<std::pair<std::string, ParamValue>> values_;
};

}  // namespace unionstate

#endif  // UNIONSTATE_PARAMETERS_H_
