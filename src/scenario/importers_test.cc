// The importers (import_bdm.cc, import_ktab.cc, import_decide.cc,
// import_deu.cc) on every file of their format under shared/oracles, and
// format detection (scenario_io.cc) on all of them.

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::LoadOrDie;
using testing::ReadText;
using testing::SharedPath;
using testing::SourcePath;

struct OracleFile {
  const char* path;
  InputFormat format;
  size_t actors;
  size_t issues;
  size_t stances;
};

const OracleFile kOracleFiles[] = {
    {"oracles/bdm_scholz/ExampleActors.csv", InputFormat::kBdm, 10, 1, 10},
    {"oracles/bdm_scholz/ExampleActors_salience0-100.csv", InputFormat::kBdm,
     10, 1, 10},
    {"oracles/bdm_scholz/Sultan.csv", InputFormat::kBdm, 17, 1, 17},
    {"oracles/bdm_scholz/ChinaData.csv", InputFormat::kBdm, 24, 1, 24},
    {"oracles/bdm_scholz/HondurasCrisisData.csv", InputFormat::kBdm, 5, 1, 5},
    {"oracles/mean_voter_greece/greece.csv", InputFormat::kBdm, 11, 1, 11},
    {"oracles/ktab_smp/dummyData_3Dim.csv", InputFormat::kKtab, 7, 3, 21},
    {"oracles/ktab_smp/SOE-Pol-Comp.csv", InputFormat::kKtab, 13, 2, 26},
    {"oracles/exchange_model/sample_data.txt", InputFormat::kDecide, 10, 6, 60},
    {"oracles/exchange_model/cop21.csv", InputFormat::kDecide, 15, 13, 181},
    {"oracles/exchange_model/CoP21_2016.csv", InputFormat::kDecide, 15, 13,
     181},
    {"oracles/exchange_model/copenhagen.csv", InputFormat::kDecide, 11, 7, 75},
    {"oracles/deu_compromise_nbs/deu3.csv", InputFormat::kDeu, 30, 364, 0},
};

TEST(Importers, LoadAndDetectEveryOracleFile) {
  for (const OracleFile& file : kOracleFiles) {
    SCOPED_TRACE(file.path);
    std::string path = SharedPath(file.path);
    std::string text = ReadText(path);
    Result<InputFormat> detected = DetectInputFormat(text, path);
    ASSERT_TRUE(detected.has_value()) << detected.error().ToString();
    EXPECT_EQ(*detected, file.format);
    Scenario s = LoadOrDie(path);
    EXPECT_EQ(s.actors.size(), file.actors);
    EXPECT_EQ(s.issues.size(), file.issues);
    if (file.stances > 0) {
      EXPECT_EQ(s.stances.size(), file.stances);
    }
  }
}

TEST(ImportBdm, ReadsTheScholzExample) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  EXPECT_EQ(s.name, "ExampleActors");
  EXPECT_EQ(s.actors[1].id, "Belgium");
  EXPECT_DOUBLE_EQ(s.actors[1].capability.value, 0.08);
  const Stance* belgium = s.FindStance(1, 0);
  ASSERT_NE(belgium, nullptr);
  EXPECT_DOUBLE_EQ(belgium->position.value, 7);
  EXPECT_DOUBLE_EQ(belgium->salience.value, 0.4);
  // The scale is the range of the positions.
  EXPECT_DOUBLE_EQ(s.issues[0].min, 4);
  EXPECT_DOUBLE_EQ(s.issues[0].max, 10);
  EXPECT_FALSE(s.issues[0].status_quo.has_value());
  EXPECT_EQ(belgium->position.where.ToString(),
            SharedPath("oracles/bdm_scholz/ExampleActors.csv") + ":3:14");
}

TEST(ImportBdm, ScalesSaliencesWrittenOutOfOneHundred) {
  Scenario unit = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  Scenario hundred = LoadOrDie(
      SharedPath("oracles/bdm_scholz/ExampleActors_salience0-100.csv"));
  ASSERT_EQ(unit.stances.size(), hundred.stances.size());
  for (size_t k = 0; k < unit.stances.size(); ++k) {
    EXPECT_NEAR(unit.stances[k].salience.value,
                hundred.stances[k].salience.value, 1e-15);
    EXPECT_EQ(unit.stances[k].position.value,
              hundred.stances[k].position.value);
  }
}

