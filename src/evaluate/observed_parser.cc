// Observed-outcome files (docs/observed-format.md). Includes toml++.

#include <fmt/format.h>
#include <toml++/toml.h>

#include <map>

#include "common/toml_guard.h"
#include "unionstate/commitment.h"
#include "unionstate/evaluate.h"

namespace unionstate {
namespace {

class ObservedReader {
 public:
  ObservedReader(std::string_view text, const std::string& file)
      : text_(text), file_(file) {}

  Result<ObservedOutcomes> Run() {
    out_.file = file_;
    if (std::optional<Diagnostic> trap =
            internal::FindTomlParserTrap(text_, file_)) {
      Add(trap->where, std::move(trap->message));
      return Finish();
    }
    toml::table root;
    try {
      root = toml::parse(text_, std::string_view{file_});
    } catch (const toml::parse_error& e) {
      Add(Loc(e.source()),
          fmt::format("{}; expected valid TOML", e.description()));
      return Finish();
    }
    for (const auto& [key, node] : root) {
      if (key.str() != "observed" && key.str() != "outcomes" &&
          key.str() != "questions") {
        Add(Loc(key.source()),
            fmt::format("unknown table \"{}\"; expected [observed], "
                        "[[outcomes]] and [[questions]]",
                        key.str()));
      }
    }
    if (const toml::table* header = root["observed"].as_table()) {
      Keys(*header, {"name", "as_of", "source"}, "[observed]");
      out_.name = Text(*header, "name").value_or("");
      out_.source = Text(*header, "source").value_or("");
      if (const toml::node* as_of = header->get("as_of")) {
        if (const auto* date = as_of->as_date()) {
          out_.as_of =
              Date{date->get().year, date->get().month, date->get().day};
        } else {
          Add(Loc(*as_of), "\"as_of\" is not a date; expected YYYY-MM-DD");
        }
      }
    } else {
      Add({file_, 1, 1},
          "the file has no [observed] table; expected one with `name`");
    }
    ReadQuestions(root);
    const toml::array* outcomes = root["outcomes"].as_array();
    if (outcomes == nullptr || outcomes->empty()) {
      Add({file_, 1, 1},
          "the file has no [[outcomes]] tables; expected at least one");
      return Finish();
    }
    std::map<std::string, SourceLocation> seen;
    for (const toml::node& node : *outcomes) {
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        Add(Loc(node),
            "an element of \"outcomes\" is not a table; expected [[outcomes]]");
        continue;
      }
      Keys(*table, {"issue", "outcome", "wording", "agreement", "source"},
           "[[outcomes]]");
      Observation o;
      o.where = Loc(*table);
      std::optional<std::string> issue = Text(*table, "issue");
      if (!issue) {
        Add(o.where,
            "[[outcomes]] is missing the field \"issue\"; expected an issue "
            "id");
        continue;
      }
      o.issue = *issue;
      auto [it, inserted] = seen.emplace(o.issue, o.where);
      if (!inserted) {
        Add(o.where, fmt::format("issue \"{}\" is observed twice (first at "
                                 "{}); expected it once",
                                 o.issue, it->second.ToString()));
      }
      o.source = Text(*table, "source").value_or("");
      if (const toml::node* agreement = table->get("agreement")) {
        if (const auto* b = agreement->as_boolean()) {
          o.agreement = b->get();
        } else {
          Add(Loc(*agreement),
              "\"agreement\" is not true/false; expected true or false");
        }
      }
      const toml::node* outcome = table->get("outcome");
      const toml::node* wording = table->get("wording");
      if ((outcome == nullptr) == (wording == nullptr)) {
        Add(o.where,
            fmt::format(
                "[[outcomes]] for issue \"{}\" gives {}; expected either "
                "`outcome` (a number) or `wording` (a commitment text)",
                o.issue, outcome ? "both outcome and wording" : "neither"));
        continue;
      }
      if (outcome != nullptr) {
        if (!outcome->is_number()) {
          Add(Loc(*outcome),
              "\"outcome\" is not a number; expected a number on the issue's "
              "scale");
          continue;
        }
        o.outcome = outcome->value<double>().value_or(0);
      } else {
        std::optional<std::string> text = Text(*table, "wording");
        if (!text) continue;
        std::optional<CommitmentMatch> match = ClassifyCommitment(*text);
        if (!match) {
          Add(Loc(*wording),
              fmt::format("the wording \"{}\" matches no rung of the "
                          "commitment ladder; expected "
                          "a phrase such as \"harmonise\", \"standardise\", "
                          "\"single market\" or "
                          "\"supranational\" (include/unionstate/commitment.h)",
                          *text));
          continue;
        }
        o.wording = *text;
        o.outcome = match->depth;
      }
      out_.outcomes.push_back(std::move(o));
    }
    return Finish();
  }

