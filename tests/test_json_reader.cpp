// Tests for parsers/json_reader: flat rows, Streaming API envelopes, Event Hub captures,
// documents, escapes, literals, malformed lines and full-record decoding.
#include "parsers/json_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace rareconn::parsers;

namespace {

struct Out {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::uint64_t> offsets;
  std::vector<std::pair<std::uint64_t, ParseError>> errors;
};

Out parse(const std::string& t, bool line_mode = true) {
  Projection proj{{{{"Timestamp", "TimeGenerated"}}, {{"RemoteIP"}}, {{"RemotePort"}}}};
  JsonRecordParser p(proj);
  Out o;
  p.parse(t, 0, t.size(), line_mode,
          [&](const RecordView& rv) {
            std::vector<std::string> r;
            for (std::size_t i = 0; i < rv.count; ++i) r.emplace_back(rv.values[i]);
            o.rows.push_back(r);
            o.offsets.push_back(rv.offset);
          },
          [&](std::uint64_t off, ParseError e) { o.errors.push_back({off, e}); });
  return o;
}

}  // namespace

TEST(JsonRows, FlatRowsWithTypesAndEscapes) {
  Out o = parse("{\"Timestamp\":\"2024-01-01T00:00:00Z\",\"RemoteIP\":\"1.2.3.4\",\"RemotePort\":443}\n"
                "{\"RemoteIP\":\"a\\\"b\\u00e9\\n\",\"RemotePort\":null,\"TimeGenerated\":\"t2\",\"x\":{\"y\":[1,2]}}\n");
  ASSERT_TRUE(o.errors.empty());
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[0], (std::vector<std::string>{"2024-01-01T00:00:00Z", "1.2.3.4", "443"}));
  EXPECT_EQ(o.rows[1], (std::vector<std::string>{"t2", "a\"b\xC3\xA9\n", ""}));
}

TEST(JsonRows, TimestampWinsOverTimeGeneratedWhateverTheOrder) {
  Out o = parse("{\"TimeGenerated\":\"tg\",\"Timestamp\":\"ts\"}\n{\"Timestamp\":\"ts\",\"TimeGenerated\":\"tg\"}\n");
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[0][0], "ts");
  EXPECT_EQ(o.rows[1][0], "ts");
}

TEST(JsonRows, StreamingEnvelopeUsesProperties) {
  const std::string t =
      "{\"time\":\"envelope\",\"tenantId\":\"t\",\"category\":\"AdvancedHunting-DeviceNetworkEvents\","
      "\"properties\":{\"Timestamp\":\"inner\",\"RemoteIP\":\"9.9.9.9\"}}\n";
  Out o = parse(t);
  ASSERT_EQ(o.rows.size(), 1u);
  EXPECT_EQ(o.rows[0][0], "inner");
  EXPECT_EQ(o.rows[0][1], "9.9.9.9");
  EXPECT_EQ(o.offsets[0], t.find("{\"Timestamp\""));
}

TEST(JsonRows, EventHubCaptureHoldsManyRecords) {
  const std::string t =
      "{\"records\":[{\"properties\":{\"RemoteIP\":\"1\"}},{\"properties\":{\"RemoteIP\":\"2\"}}]}\n"
      "{\"records\":[]}\n";
  Out o = parse(t);
  ASSERT_TRUE(o.errors.empty());
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[1][1], "2");
  EXPECT_LT(o.offsets[0], o.offsets[1]);
}

TEST(JsonRows, PrettyDocumentAndTopLevelArray) {
  const std::string doc = "[\n  {\"RemoteIP\": \"1\"},\n  {\"RemoteIP\": \"2\"}\n]\n";
  EXPECT_FALSE(json_is_line_delimited(doc));
  Out o = parse(doc, false);
  ASSERT_EQ(o.rows.size(), 2u);
  const std::string pretty = "{\n \"records\": [\n {\"properties\": {\"RemoteIP\": \"7\"}}\n ]\n}\n";
  EXPECT_FALSE(json_is_line_delimited(pretty));
  Out q = parse(pretty, false);
  ASSERT_EQ(q.rows.size(), 1u);
  EXPECT_EQ(q.rows[0][1], "7");
  EXPECT_TRUE(json_is_line_delimited("{\"a\":1}\n{\"a\":2}\n"));
}

