#ifndef UNIONSTATE_SCENARIO_IO_H_
#define UNIONSTATE_SCENARIO_IO_H_

// Loading scenarios: unionstate's own TOML format (docs/scenario-format.md)
// and the tables other tools use, so their users can bring their data:
//
//   format   what it is                                    example under
//   shared/oracles toml     unionstate's scenario format (scenarios/) bdm BDM /
//   Scholz CSV: Actor,Capability,Position,   bdm_scholz/ExampleActors.csv
//            Salience (one issue; also Stakeholder,
//            Resources|Clout,Position,Salience)
//   ktab     KTAB SMP CSV: name line, header, actors with
//   ktab_smp/dummyData_3Dim.csv
//            power and (position, salience) per dimension
//   ktab-xml KTAB SMP XML (<Scenario>, smpSchema.xsd) ktab_smp/smpExample.xml
//   decide   decide-exchange-model's #A/#P/#M/#D records
//   exchange_model/cop21.csv deu      the DEU III table (positions, saliences,
//   deu_compromise_nbs/deu3.csv
//            reference point and outcome per issue)
//   wide     two tables as a spreadsheet keeps them: one   examples/wide/
//            row per actor with ISSUE_position and
//            ISSUE_salience columns, and an issues table
//            (docs/scenario-format.md, "Wide tables")
//
// The format is detected from the content (DetectInputFormat) unless given.
// docs/scenario-format.md, "Importing other formats", says how each table
// maps onto a Scenario (scales, salience units, capabilities).
//
// Every function returns a validated Scenario (ValidateScenario has run) or
// an Error listing every mistake found, each located at file:line:column.

#include <optional>
#include <string>
#include <string_view>

#include "unionstate/env.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

enum class InputFormat { kToml, kBdm, kKtab, kKtabXml, kDecide, kDeu, kWide };

// "toml", "bdm", "ktab", "ktab-xml", "decide", "deu", "wide".
std::string_view InputFormatName(InputFormat format);
std::optional<InputFormat> ParseInputFormat(std::string_view name);

// Guesses the format of `text` from its first lines. Fails with
// kInvalidInput, naming `file` and the formats it knows, when none fits.
Result<InputFormat> DetectInputFormat(std::string_view text,
                                      const std::string& file);

struct LoadOptions {
  // Detect from the content when unset.
  std::optional<InputFormat> format;
};

// Parses `text` as if read from `file` (the name only labels diagnostics).
Result<Scenario> ParseScenario(std::string_view text, const std::string& file,
                               const LoadOptions& options = {});

// Reads `path` through `env` and parses it. Wide tables are two files:
// `path` is either the actors table, whose issues table is found by name
// (x-actors.csv -> x-issues.csv, else issues.csv beside it), or a folder
// holding actors.csv and issues.csv.
Result<Scenario> LoadScenario(Env& env, const std::string& path,
                              const LoadOptions& options = {});

// Parses wide tables given as text (the Python module's DataFrames and XLSX
// sheets come this way). `actors_file` and `issues_file` label diagnostics;
// `name` names the scenario (empty: derived from `actors_file`).
Result<Scenario> ParseWideTables(std::string_view actors_text,
                                 const std::string& actors_file,
                                 std::string_view issues_text,
                                 const std::string& issues_file,
                                 std::string_view name = {});

// The built-in Union State scenario (scenarios/union-state/, compiled into
// the library so it runs from any folder). `name` is a file name in that
// folder; empty selects the default snapshot.
Result<Scenario> LoadBuiltinScenario(std::string_view name = {});

// The text and the label ("scenarios/union-state/<file>") of a built-in
// scenario file, or nullopt when there is no file of that name.
struct BuiltinFile {
  std::string_view label;
  std::string_view text;
};
std::optional<BuiltinFile> FindBuiltinFile(std::string_view name);
// The default snapshot's file name.
std::string_view DefaultBuiltinScenario();

}  // namespace unionstate

#endif  // UNIONSTATE_SCENARIO_IO_H_
