#ifndef UNIONSTATE_SCENARIO_EDIT_H_
#define UNIONSTATE_SCENARIO_EDIT_H_

// A scenario as the dashboard edits it, and back to the TOML analysts write.
//
// The editable form is a JSON object with the fields of the TOML format
// (docs/scenario-format.md), every value a plain number:
//
//   {"name", "description", "as_of", "source",
//    "actors":    [{"id", "name", "side", "capability", "veto", "source"}],
//    "issues":    [{"id", "name", "unit", "min", "max", "status_quo",
//                   "deadline", "rule", "source"}],
//    "positions": [{"actor", "issue", "position", "salience", "capability",
//                   "source"}],
//    "packages":  [{"id", "name", "issues": [...]}]}
//
// `status_quo`, `deadline`, `as_of` and a position's `capability` may be
// null or absent. Going through TOML keeps one parser and one validator: a
// scenario edited in the dashboard is exactly what `unionstate validate`
// accepts, its mistakes located at a line and column of the exported file.
//
// Not carried by the editable form: distributions of uncertain values,
// sources attached to single values (a value's source moves to its table),
// and ideal adjustments (no TOML form yet).

#include <string>
#include <string_view>

#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

// The editable JSON of a validated scenario.
std::string ScenarioToEditJson(const Scenario& scenario);

// The TOML text of an editable JSON document. Fails with kInvalidInput,
// naming `label` and the field, when the text is not JSON or a field is
// missing or of the wrong type. The TOML still has to be parsed
// (ParseScenario) for the scenario's own rules to be checked.
Result<std::string> EditJsonToToml(std::string_view json,
                                   const std::string& label);

// The TOML text of a scenario (via its editable form).
std::string ScenarioToToml(const Scenario& scenario);

}  // namespace unionstate

#endif  // UNIONSTATE_SCENARIO_EDIT_H_
