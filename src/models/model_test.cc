#include "unionstate/model.h"

#include <gtest/gtest.h>

namespace unionstate {
namespace {

TEST(ModelSpec, ParsesNamesAndArguments) {
  Result<ModelSpec> spec = ParseModelSpec("  nash(veto=false)  ");
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->name, "nash");
  ASSERT_EQ(spec->arguments.size(), 1u);
  EXPECT_EQ(spec->arguments[0],
            (std::pair<std::string, std::string>{"veto", "false"}));

  spec = ParseModelSpec("parity(domestic=nash(veto=false), note=\"a, b\")");
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  ASSERT_EQ(spec->arguments.size(), 2u);
  EXPECT_EQ(spec->arguments[0].second, "nash(veto=false)");
  EXPECT_EQ(spec->arguments[1].second, "a, b");

  spec = ParseModelSpec("compromise()");
  ASSERT_TRUE(spec.has_value());
  EXPECT_TRUE(spec->arguments.empty());
}

TEST(ModelSpec, RejectsMalformedSpecifications) {
  for (const char* bad :
       {"", "(x=1)", "nash(veto)", "nash(veto=true", "nash veto", "nash(=1)",
        "nash(veto=true, veto=false)", "nash(a=(b)"}) {
    SCOPED_TRACE(bad);
    Result<ModelSpec> spec = ParseModelSpec(bad);
    ASSERT_FALSE(spec.has_value());
    EXPECT_EQ(spec.error().kind(), ErrorKind::kInvalidArgument);
  }
}

TEST(LoadModel, UnknownNameListsTheRegisteredModels) {
  Result<std::unique_ptr<Model>> model = LoadModel("bargain");
  ASSERT_FALSE(model.has_value());
  std::string message = model.error().ToString();
  EXPECT_TRUE(
      message.starts_with("unknown model \"bargain\"; expected one of "))
      << message;
  for (const RegisteredModel& m : RegisteredModels()) {
    EXPECT_NE(message.find(m.info->short_name), std::string::npos)
        << m.info->short_name;
  }
}

TEST(LoadModel, ChecksParameterNamesTypesAndRanges) {
  Result<std::unique_ptr<Model>> model = LoadModel("nash(vetoes=true)");
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().ToString(),
            "model \"nash\" has no parameter \"vetoes\"; expected one of veto");
  model = LoadModel("nash(veto=1)");
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(
      model.error().ToString(),
      "parameter \"veto\" of model \"nash\" is \"1\"; expected true or false");
  model = LoadModel("compromise(weights=gdp)");
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().ToString(),
            "parameter \"weights\" of model \"compromise\" is \"gdp\"; "
            "expected one of "
            "capability_salience, salience, none");
}

TEST(LoadModel, FillsDefaultsAndKeepsGivenValues) {
  Result<std::unique_ptr<Model>> model = LoadModel("nash");
  ASSERT_TRUE(model.has_value());
  EXPECT_TRUE((*model)->parameters().GetBool("veto"));
  EXPECT_EQ(CanonicalSpec(**model), "nash(veto=true)");
  model = LoadModel("nash(veto=false)");
  ASSERT_TRUE(model.has_value());
  EXPECT_FALSE((*model)->parameters().GetBool("veto"));
}

// Every registered model declares what `unionstate models` prints.
TEST(Registry, EveryModelDescribesItselfAndItsParameters) {
  ASSERT_GE(RegisteredModels().size(), 2u);
  for (const RegisteredModel& m : RegisteredModels()) {
    SCOPED_TRACE(m.info->short_name);
    EXPECT_FALSE(m.info->long_name.empty());
    EXPECT_FALSE(m.info->summary.empty());
    EXPECT_FALSE(m.info->citation.empty());
    for (const ParameterSpec& p : m.info->parameters) {
      EXPECT_FALSE(p.meaning.empty()) << p.name;
    }
    Result<std::unique_ptr<Model>> model = LoadModel(m.info->short_name);
    ASSERT_TRUE(model.has_value()) << model.error().ToString();
    EXPECT_EQ(&(*model)->info(), m.info);
  }
}

}  // namespace
}  // namespace unionstate