TEST(JsonRows, MalformedLinesAreSkippedAndLocated) {
  const std::string t = "{\"RemoteIP\":\"1\"}\n{\"RemoteIP\":\n\"x\" \n[1]\n{\"RemoteIP\":\"2\"} trailing\n\n{\"RemoteIP\":\"3\"}";
  Out o = parse(t);
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[1][1], "3");
  ASSERT_EQ(o.errors.size(), 4u);
  EXPECT_EQ(o.errors[0].first, 17u);
  EXPECT_EQ(o.errors[1].second, ParseError::kNotAnObject);  // the string "x"
  EXPECT_EQ(o.errors[2].second, ParseError::kNotAnObject);  // [1]
  EXPECT_EQ(o.errors[3].second, ParseError::kBadJson);      // trailing text
}

TEST(JsonRows, InvalidEscapesAndControlCharactersAreErrors) {
  Out o = parse("{\"RemoteIP\":\"\\q\"}\n{\"RemoteIP\":\"a\tb\"}\n{\"RemoteIP\":01}\n");
  EXPECT_EQ(o.rows.size(), 0u);
  EXPECT_EQ(o.errors.size(), 3u);
}

TEST(JsonRows, SplitRecordKeepsOrderTypesAndLastDuplicate) {
  const std::string t = "{\"b\":\"x\\/y\",\"a\":1.5e3,\"c\":true,\"d\":null,\"e\":{ \"k\" : [1, \"s p\"] },\"b\":\"z\"}";
  std::vector<NamedCell> cells;
  ASSERT_EQ(JsonRecordParser::split_record(t, 0, cells), ParseError::kNone);
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_EQ(cells[0].name, "b");
  EXPECT_EQ(cells[0].cell.value, "z");
  EXPECT_FALSE(cells[0].cell.raw_json);
  EXPECT_EQ(cells[1].cell.value, "1.5e3");
  EXPECT_TRUE(cells[1].cell.raw_json);
  EXPECT_EQ(cells[2].cell.value, "true");
  EXPECT_EQ(cells[3].cell.value, "");
  EXPECT_EQ(cells[4].cell.value, "{\"k\":[1,\"s p\"]}");
}

TEST(JsonRows, NestedValuesAreReencodedAsKustoPrintsDynamic) {
  const std::string t = "{\"N\":{ \"a\" : [1, 2.50 ,\"\\u00e9\\/\\n\"] }}";
  std::vector<NamedCell> cells;
  ASSERT_EQ(JsonRecordParser::split_record(t, 0, cells), ParseError::kNone);
  EXPECT_EQ(cells[0].cell.value, "{\"a\":[1,2.50,\"\xC3\xA9/\\n\"]}");
}

TEST(JsonRows, ByteOrderMarkIsNotPartOfTheFirstLine) {
  const std::string t = "\xEF\xBB\xBF{\"RemoteIP\":\"1\"}\n{\"RemoteIP\":\"2\"}\n";
  EXPECT_TRUE(json_is_line_delimited(t));
  Projection proj{{{{"RemoteIP"}}}};
  JsonRecordParser p(proj);
  int rows = 0, errors = 0;
  p.parse(t, 3, t.size(), true, [&](const RecordView&) { ++rows; }, [&](std::uint64_t, ParseError) { ++errors; });
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(errors, 0);
}

TEST(JsonRows, SingleRowArrayReportsTheRowsOwnOffset) {
  const std::string t = "[ {\"RemoteIP\":\"1\"} ]";
  Out o = parse(t, false);
  ASSERT_EQ(o.rows.size(), 1u);
  EXPECT_EQ(o.offsets[0], 2u);
}
