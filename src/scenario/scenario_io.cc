#include "unionstate/scenario_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "scenario/builtin_files.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"
#include "scenario/scenario_image.h"

namespace unionstate {

namespace internal {

std::string FileStem(const std::string& file) {
  std::string stem = file.substr(file.find_last_of('/') + 1);
  size_t dot = stem.find_last_of('.');
  if (dot != std::string::npos && dot > 0) stem.resize(dot);
  return stem.empty() ? "scenario" : stem;
}

std::string ClosestMatch(std::string_view word,
                         const std::vector<std::string>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t up = row[j];
        bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                    std::tolower(static_cast<unsigned char>(b[j - 1]));
        row[j] =
            std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& candidate : candidates) {
    size_t d = distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  // A likely typo: at most a third of the word changed.
  if (best_distance == 0 || best_distance >= word.size() ||
      best_distance > std::max<size_t>(1, word.size() / 3)) {
    return {};
  }
  return best;
}

}  // namespace internal

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kToml:
      return "toml";
    case InputFormat::kBdm:
      return "bdm";
    case InputFormat::kKtab:
      return "ktab";
    case InputFormat::kKtabXml:
      return "ktab-xml";
    case InputFormat::kDecide:
      return "decide";
    case InputFormat::kDeu:
      return "deu";
    case InputFormat::kWide:
      return "wide";
  }
  return "toml";
}

std::optional<InputFormat> ParseInputFormat(std::string_view name) {
  for (InputFormat format :
       {InputFormat::kToml, InputFormat::kBdm, InputFormat::kKtab,
        InputFormat::kKtabXml, InputFormat::kDecide, InputFormat::kDeu,
        InputFormat::kWide}) {
    if (InputFormatName(format) == name) return format;
  }
  return {};
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first `n` non-blank lines.
std::vector<std::string_view> Lines(std::string_view text, size_t n) {
  std::vector<std::string_view> lines;
  text = internal::StripBom(text);
  while (!text.empty() && lines.size() < n) {
    size_t end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    if (line.find_first_not_of(" \t") != std::string_view::npos)
      lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool LooksLikeToml(std::string_view text) {
  for (std::string_view line : Lines(text, 50)) {
    size_t start = line.find_first_not_of(" \t");
    line.remove_prefix(start);
    if (line.starts_with('#')) continue;
    if (line.starts_with('[')) return true;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    std::string_view key = line.substr(0, eq);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t'))
      key.remove_suffix(1);
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
             c == '-' || c == '.' || c == '"';
    });
  }
  return false;
}

}  // namespace

Result<InputFormat> DetectInputFormat(std::string_view text,
                                      const std::string& file) {
  std::vector<std::string_view> lines = Lines(text, 2);
  if (lines.empty()) {
    return InvalidInput({file, 1, 1}, "the file is empty; expected a scenario");
  }
  std::string first = Lower(lines[0]);
  {
    std::string_view trimmed = first;
    trimmed.remove_prefix(
        std::min(trimmed.find_first_not_of(" \t"), trimmed.size()));
    // KTAB's SMP XML; an XML declaration or the <Scenario> root.
    if (trimmed.starts_with("<?xml") || trimmed.starts_with("<scenario")) {
      return InputFormat::kKtabXml;
    }
  }
  std::string_view head = first;
  while (head.starts_with('\'') || head.starts_with('"')) head.remove_prefix(1);
  if (head.starts_with("#a") || head.starts_with("#p") ||
      head.starts_with("#o") || head.starts_with("#/") ||
      head.starts_with("#0") || head.starts_with("#d") ||
      head.starts_with("#m")) {
    // decide's records; a TOML comment would not be followed by a record tab.
    if (first.find('\t') != std::string::npos ||
        first.find(';') != std::string::npos) {
      return InputFormat::kDecide;
    }
  }
  if (first.find('\t') != std::string::npos &&
      first.find("isnr") != std::string::npos) {
    return InputFormat::kDeu;
  }
  std::string compact;
  for (char c : first) {
    if (c != ' ' && c != '"') compact += c;
  }
  for (std::string_view name : {"actor,", "stakeholder,"}) {
    if (compact.starts_with(name) &&
        compact.find(",position,salience") != std::string::npos &&
        std::count(compact.begin(), compact.end(), ',') == 3) {
      return InputFormat::kBdm;
    }
  }
  if (lines.size() == 2 && Lower(lines[1]).starts_with("actor,")) {
    return InputFormat::kKtab;
  }
  if (internal::LooksLikeWideActors(text)) return InputFormat::kWide;
  if (LooksLikeToml(text)) return InputFormat::kToml;
  return InvalidInput({file, 1, 1},
                      "cannot tell the format of the file; expected a "
                      "unionstate TOML scenario, KTAB's SMP XML or a table "
                      "of one of the formats bdm, ktab, decide, deu, wide "
                      "(name it with --input-format)");
}

