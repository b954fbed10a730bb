#include "unionstate/status.h"

#include <algorithm>
#include <tuple>

namespace unionstate {

std::string SourceLocation::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string Diagnostic::ToString() const {
  std::string location = where.ToString();
  return location.empty() ? message : location + ": " + message;
}

Error::Error(ErrorKind kind, std::vector<Diagnostic> diagnostics)
    : kind_(kind), diagnostics_(std::move(diagnostics)) {
  std::stable_sort(
      diagnostics_.begin(), diagnostics_.end(),
      [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.where.file, a.where.line, a.where.column) <
               std::tie(b.where.file, b.where.line, b.where.column);
      });
}

Error::Error(ErrorKind kind, SourceLocation where, std::string message)
    : Error(kind, {Diagnostic{std::move(where), std::move(message)}}) {}

std::string Error::ToString() const {
  std::string out;
  for (const Diagnostic& d : diagnostics_) {
    if (!out.empty()) out += "\n";
    out += d.ToString();
  }
  return out;
}

std::unexpected<Error> InvalidInput(SourceLocation where, std::string message) {
  return std::unexpected(
      Error(ErrorKind::kInvalidInput, std::move(where), std::move(message)));
}

std::unexpected<Error> InvalidArgument(std::string message) {
  return std::unexpected(
      Error(ErrorKind::kInvalidArgument, {}, std::move(message)));
}

std::unexpected<Error> IoError(SourceLocation where, std::string message) {
  return std::unexpected(
      Error(ErrorKind::kIo, std::move(where), std::move(message)));
}

std::unexpected<Error> Failed(std::string message) {
  return std::unexpected(Error(ErrorKind::kFailed, {}, std::move(message)));
}

}  // namespace unionstate
