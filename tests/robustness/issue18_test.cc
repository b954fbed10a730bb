// Regression tests for issue 18, items 4 and 8: what a new user's trial and
// a sanitizer audit broke. Each test is named after what it pins.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <string>

#include "common/toml_guard.h"
#include "ensemble/run_codec.h"
#include "tests/support/invariants.h"
#include "unionstate/ensemble.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

// The first diagnostic of a load that must fail.
std::string FirstError(std::string_view text, const std::string& file,
                       std::optional<InputFormat> format = std::nullopt) {
  Result<Scenario> s = ParseScenario(text, file, {.format = format});
  if (s) return "<loaded>";
  return s.error().diagnostics().empty() ? s.error().ToString()
                                         : s.error().diagnostics()[0].ToString();
}

TEST(Issue18, KtabCsvCountsAreBoundedBeforeTheySizeAnything) {
  // 3 + 2 * 2^63 wraps to 3: the header check passed and the rows were read
  // past the header's end.
  EXPECT_EQ(FirstError("name,desc,1,9223372036854775808\n"
                       "Actor,Desc,Power,P1,S1\na,b,1,2,3\n",
                       "k.csv"),
            "k.csv:1:13: the first line announces 1 actors and "
            "9223372036854775808 dimensions; expected at most 10000 actors "
            "and 10000 dimensions");
  // 1e300 does not fit a size_t: the conversion was undefined.
  EXPECT_EQ(FirstError("x,y,1e300,1\nActor,Desc,Power,P1,S1\na,b,1,2,3\n",
                       "k.csv"),
            "k.csv:1:5: the first line announces 1e300 actors and 1 "
            "dimensions; expected at most 10000 actors and 10000 dimensions");
}

std::string TomlWithScale(const std::string& scale,
                          const std::string& capability = "1") {
  return fmt::format(
      "[scenario]\nname = \"s\"\n[[actors]]\nid = \"a\"\ncapability = {}\n"
      "[[actors]]\nid = \"b\"\ncapability = 1\n[[issues]]\nid = \"i\"\n{}\n",
      capability, scale);
}

TEST(Issue18, ScalesAndWeightsWhoseArithmeticOverflowsAreRefused) {
  const std::string limits =
      "expected min and max within +-1000000000000 and max - min at least "
      "1e-09 times the larger of 1, |min| and |max|";
  // max - min is infinite: smp read a class index of -1.
  EXPECT_EQ(FirstError(TomlWithScale("min = -1e308\nmax = 1e308"), "s.toml"),
            "s.toml:9:1: issue \"i\" has the scale [-1e+308, 1e+308]; " +
                limits);
  // smp forecast 0.0.
  EXPECT_EQ(FirstError(TomlWithScale("min = 0\nmax = 1e308"), "s.toml"),
            "s.toml:9:1: issue \"i\" has the scale [0, 1e+308]; " + limits);
  // nash: "slope is NaN" on widths of about 1e-200 and beyond 1e155.
  EXPECT_EQ(FirstError(TomlWithScale("min = 0\nmax = 1e-200"), "s.toml"),
            "s.toml:9:1: issue \"i\" has the scale [0, 1e-200]; " + limits);
  EXPECT_EQ(FirstError(TomlWithScale("min = 0\nmax = 1e156"), "s.toml"),
            "s.toml:9:1: issue \"i\" has the scale [0, 1e+156]; " + limits);
  // Positions collapse to a handful of doubles.
  EXPECT_EQ(FirstError(TomlWithScale("min = 1e9\nmax = 1000000000.5"),
                       "s.toml"),
            "s.toml:9:1: issue \"i\" has the scale [1000000000, "
            "1000000000.5]; " +
                limits);
  // parity aborted on a capability of 1e308.
  for (const char* capability : {"1e300", "1e308", "1e13"}) {
    EXPECT_EQ(
        FirstError(TomlWithScale("min = 0\nmax = 100", capability), "s.toml"),
        fmt::format("s.toml:5:14: capability {} is outside [0, "
                    "1000000000000]; expected a number from 0 to 1000000000000",
                    fmt::format("{}", std::stod(capability))));
  }
  // At the limits everything loads.
  EXPECT_EQ(FirstError(TomlWithScale("min = -1e12\nmax = 1e12", "1e12"),
                       "s.toml"),
            "<loaded>");
  EXPECT_EQ(FirstError(TomlWithScale("min = 0\nmax = 1e-9"), "s.toml"),
            "<loaded>");
}

