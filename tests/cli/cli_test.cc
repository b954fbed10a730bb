// The command line as a contract (docs/cli.md, docs/output-format.md): exact
// JSON fields and exit codes, for good runs and for every kind of mistake.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

// Parsed keeping the order of the keys, which the contract fixes.
using json = nlohmann::ordered_json;
using testing::RunUnionstate;
using testing::SharedPath;
using testing::SourcePath;

std::vector<std::string> Keys(const json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it)
    keys.push_back(it.key());
  return keys;
}

TEST(Cli, RunWithoutArgumentsForecastsTheBuiltInScenario) {
  testing::CommandResult r = RunUnionstate("run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  json out = json::parse(r.out);
  EXPECT_EQ(Keys(out),
            (std::vector<std::string>{"scenario", "model", "parameters", "seed",
                                      "issues", "rounds"}));
  EXPECT_EQ(out["scenario"],
            "Union State of Belarus and Russia, September 2021");
  ASSERT_GE(out["issues"].size(), 5u);
  for (const json& issue : out["issues"]) {
    EXPECT_EQ(Keys(issue), (std::vector<std::string>{
                               "id", "name", "unit", "min", "max", "status_quo",
                               "outcome", "agreement", "blocking"}));
    EXPECT_TRUE(issue["outcome"].is_number());
    EXPECT_TRUE(issue["agreement"].is_boolean());
    EXPECT_TRUE(issue["blocking"].is_array());
  }
  ASSERT_EQ(out["rounds"].size(), 1u);
  EXPECT_EQ(out["rounds"][0]["round"], 0);
  EXPECT_TRUE(out["rounds"][0]["positions"].contains("by_president"));
}

TEST(Cli, RunNashPrintsParametersAndSeed) {
  testing::CommandResult r =
      RunUnionstate("run --model 'nash(veto=false)' --seed 42");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["model"], "nash");
  EXPECT_EQ(out["parameters"], json({{"veto", false}}));
  EXPECT_EQ(out["seed"], 42);
  EXPECT_EQ(Keys(out["rounds"][0]),
            (std::vector<std::string>{"round", "positions", "veto_set_min",
                                      "veto_set_max"}));
}

TEST(Cli, RunReproducesTheDeuOracleThroughTheImporter) {
  testing::CommandResult r = RunUnionstate(
      "run '" + SharedPath("oracles/deu_compromise_nbs/deu3.csv") +
      "' --model compromise");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  ASSERT_EQ(out["issues"].size(), 364u);
  EXPECT_EQ(out["issues"][0]["id"], "d00032i1");
  EXPECT_NEAR(out["issues"][0]["outcome"].get<double>(), 53.416459, 5e-7);
  EXPECT_NEAR(out["issues"][1]["outcome"].get<double>(), 53.660771, 5e-7);
  EXPECT_TRUE(out["issues"][1]["status_quo"].is_null());
}

TEST(Cli, WithoutSidesTheDefaultModelIsCompromise) {
  testing::CommandResult r = RunUnionstate(
      "run '" + SharedPath("oracles/bdm_scholz/ExampleActors.csv") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["model"], "compromise");
  EXPECT_NEAR(out["issues"][0]["outcome"].get<double>(), 7.389955686853767,
              1e-14);
}

TEST(Cli, EvaluateScoresDeuWithTheMaeOfItsReadme) {
  testing::CommandResult r = RunUnionstate(
      "evaluate '" + SharedPath("oracles/deu_compromise_nbs/deu3.csv") +
      "' --model compromise");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(Keys(out),
            (std::vector<std::string>{"scenario", "model", "observed", "issues",
                                      "unscored", "unforecast", "summary"}));
  EXPECT_EQ(out["summary"]["scored"], 353);
  EXPECT_NEAR(out["summary"]["mae"].get<double>(), 23.2237, 5e-5);
  EXPECT_NEAR(out["summary"]["mae_percent_of_scale"].get<double>(), 23.2237,
              5e-5);
  EXPECT_EQ(out["unscored"].size(), 11u);
  r = RunUnionstate("evaluate '" +
                    SharedPath("oracles/deu_compromise_nbs/deu3.csv") +
                    "' --model compromise --format table");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("MAE: 23.2237 % of scale"), std::string::npos) << r.out;
}

