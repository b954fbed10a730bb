#ifndef UNIONSTATE_SCENARIO_CSV_H_
#define UNIONSTATE_SCENARIO_CSV_H_

// A small reader for the delimited tables other tools write: any of ',', ';'
// or tab as delimiter, optional quoting, CR, LF or CRLF line ends, a UTF-8
// byte-order mark. Every field keeps the line and column it started at, so
// importers can point an analyst at the exact cell.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/status.h"

namespace unionstate::internal {

struct CsvField {
  std::string text;  // quotes removed, surrounding blanks trimmed
  int line = 0;
  int column = 0;
};

struct CsvRow {
  int line = 0;
  std::vector<CsvField> fields;
};

// Splits `text` into rows of fields. Blank lines are skipped. `quote` is the
// quoting character ('"' or '\''); a doubled quote inside a quoted field is
// one quote character.
std::vector<CsvRow> ReadDelimited(std::string_view text, char delimiter,
                                  char quote);

// The text with a leading UTF-8 byte-order mark removed.
std::string_view StripBom(std::string_view text);

// The first non-blank line of `text` (without its line end).
std::string_view FirstLine(std::string_view text);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SCENARIO_CSV_H_