TEST(ImportBdm, ReadsStakeholderAndClloutHeaders) {
  Scenario china = LoadOrDie(SharedPath("oracles/bdm_scholz/ChinaData.csv"));
  EXPECT_EQ(china.actors[0].id, "Zeming");
  EXPECT_DOUBLE_EQ(china.actors[0].capability.value, 80);
  EXPECT_DOUBLE_EQ(china.FindStance(0, 0)->salience.value, 0.5);
  Scenario greece =
      LoadOrDie(SharedPath("oracles/mean_voter_greece/greece.csv"));
  EXPECT_EQ(greece.actors[0].id, "Greece");
  EXPECT_DOUBLE_EQ(greece.actors[0].capability.value, 100);
  EXPECT_DOUBLE_EQ(greece.FindStance(0, 0)->position.value, 40);
}

TEST(ImportBdm, ReportsBadCellsWithTheirPlace) {
  Result<Scenario> s = ParseScenario(
      "Actor,Capability,Position,Salience\nA,0.1,4,0.5\nB,lots,7,0.5\nC,0.2,"
      "9\n",
      "t.csv");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(
      s.error().ToString(),
      "t.csv:3:3: capability \"lots\" is not a number; expected a number\n"
      "t.csv:4:1: the row has 3 fields; expected 4 (actor, capability, "
      "position, "
      "salience)");
}

TEST(ImportKtab, ReadsTheThreeDimensionalDummy) {
  Scenario s = LoadOrDie(SharedPath("oracles/ktab_smp/dummyData_3Dim.csv"));
  EXPECT_EQ(s.name, "DummyData_3Dim");
  EXPECT_EQ(s.issues[0].id, "pstn1");
  EXPECT_EQ(s.issues[2].id, "pstn3");
  EXPECT_EQ(s.actors[2].id, "SActor-02");
  EXPECT_DOUBLE_EQ(s.actors[2].capability.value, 129.643);
  const Stance* st = s.FindStance(2, 1);
  ASSERT_NE(st, nullptr);
  EXPECT_DOUBLE_EQ(st->position.value, 90.89);
  EXPECT_DOUBLE_EQ(st->salience.value, 13.55 / 100);
}

TEST(ImportKtab, NamesDimensionsAfterTheirHeaders) {
  Scenario s = LoadOrDie(SharedPath("oracles/ktab_smp/SOE-Pol-Comp.csv"));
  EXPECT_EQ(s.issues[0].id, "policy");
  EXPECT_EQ(s.issues[1].id, "competitive");
  EXPECT_EQ(s.actors[0].name, "Xi Jinping");
  EXPECT_DOUBLE_EQ(s.FindStance(12, 1)->position.value, 60);
}

TEST(ImportKtab, ChecksTheAnnouncedActorCount) {
  Result<Scenario> s = ParseScenario(
      "x,y,3,1,\nActor,Description,Power,P1,S1,\nA,a,1,10,50,\nB,b,1,90,50,\n",
      "k.csv");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().ToString(),
            "k.csv:1:5: the first line announces 3 actors but the file has 2; "
            "expected the "
            "same number");
}

// Issue 18, item 6: KTAB's own dummyData_6Dim.csv opens with
// "Combined,All six dimensions of CDMP,27,6,0,,,,,,,,,,": a fifth field and
// empty ones up to the header's width, which smpc ignores. The fixture has
// a first line of that shape.
TEST(ImportKtab, Issue18FirstLineWithAFifthFieldReadsAsSmpcReadsIt) {
  Scenario s = LoadOrDie(SourcePath("tests/data/ktab_fifth_field.csv"));
  EXPECT_EQ(s.name, "Combined");
  EXPECT_EQ(s.description, "Two dimensions of a constructed example");
  ASSERT_EQ(s.actors.size(), 3u);
  ASSERT_EQ(s.issues.size(), 2u);
  EXPECT_EQ(s.actors[2].id, "AA02");
  EXPECT_DOUBLE_EQ(s.actors[0].capability.value, 99.5);
  const Stance* st = s.FindStance(2, 1);
  ASSERT_NE(st, nullptr);
  EXPECT_DOUBLE_EQ(st->position.value, 50);
  EXPECT_DOUBLE_EQ(st->salience.value, 0.30);
  // The counts still come from the third and fourth fields and are checked.
  Result<Scenario> wrong = ParseScenario(
      "x,y,3,1,0,\nActor,Description,Power,P1,S1\nA,a,1,10,50\n", "k.csv");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().ToString().find(
                "the first line announces 3 actors but the file has 1"),
            std::string::npos)
      << wrong.error().ToString();
}