TEST(Cli, EvaluateReadsAForecastWrittenByRun) {
  std::string path = ::testing::TempDir() + "unionstate_cli_eval_forecast.json";
  ASSERT_EQ(RunUnionstate(
                "run '" + SharedPath("oracles/deu_compromise_nbs/deu3.csv") +
                "' --model 'compromise(weights=salience)' -o '" + path + "'")
                .exit_code,
            0);
  // A forecast has no outcomes of its own: --observed is required.
  testing::CommandResult r = RunUnionstate("evaluate '" + path + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected --observed FILE"), std::string::npos) << r.err;
  r = RunUnionstate("evaluate '" + path + "' --model nash");
  EXPECT_EQ(r.exit_code, 2);
  std::remove(path.c_str());
}

TEST(Cli, RunSmpForecastsTheKtabScenario) {
  testing::CommandResult r = RunUnionstate(
      "run '" + SharedPath("oracles/ktab_smp/dummyData_3Dim.csv") +
      "' --model smp");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["model"], "smp");
  EXPECT_EQ(out["parameters"]["pce"], "conditional");
  ASSERT_EQ(out["rounds"].size(), 11u);
  const json& last = out["rounds"][10];
  EXPECT_NEAR(last["positions"]["SActor-05"]["pstn1"].get<double>(), 79.9,
              0.05);
  EXPECT_NEAR(last["position_win_chance"]["SActor-05"].get<double>(), 0.4009,
              0.00005);
  EXPECT_EQ(Keys(last),
            (std::vector<std::string>{"round", "positions", "win_probability",
                                      "position_win_chance", "risk_attitude",
                                      "expected_outcome",
                                      "most_probable_outcome", "events"}));
  EXPECT_EQ(out["issues"][0]["outcome"], last["expected_outcome"]["pstn1"]);
}

TEST(Cli, AFailedSmpRunExitsNonZeroAndNamesTheLine) {
  // KTAB's shipped smpExample.xml has an empty coordinate on line 32.
  const std::string path = SharedPath("oracles/ktab_smp/smpExample.xml");
  testing::CommandResult r = RunUnionstate("run '" + path + "' --model smp");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, path +
                       ":32: <dCoord> (coordinate 1 of actor \"Alice\") is "
                       "empty; expected a number\n");
}

TEST(Cli, TableFormatIsForPeople) {
  testing::CommandResult r = RunUnionstate("run --model nash --format table");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Model:    nash(veto=true)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("gas_price"), std::string::npos);
  EXPECT_NE(r.out.find("blocked by"), std::string::npos);
}

TEST(Cli, ABadFileExitsTwoAndNamesTheLine) {
  testing::CommandResult r = RunUnionstate(
      "run '" + SourcePath("tests/data/bad/mistake_on_line_7.toml") + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, SourcePath("tests/data/bad/mistake_on_line_7.toml") +
                       ":7:14: \"capability\" is a text; expected a number or "
                       "{ value = ..., "
                       "source = \"...\" }\n");
}

TEST(Cli, AnUnknownModelExitsTwoAndListsTheModels) {
  testing::CommandResult r = RunUnionstate("run --model bargain");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with(
      "unionstate: unknown model \"bargain\"; expected one of "
      "compromise, nash"))
      << r.err;
}

TEST(Cli, AMissingFileExitsTwo) {
  testing::CommandResult r = RunUnionstate("run /nonexistent/scenario.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "/nonexistent/scenario.toml: cannot read the file: No such file or "
            "directory\n");
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunUnionstate("").exit_code, 2);
  EXPECT_EQ(RunUnionstate("run --format xml").exit_code, 2);
  EXPECT_EQ(RunUnionstate("run --seed minus-one").exit_code, 2);
  EXPECT_EQ(RunUnionstate("frobnicate").exit_code, 2);
}

