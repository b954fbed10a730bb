// The XML reader behind KTAB's SMP XML import (scenario/xml.h).

#include "scenario/xml.h"

#include <gtest/gtest.h>

#include <string>

namespace unionstate::internal {
namespace {

TEST(Xml, ReadsElementsTextAttributesAndLines) {
  const std::string text =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- a comment -->\n"
      "<!DOCTYPE Scenario [ <!ELEMENT Scenario ANY> ]>\n"
      "<Scenario kind='smp' note=\"a &amp; b\">\n"
      "  <name> Tom &lt;&amp;&gt; Jerry &#65;&#x42;&#x416; </name>\n"
      "  <empty/>\n"
      "  <data><![CDATA[<raw> & text]]></data>\n"
      "  <name>second</name><?pi inside?>\n"
      "</Scenario>\n"
      "<!-- trailing -->\n";
  std::expected<XmlElement, XmlError> doc = ParseXml(text);
  ASSERT_TRUE(doc.has_value())
      << doc.error().line << ": " << doc.error().message;
  EXPECT_EQ(doc->name, "Scenario");
  EXPECT_EQ(doc->line, 4);
  ASSERT_EQ(doc->attributes.size(), 2u);
  EXPECT_EQ(doc->attributes[0].first, "kind");
  EXPECT_EQ(doc->attributes[0].second, "smp");
  EXPECT_EQ(doc->attributes[1].second, "a & b");
  ASSERT_EQ(doc->children.size(), 4u);
  const XmlElement* name = doc->Child("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->text, " Tom <&> Jerry AB\xD0\x96 ");
  EXPECT_EQ(name->line, 5);
  EXPECT_EQ(doc->Child("empty")->line, 6);
  EXPECT_TRUE(doc->Child("empty")->text.empty());
  EXPECT_EQ(doc->Child("data")->text, "<raw> & text");
  EXPECT_EQ(doc->Child("missing"), nullptr);
  std::vector<const XmlElement*> names = doc->Children("name");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[1]->text, "second");
  EXPECT_EQ(names[1]->line, 8);
  // The root's own character data: the white space between its children.
  EXPECT_EQ(doc->text, "\n  \n  \n  \n  \n");
}

struct Broken {
  const char* text;
  int line;
  const char* says;
};

TEST(Xml, RefusesWhatIsNotWellFormedWithTheLineAndWhatWasExpected) {
  const Broken cases[] = {
      {"", 1, "no element"},
      {"  \n  ", 2, "no element"},
      {"hello <a/>", 1, "text before the root element"},
      {"<a>\n<b>\n</a>", 3,
       "</a> closes <b> (opened on line 2); expected </b>"},
      {"<a>\n<b></b>", 2, "the text ends before </a> (opened on line 1)"},
      {"<a></a>\n<b/>", 2, "more after the root element"},
      {"<a x=1/>", 1, "attribute x of <a> is not quoted; expected x=\"value\""},
      {"<a\n x/>", 2, "attribute x of <a> has no '='; expected x=\"value\""},
      {"<a x='1' x='2'/>", 1, "has attribute x twice"},
      {"<a x='1'y='2'/>", 1, "in the tag <a>; expected a space"},
      {"<a x='<'/>", 1, "'<' in attribute x"},
      {"<a>&nbsp;</a>", 1, "&nbsp; is not a predefined entity"},
      {"<a>&#0;</a>", 1, "&#0; is no character XML allows"},
      {"<a>&#xD800;</a>", 1, "&#xD800; is no character"},
      {"<a>&#99999999999;</a>", 1, "is no character"},
      {"<a>& b</a>", 1, "'&' starts no reference"},
      {"<a>\n<!-- open", 2, "a comment never ends"},
      {"<a><![CDATA[x</a>", 1, "a CDATA section never ends"},
      {"<a><!ELEMENT></a>", 1, "\"<!\" inside <a>"},
      {"<1a/>", 1, "where a name should start"},
      {"<a", 1, "the text ends inside <a>"},
      {"<a></a >x", 1, "more after the root element"},
      {"<a></a><!DOCTYPE a>", 1, "after the root element"},
      {"<!DOCTYPE a [ <!ELEMENT a ANY>", 1,
       "a document type declaration never ends"},
  };
  for (const Broken& c : cases) {
    std::expected<XmlElement, XmlError> doc = ParseXml(c.text);
    ASSERT_FALSE(doc.has_value()) << c.text;
    EXPECT_EQ(doc.error().line, c.line)
        << c.text << ": " << doc.error().message;
    EXPECT_NE(doc.error().message.find(c.says), std::string::npos)
        << c.text << ": " << doc.error().message;
  }
}

TEST(Xml, NestingIsBoundedSoNoInputExhaustsTheStack) {
  std::string ok;
  for (int i = 0; i < kMaxXmlDepth; ++i) ok += "<a>";
  for (int i = 0; i < kMaxXmlDepth; ++i) ok += "</a>";
  EXPECT_TRUE(ParseXml(ok).has_value());
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  std::expected<XmlElement, XmlError> doc = ParseXml(deep);
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("nest more than 256 deep"),
            std::string::npos)
      << doc.error().message;
}

TEST(Xml, AnElementHoldsAtMost256Attributes) {
  std::string text = "<a";
  for (int i = 0; i < 257; ++i) text += " x" + std::to_string(i) + "='1'";
  text += "/>";
  std::expected<XmlElement, XmlError> doc = ParseXml(text);
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("more than 256 attributes"),
            std::string::npos);
}

}  // namespace
}  // namespace unionstate::internal
