#ifndef UNIONSTATE_STATUS_H_
#define UNIONSTATE_STATUS_H_

// Errors that cross the public API.
//
// unionstate separates two kinds of failure (see STYLE.md):
//
//   * An analyst's mistake -- a malformed scenario file, an unknown actor id, a
//     salience of 1.5, a model name that does not exist -- is a value: an
//     `Error` carrying one `Diagnostic` per mistake, each with the file, line
//     and column it was found at and a message that says what is wrong and
//     what was expected. Functions that can meet such mistakes return
//     `Result<T>` (std::expected<T, Error>). Loaders collect every mistake they
//     can find before returning, so an analyst fixes a file in one pass.
//   * A programmer's mistake (a broken invariant inside the library) is a
//     check that stops the program with a message; it never becomes an Error.
//
// No exception crosses the public API.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace unionstate {

// Where something was read from. `line` and `column` are 1-based; 0 means
// "unknown" (a file that could not be opened has neither).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", "file:line" or "file", whichever parts are known.
  std::string ToString() const;
};

// One mistake: where, and what is wrong and what was expected.
struct Diagnostic {
  SourceLocation where;
  std::string message;

  // "file:line:column: message" (parts of the location that are unknown are
  // left out).
  std::string ToString() const;
};

// What kind of failure an Error is. The command line maps these to exit
// codes (docs/cli.md): kInvalidInput and kInvalidArgument exit 2, the others 1.
enum class ErrorKind {
  kInvalidInput,     // a scenario, observation or results file is wrong
  kInvalidArgument,  // a command-line value or model specification is wrong
  kIo,               // a file could not be read or written
  kFailed,           // a model or computation could not produce a result
};

// One or more diagnostics of one kind.
class Error {
 public:
  Error(ErrorKind kind, std::vector<Diagnostic> diagnostics);
  // Convenience for a single diagnostic.
  Error(ErrorKind kind, SourceLocation where, std::string message);

  ErrorKind kind() const { return kind_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

  // Every diagnostic, one per line, sorted by file, line and column.
  std::string ToString() const;

 private:
  ErrorKind kind_;
  std::vector<Diagnostic> diagnostics_;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthands for returning an error from a function returning Result<T>.
std::unexpected<Error> InvalidInput(SourceLocation where, std::string message);
std::unexpected<Error> InvalidArgument(std::string message);
std::unexpected<Error> IoError(SourceLocation where, std::string message);
std::unexpected<Error> Failed(std::string message);

}  // namespace unionstate

#endif  // UNIONSTATE_STATUS_H_
