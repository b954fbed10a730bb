#ifndef UNIONSTATE_SCENARIO_XML_H_
#define UNIONSTATE_SCENARIO_XML_H_

// A small XML reader for KTAB's SMP scenario files (import_ktab_xml.cc):
// the document's elements as a tree, each with its name, its attributes,
// the character data directly inside it and the line it starts on.
//
// It reads XML 1.0 as such files use it: an optional byte-order mark, XML
// declaration, processing instructions, comments and a document type
// declaration (skipped, internal subset included); elements with quoted
// attributes; character data with the five predefined entities and
// numeric character references; CDATA sections. It does not expand
// entities a DTD declares, check names against a DTD, or validate. Any
// text that is not well-formed by these rules is refused with the line
// and what was expected. Elements nest at most kMaxXmlDepth deep, so that
// no input can exhaust the stack.
//
// Written here rather than linked (Debian's libtinyxml2): the library was
// loaded and relocated by every command at start, for a format few read.

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace unionstate::internal {

inline constexpr int kMaxXmlDepth = 256;

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  // The character data directly inside this element (not its children's),
  // entities replaced, in document order; whitespace kept.
  std::string text;
  int line = 0;  // 1-based line of the element's '<'
  std::vector<XmlElement> children;

  // The first child element called `name`, or null.
  const XmlElement* Child(std::string_view name) const;
  // Every child element called `name`, in document order.
  std::vector<const XmlElement*> Children(std::string_view name) const;
};

struct XmlError {
  int line = 0;  // 1-based
  std::string message;
};

// The root element of `text`, or where and why it is not well-formed.
std::expected<XmlElement, XmlError> ParseXml(std::string_view text);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SCENARIO_XML_H_
