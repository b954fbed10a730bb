#include "scenario/scenario_image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

#include "scenario/builtin_files.h"
#include "scenario/parsers.h"
#include "tests/support/fuzz_targets.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"

namespace unionstate::internal {
namespace {

// Doubles compare by their bits: the image must give back -0.0, not 0.0.
void ExpectSameNumber(double a, double b, const std::string& what) {
  EXPECT_EQ(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(b))
      << what << ": " << a << " vs " << b;
}

void ExpectSameWhere(const SourceLocation& a, const SourceLocation& b,
                     const std::string& what) {
  EXPECT_EQ(a.file, b.file) << what;
  EXPECT_EQ(a.line, b.line) << what;
  EXPECT_EQ(a.column, b.column) << what;
}

void ExpectSameNumbers(const std::vector<double>& a,
                       const std::vector<double>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t k = 0; k < a.size(); ++k) ExpectSameNumber(a[k], b[k], what);
}

void ExpectSameQuantity(const Quantity& a, const Quantity& b,
                        const std::string& what) {
  ExpectSameNumber(a.value, b.value, what);
  EXPECT_EQ(a.source, b.source) << what;
  ExpectSameWhere(a.where, b.where, what);
  ASSERT_EQ(a.uncertainty.has_value(), b.uncertainty.has_value()) << what;
  if (!a.uncertainty) return;
  const Uncertainty& u = *a.uncertainty;
  const Uncertainty& v = *b.uncertainty;
  EXPECT_EQ(u.kind, v.kind) << what;
  ExpectSameNumber(u.sd, v.sd, what + " sd");
  ExpectSameNumber(u.lower, v.lower, what + " lower");
  ExpectSameNumber(u.upper, v.upper, what + " upper");
  ExpectSameNumbers(u.values, v.values, what + " values");
  ExpectSameNumbers(u.weights, v.weights, what + " weights");
  ExpectSameWhere(u.where, v.where, what);
}

void ExpectSameOptQuantity(const std::optional<Quantity>& a,
                           const std::optional<Quantity>& b,
                           const std::string& what) {
  ASSERT_EQ(a.has_value(), b.has_value()) << what;
  if (a) ExpectSameQuantity(*a, *b, what);
}

// Every field of Scenario, one by one (written from the struct, not from
// the encoder, so that a field the encoder forgets shows here).
void ExpectSameScenario(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.as_of, b.as_of);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.reference_class, b.reference_class);
  ExpectSameWhere(a.reference_class_where, b.reference_class_where,
                  "reference_class");
  ASSERT_EQ(a.actors.size(), b.actors.size());
  for (size_t k = 0; k < a.actors.size(); ++k) {
    const Actor& x = a.actors[k];
    const Actor& y = b.actors[k];
    const std::string what = "actor " + x.id;
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.side, y.side) << what;
    ExpectSameQuantity(x.capability, y.capability, what + " capability");
    EXPECT_EQ(x.veto, y.veto) << what;
    EXPECT_EQ(x.description, y.description) << what;
    EXPECT_EQ(x.source, y.source) << what;
    ExpectSameWhere(x.where, y.where, what);
  }
  ASSERT_EQ(a.issues.size(), b.issues.size());
  for (size_t k = 0; k < a.issues.size(); ++k) {
    const Issue& x = a.issues[k];
    const Issue& y = b.issues[k];
    const std::string what = "issue " + x.id;
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.description, y.description) << what;
    EXPECT_EQ(x.unit, y.unit) << what;
    ExpectSameNumber(x.min, y.min, what + " min");
    ExpectSameNumber(x.max, y.max, what + " max");
    ExpectSameOptQuantity(x.status_quo, y.status_quo, what + " status quo");
    EXPECT_EQ(x.deadline, y.deadline) << what;
    EXPECT_EQ(x.opened, y.opened) << what;
    EXPECT_EQ(x.measures, y.measures) << what;
    ExpectSameWhere(x.opened_where, y.opened_where, what + " opened");
    ExpectSameWhere(x.measures_where, y.measures_where, what + " measures");
    EXPECT_EQ(x.rule, y.rule) << what;
    ASSERT_EQ(x.observed.has_value(), y.observed.has_value()) << what;
    if (x.observed) ExpectSameNumber(*x.observed, *y.observed, what);
    EXPECT_EQ(x.source, y.source) << what;
    ExpectSameWhere(x.where, y.where, what);
  }
  ASSERT_EQ(a.stances.size(), b.stances.size());
  for (size_t k = 0; k < a.stances.size(); ++k) {
    const Stance& x = a.stances[k];
    const Stance& y = b.stances[k];
    const std::string what = "stance " + std::to_string(k);
    EXPECT_EQ(x.actor, y.actor) << what;
    EXPECT_EQ(x.issue, y.issue) << what;
    ExpectSameQuantity(x.position, y.position, what + " position");
    ExpectSameQuantity(x.salience, y.salience, what + " salience");
    ExpectSameOptQuantity(x.capability, y.capability, what + " capability");
    EXPECT_EQ(x.source, y.source) << what;
    ExpectSameWhere(x.where, y.where, what);
  }
  ASSERT_EQ(a.packages.size(), b.packages.size());
  for (size_t k = 0; k < a.packages.size(); ++k) {
    const Package& x = a.packages[k];
    const Package& y = b.packages[k];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.issues, y.issues);
    EXPECT_EQ(x.source, y.source);
    ExpectSameWhere(x.where, y.where, "package " + x.id);
  }
  ASSERT_EQ(a.ideal_adjustments.size(), b.ideal_adjustments.size());
  for (size_t k = 0; k < a.ideal_adjustments.size(); ++k) {
    const IdealAdjustment& x = a.ideal_adjustments[k];
    const IdealAdjustment& y = b.ideal_adjustments[k];
    EXPECT_EQ(x.actor, y.actor);
    EXPECT_EQ(x.reference, y.reference);
    ExpectSameNumber(x.rate, y.rate, "ideal adjustment rate");
    ExpectSameWhere(x.where, y.where, "ideal adjustment");
  }
  ASSERT_EQ(a.dossiers.size(), b.dossiers.size());
  for (size_t k = 0; k < a.dossiers.size(); ++k) {
    const Dossier& x = a.dossiers[k];
    const Dossier& y = b.dossiers[k];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.issues, y.issues);
    EXPECT_EQ(x.source, y.source);
    ExpectSameWhere(x.where, y.where, "dossier " + x.id);
  }
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t k = 0; k < a.events.size(); ++k) {
    const TimelineEvent& x = a.events[k];
    const TimelineEvent& y = b.events[k];
    const std::string what = "event " + std::to_string(k);
    EXPECT_EQ(x.date, y.date) << what;
    EXPECT_EQ(x.issue, y.issue) << what;
    EXPECT_EQ(x.kind, y.kind) << what;
    EXPECT_EQ(x.new_deadline, y.new_deadline) << what;
    ASSERT_EQ(x.value.has_value(), y.value.has_value()) << what;
    if (x.value) ExpectSameNumber(*x.value, *y.value, what);
    EXPECT_EQ(x.count, y.count) << what;
    EXPECT_EQ(x.note, y.note) << what;
    EXPECT_EQ(x.source, y.source) << what;
    ExpectSameWhere(x.where, y.where, what);
  }
  EXPECT_EQ(a.stance_index, b.stance_index);
}