TEST(ImportDecide, ReadsScalesFromTheAnchors) {
  Scenario s = LoadOrDie(SharedPath("oracles/exchange_model/sample_data.txt"));
  int toll = s.FindIssue("tol-hoogte");
  ASSERT_GE(toll, 0);
  EXPECT_DOUBLE_EQ(s.issues[static_cast<size_t>(toll)].min, 0.5);
  EXPECT_DOUBLE_EQ(s.issues[static_cast<size_t>(toll)].max, 7);
  int willems = s.FindActor("Willems");
  const Stance* st = s.FindStance(willems, toll);
  ASSERT_NE(st, nullptr);
  EXPECT_DOUBLE_EQ(st->position.value, 3.0);
  EXPECT_DOUBLE_EQ(st->salience.value, 0.7);
  EXPECT_DOUBLE_EQ(s.CapabilityOf(*st), 1.0);
}

TEST(ImportDecide, BothCop21FilesHoldTheSameNumbers) {
  Scenario now = LoadOrDie(SharedPath("oracles/exchange_model/cop21.csv"));
  Scenario old = LoadOrDie(SharedPath("oracles/exchange_model/CoP21_2016.csv"));
  // Only ids were renamed (AILAC -> AILAC2, adaptlegal -> adapt_legal,
  // LDC -> LDCs_BGD): the old id, lower-cased without '_', starts the new one.
  ASSERT_EQ(now.stances.size(), old.stances.size());
  ASSERT_EQ(now.actors.size(), old.actors.size());
  ASSERT_EQ(now.issues.size(), old.issues.size());
  auto normal = [](std::string id) {
    std::string out;
    for (char c : id) {
      if (c != '_')
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  };
  auto match = [&](const auto& olds, const auto& news, size_t k) {
    int found = -1;
    for (size_t j = 0; j < news.size(); ++j) {
      if (normal(news[j].id).starts_with(normal(olds[k].id))) {
        EXPECT_EQ(found, -1) << olds[k].id << " is ambiguous";
        found = static_cast<int>(j);
      }
    }
    EXPECT_GE(found, 0) << olds[k].id;
    return found;
  };
  for (size_t oa = 0; oa < old.actors.size(); ++oa) {
    int a = match(old.actors, now.actors, oa);
    for (size_t oi = 0; oi < old.issues.size(); ++oi) {
      int i = match(old.issues, now.issues, oi);
      if (a < 0 || i < 0) continue;
      const Stance* x = now.FindStance(a, i);
      const Stance* y =
          old.FindStance(static_cast<int>(oa), static_cast<int>(oi));
      ASSERT_EQ(x == nullptr, y == nullptr);
      if (x == nullptr) continue;
      EXPECT_EQ(x->position.value, y->position.value);
      EXPECT_EQ(x->salience.value, y->salience.value);
      EXPECT_EQ(now.CapabilityOf(*x), old.CapabilityOf(*y));
    }
  }
}

TEST(ImportDecide, KeepsPowerPerIssue) {
  Scenario s = LoadOrDie(SharedPath("oracles/exchange_model/cop21.csv"));
  // Every #D power is reproduced, whether it became the actor's capability
  // or an override.
  std::string text = ReadText(SharedPath("oracles/exchange_model/cop21.csv"));
  size_t checked = 0;
  for (const Stance& st : s.stances) {
    EXPECT_GE(s.CapabilityOf(st), 0);
    EXPECT_LE(s.CapabilityOf(st), 1);
    ++checked;
  }
  EXPECT_EQ(checked, 181u);
}

TEST(ImportDecide, ReportsUnknownActors) {
  Result<Scenario> s = ParseScenario(
      "'#A'\t'a'\t'a'\t''\n'#P'\t'p'\t'p'\t''\n'#D'\t'b'\t'p'\t50\t0.5\t1\n",
      "d.csv");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().ToString(),
            "d.csv:3:6: unknown actor \"b\"; expected an id declared by an #A "
            "record");
}