// Every model, on scenarios built from the corners of the limits: scales at
// the largest magnitude and the smallest width, capabilities 0 and 1e12,
// saliences 0 and 1, positions on the bounds. No check may fail, and every
// forecast keeps the conformance invariants.
TEST(Issue18, EveryModelKeepsItsInvariantsAtTheLimits) {
  struct Scale {
    double min, max;
  };
  const std::vector<Scale> scales = {
      {-1e12, 1e12}, {0, 1e-9}, {1e12 - 1e4, 1e12}, {-1e12, -1e12 + 1e4},
      {0, 100}};
  for (const RegisteredModel& registered : RegisteredModels()) {
    Result<std::unique_ptr<Model>> model = LoadModel(registered.info->short_name);
    ASSERT_TRUE(model.has_value());
    const int min_actors = std::max(2, (*model)->info().min_actors);
    bool ok = rc::check(registered.info->short_name, [&] {
      Scenario s;
      s.name = "limits";
      const int actors = *rc::gen::inRange(min_actors, 6);
      const int issues = *rc::gen::inRange(1, 4);
      for (int a = 0; a < actors; ++a) {
        Actor actor;
        actor.id = fmt::format("a{}", a);
        actor.side = a % 2 ? "west" : "east";
        actor.veto = *rc::gen::arbitrary<bool>();
        actor.capability.value = *rc::gen::element(0.0, 1e-3, 1.0, 1e12);
        s.actors.push_back(actor);
      }
      for (int i = 0; i < issues; ++i) {
        const Scale scale = *rc::gen::elementOf(scales);
        Issue issue;
        issue.id = fmt::format("i{}", i);
        issue.min = scale.min;
        issue.max = scale.max;
        issue.rule = *rc::gen::element(DecisionRule::kUnanimity,
                                       DecisionRule::kParity,
                                       DecisionRule::kMajority);
        auto on_scale = [&] {
          return *rc::gen::element(scale.min, scale.max,
                                   scale.min + (scale.max - scale.min) / 3);
        };
        if (*rc::gen::arbitrary<bool>())
          issue.status_quo = Quantity{on_scale(), "", {}, {}};
        s.issues.push_back(issue);
        for (int a = 0; a < actors; ++a) {
          if (*rc::gen::inRange(0, 5) == 0) continue;  // takes no part
          Stance st;
          st.actor = a;
          st.issue = i;
          st.position.value = on_scale();
          st.salience.value = *rc::gen::element(0.0, 1e-6, 0.5, 1.0);
          if (*rc::gen::inRange(0, 4) == 0)
            st.capability = Quantity{*rc::gen::element(0.0, 1e12), "", {}, {}};
          s.stances.push_back(st);
        }
      }
      Result<Scenario> valid = ValidateScenario(std::move(s));
      if (!valid) RC_FAIL(valid.error().ToString());
      Result<Forecast> f = (*model)->Run(*valid, {.seed = 5});
      // A model may refuse a scenario it cannot read (smp wants some
      // capability and salience), as a located analyst's error.
      if (!f) {
        RC_ASSERT(f.error().kind() == ErrorKind::kInvalidInput);
        return;
      }
      std::vector<std::string> bad = testing::ConformanceViolations(*valid, *f);
      if (!bad.empty()) RC_FAIL(bad.front());
    });
    EXPECT_TRUE(ok) << registered.info->short_name;
  }
}

TEST(Issue18, TomlParserBugsOfTomlPlusPlus330AreHarmless) {
  // PR #301: `[` and a line break tripped an assumption in parse_key().
  EXPECT_EQ(FirstError("[\nname = 1\n", "t.toml"),
            "t.toml:1:2: a table header has no name after '['; expected a key "
            "such as [[actors]] or [scenario]");
  EXPECT_EQ(FirstError("[[ =\n", "t.toml"),
            "t.toml:1:4: a table header has no name after '['; expected a key "
            "such as [[actors]] or [scenario]");
  // Issues #190/#295: é where toml++ tests for whitespace reached
  // __builtin_unreachable().
  EXPECT_EQ(FirstError("a = \xc3\xa9\n", "t.toml"),
            "t.toml:1:5: a non-ASCII character outside a string or comment; "
            "expected it inside a quoted string or after #");
  EXPECT_EQ(FirstError("a = \"\"\"x \\\n  \xd0\x96\"\"\"\n", "t.toml"),
            "t.toml:2:3: the text continued by a line-ending backslash starts "
            "with a non-ASCII character, which toml++ 3.3.0 cannot read "
            "there; expected an ASCII character first, or no backslash");
  // A date, a space and one digit: parse_value() assumed a time after it
  // (found by the observed-results fuzzer). Full date-times, dates alone
  // and dates inside strings or arrays of dates still pass (below).
  EXPECT_EQ(FirstError("as_of = 2021-11-04 1\n", "t.toml"),
            "t.toml:1:9: a value shaped like a date is followed by a space and "
            "one digit; expected a time HH:MM:SS after the space (2021-11-04 "
            "09:30:00) or the date alone");
  EXPECT_EQ(
      FirstError("d = [2021-1_1-04 7]\ndate = 2019-12-on 4 N\n", "t.toml"),
      "t.toml:1:6: a value shaped like a date is followed by a space and "
      "one digit; expected a time HH:MM:SS after the space (2021-11-04 "
      "09:30:00) or the date alone");
  EXPECT_EQ(FirstError("date = 2019-12-on 4 November\n", "t.toml"),
            "t.toml:1:8: a value shaped like a date is followed by a space and "
            "one digit; expected a time HH:MM:SS after the space (2021-11-04 "
            "09:30:00) or the date alone");
  EXPECT_EQ(internal::FindTomlParserTrap(
                "when = 2021-11-04 09:30:00\nday = 2021-11-04\n"
                "days = [2021-11-04, 2021-11-05]\nnote = \"2021-11-04 1\"\n"
                "n = 2021 # 2021-11-04 1\nlast = 2021-11-04 1",
                "t.toml"),
            std::nullopt);
  // Text in strings and comments is left alone, whatever its alphabet, and
  // arrays of arrays are not table headers.
  const std::string fine =
      "# Союзное государство\n[scenario]\nname = \"Союзное "
      "\\\"государство\\\"\"\n"
      "description = '''é\n[\n'''\nsource = \"\"\"é \\\n  x\"\"\"\n"
      "[[actors]]\nid = 'by'\ncapability = 1\n[[issues]]\nid = \"i\"\nmin = 0\n"
      "max = 10\n"
      "[[positions]]\nactor = \"by\"\nissue = \"i\"\nposition = 5\n"
      "salience = 1\n";
  Result<Scenario> s = ParseScenario(fine, "fine.toml");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->name, "Союзное \"государство\"");
  EXPECT_EQ(s->description, "é\n[\n");
}