// The scenario read from its text by toml++ and validated, as every file
// that is not a built-in scenario is read (ParseScenario itself would take
// the image for a built-in text).
Result<Scenario> FromText(std::string_view text, const std::string& file) {
  return Finish(ParseToml(text, file));
}

const EmbeddedImage* ImageOf(std::string_view label) {
  for (const EmbeddedImage& image : EmbeddedImages()) {
    if (image.label == label) return &image;
  }
  return nullptr;
}

// Every built-in TOML file that is a valid scenario has an image, and the
// image decodes to exactly the scenario its text reads as, under its own
// name and under any other file name.
TEST(ScenarioImage, EveryBuiltinScenarioDecodesToWhatItsTextReads) {
  int scenarios = 0;
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (!file.label.ends_with(".toml")) continue;
    const std::string label(file.label);
    Result<Scenario> parsed = FromText(file.text, label);
    const EmbeddedImage* image = ImageOf(file.label);
    if (!parsed) {
      EXPECT_EQ(image, nullptr) << label << " is no scenario but has an image";
      continue;
    }
    ++scenarios;
    ASSERT_NE(image, nullptr) << label;
    SCOPED_TRACE(label);
    Result<Scenario> decoded =
        DecodeScenarioImage(image->bytes, label, file.text.size());
    ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
    ExpectSameScenario(*parsed, *decoded);
    // The image is what the encoder makes of the parsed scenario now (the
    // build did not keep a stale one).
    EXPECT_EQ(EncodeScenarioImage(*parsed, file.text.size()), image->bytes);

    const std::string other = "elsewhere/copy.toml";
    Result<Scenario> parsed_other = FromText(file.text, other);
    Result<Scenario> loaded_other = ParseScenario(file.text, other, {});
    ASSERT_TRUE(parsed_other.has_value());
    ASSERT_TRUE(loaded_other.has_value());
    ExpectSameScenario(*parsed_other, *loaded_other);
    EXPECT_EQ(loaded_other->actors.front().where.file, other);
  }
  // 2019-12 and 2021-09 (observed-2021-11.toml holds observations).
  EXPECT_GE(scenarios, 2);
}