TEST(Cli, HelpTellsTheTruth) {
  testing::CommandResult r = RunUnionstate("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"run", "validate", "models", "Exit status"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
  r = RunUnionstate("run --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word :
       {"--model", "--seed", "--format", "--input-format", "--output"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
}

TEST(Cli, ValidatePrintsOkOrEveryMistake) {
  testing::CommandResult r = RunUnionstate(
      "validate '" + SharedPath("oracles/exchange_model/cop21.csv") + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("ok: ")) << r.out;
  EXPECT_NE(r.out.find("15 actors, 13 issues, 181 positions"),
            std::string::npos);
  r = RunUnionstate("validate '" +
                    SourcePath("tests/data/bad/several_mistakes.toml") + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
}

TEST(Cli, ModelsListsEveryModelWithItsParameters) {
  testing::CommandResult r = RunUnionstate("models --format json");
  ASSERT_EQ(r.exit_code, 0);
  json out = json::parse(r.out);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out[0]["name"], "compromise");
  EXPECT_EQ(out[1]["name"], "nash");
  EXPECT_EQ(out[1]["parameters"][0]["name"], "veto");
  EXPECT_EQ(out[1]["parameters"][0]["default"], "true");
  r = RunUnionstate("models");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("veto=true"), std::string::npos);
}

TEST(Cli, OutputFileIsWrittenWholeOrNotAtAll) {
  std::string path = ::testing::TempDir() + "unionstate_cli_forecast.json";
  std::remove(path.c_str());
  testing::CommandResult r = RunUnionstate("run --output '" + path + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(path);
  json out = json::parse(in);
  EXPECT_EQ(out["model"], "parity");
  // A folder that does not exist: exit 1, nothing written, no temporary left.
  r = RunUnionstate("run --output /nonexistent-dir/forecast.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with(
      "/nonexistent-dir/forecast.json: cannot write the file"))
      << r.err;
  std::remove(path.c_str());
}

TEST(Cli, OutputToDevFullExitsOneAndLeavesTheDevice) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  testing::CommandResult r = RunUnionstate("run --output /dev/full");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "/dev/full: cannot write the file: No space left on device\n");
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
}

// Standard output that refuses the forecast (a full disk): `run` streams
// its JSON there piece by piece, other commands write it whole; either way
// the error says why and the exit is 1.
TEST(Cli, StandardOutputThatIsFullExitsOneAndSaysWhy) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const std::string binary = "'" + testing::UnionstateBinary() + "' ";
  for (const std::string& command :
       {std::string("run --model smp"), std::string("run --model parity"),
        std::string("models")}) {
    testing::CommandResult r =
        testing::RunShell(binary + command + " >/dev/full");
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_EQ(r.err,
              "<stdout>: cannot write the output: No space left on device\n")
        << command;
  }
}

