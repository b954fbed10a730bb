#include "unionstate/parameters.h"

#include <fmt/format.h>

#include "common/check.h"

namespace unionstate {

std::string ParamValueToString(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visitor{}, value);
}

std::string ParameterSpec::RangeText() const {
  switch (type) {
    case ParamType::kBool:
      return "true or false";
    case ParamType::kInt:
    case ParamType::kDouble:
      return fmt::format("[{}, {}]", min, max);
    case ParamType::kChoice: {
      std::string out = "one of ";
      for (size_t k = 0; k < choices.size(); ++k)
        out += (k ? ", " : "") + choices[k];
      return out;
    }
    case ParamType::kModel:
      return "a model specification";
    case ParamType::kText:
      return "a text";
  }
  return "";
}

const ParamValue* Parameters::Find(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return &value;
  }
  return nullptr;
}

namespace {

template <class T>
const T& Get(const Parameters& parameters, std::string_view name) {
  const ParamValue* value = parameters.Find(name);
  US_CHECK(value != nullptr, "model reads a parameter it did not declare");
  const T* typed = std::get_if<T>(value);
  US_CHECK(typed != nullptr, "model reads a parameter with the wrong type");
  return *typed;
}

}  // namespace

bool Parameters::GetBool(std::string_view name) const {
  return Get<bool>(*this, name);
}
std::int64_t Parameters::GetInt(std::string_view name) const {
  return Get<std::int64_t>(*this, name);
}
double Parameters::GetDouble(std::string_view name) const {
  return Get<double>(*this, name);
}
const std::string& Parameters::GetString(std::string_view name) const {
  return Get<std::string>(*this, name);
}

ParameterSpec IntParameter(std::string name, std::string meaning,
                           std::int64_t default_value, std::int64_t min,
                           std::int64_t max) {
  return {.name = std::move(name),
          .type = ParamType::kInt,
          .meaning = std::move(meaning),
          .default_value = default_value,
          .min = static_cast<double>(min),
          .max = static_cast<double>(max),
          .choices = {}};
}

ParameterSpec DoubleParameter(std::string name, std::string meaning,
                              double default_value, double min, double max) {
  return {.name = std::move(name),
          .type = ParamType::kDouble,
          .meaning = std::move(meaning),
          .default_value = default_value,
          .min = min,
          .max = max,
          .choices = {}};
}

ParameterSpec BoolParameter(std::string name, std::string meaning,
                            bool default_value) {
  return {.name = std::move(name),
          .type = ParamType::kBool,
          .meaning = std::move(meaning),
          .default_value = default_value,
          .min = 0,
          .max = 0,
          .choices = {}};
}

ParameterSpec ChoiceParameter(std::string name, std::string meaning,
                              std::string default_value,
                              std::vector<std::string> choices) {
  return {.name = std::move(name),
          .type = ParamType::kChoice,
          .meaning = std::move(meaning),
          .default_value = std::move(default_value),
          .min = 0,
          .max = 0,
          .choices = std::move(choices)};
}

ParameterSpec TextParameter(ParamType type, std::string name,
                            std::string meaning, std::string default_value) {
  return {.name = std::move(name),
          .type = type,
          .meaning = std::move(meaning),
          .default_value = std::move(default_value),
          .min = 0,
          .max = 0,
          .choices = {}};
}

}  // namespace unionstate