// Every model forecasts byte for byte the same from the image as from the
// text, on every built-in scenario.
TEST(ScenarioImage, EveryModelForecastsTheSameFromImageAndText) {
  for (const EmbeddedImage& image : EmbeddedImages()) {
    std::optional<BuiltinFile> file = FindBuiltinFile(image.label);
    ASSERT_TRUE(file.has_value());
    const std::string label(image.label);
    Result<Scenario> parsed = FromText(file->text, label);
    Result<Scenario> decoded = LoadBuiltinScenario(image.label);
    ASSERT_TRUE(parsed.has_value());
    ASSERT_TRUE(decoded.has_value());
    for (const RegisteredModel& registered : RegisteredModels()) {
      Result<std::unique_ptr<Model>> model =
          LoadModel(registered.info->short_name);
      ASSERT_TRUE(model.has_value());
      Result<Forecast> a = (*model)->Run(*parsed, {.seed = 5});
      Result<Forecast> b = (*model)->Run(*decoded, {.seed = 5});
      ASSERT_EQ(a.has_value(), b.has_value()) << registered.info->short_name;
      if (!a) {
        EXPECT_EQ(a.error().ToString(), b.error().ToString());
        continue;
      }
      EXPECT_EQ(ForecastToJson(*parsed, *a), ForecastToJson(*decoded, *b))
          << registered.info->short_name << " on " << label;
    }
  }
}

// A text that differs from a built-in one by a byte is read by the parser,
// with its mistakes located as ever.
TEST(ScenarioImage, AnEditedBuiltinTextIsParsedAndLocated) {
  std::optional<BuiltinFile> file = FindBuiltinFile("2021-09.toml");
  ASSERT_TRUE(file.has_value());
  std::string text(file->text);
  const int lines =
      static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  text += "\n[[actorz]]\n";
  Result<Scenario> s = ParseScenario(text, "edited.toml", {});
  ASSERT_FALSE(s.has_value());
  const Diagnostic& d = s.error().diagnostics().front();
  EXPECT_EQ(d.where.file, "edited.toml");
  EXPECT_EQ(d.where.line, lines + 2);
  EXPECT_NE(d.message.find("did you mean \"actors\""), std::string::npos)
      << d.message;
}

// The decoder trusts nothing: cut short anywhere, or with any byte changed,
// an image decodes to an error or to a scenario, never out of bounds (the
// sanitizer build runs this too).
TEST(ScenarioImage, DamagedImagesAreRefusedNotTrusted) {
  const EmbeddedImage& first = EmbeddedImages().front();
  const std::string image(first.bytes);
  const uint64_t size = FindBuiltinFile(first.label)->text.size();
  ASSERT_TRUE(DecodeScenarioImage(image, "x.toml", size).has_value());
  EXPECT_FALSE(DecodeScenarioImage(image, "x.toml", size + 1).has_value());
  EXPECT_FALSE(DecodeScenarioImage(image + '\0', "x.toml", size).has_value());
  Result<Scenario> cut = DecodeScenarioImage(
      std::string_view(image).substr(0, image.size() / 2), "x.toml", size);
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().kind(), ErrorKind::kFailed);
  EXPECT_NE(cut.error().ToString().find("damaged"), std::string::npos);

  for (size_t n = 0; n < image.size(); n += (n < 300 ? 1 : 211)) {
    EXPECT_FALSE(DecodeScenarioImage(std::string_view(image).substr(0, n),
                                     "x.toml", size)
                     .has_value())
        << n;
  }
  int refused = 0;
  int tried = 0;
  for (size_t at = 0; at < image.size(); at += 37) {
    for (char value : {'\0', '\x7f', '\xff'}) {
      if (image[at] == value) continue;
      std::string damaged = image;
      damaged[at] = value;
      Result<Scenario> s = DecodeScenarioImage(damaged, "x.toml", size);
      ++tried;
      if (!s) {
        ++refused;
        continue;
      }
      // Whatever decodes is structurally sound: indices in range.
      for (const Stance& stance : s->stances) {
        ASSERT_LT(static_cast<size_t>(stance.actor), s->actors.size());
        ASSERT_LT(static_cast<size_t>(stance.issue), s->issues.size());
      }
      for (const TimelineEvent& e : s->events) {
        ASSERT_LT(e.issue, static_cast<int>(s->issues.size()));
      }
    }
  }
  // Most damage lands in text, which stays text; counts, tags, flags,
  // enumerations and indices are refused.
  EXPECT_GT(refused, 0);
  EXPECT_GT(tried, refused);
}

