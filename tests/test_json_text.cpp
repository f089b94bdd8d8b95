// Unit tests for core/json_text: JSON string literals and compact string arrays (kql-semantics §1.1 H6).
// Must not time anything and must not touch files.
#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rareconn::core {
namespace {

std::string lit(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonText, PlainAndEmpty) {
  EXPECT_EQ(lit(""), R"("")");
  EXPECT_EQ(lit("www.microsoft.com"), R"("www.microsoft.com")");
  EXPECT_EQ(lit("https://go.microsoft.com/fwlink"), R"("https://go.microsoft.com/fwlink")");  // '/' raw
}

TEST(JsonText, Escapes) {
  EXPECT_EQ(lit("a\"b"), R"("a\"b")");
  EXPECT_EQ(lit("a\\b"), R"("a\\b")");
  EXPECT_EQ(lit("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(lit(std::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(lit("\x01\x1f\x0b"), R"("\u0001\u001f\u000b")");  // lower-case hex
  EXPECT_EQ(lit("\x1a"), R"("\u001a")");
  EXPECT_EQ(lit("\x7f"), "\"\x7f\"");  // DEL is not a control char < 0x20
  EXPECT_EQ(lit("x\"\\\ny"), R"("x\"\\\ny")");
}

TEST(JsonText, NonAsciiRaw) {
  EXPECT_EQ(lit("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(lit("\xF0\x9F\x98\x80!"), "\"\xF0\x9F\x98\x80!\"");  // 4-byte sequence kept raw
}

TEST(JsonText, InvalidUtf8BecomesReplacementCharacter) {
  // JSON text must be UTF-8: a byte that is not part of a well-formed sequence becomes U+FFFD.
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(lit("\xff\x80"), "\"" + r + r + "\"");
  EXPECT_EQ(lit("a\xC3"), "\"a" + r + "\"");              // cut short
  EXPECT_EQ(lit("\xC0\xAF"), "\"" + r + r + "\"");         // overlong '/'
  EXPECT_EQ(lit("\xED\xA0\x80"), "\"" + r + r + r + "\"");  // a UTF-16 surrogate
  EXPECT_EQ(lit("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // beyond U+10FFFF
}

TEST(JsonText, AppendKeepsPrefix) {
  std::string out = "prefix:";
  append_json_string(out, "v");
  EXPECT_EQ(out, R"(prefix:"v")");
}

TEST(JsonText, Arrays) {
  EXPECT_EQ(json_string_array({}), "[]");
  EXPECT_EQ(json_string_array({""}), R"([""])");
  EXPECT_EQ(json_string_array({"a"}), R"(["a"])");
  EXPECT_EQ(json_string_array({"a", "b"}), R"(["a","b"])");
  EXPECT_EQ(json_string_array({"www.microsoft.com", "", "x\"y"}), R"(["www.microsoft.com","","x\"y"])");
  std::vector<std::string> owned = {"one", "two\tthree"};
  std::vector<std::string_view> views(owned.begin(), owned.end());
  EXPECT_EQ(json_string_array(views), R"(["one","two\tthree"])");
}

}  // namespace
}  // namespace rareconn::core
