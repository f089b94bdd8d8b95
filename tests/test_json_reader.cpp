// Tests for parsers/json_reader: flat rows, Streaming API envelopes, Event Hub captures,
// documents, escapes, literals, malformed lines and full-record decoding.
#include "parsers/json_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
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

// A from_envelope field (the Streaming API's "category") is the envelope's when the row has none,
// the row's own when it has one; other fields never come from the envelope.
TEST(JsonRows, EnvelopeFieldsFillOnlyFromEnvelopeSlots) {
  Projection proj{{{{"RemoteIP"}}, {{"category", "Type"}, true}, {{"tenantId"}}}};
  JsonRecordParser p(proj);
  const std::string t =
      "{\"tenantId\":\"t\",\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":{\"RemoteIP\":\"1\"}}\n"
      "{\"category\":\"outer\",\"properties\":{\"RemoteIP\":\"2\",\"Type\":\"inner\"}}\n"
      "{\"records\":[{\"category\":\"c\\u0041\",\"properties\":{\"RemoteIP\":\"3\"}},{\"properties\":{\"RemoteIP\":\"4\"}}]}\n"
      "{\"RemoteIP\":\"5\",\"Type\":\"flat\"}\n";
  std::vector<std::vector<std::string>> rows;
  p.parse(t, 0, t.size(), true,
          [&](const RecordView& rv) {
            std::vector<std::string> r;
            for (std::size_t i = 0; i < rv.count; ++i) r.emplace_back(rv.values[i]);
            rows.push_back(r);
          },
          [&](std::uint64_t, ParseError e) { ADD_FAILURE() << describe(e); });
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "AdvancedHunting-DeviceProcessEvents", ""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "inner", ""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "cA", ""}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"4", "", ""}));
  EXPECT_EQ(rows[4], (std::vector<std::string>{"5", "flat", ""}));
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

TEST(JsonRows, SplitRecordIntoAReusedVectorGivesWhatAFreshOneGives) {
  // The reader of the findings' rows passes the same vector for every record: cells left from a
  // longer row, a literal's raw_json, an escaped name and a duplicate must not leak into the next.
  const std::string first = "{\"a\":1,\"long name of a member\":\"a value longer than sso\",\"c\":true,\"d\":\"x\"}";
  const std::string second = "{\"c\":\"t\\u00e9xt\",\"\\u0061\":\"s\",\"c\":\"last\"}";
  std::vector<NamedCell> reused, fresh;
  ASSERT_EQ(JsonRecordParser::split_record(first, 0, reused), ParseError::kNone);
  ASSERT_EQ(reused.size(), 4u);
  ASSERT_EQ(JsonRecordParser::split_record(second, 0, reused), ParseError::kNone);
  ASSERT_EQ(JsonRecordParser::split_record(second, 0, fresh), ParseError::kNone);
  ASSERT_EQ(reused.size(), 2u);
  ASSERT_EQ(fresh.size(), 2u);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ(reused[i].name, fresh[i].name);
    EXPECT_EQ(reused[i].cell.value, fresh[i].cell.value);
    EXPECT_EQ(reused[i].cell.raw_json, fresh[i].cell.raw_json);
  }
  EXPECT_EQ(fresh[0].name, "c");
  EXPECT_EQ(fresh[0].cell.value, "last");
  EXPECT_FALSE(fresh[0].cell.raw_json);
  EXPECT_EQ(fresh[1].name, "a");
  // A malformed row leaves no cells behind.
  EXPECT_EQ(JsonRecordParser::split_record("{\"a\":1,\"b\":}", 0, reused), ParseError::kBadJson);
  EXPECT_TRUE(reused.empty());
}

TEST(JsonRows, SplitRecordOfRandomRowsKeepsFirstPositionsAndLastValues) {
  // Rows built from (name, value) lists drawn from a small set of names, so that duplicates are
  // common, some names escaped ("\u0061" is "a") and some long: the cells are the names in order of
  // first appearance with the last value of each, whatever the row's length.
  const std::vector<std::string> names = {"a", "b", "RemoteIP", "RemoteUrl", "InitiatingProcessFileName",
                                          "InitiatingProcessVersionInfoCompanyName", "x1", "x2", "x3", "x4"};
  std::mt19937 rng(17);
  std::vector<NamedCell> reused;
  for (int round = 0; round < 3000; ++round) {
    const std::size_t members = rng() % 60;
    std::string row = "{";
    std::vector<std::pair<std::string, std::string>> want;  // name, value in first-seen order
    for (std::size_t m = 0; m < members; ++m) {
      const std::string& name = names[rng() % (round % 3 == 0 ? 3 : names.size())];
      // Appended rather than `"v" + std::string`: GCC 12 warns (-Wrestrict) on the operator+ of a
      // literal and a temporary string, wrongly (GCC bug 105651).
      std::string value = "v";
      value += std::to_string(rng() % 1000);
      value.append(rng() % 3 == 0 ? 70 : 0, 'p');
      if (m > 0) row += rng() % 5 == 0 ? " , " : ",";
      row += '"';
      row += name == "a" && rng() % 2 == 0 ? std::string("\\u0061") : name;
      row += "\":";
      const bool escape = rng() % 4 == 0;  // "\u0021" is "!"
      row += '"';
      row += value.substr(0, 2);
      row += escape ? "\\u0021" : "";
      row += value.substr(2);
      row += '"';
      const std::string decoded = value.substr(0, 2) + (escape ? "!" : "") + value.substr(2);
      auto it = std::find_if(want.begin(), want.end(), [&](const auto& w) { return w.first == name; });
      if (it == want.end()) want.emplace_back(name, decoded);
      else it->second = decoded;
    }
    row += "}";
    ASSERT_EQ(JsonRecordParser::split_record(row, 0, reused), ParseError::kNone) << row;
    ASSERT_EQ(reused.size(), want.size()) << row;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(reused[i].name, want[i].first) << row;
      EXPECT_EQ(reused[i].cell.value, want[i].second) << row;
    }
  }
}

