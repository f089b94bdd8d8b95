// Regression (found by fuzz_json_reader under assertions): the JSON number grammar used Spirit X3's
// `digit`, i.e. std::isdigit on a raw byte; a byte >= 0x80 after a number's dot (`1.\xff`) is a
// negative int there: an assertion in debug builds, undefined behaviour in release builds. Digits
// are now the byte range '0'-'9'; such a number is simply malformed.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "parsers/json_reader.hpp"

namespace rareconn::parsers {
namespace {

TEST(RegressJsonNumberNonAsciiByteIsdigit, HighBytesInNumbersAreMalformedNotUndefined) {
  Projection p;
  p.fields = {{{"a"}}};
  JsonRecordParser parser(p);
  for (const std::string& text : {std::string("1.\xff\n"), std::string("{\"a\":1.\xff}\n"), std::string("{\"a\":1e\x80}\n"),
                                  std::string("{\"a\":-\xc3\xa9}\n")}) {
    std::uint64_t records = 0, errors = 0;
    parser.parse(text, 0, text.size(), true, [&](const RecordView&) { ++records; },
                 [&](std::uint64_t, ParseError) { ++errors; });
    EXPECT_EQ(records, 0u) << text;
    EXPECT_EQ(errors, 1u) << text;
  }
}

}  // namespace
}  // namespace rareconn::parsers
