// The reference class of past dated promises: the CSV reader and the
// survival data it gives as of a date (time_forecast.h).

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "scenario/csv.h"
#include "unionstate/calendar.h"
#include "unionstate/scenario_io.h"
#include "unionstate/time_forecast.h"

namespace unionstate {
namespace {

constexpr const char* kColumns[] = {"id",          "promise",  "body",
                                    "promised_on", "deadline", "done_on",
                                    "dropped_on",  "source",   "source_date"};
enum Column {
  kId,
  kPromise,
  kBody,
  kPromisedOn,
  kDeadline,
  kDoneOn,
  kDroppedOn,
  kSource,
  kSourceDate,
  kColumnCount
};

// The folder of `file` with a trailing '/', or "" for a bare name.
std::string FolderOf(const std::string& file) {
  size_t slash = file.find_last_of('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash + 1);
}

}  // namespace

Result<ReferenceClass> ParseReferenceClass(std::string_view text,
                                           const std::string& file) {
  std::vector<Diagnostic> diagnostics;
  auto add = [&](int line, int column, std::string message) {
    diagnostics.push_back({{file, line, column}, std::move(message)});
  };
  std::vector<internal::CsvRow> rows = internal::ReadDelimited(text, ',', '"');
  if (rows.empty()) {
    return InvalidInput({file, 1, 1},
                        "the reference class is empty; expected the header "
                        "id,promise,body,promised_on,deadline,done_on,"
                        "dropped_on,source,source_date and one row per "
                        "promise");
  }
  int index[kColumnCount];
  std::fill(std::begin(index), std::end(index), -1);
  const internal::CsvRow& header = rows[0];
  for (size_t k = 0; k < header.fields.size(); ++k) {
    bool known = false;
    for (int c = 0; c < kColumnCount; ++c) {
      if (header.fields[k].text == kColumns[c]) {
        index[c] = static_cast<int>(k);
        known = true;
      }
    }
    if (!known) {
      add(header.fields[k].line, header.fields[k].column,
          fmt::format("unknown column \"{}\"; expected the columns id, "
                      "promise, body, promised_on, deadline, done_on, "
                      "dropped_on, source, source_date",
                      header.fields[k].text));
    }
  }
  for (int c = 0; c < kColumnCount; ++c) {
    if (index[c] < 0) {
      add(header.line, 1,
          fmt::format("the header has no column \"{}\"; expected id, "
                      "promise, body, promised_on, deadline, done_on, "
                      "dropped_on, source, source_date",
                      kColumns[c]));
    }
  }
  if (!diagnostics.empty()) {
    return std::unexpected(
        Error(ErrorKind::kInvalidInput, std::move(diagnostics)));
  }
  ReferenceClass out;
  out.file = file;
  std::map<std::string, int> seen;
  for (size_t r = 1; r < rows.size(); ++r) {
    const internal::CsvRow& row = rows[r];
    if (row.fields.size() != header.fields.size()) {
      add(row.line, 1,
          fmt::format("the row has {} fields; expected {} as in the header "
                      "(quote text that holds commas)",
                      row.fields.size(), header.fields.size()));
      continue;
    }
    auto field = [&](Column c) -> const internal::CsvField& {
      return row.fields[static_cast<size_t>(index[c])];
    };
    bool ok = true;
    auto date = [&](Column c, bool required) -> std::optional<Date> {
      const internal::CsvField& f = field(c);
      if (f.text.empty()) {
        if (required) {
          add(f.line, f.column,
              fmt::format("{} is empty; expected a date YYYY-MM-DD",
                          kColumns[c]));
          ok = false;
        }
        return {};
      }
      std::optional<Date> d = Date::Parse(f.text);
      if (!d) {
        add(f.line, f.column,
            fmt::format("{} \"{}\" is not a date; expected YYYY-MM-DD",
                        kColumns[c], f.text));
        ok = false;
      }
      return d;
    };
    ReferenceEntry e;
    e.where = {file, row.line, 1};
    e.id = field(kId).text;
    e.promise = field(kPromise).text;
    e.body = field(kBody).text;
    e.source = field(kSource).text;
    std::optional<Date> promised = date(kPromisedOn, true);
    std::optional<Date> deadline = date(kDeadline, true);
    e.done_on = date(kDoneOn, false);
    e.dropped_on = date(kDroppedOn, false);
    std::optional<Date> source_date = date(kSourceDate, true);
    if (e.id.empty()) {
      add(field(kId).line, field(kId).column,
          "id is empty; expected a unique slug");
      ok = false;
    } else if (auto [it, inserted] = seen.emplace(e.id, row.line); !inserted) {
      add(field(kId).line, field(kId).column,
          fmt::format("duplicate id \"{}\" (first on line {}); expected each "
                      "id once",
                      e.id, it->second));
      ok = false;
    }
    if (e.body != "union_state" && e.body != "eaeu" && e.body != "bilateral") {
      add(field(kBody).line, field(kBody).column,
          fmt::format("body \"{}\" is unknown; expected union_state, eaeu or "
                      "bilateral",
                      e.body));
      ok = false;
    }
    if (e.source.empty()) {
      add(field(kSource).line, field(kSource).column,
          "source is empty; expected a public source of the promise");
      ok = false;
    }
    if (promised && deadline && *deadline < *promised) {
      add(field(kDeadline).line, field(kDeadline).column,
          fmt::format("deadline {} is before promised_on {}; expected "
                      "deadline >= promised_on",
                      deadline->ToString(), promised->ToString()));
      ok = false;
    }
    for (Column c : {kDoneOn, kDroppedOn}) {
      const std::optional<Date>& d = c == kDoneOn ? e.done_on : e.dropped_on;
      if (promised && d && *d < *promised) {
        add(field(c).line, field(c).column,
            fmt::format("{} {} is before promised_on {}; expected a later "
                        "date",
                        kColumns[c], d->ToString(), promised->ToString()));
        ok = false;
      }
    }
    if (!ok || !promised || !deadline || !source_date) continue;
    e.promised_on = *promised;
    e.deadline = *deadline;
    e.source_date = *source_date;
    out.entries.push_back(std::move(e));
  }
  if (!diagnostics.empty()) {
    return std::unexpected(
        Error(ErrorKind::kInvalidInput, std::move(diagnostics)));
  }
  return out;
}

Result<std::optional<ReferenceClass>> LoadReferenceClass(
    Env& env, const Scenario& scenario) {
  if (scenario.reference_class.empty()) return std::optional<ReferenceClass>();
  std::string path = scenario.reference_class;
  if (!path.starts_with('/')) path = FolderOf(scenario.file) + path;
  Result<std::string> text = env.ReadFile(path);
  if (!text) {
    // A built-in scenario's reference class is built in beside it (the
    // program runs from any folder).
    std::optional<BuiltinFile> scenario_file = FindBuiltinFile(scenario.file);
    std::optional<BuiltinFile> csv = FindBuiltinFile(path);
    if (scenario_file && scenario_file->label == scenario.file && csv) {
      Result<ReferenceClass> parsed =
          ParseReferenceClass(csv->text, std::string(csv->label));
      if (!parsed) return std::unexpected(parsed.error());
      return std::optional<ReferenceClass>(std::move(*parsed));
    }
    return InvalidInput(
        scenario.reference_class_where,
        fmt::format("cannot read the reference class \"{}\" ({}); expected a "
                    "CSV path relative to the scenario file",
                    path,
                    text.error().diagnostics().empty()
                        ? std::string("unreadable")
                        : text.error().diagnostics()[0].message));
  }
  Result<ReferenceClass> parsed = ParseReferenceClass(*text, path);
  if (!parsed) return std::unexpected(parsed.error());
  return std::optional<ReferenceClass>(std::move(*parsed));
}

std::vector<Spell> SpellsAsOf(const ReferenceClass& reference,
                              const Date& as_of) {
  constexpr double kHalfDay = 0.5 / 365.25;
  std::vector<Spell> spells;
  for (const ReferenceEntry& e : reference.entries) {
    if (as_of < e.promised_on) continue;  // not yet promised
    Spell spell;
    if (e.done_on && !(as_of < *e.done_on)) {
      spell.delivered = true;
      spell.years = YearsBetween(e.promised_on, *e.done_on);
    } else if (e.dropped_on && !(as_of < *e.dropped_on)) {
      spell.years = YearsBetween(e.promised_on, *e.dropped_on);
    } else {
      // Not delivered as far as anyone could know at as_of: seen undelivered
      // up to the earlier of as_of and what the source reports.
      Date seen = as_of;
      if (!e.done_on && e.source_date < seen) seen = e.source_date;
      if (seen < e.promised_on) seen = e.promised_on;
      spell.years = YearsBetween(e.promised_on, seen);
    }
    spell.years = std::max(spell.years, kHalfDay);
    spells.push_back(spell);
  }
  return spells;
}

}  // namespace unionstate