TEST(JsonRows, SplitRecordFlattenedMembersAreDuplicatesOfLaterOnes) {
  // A member after a flattened object that repeats one of its names takes that cell's place.
  const std::string t = "{\"event_data\":{\"a\":\"1\",\"b\":\"2\"},\"a\":\"3\",\"c\":\"4\"}";
  std::vector<NamedCell> cells;
  ASSERT_EQ(JsonRecordParser::split_record(t, 0, cells, {"event_data"}), ParseError::kNone);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].name, "event_data");
  EXPECT_EQ(cells[1].name, "a");
  EXPECT_EQ(cells[1].cell.value, "3");
  EXPECT_EQ(cells[2].name, "b");
  EXPECT_EQ(cells[3].name, "c");
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

TEST(JsonRows, ProjectedValuesAreExactJson) {
  // \u escapes and surrogate pairs, escaped member names, duplicates (last wins), numbers as written.
  Out o = parse("{\"RemoteIP\":\"\\ud83d\\ude00\\u00e9\\/\\\\\",\"Remote\\u0050ort\":-1.50E+02,\"Timestamp\":\"a\","
                "\"Timestamp\":\"b\"}\n"
                "{\"RemoteIP\":\"lone \\ud800 x\",\"RemotePort\":0,\"RemotePort\":true}\n");
  ASSERT_TRUE(o.errors.empty());
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[0], (std::vector<std::string>{"b", "\xF0\x9F\x98\x80\xC3\xA9/\\", "-1.50E+02"}));
  EXPECT_EQ(o.rows[1], (std::vector<std::string>{"", "lone \xEF\xBF\xBD x", "true"}));
}

TEST(JsonRows, SkippedMembersAreValidatedButNotDecoded) {
  // An unknown escape in a member nobody reads is kept as the old reader did; structure, numbers,
  // literals and control bytes are checked everywhere, and every error is located at its line.
  const std::string t =
      "{\"x\":\"\\q\",\"RemoteIP\":\"1\"}\n"          // fine: \q is never decoded
      "{\"x\":[1,{\"y\":tru}],\"RemoteIP\":\"2\"}\n"  // bad literal deep inside
      "{\"x\":\"a\x01\",\"RemoteIP\":\"3\"}\n"         // control byte in a string
      "{\"x\":1 2,\"RemoteIP\":\"4\"}\n"               // two values
      "{\"x\":-,\"RemoteIP\":\"5\"}\n"                 // bad number
      "{\"RemoteIP\":\"6\",}\n"                        // trailing comma
      "{\"R\\q\":1,\"RemoteIP\":\"7\"}\n"              // a member name that cannot be decoded
      "{\"x\":{\"a\\\"]\":\"}\\\\\"},\"RemoteIP\":\"8\"}\n";  // escaped quotes and brackets inside strings
  Out o = parse(t);
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[0][1], "1");
  EXPECT_EQ(o.rows[1][1], "8");
  ASSERT_EQ(o.errors.size(), 6u);
  std::uint64_t line = t.find('\n') + 1;
  for (const auto& e : o.errors) {
    EXPECT_EQ(e.first, line);
    EXPECT_EQ(e.second, ParseError::kBadJson);
    line = t.find('\n', line) + 1;
  }
}