// The text size an image records is what its text measures, so a holder
// of the image alone (the scenario_image fuzz target) can decode it.
TEST(ScenarioImage, TheRecordedTextSizeIsTheText) {
  ASSERT_FALSE(EmbeddedImages().empty());
  for (const EmbeddedImage& image : EmbeddedImages()) {
    SCOPED_TRACE(std::string(image.label));
    const uint64_t size = FindBuiltinFile(image.label)->text.size();
    EXPECT_EQ(ScenarioImageTextSize(image.bytes), size);
    EXPECT_EQ(ScenarioImageTextSize(image.bytes.substr(0, 37)), std::nullopt);
    EXPECT_EQ(ScenarioImageTextSize(image.bytes.substr(0, 38)), size);
    std::string other(image.bytes);
    other[0] = 'U';
    EXPECT_EQ(ScenarioImageTextSize(other), std::nullopt);
  }
}

// ParseScenario tries a built-in image before it detects the format, which
// is right only because every text with an image is detected as TOML.
TEST(ScenarioImage, EveryTextWithAnImageIsDetectedAsToml) {
  for (const EmbeddedImage& image : EmbeddedImages()) {
    std::optional<BuiltinFile> file = FindBuiltinFile(image.label);
    ASSERT_TRUE(file.has_value()) << image.label;
    Result<InputFormat> format =
        DetectInputFormat(file->text, std::string(image.label));
    ASSERT_TRUE(format.has_value()) << image.label;
    EXPECT_EQ(*format, InputFormat::kToml) << image.label;
  }
}

// The scenario_image fuzz target (fuzz/README.md) on its seeds and on a
// damaged one: its properties hold (a broken one aborts).
TEST(ScenarioImage, TheFuzzTargetRunsCleanOnTheBuiltinImages) {
  for (const EmbeddedImage& image : EmbeddedImages()) {
    EXPECT_TRUE(testing::RunFuzzTarget("scenario_image", image.bytes));
    std::string damaged(image.bytes);
    damaged[damaged.size() / 3] ^= 0x55;
    EXPECT_TRUE(testing::RunFuzzTarget("scenario_image", damaged));
  }
}

// An image whose stance names an actor past the end is refused.
TEST(ScenarioImage, AnIndexOutOfRangeIsRefused) {
  Scenario s;
  s.file = "t.toml";
  s.name = "t";
  Actor actor;
  actor.id = "a";
  s.actors.push_back(actor);
  Issue issue;
  issue.id = "i";
  s.issues.push_back(issue);
  Stance stance;
  stance.actor = 0;
  stance.issue = 0;
  s.stances.push_back(stance);
  ASSERT_TRUE(DecodeScenarioImage(EncodeScenarioImage(s, 7), "t.toml", 7));
  s.stances[0].actor = 1;
  Result<Scenario> bad =
      DecodeScenarioImage(EncodeScenarioImage(s, 7), "t.toml", 7);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().ToString().find("index is out of range"),
            std::string::npos)
      << bad.error().ToString();
  s.stances[0].actor = 0;
  s.stances.push_back(s.stances[0]);
  bad = DecodeScenarioImage(EncodeScenarioImage(s, 7), "t.toml", 7);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().ToString().find("two stances"), std::string::npos);
}

// A quantity's uncertainty is boxed on the heap (scenario.h): it reads as
// std::optional does, and a copy is a copy of the value, not a share of it.
TEST(Quantity, BoxedUncertaintyReadsAsAnOptionalAndCopiesItsValue) {
  Quantity q;
  EXPECT_FALSE(q.uncertainty.has_value());
  EXPECT_FALSE(q.uncertainty);
  Uncertainty u;
  u.kind = Uncertainty::Kind::kDiscrete;
  u.values = {1, 2, 3};
  q.uncertainty = u;
  ASSERT_TRUE(q.uncertainty);
  EXPECT_EQ(q.uncertainty->values, (std::vector<double>{1, 2, 3}));
  Quantity copy = q;
  copy.uncertainty->values.push_back(4);
  EXPECT_EQ(q.uncertainty->values.size(), 3u);
  EXPECT_EQ((*copy.uncertainty).values.size(), 4u);
  Quantity assigned;
  assigned = copy;
  EXPECT_EQ(assigned.uncertainty->values.size(), 4u);
  Quantity moved = std::move(assigned);
  EXPECT_EQ(moved.uncertainty->kind, Uncertainty::Kind::kDiscrete);
  moved.uncertainty = std::nullopt;
  EXPECT_FALSE(moved.uncertainty);
  EXPECT_LT(sizeof(Quantity), sizeof(std::optional<Uncertainty>));
}

}  // namespace
}  // namespace unionstate::internal