namespace {

// A text that is, byte for byte, a built-in scenario was read and validated
// when the program was built: its image (scenario_image.h) is decoded
// instead, named after `file`. nullopt for any other text, and for a
// damaged image (scenario_image_test.cc holds every image sound), which
// leaves the text to the parser.
std::optional<Result<Scenario>> FromBuiltinImage(std::string_view text,
                                                 const std::string& file) {
  for (const internal::EmbeddedImage& image : internal::EmbeddedImages()) {
    std::optional<BuiltinFile> source = FindBuiltinFile(image.label);
    if (!source || source->text != text) continue;
    Result<Scenario> scenario =
        internal::DecodeScenarioImage(image.bytes, file, text.size());
    if (!scenario) return std::nullopt;
    return scenario;
  }
  return std::nullopt;
}

}  // namespace

Result<Scenario> ParseScenario(std::string_view text, const std::string& file,
                               const LoadOptions& options) {
  // A built-in text is tried first: tools/bake_scenarios makes images only
  // of texts that DetectInputFormat (which reads the text, not the name)
  // calls TOML, and comparing costs less than detecting.
  if (!options.format || *options.format == InputFormat::kToml) {
    if (std::optional<Result<Scenario>> built = FromBuiltinImage(text, file))
      return std::move(*built);
  }
  InputFormat format;
  if (options.format) {
    format = *options.format;
  } else {
    Result<InputFormat> detected = DetectInputFormat(text, file);
    if (!detected) return std::unexpected(detected.error());
    format = *detected;
  }
  internal::Parsed parsed;
  switch (format) {
    case InputFormat::kToml:
      parsed = internal::ParseToml(text, file);
      break;
    case InputFormat::kBdm:
      parsed = internal::ParseBdmCsv(text, file);
      break;
    case InputFormat::kKtab:
      parsed = internal::ParseKtabCsv(text, file);
      break;
    case InputFormat::kKtabXml:
      parsed = internal::ParseKtabXml(text, file);
      break;
    case InputFormat::kDecide:
      parsed = internal::ParseDecide(text, file);
      break;
    case InputFormat::kDeu:
      parsed = internal::ParseDeu(text, file);
      break;
    case InputFormat::kWide:
      return InvalidInput(
          {file, 1, 1},
          "a wide actors table comes with an issues table in a second file; "
          "expected the path of the actors table or of their folder "
          "(LoadScenario), or both texts (ParseWideTables)");
  }
  return internal::Finish(std::move(parsed));
}

namespace internal {

Result<Scenario> Finish(Parsed parsed) {
  // A clean parse goes straight to ValidateScenario, which runs the semantic
  // checks itself (running them here as well doubled their cost).
  if (parsed.diagnostics.empty()) {
    return ValidateScenario(std::move(parsed.scenario));
  }
  // Semantic checks run on whatever parsed cleanly, so one pass reports
  // both kinds of mistake. Structural gaps (a missing table) make some
  // semantic complaints mere echoes; keep only the located ones.
  std::vector<Diagnostic> diagnostics = std::move(parsed.diagnostics);
  for (Diagnostic& d : CheckScenario(parsed.scenario)) {
    if (d.where.line > 0) diagnostics.push_back(std::move(d));
  }
  return std::unexpected(
      Error(ErrorKind::kInvalidInput, std::move(diagnostics)));
}

}  // namespace internal