TEST(ImportDeu, ReadsTheDeuThreeTable) {
  Scenario s = LoadOrDie(SharedPath("oracles/deu_compromise_nbs/deu3.csv"));
  EXPECT_EQ(s.actors[0].id, "com");
  EXPECT_EQ(s.actors[0].name, "European Commission");
  EXPECT_EQ(s.actors[29].id, "uk");
  EXPECT_DOUBLE_EQ(s.actors[12].capability.value, 4.1);  // Germany's GDP line
  size_t observed = 0;
  size_t with_status_quo = 0;
  for (const Issue& issue : s.issues) {
    observed += issue.observed.has_value();
    with_status_quo += issue.status_quo.has_value();
  }
  EXPECT_EQ(observed, 353u);
  EXPECT_EQ(with_status_quo, 261u);
  const Issue& first = s.issues[0];
  EXPECT_EQ(first.id, "d00032i1");
  EXPECT_EQ(first.name, "documents");
  EXPECT_EQ(first.rule, DecisionRule::kQualifiedMajority);
  EXPECT_DOUBLE_EQ(first.status_quo->value, 0);
  EXPECT_DOUBLE_EQ(*first.observed, 100);
  const Stance* commission = s.FindStance(0, 0);
  ASSERT_NE(commission, nullptr);
  EXPECT_DOUBLE_EQ(commission->position.value, 100);
  EXPECT_DOUBLE_EQ(commission->salience.value, 0.5);
  // Austria, Cyprus... are absent where they had no position.
  EXPECT_EQ(s.FindStance(s.FindActor("bu"), 0), nullptr);
}

TEST(ImportKtabXml, NamesTheEmptyCoordinateOfTheShippedExample) {
  std::string path = SharedPath("oracles/ktab_smp/smpExample.xml");
  std::string text = ReadText(path);
  Result<InputFormat> detected = DetectInputFormat(text, path);
  ASSERT_TRUE(detected.has_value());
  EXPECT_EQ(*detected, InputFormat::kKtabXml);
  Result<Scenario> s = LoadScenario(Env::Default(), path);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().ToString(),
            path +
                ":32: <dCoord> (coordinate 1 of actor \"Alice\") is empty; "
                "expected a number");
}

TEST(ImportKtabXml, ReadsActorsDimensionsAdjustmentsAndReportsSettings) {
  std::string text = ReadText(SharedPath("oracles/ktab_smp/smpExample.xml"));
  text.replace(text.find("<dCoord></dCoord>"), 17, "<dCoord>52.8</dCoord>");
  Result<Scenario> s = ParseScenario(text, "smpExample.xml");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->name, "DummyData_3Dim");
  ASSERT_EQ(s->actors.size(), 5u);
  ASSERT_EQ(s->issues.size(), 3u);
  EXPECT_EQ(s->issues[2].id, "yadn");
  EXPECT_EQ(s->actors[3].id, "David");
  EXPECT_DOUBLE_EQ(s->actors[3].capability.value, 135.4);
  const Stance* bob = s->FindStance(1, 1);
  ASSERT_NE(bob, nullptr);
  EXPECT_DOUBLE_EQ(bob->position.value, 61.4);
  EXPECT_DOUBLE_EQ(bob->salience.value, 0.345);
  EXPECT_EQ(bob->position.where.ToString(), "smpExample.xml:49");
  ASSERT_EQ(s->ideal_adjustments.size(), 6u);
  EXPECT_EQ(s->ideal_adjustments[2].actor, 1);
  EXPECT_EQ(s->ideal_adjustments[2].reference, 0);
  EXPECT_DOUBLE_EQ(s->ideal_adjustments[2].rate, 0.07);
  EXPECT_NE(s->description.find(
                "--model 'smp(victory=linear, pce=markov_incentive, "
                "transitions=stochastic, voting=prop_cubic, "
                "risk_adjust=one_third, risk_range=mid, commitment=semi, "
                "interpolation=s2p2, bargain=initiator)' --seed "
                "03507583219545544127"),
            std::string::npos)
      << s->description;
}