 private:
  // The dated yes/no questions (docs/observed-format.md, "Dated questions").
  void ReadQuestions(const toml::table& root) {
    const toml::node* node = root.get("questions");
    if (node == nullptr) return;
    const toml::array* questions = node->as_array();
    if (questions == nullptr) {
      Add(Loc(*node), "\"questions\" is not an array of tables; expected "
                      "[[questions]]");
      return;
    }
    std::map<std::string, SourceLocation> seen;
    for (const toml::node& element : *questions) {
      const toml::table* table = element.as_table();
      if (table == nullptr) {
        Add(Loc(element), "an element of \"questions\" is not a table; "
                          "expected [[questions]]");
        continue;
      }
      Keys(*table,
           {"id", "kind", "issue", "date", "share", "outcome", "source"},
           "[[questions]]");
      DatedQuestion q;
      q.where = Loc(*table);
      bool ok = true;
      auto require = [&](std::string_view key, std::string_view expected) {
        if (table->contains(key)) return true;
        Add(q.where, fmt::format("[[questions]] is missing the field \"{}\"; "
                                 "expected {}",
                                 key, expected));
        ok = false;
        return false;
      };
      if (require("id", "a unique text")) {
        q.id = Text(*table, "id").value_or("");
        auto [it, inserted] = seen.emplace(q.id, q.where);
        if (!inserted) {
          Add(q.where, fmt::format("question \"{}\" is given twice (first at "
                                   "{}); expected each id once",
                                   q.id, it->second.ToString()));
          ok = false;
        }
      }
      if (require("issue", "an issue id")) {
        q.issue = Text(*table, "issue").value_or("");
      }
      if (require("kind",
                  "agreed_by, implemented_by or share_implemented_by")) {
        std::string kind = Text(*table, "kind").value_or("");
        if (kind == "agreed_by") {
          q.kind = QuestionKind::kAgreedBy;
        } else if (kind == "implemented_by") {
          q.kind = QuestionKind::kImplementedBy;
        } else if (kind == "share_implemented_by") {
          q.kind = QuestionKind::kShareImplementedBy;
        } else {
          Add(Loc(*table->get("kind")),
              fmt::format("unknown question kind \"{}\"; expected "
                          "agreed_by, implemented_by or share_implemented_by",
                          kind));
          ok = false;
        }
      }
      if (require("date", "a date YYYY-MM-DD")) {
        const toml::node* date = table->get("date");
        if (const auto* d = date->as_date()) {
          q.date = Date{d->get().year, d->get().month, d->get().day};
        } else {
          Add(Loc(*date), "\"date\" is not a date; expected YYYY-MM-DD");
          ok = false;
        }
      }
      if (require("outcome", "true or false")) {
        if (const auto* b = table->get("outcome")->as_boolean()) {
          q.outcome = b->get();
        } else {
          Add(Loc(*table->get("outcome")),
              "\"outcome\" is not true/false; expected true or false");
          ok = false;
        }
      }
      const toml::node* share = table->get("share");
      if (q.kind == QuestionKind::kShareImplementedBy) {
        if (share == nullptr) {
          require("share", "a number in (0, 1]");
        } else if (!share->is_number() ||
                   !(share->value<double>().value_or(0) > 0 &&
                     share->value<double>().value_or(0) <= 1)) {
          Add(Loc(*share), "\"share\" is not a number in (0, 1]; expected "
                           "the threshold, e.g. 0.5");
          ok = false;
        } else {
          q.share = share->value<double>().value_or(1);
        }
      } else if (share != nullptr) {
        Add(Loc(*share), "\"share\" applies only to kind = "
                         "\"share_implemented_by\"; expected no share here");
        ok = false;
      }
      q.source = Text(*table, "source").value_or("");
      if (out_.as_of && out_.as_of < q.date) {
        Add(q.where,
            fmt::format("question \"{}\" is about {}, after the observed "
                        "as_of {}; expected only outcomes known by then",
                        q.id, q.date.ToString(), out_.as_of->ToString()));
        ok = false;
      }
      if (ok) out_.questions.push_back(std::move(q));
    }
  }

  SourceLocation Loc(const toml::source_region& r) const {
    return {file_, static_cast<int>(r.begin.line),
            static_cast<int>(r.begin.column)};
  }
  SourceLocation Loc(const toml::node& n) const { return Loc(n.source()); }
  void Add(SourceLocation where, std::string message) {
    diagnostics_.push_back({std::move(where), std::move(message)});
  }
  std::optional<std::string> Text(const toml::table& table,
                                  std::string_view key) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return {};
    if (const auto* s = node->as_string()) return s->get();
    Add(Loc(*node),
        fmt::format("\"{}\" is not a text; expected a text in double quotes",
                    key));
    return {};
  }
  void Keys(const toml::table& table,
            std::initializer_list<std::string_view> allowed,
            std::string_view what) {
    for (const auto& [key, node] : table) {
      bool known = false;
      std::string list;
      for (std::string_view name : allowed) {
        known = known || name == key.str();
        list += (list.empty() ? "" : ", ") + std::string(name);
      }
      if (!known) {
        Add(Loc(key.source()),
            fmt::format("unknown field \"{}\" in {}; expected one of {}",
                        key.str(), what, list));
      }
    }
  }
  Result<ObservedOutcomes> Finish() {
    if (!diagnostics_.empty()) {
      return std::unexpected(
          Error(ErrorKind::kInvalidInput, std::move(diagnostics_)));
    }
    return std::move(out_);
  }

  std::string_view text_;
  const std::string& file_;
  ObservedOutcomes out_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

Result<ObservedOutcomes> ParseObserved(std::string_view text,
                                       const std::string& file) {
  return ObservedReader(text, file).Run();
}

Result<ObservedOutcomes> LoadObserved(Env& env, const std::string& path) {
  Result<std::string> text = env.ReadFile(path);
  if (!text) return std::unexpected(text.error());
  return ParseObserved(*text, path);
}

}  // namespace unionstate
