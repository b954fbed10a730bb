// `unionstate report` as a user runs it: a scenario with five models, a
// results database, and the mistakes an analyst makes. The browser tests
// (web/test/) check that the pages draw; these check what the command
// writes and how it fails.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

using json = nlohmann::json;
using testing::ReadText;
using testing::RunUnionstate;

std::string TempPath(const std::string& name) {
  std::string path = ::testing::TempDir() + "unionstate_report_" +
                     std::to_string(getpid()) + "_" + name;
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

// The report's embedded document (src/report/report_data.h).
json Document(const std::string& html) {
  const std::string open =
      "<script type=\"application/json\" id=\"report-data\">";
  const size_t b = html.find(open);
  EXPECT_NE(b, std::string::npos);
  const size_t e = html.find("</script>", b);
  return json::parse(html.substr(b + open.size(), e - b - open.size()));
}

std::vector<std::string> ChartIds(const json& doc) {
  std::vector<std::string> ids;
  for (const json& s : doc["sections"])
    for (const json& b : s["blocks"])
      if (b["kind"] == "chart") ids.push_back(b["id"]);
  return ids;
}

// Nothing in the page may load from elsewhere: no external script, style,
// image or frame.
void ExpectSelfContained(const std::string& html) {
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(src=["']https?:)")));
  EXPECT_NE(html.find("connect-src 'none'"), std::string::npos);
}

TEST(ReportCli, UnionStateWithFiveModels) {
  const std::string out = TempPath("us.html");
  testing::CommandResult r =
      RunUnionstate("report --model parity,nash,bdm,smp,exchange -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadText(out);
  EXPECT_LT(html.size(), 3u * 1000 * 1000);
  ExpectSelfContained(html);
  const json doc = Document(html);
  EXPECT_EQ(doc["title"], "Union State of Belarus and Russia, September 2021");
  EXPECT_EQ(ChartIds(doc),
            (std::vector<std::string>{
                "strip", "agreement-time", "winsets", "trajectory-bdm",
                "convergence-bdm", "trajectory-smp", "convergence-smp",
                "trajectory-exchange", "convergence-exchange", "trades"}));
  // The why table holds the very line `run --format table` prints.
  testing::CommandResult table =
      RunUnionstate("run --model nash --format table");
  ASSERT_EQ(table.exit_code, 0);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(table.out, m, std::regex("\ngas_price +(.*)\n")));
  // The first gas_price line is the forecast row; the Why: line follows.
  const size_t why_at = table.out.find("Why:\n");
  ASSERT_NE(why_at, std::string::npos);
  const std::string after = table.out.substr(why_at);
  ASSERT_TRUE(std::regex_search(after, m, std::regex("gas_price +(.*)\n")));
  bool found = false;
  for (const json& s : doc["sections"])
    for (const json& b : s["blocks"])
      if (b["id"] == "why")
        for (const json& row : b["rows"])
          if (row["model"] == "nash" && row["issue"] == "gas_price") {
            EXPECT_EQ(row["why"], m[1].str());
            found = true;
          }
  EXPECT_TRUE(found);
  std::remove(out.c_str());
}

TEST(ReportCli, StripChartHasEveryPositionAndForecast) {
  const std::string out = TempPath("strip.html");
  ASSERT_EQ(RunUnionstate("report --model compromise,nash -o " + out).exit_code,
            0);
  const json doc = Document(ReadText(out));
  int positions = 0, forecasts = 0, scales = 0;
  for (const json& s : doc["sections"])
    for (const json& b : s["blocks"])
      if (b["id"] == "strip")
        for (const json& row : b["spec"]["data"]["values"]) {
          positions += row["kind"] == "position";
          forecasts += row["kind"] == "forecast";
          scales += row["kind"] == "scale";
        }
  // The built-in snapshot: 32 issues and 151 positions (`validate` says so).
  testing::CommandResult v = RunUnionstate(
      "validate " + testing::SourcePath("scenarios/union-state/2021-09.toml"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      v.out, m, std::regex(R"((\d+) issues, (\d+) positions)")));
  EXPECT_EQ(scales, std::stoi(m[1]));
  EXPECT_EQ(positions, std::stoi(m[2]));
  EXPECT_EQ(forecasts, 2 * std::stoi(m[1]));
  std::remove(out.c_str());
}

