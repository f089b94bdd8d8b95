// Tests for parsers/csv_reader: header grammar, RFC 4180 records (quoted commas, doubled quotes,
// quoted newlines, CRLF), malformed records, and the quote-parity boundary helpers.
#include "parsers/csv_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace rareconn::parsers;

namespace {

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::uint64_t> offsets;
  std::vector<std::pair<std::uint64_t, ParseError>> errors;
};

Parsed parse_all(const std::string& text, const std::vector<std::string>& want) {
  CsvHeader h = parse_csv_header(text);
  EXPECT_EQ(h.error, ParseError::kNone);
  Projection proj;
  for (const auto& w : want) proj.fields.push_back({{w}});
  CsvRecordParser p(h, proj);
  Parsed out;
  p.parse(text, h.data_offset, text.size(),
          [&](const RecordView& rv) {
            std::vector<std::string> row;
            for (std::size_t i = 0; i < rv.count; ++i) row.emplace_back(rv.values[i]);
            out.rows.push_back(row);
            out.offsets.push_back(rv.offset);
          },
          [&](std::uint64_t off, ParseError e) { out.errors.push_back({off, e}); });
  return out;
}

}  // namespace

TEST(CsvHeader, PlainQuotedAndBom) {
  CsvHeader h = parse_csv_header("\xEF\xBB\xBF" "a,\"b,c\",\"d\"\"e\"\r\n1,2,3\r\n");
  ASSERT_EQ(h.error, ParseError::kNone);
  EXPECT_EQ(h.columns, (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_EQ(h.data_offset, 3u + 16u);
}

TEST(CsvHeader, HeaderOnlyWithoutNewline) {
  CsvHeader h = parse_csv_header("x,y");
  ASSERT_EQ(h.error, ParseError::kNone);
  EXPECT_EQ(h.columns.size(), 2u);
  EXPECT_EQ(h.data_offset, 3u);
}

TEST(CsvRecords, QuotingRules) {
  const std::string t =
      "A,B,C\n"
      "1,\"x, y\",\"he said \"\"hi\"\"\"\n"
      "2,\"multi\nline\",\n"
      ",,\n";
  Parsed p = parse_all(t, {"C", "B", "A"});
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"he said \"hi\"", "x, y", "1"}));
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"", "multi\nline", "2"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"", "", ""}));
}

TEST(CsvRecords, CrlfAndMissingFinalNewline) {
  Parsed p = parse_all("A,B\r\n1,2\r\n\"3\",\"4\"\r\n5,6", {"A", "B"});
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"5", "6"}));
}

TEST(CsvRecords, BlankLinesAreSkipped) {
  Parsed p = parse_all("A,B\n\n1,2\r\n\r\n3,4\n\n", {"B"});
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1][0], "4");
}

TEST(CsvRecords, UnknownColumnIsEmpty) {
  Parsed p = parse_all("A,B\n1,2\n", {"Missing", "A"});
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0][0], "");
  EXPECT_EQ(p.rows[0][1], "1");
}

TEST(CsvRecords, MalformedRecordsAreSkippedAndLocated) {
  const std::string t =
      "A,B\n"
      "1,2\n"
      "1,2,3\n"          // too many fields (offset 8)
      "4\n"              // too few (offset 14)
      "\"a\"x,5\n"       // text after a closing quote (offset 16): malformed, ends at its LF
      "7,8\n"
      "ab\"c,6\n"         // a quote inside an unquoted field is a literal character
      "9,10\n";
  Parsed p = parse_all(t, {"A", "B"});
  ASSERT_EQ(p.rows.size(), 4u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"ab\"c", "6"}));
  EXPECT_EQ(p.rows[3], (std::vector<std::string>{"9", "10"}));
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[0], (std::pair<std::uint64_t, ParseError>{8, ParseError::kFieldCount}));
  EXPECT_EQ(p.errors[1], (std::pair<std::uint64_t, ParseError>{14, ParseError::kFieldCount}));
  EXPECT_EQ(p.errors[2], (std::pair<std::uint64_t, ParseError>{16, ParseError::kBadQuote}));
}

TEST(CsvRecords, LiteralQuotesInTheSkippedTailOfARecord) {
  // Columns after the last wanted one are skipped in stretches; quotes there follow the same rules.
  const std::string t = "A,B,C,D\n1,x\"y,\"q,\"\"\",z\"w\n2,,,\n";
  Parsed p = parse_all(t, {"A"});
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1][0], "2");
}

TEST(CsvRecords, UnterminatedQuoteAtEnd) {
  Parsed p = parse_all("A,B\n1,2\n3,\"open\n4,5\n", {"A"});
  ASSERT_EQ(p.rows.size(), 1u);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].second, ParseError::kUnterminatedQuote);
}

TEST(CsvRecords, SplitRecordDecodesEveryField) {
  const std::string t = "A,B,C\n\"q\"\"x\",,\"a\nb\"\r\n";
  std::vector<std::string> out;
  EXPECT_EQ(CsvRecordParser::split_record(t, 6, out), ParseError::kNone);
  EXPECT_EQ(out, (std::vector<std::string>{"q\"x", "", "a\nb"}));
}

TEST(CsvBoundaries, GuessedRecordStartHasTheHeadersFieldCount) {
  // Data from 6; the second record's quoted field holds two line breaks, the second line of it
  // ("x,y") has two fields, the third ("z\",1,2") three by toggling quotes but ends inside quotes.
  const std::string t = "A,B,C\n1,2,3\n\"w\nx,y\nz\",1,2\n4,5,6\n";
  const std::size_t rec3 = t.find("4,5,6");
  EXPECT_EQ(guess_record_start(t, 6, t.size(), 3, 1024), 6u);              // at a line start
  EXPECT_EQ(guess_record_start(t, 13, t.size(), 3, 1024), rec3);           // skips x,y and z",1,2
  EXPECT_EQ(guess_record_start(t, 7, t.size(), 3, 1024), 12u);             // 1,2,3 ends at 11: next line
  EXPECT_EQ(guess_record_start(t, 13, t.size(), 3, 2), 15u);               // window too small: first line start
  EXPECT_EQ(guess_record_start(t, 13, 15, 3, 1024), 15u);                  // no LF before the limit
  EXPECT_EQ(guess_record_start(t, rec3 + 1, t.size(), 3, 1024), t.size()); // none after the last record
  // The last record may end at the end of the data without an LF.
  const std::string u = "A,B\n1,\"a\nb\"\n3,4";
  EXPECT_EQ(guess_record_start(u, 6, u.size(), 2, 1024), u.find("3,4"));
}

TEST(CsvBoundaries, FirstRecordStartHonoursQuoteParity) {
  const std::string t = "H\n\"a\nb\"\nc\n";
  // data starts at 2; byte 5 ('\n' inside quotes) is not a boundary.
  EXPECT_EQ(first_record_start(t, 2, 2, false), 2u);
  EXPECT_EQ(first_record_start(t, 2, 4, true), 8u);   // from inside the quoted field
  EXPECT_EQ(first_record_start(t, 2, 8, false), 8u);  // exactly at a record start
  EXPECT_EQ(first_record_start(t, 2, 9, false), 10u); // end of data
  EXPECT_EQ(count_quotes(t.data(), t.data() + t.size()), 2u);
}