TEST(Cli, OutputToADirectoryIsRefusedWithExitTwo) {
  const std::string dir = ::testing::TempDir();
  testing::CommandResult r = RunUnionstate("run --output '" + dir + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is a directory; expected a file, a device or a FIFO"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  // An ensemble is refused before its runs, not after them.
  r = RunUnionstate("ensemble --runs 100000000 --output '" + dir + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
}

TEST(Cli, OutputToAFifoIsWrittenInPlace) {
  const std::string fifo = ::testing::TempDir() + "unionstate_cli_fifo";
  const std::string got = ::testing::TempDir() + "unionstate_cli_fifo.json";
  std::filesystem::remove(fifo);
  testing::CommandResult r = testing::RunShell(
      "mkfifo '" + fifo + "' || exit 9; cat '" + fifo + "' > '" + got +
      "' & reader=$!; '" + testing::UnionstateBinary() +
      "' run --model compromise --output '" + fifo +
      "'; status=$?; wait $reader; exit $status");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  std::ifstream in(got);
  json out = json::parse(in);
  EXPECT_EQ(out["model"], "compromise");
  std::filesystem::remove(fifo);
  std::filesystem::remove(got);
}

TEST(Cli, Issue18OscillationIsInTheJsonAndTheTable) {
  const std::string scenario =
      "'" + SourcePath("tests/data/oscillating_deal.toml") + "'";
  testing::CommandResult r =
      RunUnionstate("run " + scenario + " --model 'bdm(rounds=9)'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json issue = json::parse(r.out)["issues"][0];
  EXPECT_EQ(Keys(issue),
            (std::vector<std::string>{"id", "name", "unit", "min", "max",
                                      "status_quo", "outcome", "agreement",
                                      "blocking", "convergence"}));
  EXPECT_EQ(
      Keys(issue["convergence"]),
      (std::vector<std::string>{"status", "round", "period", "low", "high"}));
  EXPECT_EQ(issue["convergence"]["status"], "cycle");
  EXPECT_EQ(issue["convergence"]["period"], 2);
  EXPECT_EQ(issue["outcome"], issue["convergence"]["high"]);
  r = RunUnionstate("run " + scenario + " --model bdm --format table");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("note: deal cycles: from round 1 the positions repeat "
                       "every 2 rounds and the forecast swings between "
                       "24.2424 and 30.303"),
            std::string::npos)
      << r.out;
}

TEST(Cli, Issue18NegativeSeedIsRefusedNamingTheOption) {
  for (const std::string command :
       {"run --seed -1", "evaluate --seed=-1", "ensemble --runs 2 --seed -1"}) {
    testing::CommandResult r = RunUnionstate(command);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(r.err.starts_with(
        "unionstate: --seed: expected a whole number from 0 to "
        "18446744073709551615, got -1\n"))
        << command << ": " << r.err;
  }
  // The largest seed is accepted and printed back as it was given.
  testing::CommandResult r =
      RunUnionstate("run --model compromise --seed 18446744073709551615");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["seed"], 18446744073709551615ull);
}

TEST(Cli, Issue18BatchZeroSaysWhatIsExpectedBriefly) {
  testing::CommandResult r = RunUnionstate("ensemble --runs 3 --batch 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "unionstate: --batch: expected a whole number, 1 or more, got 0\n"
            "Run `unionstate --help` for usage.\n");
}

TEST(Cli, Issue18MisspellingsGetADidYouMean) {
  testing::CommandResult r = RunUnionstate("rnu");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown subcommand \"rnu\"; did you mean `run`?"),
            std::string::npos)
      << r.err;
  r = RunUnionstate("ensmble --runs 3");
  EXPECT_NE(r.err.find("did you mean `ensemble`?"), std::string::npos) << r.err;
  r = RunUnionstate("run --sede 3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option --sede of `run`; did you mean --seed?"),
            std::string::npos)
      << r.err;
  r = RunUnionstate("ensemble --modle=bdm");
  EXPECT_NE(r.err.find("did you mean --model?"), std::string::npos) << r.err;
  // Nothing close: no guess.
  r = RunUnionstate("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
}

// Issue 19 (a run's fixed cost): the dashboard's server and what it pulls in
// (cpp-httplib, OpenSSL, zlib, brotli) load only with `serve`, from the
// module beside the program; other commands start without them.
TEST(Cli, OnlyServeLoadsTheServerModuleAndOpenSsl) {
  for (const std::string& binary : testing::ProgramBinaries()) {
    for (const std::string args : {"models", "run --model parity"}) {
      const std::string out = testing::LoaderAccount(binary, args);
      for (const char* library :
           {"libunionstate_server", "libcpp-httplib", "libssl", "libcrypto"}) {
        EXPECT_EQ(out.find(library), std::string::npos)
            << binary << " " << args << " loads " << library;
      }
    }
  }
  // `serve` loads them (the statically linked program through its dynamic
  // sibling, src/cli/modules.h), listens, and ends cleanly on SIGTERM.
  testing::CommandResult served =
      testing::RunShell("LD_DEBUG=libs timeout -s TERM 2 '" +
                        testing::UnionstateBinary() + "' serve --port 0 2>&1");
  EXPECT_NE(served.out.find("unionstate dashboard: http://127.0.0.1:"),
            std::string::npos)
      << served.out;
  EXPECT_NE(served.out.find("libunionstate_server.so"), std::string::npos);
  EXPECT_NE(served.out.find("libssl.so"), std::string::npos);
}

}  // namespace
}  // namespace unionstate
