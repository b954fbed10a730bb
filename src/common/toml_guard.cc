#include "common/toml_guard.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace unionstate::internal {
namespace {

// The code points for which toml++ 3.3.0's whitespace test falls through to
// __builtin_unreachable(): the three 1018-wide blocks of its lookup that
// hold a whitespace character but have no case, minus those characters.
bool IsTrap(char32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2D8E && c <= 0x3187 && c != 0x3000) ||
         (c >= 0xFBC6 && c <= 0xFEFE);
}

bool IsBareKeyCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file)
      : text_(text), file_(file) {}

  std::optional<Diagnostic> Run() {
    // toml++ skips a byte order mark.
    if (text_.starts_with("\xEF\xBB\xBF")) Advance(3);
    while (at_ < text_.size() && !found_) Step();
    return std::move(found_);
  }

 private:
  enum class State { kOut, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };

  char At(size_t k) const { return k < text_.size() ? text_[k] : '\0'; }

  // Moves `n` bytes on, keeping line and column (in code points) in step.
  void Advance(size_t n) {
    for (size_t k = 0; k < n && at_ < text_.size(); ++k, ++at_) {
      const auto byte = static_cast<unsigned char>(text_[at_]);
      if (byte == '\n') {
        ++line_;
        column_ = 1;
      } else if ((byte & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }

  // The code point at the current byte (U+FFFD for a malformed sequence,
  // which toml++ refuses before asking about whitespace).
  char32_t CodePoint() const {
    const auto b0 = static_cast<unsigned char>(At(at_));
    if (b0 < 0x80) return b0;
    int length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (length == 0 || at_ + static_cast<size_t>(length) > text_.size())
      return 0xFFFD;
    char32_t c = b0 & (0xFF >> (length + 1));
    for (int k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text_[at_ + static_cast<size_t>(k)]);
      if ((b & 0xC0) != 0x80) return 0xFFFD;
      c = (c << 6) | (b & 0x3F);
    }
    return c;
  }

  void Report(std::string message) {
    found_ = Diagnostic{{file_, line_, column_}, std::move(message)};
  }

  // A run of three to five `quote`s closes a multi-line string.
  bool ClosesMulti(char quote) const {
    return At(at_) == quote && At(at_ + 1) == quote && At(at_ + 2) == quote;
  }

  void Step() {
    const char c = text_[at_];
    switch (state_) {
      case State::kOut:
        StepOutside(c);
        return;
      case State::kComment:
        if (c == '\n') {
          state_ = State::kOut;
          line_start_ = true;
        }
        Advance(1);
        return;
      case State::kBasic:
      case State::kLiteral:
        if (c == '\n') {
          state_ = State::kOut;  // toml++ stops here with an error
          line_start_ = true;
        } else if (c == (state_ == State::kBasic ? '"' : '\'')) {
          state_ = State::kOut;
        } else if (c == '\\' && state_ == State::kBasic && At(at_ + 1) != '\n') {
          Advance(1);
        }
        Advance(1);
        return;
      case State::kMultiLiteral:
        if (ClosesMulti('\'')) {
          CloseMulti('\'');
        } else {
          Advance(1);
        }
        return;
      case State::kMultiBasic:
        if (c == '\\') {
          StepEscapeInMultiBasic();
        } else if (ClosesMulti('"')) {
          CloseMulti('"');
        } else {
          Advance(1);
        }
        return;
    }
  }

  void CloseMulti(char quote) {
    Advance(3);
    for (int extra = 0; extra < 2 && At(at_) == quote; ++extra) Advance(1);
    state_ = State::kOut;
  }

  // After a backslash in a """ string toml++ asks whether the escaped
  // character is whitespace; when it is (a line-ending backslash), it asks
  // again of the first character after the spaces and line breaks.
  void StepEscapeInMultiBasic() {
    Advance(1);
    if (at_ >= text_.size()) return;
    const char c = text_[at_];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      if (IsTrap(CodePoint())) {
        Report(
            "a backslash escapes a non-ASCII character; expected one of TOML's "
            "escapes");
        return;
      }
      Advance(1);
      return;
    }
    while (at_ < text_.size() &&
           (At(at_) == ' ' || At(at_) == '\t' || At(at_) == '\r' ||
            At(at_) == '\n')) {
      Advance(1);
    }
    if (at_ < text_.size() && IsTrap(CodePoint())) {
      Report(
          "the text continued by a line-ending backslash starts with a "
          "non-ASCII character, which toml++ 3.3.0 cannot read there; expected "
          "an ASCII character first, or no backslash");
    }
  }

  void StepOutside(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      Report(
          "a non-ASCII character outside a string or comment; expected it "
          "inside a quoted string or after #");
      return;
    }
    switch (c) {
      case '\n':
        line_start_ = true;
        Advance(1);
        return;
      case ' ':
      case '\t':
      case '\r':
        Advance(1);
        return;
      case '#':
        state_ = State::kComment;
        Advance(1);
        return;
      case '"':
      case '\'': {
        line_start_ = false;
        const bool basic = c == '"';
        if (At(at_ + 1) == c && At(at_ + 2) == c) {
          state_ = basic ? State::kMultiBasic : State::kMultiLiteral;
          Advance(3);
        } else if (At(at_ + 1) == c) {
          Advance(2);  // an empty string
        } else {
          state_ = basic ? State::kBasic : State::kLiteral;
          Advance(1);
        }
        return;
      }
      case '[':
        if (line_start_ && depth_ == 0) {
          CheckTableHeader();
          if (found_) return;
        } else {
          ++depth_;
        }
        line_start_ = false;
        Advance(1);
        return;
      case '{':
        ++depth_;
        line_start_ = false;
        Advance(1);
        return;
      case ']':
      case '}':
        depth_ = std::max(0, depth_ - 1);
        line_start_ = false;
        Advance(1);
        return;
      default:
        line_start_ = false;
        if (c >= '0' && c <= '9' &&
            (at_ == 0 || !IsBareKeyCharacter(At(at_ - 1)))) {
          CheckDateThenDigit();
          if (found_) return;
        }
        Advance(1);
        return;
    }
  }

  // toml++'s value terminators among ASCII characters (a non-ASCII one
  // outside a string is refused above).
  static bool IsValueTerminator(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f' || c == ']' || c == '}' || c == ',' || c == '#';
  }

  // A value shaped like a date (from a digit, ten characters with dashes
  // fifth and eighth, underscores not counted; toml++ lets most letters
  // through this test, as in 2019-12-on), then one space, one digit and a
  // value terminator: toml++ looks for a time after the space and, finding
  // the terminator where it assumes a character of the time, fails an
  // assertion (undefined behaviour where assertions are off). Never valid
  // TOML: a time after a date is HH:MM:SS, and nothing else may follow a
  // value on its line.
  void CheckDateThenDigit() {
    std::string date;
    size_t k = at_;
    for (; k < text_.size() && !IsValueTerminator(text_[k]); ++k) {
      if (text_[k] != '_') date += text_[k];
      if (date.size() > 10) return;
    }
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return;
    if (At(k) != ' ' || At(k + 1) < '0' || At(k + 1) > '9' ||
        k + 2 >= text_.size() || !IsValueTerminator(At(k + 2))) {
      return;
    }
    Report(
        "a value shaped like a date is followed by a space and one digit; "
        "expected a time HH:MM:SS after the space (2021-11-04 09:30:00) or "
        "the date alone");
  }

  // A table header's first bracket (and an optional second) must be
  // followed by what can start a key, or `]` or the end (which toml++
  // reports itself).
  void CheckTableHeader() {
    size_t k = at_ + 1;
    auto skip_blanks = [&] {
      while (At(k) == ' ' || At(k) == '\t') ++k;
    };
    skip_blanks();
    if (At(k) == '[') {
      ++k;
      skip_blanks();
    }
    if (k >= text_.size()) return;
    const char next = text_[k];
    if (IsBareKeyCharacter(next) || next == '"' || next == '\'' ||
        next == ']') {
      return;
    }
    Advance(k - at_);
    Report(
        "a table header has no name after '['; expected a key such as "
        "[[actors]] or [scenario]");
  }

  std::string_view text_;
  const std::string& file_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  State state_ = State::kOut;
  int depth_ = 0;
  bool line_start_ = true;
  std::optional<Diagnostic> found_;
};

}  // namespace

std::optional<Diagnostic> FindTomlParserTrap(std::string_view text,
                                             const std::string& file) {
  return Lexer(text, file).Run();
}

}  // namespace unionstate::internal