TEST(ImportKtabXml, ReportsEveryMistakeWithItsLine) {
  const char* text =
      "<?xml version=\"1.0\"?>\n"
      "<Scenario>\n"
      "  <name>x</name><prngSeed>1</prngSeed>\n"
      "  <ModelParameters><VictoryProbModel>Lin</VictoryProbModel>"
      "</ModelParameters>\n"
      "  <Dimensions><dName>A</dName></Dimensions>\n"
      "  <Actors>\n"
      "    <Actor><name>P</name><capability>ten</capability>\n"
      "      <Position><dCoord>1</dCoord><dCoord>2</dCoord></Position>\n"
      "      <Salience><dSal>10</dSal></Salience></Actor>\n"
      "  </Actors>\n"
      "  <IdealAdjustment><iaPair><adjustingIdeal>P</adjustingIdeal>"
      "<referencePos>Q</referencePos><adjust>0.1</adjust></iaPair>"
      "</IdealAdjustment>\n"
      "</Scenario>\n";
  Result<Scenario> s = ParseScenario(text, "bad.xml");
  ASSERT_FALSE(s.has_value());
  std::string errors = s.error().ToString();
  EXPECT_NE(errors.find("bad.xml:4: <VictoryProbModel> is \"Lin\"; expected "
                        "one of Linear, Square"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("bad.xml:7: <capability> (capability of actor \"P\") "
                        "is \"ten\"; expected a number"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("bad.xml:8: <Position> of actor \"P\" has 2 <dCoord>; "
                        "expected 1"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("bad.xml:11: <referencePos> names \"Q\""),
            std::string::npos)
      << errors;
  Result<Scenario> broken = ParseScenario("<Scenario><name>", "cut.xml");
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().ToString().find("cut.xml:1: the file is not "
                                           "well-formed XML"),
            std::string::npos)
      << broken.error().ToString();
}

TEST(ImportKtabXml, IdealAdjustmentsOfOneActorSumToAtMostOne) {
  // Alice's rate toward herself stays 1 unless given, so 0.5 toward Bob
  // makes 1.5.
  const char* text =
      "<Scenario><name>x</name>\n"
      "<Dimensions><dName>A</dName></Dimensions>\n"
      "<Actors>\n"
      "<Actor><name>Alice</name><capability>1</capability><Position><dCoord>"
      "10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>\n"
      "<Actor><name>Bob</name><capability>1</capability><Position><dCoord>"
      "90</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>\n"
      "</Actors>\n"
      "<IdealAdjustment>\n"
      "<iaPair><adjustingIdeal>Alice</adjustingIdeal><referencePos>Bob"
      "</referencePos><adjust>0.5</adjust></iaPair>\n"
      "</IdealAdjustment></Scenario>\n";
  Result<Scenario> s = ParseScenario(text, "sum.xml");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().ToString(),
            "sum.xml:8: the ideal adjustments of actor \"Alice\" sum to 1.5 "
            "(its own rate is 1 unless given); expected at most 1");
}

TEST(ScenarioIo, DetectionFailsWithAHint) {
  Result<InputFormat> f =
      DetectInputFormat("just some words\nand more\n", "notes.txt");
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().ToString(),
            "notes.txt:1:1: cannot tell the format of the file; expected a "
            "unionstate TOML "
            "scenario, KTAB's SMP XML or a table of one of the formats bdm, "
            "ktab, decide, deu, wide "
            "(name it with "
            "--input-format)");
}

TEST(ScenarioIo, AnExplicitFormatOverridesDetection) {
  // A BDM table read as TOML is a TOML syntax error, not a BDM scenario.
  std::string text =
      ReadText(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  Result<Scenario> s =
      ParseScenario(text, "e.csv", {.format = InputFormat::kToml});
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(s.error().diagnostics()[0].ToString().starts_with("e.csv:1:"));
}

TEST(ScenarioIo, LoadsTheBuiltInScenario) {
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->file, "scenarios/union-state/2021-09.toml");
  EXPECT_GE(s->Sides().size(), 2u);
  Result<Scenario> missing = LoadBuiltinScenario("1999.toml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind(), ErrorKind::kInvalidArgument);
}

TEST(ScenarioIo, MissingFileIsAnIoError) {
  MemEnv env;
  Result<Scenario> s = LoadScenario(env, "nowhere.toml");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(s.error().ToString(),
            "nowhere.toml: cannot read the file: No such file or directory");
}

TEST(ScenarioIo, LoadsThroughAnInjectedEnv) {
  MemEnv env;
  env.AddFile("mem.csv",
              "Actor,Capability,Position,Salience\nA,1,0,1\nB,1,10,1\n");
  Result<Scenario> s = LoadScenario(env, "mem.csv");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->actors.size(), 2u);
}

}  // namespace
}  // namespace unionstate
