#include "scenario/xml.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace unionstate::internal {

const XmlElement* XmlElement::Child(std::string_view wanted) const {
  for (const XmlElement& c : children) {
    if (c.name == wanted) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::Children(
    std::string_view wanted) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children) {
    if (c.name == wanted) out.push_back(&c);
  }
  return out;
}

namespace {

// Attributes are compared with each other for duplicates: a bound keeps
// that from growing with the square of a hostile file.
constexpr size_t kMaxAttributes = 256;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// XML names, loosely: ASCII letters, '_' and ':' or any byte of a non-ASCII
// character first; then also digits, '-' and '.'.
bool IsNameStart(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' ||
         u == ':' || u >= 0x80;
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// `code` as UTF-8, or false when XML allows no such character.
bool AppendUtf8(std::uint32_t code, std::string& out) {
  const bool allowed = code == 0x9 || code == 0xA || code == 0xD ||
                       (code >= 0x20 && code <= 0xD7FF) ||
                       (code >= 0xE000 && code <= 0xFFFD) ||
                       (code >= 0x10000 && code <= 0x10FFFF);
  if (!allowed) return false;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  return true;
}

// Shows a character in a message: printable ASCII as itself, else its code.
std::string Shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7F) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", u);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::expected<XmlElement, XmlError> Document() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    if (!Misc(/*doctype_allowed=*/true)) return Fail();
    if (AtEnd()) {
      Error("the text has no element; expected a root element");
      return Fail();
    }
    if (Peek() != '<') {
      Error(fmt::format("text before the root element ({}); expected '<'",
                        Shown(Peek())));
      return Fail();
    }
    XmlElement root;
    if (!Element(root, 1)) return Fail();
    if (!Misc(/*doctype_allowed=*/false)) return Fail();
    if (!AtEnd()) {
      Error("more after the root element ends; expected one root element");
      return Fail();
    }
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }
  bool LookingAt(std::string_view what) const {
    return s_.substr(pos_, what.size()) == what;
  }
  // Moves past `count` characters, counting the lines.
  void Skip(size_t count) {
    for (size_t end = std::min(s_.size(), pos_ + count); pos_ < end; ++pos_) {
      if (s_[pos_] == '\n') ++line_;
    }
  }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(Peek())) Skip(1);
  }
  // Moves past the next `end`; false (and an error) when there is none.
  bool SkipPast(std::string_view end, std::string_view what) {
    const size_t at = s_.find(end, pos_);
    if (at == std::string_view::npos) {
      Error(fmt::format("{} never ends; expected \"{}\"", what, end));
      return false;
    }
    Skip(at + end.size() - pos_);
    return true;
  }

  void Error(std::string message) {
    if (!error_) error_ = XmlError{line_, std::move(message)};
  }
  std::unexpected<XmlError> Fail() {
    if (!error_) error_ = XmlError{line_, "not well-formed"};
    return std::unexpected(*error_);
  }

  // Comments, processing instructions, white space and (before the root)
  // one document type declaration.
  bool Misc(bool doctype_allowed) {
    for (;;) {
      SkipSpace();
      if (LookingAt("<!--")) {
        if (!SkipPast("-->", "a comment")) return false;
      } else if (LookingAt("<?")) {
        if (!SkipPast("?>", "a processing instruction")) return false;
      } else if (LookingAt("<!DOCTYPE")) {
        if (!doctype_allowed) {
          Error(
              "a document type declaration after the root element; "
              "expected it before");
          return false;
        }
        if (!Doctype()) return false;
        doctype_allowed = false;
      } else {
        return true;
      }
    }
  }

  // <!DOCTYPE name ... [internal subset] >, skipped whole.
  bool Doctype() {
    const int start = line_;
    int brackets = 0;
    char quote = 0;
    for (Skip(2); !AtEnd(); Skip(1)) {
      const char c = Peek();
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        --brackets;
      } else if (c == '>' && brackets <= 0) {
        Skip(1);
        return true;
      }
    }
    error_ =
        XmlError{start, "a document type declaration never ends; expected '>'"};
    return false;
  }

  bool Name(std::string& out) {
    if (AtEnd() || !IsNameStart(Peek())) {
      Error(AtEnd() ? "the text ends inside a tag; expected a name"
                    : fmt::format("{} where a name should start; expected a "
                                  "letter, '_' or ':'",
                                  Shown(Peek())));
      return false;
    }
    const size_t begin = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    out.assign(s_.substr(begin, pos_ - begin));
    return true;
  }

  // After '&': the entity or character reference, appended to `out`.
  bool Reference(std::string& out) {
    const size_t semicolon = s_.find(';', pos_);
    if (semicolon == std::string_view::npos || semicolon - pos_ > 32) {
      Error(
          "'&' starts no reference; expected &amp;, &lt;, &gt;, &quot;, "
          "&apos; or &#number;");
      return false;
    }
    const std::string_view ref = s_.substr(pos_ + 1, semicolon - pos_ - 1);
    if (ref == "amp") {
      out += '&';
    } else if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref.size() >= 2 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      std::uint32_t code = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0 || code > 0x10FFFF) {
          ok = false;
          break;
        }
        code = code * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
      }
      if (!ok || !AppendUtf8(code, out)) {
        Error(
            fmt::format("&{}; is no character XML allows; expected a "
                        "number such as &#65; or &#x41;",
                        ref));
        return false;
      }
    } else {
      Error(
          fmt::format("&{}; is not a predefined entity; expected &amp;, "
                      "&lt;, &gt;, &quot;, &apos; or &#number;",
                      ref));
      return false;
    }
    Skip(semicolon + 1 - pos_);
    return true;
  }

  bool Attribute(XmlElement& e) {
    std::string name;
    if (!Name(name)) return false;
    if (e.attributes.size() >= kMaxAttributes) {
      Error(fmt::format("<{}> has more than {} attributes; expected fewer",
                        e.name, kMaxAttributes));
      return false;
    }
    for (const auto& [have, value] : e.attributes) {
      if (have == name) {
        Error(fmt::format("<{}> has attribute {} twice; expected it once",
                          e.name, name));
        return false;
      }
    }
    SkipSpace();
    // An attribute that is not name="value".
    auto malformed = [&](std::string_view what) {
      Error(fmt::format("attribute {} of <{}> {}; expected {}=\"value\"", name,
                        e.name, what, name));
      return false;
    };
    if (AtEnd() || Peek() != '=') return malformed("has no '='");
    Skip(1);
    SkipSpace();
    if (AtEnd() || (Peek() != '"' && Peek() != '\'')) {
      return malformed("is not quoted");
    }
    const char quote = Peek();
    Skip(1);
    std::string value;
    for (;;) {
      if (AtEnd()) {
        Error(
            fmt::format("attribute {} of <{}> never ends; expected a "
                        "closing {}",
                        name, e.name, quote));
        return false;
      }
      const char c = Peek();
      if (c == quote) break;
      if (c == '<') {
        Error(fmt::format("'<' in attribute {} of <{}>; expected &lt;", name,
                          e.name));
        return false;
      }
      if (c == '&') {
        if (!Reference(value)) return false;
      } else {
        value += c;
        Skip(1);
      }
    }
    Skip(1);
    e.attributes.emplace_back(std::move(name), std::move(value));
    return true;
  }

  // At '<': the element, its content and its end tag.
  bool Element(XmlElement& e, int depth) {
    if (depth > kMaxXmlDepth) {
      Error(
          fmt::format("elements nest more than {} deep; expected a "
                      "shallower document",
                      kMaxXmlDepth));
      return false;
    }
    e.line = line_;
    Skip(1);
    if (!Name(e.name)) return false;
    for (;;) {
      const bool spaced = !AtEnd() && IsSpace(Peek());
      SkipSpace();
      if (AtEnd()) {
        Error(fmt::format("the text ends inside <{}>; expected '>'", e.name));
        return false;
      }
      if (LookingAt("/>")) {
        Skip(2);
        return true;
      }
      if (Peek() == '>') {
        Skip(1);
        break;
      }
      if (!spaced) {
        Error(fmt::format("{} in the tag <{}>; expected a space, '>' or '/>'",
                          Shown(Peek()), e.name));
        return false;
      }
      if (!Attribute(e)) return false;
    }
    return Content(e, depth);
  }

  // Character data, children, comments, CDATA and processing instructions
  // up to and including the end tag of `e`.
  bool Content(XmlElement& e, int depth) {
    for (;;) {
      if (AtEnd()) {
        Error(
            fmt::format("the text ends before </{}> (opened on line {}); "
                        "expected it closed",
                        e.name, e.line));
        return false;
      }
      const char c = Peek();
      if (c == '&') {
        if (!Reference(e.text)) return false;
      } else if (c != '<') {
        const size_t next = s_.find_first_of("<&", pos_);
        const size_t end = next == std::string_view::npos ? s_.size() : next;
        e.text.append(s_.substr(pos_, end - pos_));
        Skip(end - pos_);
      } else if (LookingAt("</")) {
        Skip(2);
        std::string name;
        if (!Name(name)) return false;
        if (name != e.name) {
          Error(
              fmt::format("</{}> closes <{}> (opened on line {}); expected "
                          "</{}>",
                          name, e.name, e.line, e.name));
          return false;
        }
        SkipSpace();
        if (AtEnd() || Peek() != '>') {
          Error(
              fmt::format("the end tag </{}> has no '>'; expected one", name));
          return false;
        }
        Skip(1);
        return true;
      } else if (LookingAt("<!--")) {
        if (!SkipPast("-->", "a comment")) return false;
      } else if (LookingAt("<![CDATA[")) {
        Skip(9);
        const size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) {
          Error("a CDATA section never ends; expected \"]]>\"");
          return false;
        }
        e.text.append(s_.substr(pos_, end - pos_));
        Skip(end + 3 - pos_);
      } else if (LookingAt("<?")) {
        if (!SkipPast("?>", "a processing instruction")) return false;
      } else if (LookingAt("<!")) {
        Error(
            fmt::format("\"<!\" inside <{}>; expected a comment "
                        "<!-- --> or <![CDATA[ ]]>",
                        e.name));
        return false;
      } else {
        e.children.emplace_back();
        if (!Element(e.children.back(), depth + 1)) return false;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  std::optional<XmlError> error_;
};

}  // namespace

std::expected<XmlElement, XmlError> ParseXml(std::string_view text) {
  return Parser(text).Document();
}

}  // namespace unionstate::internal