TEST(Issue18, DenseActorIssueIndexIsBounded) {
  // 10 000 actors and 10 000 issues in a 400 KB decide file: the dense
  // index alone took 400 MB.
  std::string text;
  for (int a = 0; a < 10000; ++a) text += fmt::format("#A;a{}\n", a);
  for (int i = 0; i < 10000; ++i) text += fmt::format("#P;p{}\n", i);
  text += "#D;a0;p0;50;1;1\n";
  EXPECT_EQ(FirstError(text, "big.csv", InputFormat::kDecide),
            "big.csv: the scenario has 10000 actors and 10000 issues, "
            "100000000 pairs; expected at most 1000000 actor-issue pairs");
  text = "#A;a0\n";
  for (int a = 0; a < 10001; ++a) text += fmt::format("#P;p{}\n", a);
  EXPECT_EQ(FirstError(text, "wide.csv", InputFormat::kDecide),
            "wide.csv: the scenario has 10001 issues; expected at most 10000");
}

TEST(Issue18, PerturbationsThatOverflowTheDrawsAreRefused) {
  // positions=1e300: sd = 1e298 scales, sd * quantile = inf, and the
  // ensemble's sensitivities came out NaN (null in JSON).
  Result<Perturbation> p = ParsePerturbation("positions=1e300");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().ToString(),
            "--perturb: positions=1e300 is beyond 1000; expected at most 1000 "
            "(% of the scale)");
  p = ParsePerturbation("capabilities=1000.5");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().ToString(),
            "--perturb: capabilities=1000.5 is beyond 1000; expected at most "
            "1000 (times the capability)");
  p = ParsePerturbation("positions=1000,capabilities=1000,saliences=1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->positions, 1000);
}

TEST(Issue18, MpiGatherChecksCountsAgainstTheReceivedBytes) {
  std::vector<RunRecord> runs(2);
  runs[0] = {7, {1.5, 2.5}, {10, 20}, {1, 0}, {{}, {"ru", "by"}}};
  runs[1] = {9, {}, {30}, {0}, {{"x"}}};
  const std::string bytes = internal::EncodeRuns(runs, true);
  std::vector<RunRecord> back;
  ASSERT_EQ(internal::DecodeRuns(bytes, back), std::optional<bool>(true));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].run, 7u);
  EXPECT_EQ(back[0].inputs, runs[0].inputs);
  EXPECT_EQ(back[0].blocking[1], runs[0].blocking[1]);
  EXPECT_EQ(back[1].outcomes, runs[1].outcomes);
  // Every truncation, and every byte set to 0xff (a count of 2^64 - 1 in
  // any count's place), is refused without reading past the buffer.
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<RunRecord> out;
    EXPECT_EQ(internal::DecodeRuns(std::string_view(bytes).substr(0, n), out),
              std::nullopt)
        << n;
    EXPECT_TRUE(out.empty());
    std::string corrupt = bytes;
    corrupt[n] = '\xff';
    (void)internal::DecodeRuns(corrupt, out);
  }
  std::vector<RunRecord> out;
  EXPECT_EQ(internal::DecodeRuns(bytes + "x", out), std::nullopt);
}

}  // namespace
}  // namespace unionstate
