#ifndef UNIONSTATE_COMMON_TOML_GUARD_H_
#define UNIONSTATE_COMMON_TOML_GUARD_H_

// A check that runs before toml++ sees a file. toml++ 3.3.0 (the version
// Debian 12 ships; compiled into our code from its headers, with its
// assertions off in release builds like the rest) has three bugs that our
// input reaches:
//
//   * a table header `[` followed by anything that cannot start a key (a
//     newline, `=`, `#`) breaks an assumption in parse_key(): an assert in
//     debug builds, undefined behaviour under clang's __builtin_assume
//     (upstream PR #301);
//   * a code point in U+00A1..U+0499, U+2D8E..U+3187 or U+FBC6..U+FEFE where
//     toml++ asks "is this whitespace?" reaches __builtin_unreachable() in
//     is_non_ascii_horizontal_whitespace (upstream issues #190/#295, PR #305).
//     It asks outside strings and comments, after a backslash in a
//     multi-line basic string, and on the first character of the line after
//     a line-ending backslash there.
//   * a date, a space, one digit and then a value terminator
//     (`x = 2021-11-04 1`): parse_value() scans on for a time past the digit
//     and assumes a character that is not a terminator (an assert in debug
//     builds, __builtin_assume under clang).
//
// TOML 1.0 allows non-ASCII text only inside strings and comments, and never
// a date followed by a lone digit, so a small lexer that follows strings,
// comments and brackets can refuse every input that would reach these bugs,
// with a located message, and lets every valid file through except one rare
// form: a line continued by a line-ending backslash in a """ string whose next
// text starts with a non-ASCII character (write the character after the line
// break without the backslash, or start the line with an ASCII one). Delete
// this guard when toml++ >= 3.4 is the version in use.

#include <optional>
#include <string>
#include <string_view>

#include "unionstate/status.h"

namespace unionstate::internal {

// The first place in `text` that would reach one of the toml++ bugs above,
// as file:line:column and what was expected; nullopt when there is none.
std::optional<Diagnostic> FindTomlParserTrap(std::string_view text,
                                             const std::string& file);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_COMMON_TOML_GUARD_H_