// The rows of the chart `id` in the report's document.
std::vector<json> ChartRows(const json& doc, const std::string& id) {
  for (const json& s : doc["sections"])
    for (const json& b : s["blocks"])
      if (b["id"] == id)
        return b["spec"]["data"]["values"].get<std::vector<json>>();
  ADD_FAILURE() << "no chart " << id;
  return {};
}

// The chart of agreement over time holds, per model and issue, the figures
// `run --horizon` computes: P(agreed by the deadline) at the deadline and
// P(agreed by the horizon) at the curve's end (to the report's 6 digits).
TEST(ReportCli, AgreementOverTimeIsWhatRunHorizonComputes) {
  for (const char* snapshot : {"2021-09", "2019-12"}) {
    SCOPED_TRACE(snapshot);
    const std::string scenario = testing::SourcePath(
        std::string("scenarios/union-state/") + snapshot + ".toml");
    const std::string out = TempPath("time.html");
    testing::CommandResult r = RunUnionstate(
        fmt::format("report {} --model nash,bdm --horizon 2026-09-10 -o {}",
                    scenario, out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::vector<json> rows =
        ChartRows(Document(ReadText(out)), "agreement-time");
    for (const char* model : {"nash", "bdm"}) {
      testing::CommandResult run = RunUnionstate(fmt::format(
          "run {} --model {} --horizon 2026-09-10", scenario, model));
      ASSERT_EQ(run.exit_code, 0) << run.err;
      const json forecast = json::parse(run.out);
      int deadlines = 0;
      for (const json& issue : forecast["issues"]) {
        std::vector<json> curve;
        for (const json& row : rows) {
          if (row["model"] != model || row["issue"] != issue["id"]) continue;
          if (row["kind"] == "curve") curve.push_back(row);
          if (row["kind"] == "deadline") {
            ASSERT_TRUE(issue.contains("p_agreed_by_deadline"));
            EXPECT_EQ(row["date"], issue["deadline"]);
            EXPECT_NEAR(row["p"].get<double>(),
                        issue["p_agreed_by_deadline"].get<double>(), 1e-5);
            ++deadlines;
          }
        }
        ASSERT_GE(curve.size(), 2u) << issue["id"];
        EXPECT_EQ(curve.front()["date"], forecast["time"]["as_of"]);
        EXPECT_EQ(curve.back()["date"], "2026-09-10");
        EXPECT_NEAR(curve.back()["p"].get<double>(),
                    issue["time"]["p_agreed_by_horizon"].get<double>(), 1e-5);
      }
      EXPECT_GT(deadlines, 0);
    }
    std::remove(out.c_str());
  }
  // Dated without a reference class: the section says there is no baseline
  // and draws nothing; a reference class that cannot be read is located.
  const std::string plain = TempPath("plain.html");
  ASSERT_EQ(RunUnionstate(fmt::format("report {} --model nash -o {}",
                                      testing::SourcePath(
                                          "tests/data/time/no_reference.toml"),
                                      plain))
                .exit_code,
            0);
  bool noted = false;
  const json plain_doc = Document(ReadText(plain));
  for (const json& section : plain_doc["sections"]) {
    if (section["id"] != "time") continue;
    EXPECT_TRUE(section["blocks"].empty());
    EXPECT_NE(section["intro"].get<std::string>().find("no reference class"),
              std::string::npos);
    noted = true;
  }
  EXPECT_TRUE(noted);
  std::remove(plain.c_str());
  testing::CommandResult missing = RunUnionstate(
      "report " +
      testing::SourcePath("tests/data/time/missing_reference.toml") +
      " --model nash");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing_reference.toml:4:19: cannot read the "
                             "reference class"),
            std::string::npos)
      << missing.err;
  // A horizon before as_of is the analyst's mistake.
  testing::CommandResult bad =
      RunUnionstate("report --model nash --horizon 2020-01-01");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("before the scenario's as_of"), std::string::npos);
}