Result<Scenario> ParseWideTables(std::string_view actors_text,
                                 const std::string& actors_file,
                                 std::string_view issues_text,
                                 const std::string& issues_file,
                                 std::string_view name) {
  Result<Scenario> scenario = internal::Finish(internal::ParseWide(
      actors_text, actors_file, issues_text, issues_file, name));
  if (scenario) return scenario;
  // A spreadsheet's user looks for the column by name: every located
  // mistake says which column it is in.
  std::vector<Diagnostic> diagnostics = scenario.error().diagnostics();
  for (Diagnostic& d : diagnostics) {
    if (d.where.line < 2 || d.message.starts_with("column \"")) continue;
    const std::string_view text =
        d.where.file == actors_file   ? actors_text
        : d.where.file == issues_file ? issues_text
                                      : std::string_view{};
    if (text.empty()) continue;
    std::string column =
        internal::WideColumnAt(text, d.where.line, d.where.column);
    if (!column.empty()) d.message = fmt::format("column \"{}\": {}", column, d.message);
  }
  return std::unexpected(Error(scenario.error().kind(), std::move(diagnostics)));
}

namespace {

Result<Scenario> LoadWide(Env& env, const std::string& actors_path,
                          std::string_view actors_text,
                          const std::string& issues_path) {
  Result<std::string> issues = env.ReadFile(issues_path);
  if (!issues) {
    return IoError({issues_path, 0, 0},
                   fmt::format("cannot read the issues table of the wide "
                               "actors table {}; expected it at this path "
                               "(docs/scenario-format.md, \"Wide tables\")",
                               actors_path));
  }
  return ParseWideTables(actors_text, actors_path, *issues, issues_path);
}

}  // namespace

Result<Scenario> LoadScenario(Env& env, const std::string& path,
                              const LoadOptions& options) {
  Result<std::string> text = env.ReadFile(path);
  if (!text) {
    // A folder of wide tables: actors.csv and issues.csv.
    std::string folder = path;
    while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
    const std::string actors = folder + "/actors.csv";
    Result<std::string> table = env.ReadFile(actors);
    if (table && (!options.format || *options.format == InputFormat::kWide)) {
      return LoadWide(env, actors, *table, folder + "/issues.csv");
    }
    return std::unexpected(text.error());
  }
  const bool wide = options.format ? *options.format == InputFormat::kWide
                                   : internal::LooksLikeWideActors(*text);
  if (wide) return LoadWide(env, path, *text, internal::WideIssuesPath(path));
  if (!options.format && internal::LooksLikeWideIssues(*text)) {
    return InvalidInput(
        {path, 1, 1},
        "this is the issues table of wide tables; expected the actors table "
        "(its issues table is found by name) or the folder holding "
        "actors.csv and issues.csv");
  }
  return ParseScenario(*text, path, options);
}

std::optional<BuiltinFile> FindBuiltinFile(std::string_view name) {
  for (const internal::EmbeddedFile& file : internal::EmbeddedFiles()) {
    std::string_view label = file.label;
    std::string_view base = label.substr(label.find_last_of('/') + 1);
    if (name == base || name == label)
      return BuiltinFile{file.label, file.text};
  }
  return {};
}

std::string_view DefaultBuiltinScenario() { return "2021-09.toml"; }

Result<Scenario> LoadBuiltinScenario(std::string_view name) {
  if (name.empty()) name = DefaultBuiltinScenario();
  std::optional<BuiltinFile> file = FindBuiltinFile(name);
  if (!file || !file->label.ends_with(".toml")) {
    std::string names;
    for (const internal::EmbeddedFile& f : internal::EmbeddedFiles()) {
      if (!f.label.ends_with(".toml")) continue;  // reference classes
      names += (names.empty() ? "" : ", ") + std::string(f.label);
    }
    return InvalidArgument(fmt::format(
        "no built-in scenario \"{}\"; expected one of {}", name, names));
  }
  return ParseScenario(file->text, std::string(file->label), {});
}

}  // namespace unionstate
