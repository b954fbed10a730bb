#include "scenario/csv.h"

namespace unionstate::internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view StripBom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

std::string_view FirstLine(std::string_view text) {
  text = StripBom(text);
  while (!text.empty()) {
    size_t end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    if (!Trim(line).empty()) return line;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return {};
}

std::vector<CsvRow> ReadDelimited(std::string_view text, char delimiter,
                                  char quote) {
  std::string_view stripped = StripBom(text);
  int bom_shift = static_cast<int>(text.size() - stripped.size());
  text = stripped;
  std::vector<CsvRow> rows;
  CsvRow row;
  CsvField field;
  std::string raw;
  int line = 1;
  int column = 1 + bom_shift;
  bool in_quotes = false;
  bool was_quoted = false;
  bool field_started = false;

  auto finish_field = [&] {
    field.text = was_quoted ? raw : std::string(Trim(raw));
    row.fields.push_back(field);
    raw.clear();
    was_quoted = false;
    field_started = false;
  };
  auto finish_row = [&] {
    finish_field();
    bool blank = true;
    for (const CsvField& f : row.fields) blank = blank && f.text.empty();
    if (!blank) rows.push_back(std::move(row));
    row = CsvRow{};
  };

  for (size_t k = 0; k < text.size(); ++k) {
    char c = text[k];
    if (!field_started) {
      field.line = line;
      field.column = column;
      row.line = row.fields.empty() ? line : row.line;
      field_started = true;
    }
    if (in_quotes) {
      if (c == quote) {
        if (k + 1 < text.size() && text[k + 1] == quote) {
          raw += quote;
          ++k;
          ++column;
        } else {
          in_quotes = false;
        }
      } else {
        raw += c;
        if (c == '\n') {
          ++line;
          column = 0;
        }
      }
      ++column;
      continue;
    }
    if (c == quote && Trim(raw).empty()) {
      in_quotes = true;
      was_quoted = true;
      raw.clear();
      ++column;
    } else if (c == delimiter) {
      finish_field();
      ++column;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && k + 1 < text.size() && text[k + 1] == '\n') ++k;
      finish_row();
      ++line;
      column = 1;
    } else {
      raw += c;
      ++column;
    }
  }
  if (field_started || !row.fields.empty()) finish_row();
  return rows;
}

}  // namespace unionstate::internal