TEST(ReportCli, ResultsDatabase) {
  const std::string db = TempPath("results.db");
  const std::string out = TempPath("ens.html");
  testing::CommandResult ensemble = RunUnionstate(
      fmt::format("ensemble --model nash --runs 200 --perturb "
                  "positions=10 --horizon 2026-09-10 --store {} -q",
                  db));
  ASSERT_EQ(ensemble.exit_code, 0) << ensemble.err;
  testing::CommandResult r = RunUnionstate(
      fmt::format("report {} --horizon 2026-09-10 -o {}", db, out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadText(out);
  ExpectSelfContained(html);
  const json doc = Document(html);
  EXPECT_EQ(ChartIds(doc), (std::vector<std::string>{
                               "distribution-1", "agreement-1",
                               "agreement-time-1", "blockers-1", "tornado-1"}));
  // Every issue's histogram counts every stored run.
  std::map<std::string, std::int64_t> runs;
  for (const json& s : doc["sections"])
    for (const json& b : s["blocks"])
      if (b["id"] == "distribution-1")
        for (const json& row : b["spec"]["data"]["values"])
          if (row["kind"] == "bin")
            runs[row["issue"]] += row["runs"].get<std::int64_t>();
  ASSERT_FALSE(runs.empty());
  for (const auto& [issue, n] : runs) EXPECT_EQ(n, 200) << issue;
  // The database keeps no time figures; the report recomputes them from
  // the stored runs and gets what `ensemble --horizon` printed.
  const json printed = json::parse(ensemble.out)["time"]["issues"];
  const std::vector<json> curves = ChartRows(doc, "agreement-time-1");
  int compared = 0;
  for (const json& issue : printed) {
    for (const json& row : curves) {
      if (row["issue"] != issue["id"]) continue;
      if (row["kind"] == "deadline") {
        EXPECT_NEAR(row["mean"].get<double>(),
                    issue["p_agreed_by_deadline"]["mean"].get<double>(), 1e-5);
        EXPECT_NEAR(row["q95"].get<double>(),
                    issue["p_agreed_by_deadline"]["q95"].get<double>(), 1e-5);
        ++compared;
      }
      if (row["kind"] == "curve" && row["date"] == "2026-09-10") {
        EXPECT_NEAR(row["mean"].get<double>(),
                    issue["p_agreed_by_horizon"]["mean"].get<double>(), 1e-5);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, static_cast<int>(printed.size()));
  for (const char* s : {"", "-wal", "-shm"}) std::remove((db + s).c_str());
  std::remove(out.c_str());
}

TEST(ReportCli, MistakesExitTwoAndWriteNothing) {
  const std::string out = TempPath("bad.html");
  testing::CommandResult r =
      RunUnionstate("report --model nash,,bdm -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty entry"), std::string::npos) << r.err;
  r = RunUnionstate("report --model nash,nosuch -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
  r = RunUnionstate("report /no/such/file.toml -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  // A database with --model: the options do not apply.
  const std::string db = TempPath("small.db");
  ASSERT_EQ(RunUnionstate(fmt::format("ensemble --model compromise --runs 20 "
                                      "--perturb positions=5 --store {} -q",
                                      db))
                .exit_code,
            0);
  r = RunUnionstate(fmt::format("report {} --model nash -o {}", db, out));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("results database"), std::string::npos) << r.err;
  FILE* f = std::fopen(out.c_str(), "r");
  EXPECT_EQ(f, nullptr);
  if (f != nullptr) std::fclose(f);
  for (const char* s : {"", "-wal", "-shm"}) std::remove((db + s).c_str());
}

TEST(ReportCli, MissingChartLibrariesNameTheFileAndTheFix) {
  const std::string out = TempPath("nolibs.html");
  testing::CommandResult r = RunUnionstate(
      "report --model nash -o " + out);  // sanity: works with the real folder
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = testing::RunShell(fmt::format(
      "UNIONSTATE_WEB_DIR=/nonexistent {} report --model nash -o {}",
      testing::UnionstateBinary(), out + ".2"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/report/report.html"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("npm ci"), std::string::npos) << r.err;
  std::remove(out.c_str());
}

}  // namespace
}  // namespace unionstate