TEST(JsonRows, EnvelopesInOnePassKeepTheirRules) {
  // Results arrays, the last "records" array wins, a non-object row in records, a bad escape in a
  // Streaming API row is that row's error (at the row), and Winlogbeat's event_data is flattened.
  const std::string t =
      "{\"Results\":[{\"RemoteIP\":\"r1\"},{\"RemoteIP\":\"r2\"}],\"Stats\":{}}\n"
      "{\"records\":[{\"RemoteIP\":\"lost\"}],\"records\":[{\"properties\":{\"RemoteIP\":\"kept\"}}]}\n"
      "{\"records\":[{\"RemoteIP\":\"x\"},7]}\n"
      "{\"time\":\"t\",\"properties\":{\"RemoteIP\":\"\\x\"}}\n"
      "[{\"event_data\":{\"RemoteIP\":\"e1\"}},{\"event_data\":{\"RemoteIP\":\"e2\"}}]\n";
  Projection proj{{{{"RemoteIP"}}}, {"event_data"}};
  JsonRecordParser p(proj);
  std::vector<std::string> rows;
  std::vector<std::pair<std::uint64_t, ParseError>> errors;
  p.parse(t, 0, t.size(), true, [&](const RecordView& rv) { rows.emplace_back(rv.values[0]); },
          [&](std::uint64_t off, ParseError e) { errors.push_back({off, e}); });
  EXPECT_EQ(rows, (std::vector<std::string>{"r1", "r2", "kept", "e1", "e2"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (std::pair<std::uint64_t, ParseError>{t.find("{\"records\":[{\"RemoteIP\":\"x\""), ParseError::kNotAnObject}));
  EXPECT_EQ(errors[1], (std::pair<std::uint64_t, ParseError>{t.find("{\"RemoteIP\":\"\\x"), ParseError::kBadJson}));
}

TEST(JsonRows, LinesEndAtTheirLineFeedWhateverTheyHold) {
  // A value cut by its LF is bad at its line, and the next line is read; CR LF ends a line too.
  const std::string t = "{\"RemoteIP\":\"a\n\"}\n{\"RemoteIP\":\"b\"}\r\n  \t\r\n{\"RemoteIP\":[1,\n2]}\n{\"RemoteIP\":\"c\"}";
  Out o = parse(t);
  ASSERT_EQ(o.rows.size(), 2u);
  EXPECT_EQ(o.rows[0][1], "b");
  EXPECT_EQ(o.rows[1][1], "c");
  ASSERT_EQ(o.errors.size(), 4u);
  EXPECT_EQ(o.errors[0].first, 0u);
}

TEST(JsonRows, NumbersEndWhereTheGrammarEnds) {
  // Integers take a shortcut past the number grammar: it must end them where the grammar does.
  Out o = parse("{\"RemotePort\":443}\n{\"RemotePort\":0}\n{\"RemotePort\":12.5}\n{\"RemotePort\":7e2}\n"
                "{\"RemotePort\":-3 }\n{\"RemotePort\":01}\n{\"RemotePort\":12.}\n{\"RemotePort\":12e}\n"
                "{\"RemotePort\":12x}\n");
  ASSERT_EQ(o.rows.size(), 5u);
  EXPECT_EQ(o.rows[0][2], "443");
  EXPECT_EQ(o.rows[1][2], "0");
  EXPECT_EQ(o.rows[2][2], "12.5");
  EXPECT_EQ(o.rows[3][2], "7e2");
  EXPECT_EQ(o.rows[4][2], "-3");
  ASSERT_EQ(o.errors.size(), 4u);
  for (const auto& e : o.errors) EXPECT_EQ(e.second, ParseError::kBadJson);
  // At the top level a number is "not an object" whatever follows it.
  EXPECT_EQ(parse("12x\n").errors, (std::vector<std::pair<std::uint64_t, ParseError>>{{0, ParseError::kNotAnObject}}));
}

TEST(JsonRows, IntegersOfEveryLengthEndAtTheirFirstNonDigit) {
  // Digits are scanned 8 bytes at a time where 8 can be read: every length, every byte after the
  // digits (those next to '0' and '9', bytes >= 0x80), and numbers running to the data's end.
  for (int len = 1; len <= 20; ++len) {
    std::string digits;
    for (int k = 0; k < len; ++k) digits.push_back(static_cast<char>('1' + (k * 7) % 9));
    // A fraction or an exponent after the digits (short integers have a path of their own).
    for (const std::string after : {"}", ",\"a\":1}", " }", "/}", ":}", "\xc3}", "\x80}", "\xb9}", "\xb0}", "0}", ".5}",
                                    "E2}", "e+7,\"a\":1}", ".}", "e}"}) {
      const std::string line = "{\"RemotePort\":" + digits + after;
      const bool ok = after[0] == '}' || after[0] == ',' || after[0] == ' ' || after[0] == '0' ||
                      (after.size() > 2 && after[1] != '}');
      std::string value = digits;  // the digits, and what of `after` belongs to the number
      if (after[0] == '0' || after[0] == '.' || (after[0] | 0x20) == 'e') value.append(after, 0, after.find_first_of(" ,}"));
      for (const bool at_end : {false, true}) {
        const Out o = parse(at_end ? line : line + "\n");
        ASSERT_EQ(o.rows.size(), ok ? 1u : 0u) << line;
        if (ok) {
          EXPECT_EQ(o.rows[0][2], value) << line;
        }
      }
    }
  }
}

TEST(JsonRows, ShortNamesAtTheEndOfTheData) {
  // Member names are compared 8 bytes at a time: names near the data's end must not be read past it.
  for (const std::string t : {"{\"RemoteIP\":\"1\",\"a\":2}", "{\"a\":2,\"RemoteIP\":\"1\"}", "{\"RemoteIP\":\"1\"}"}) {
    Out o = parse(t);
    ASSERT_EQ(o.rows.size(), 1u) << t;
    EXPECT_EQ(o.rows[0][1], "1");
  }
}
