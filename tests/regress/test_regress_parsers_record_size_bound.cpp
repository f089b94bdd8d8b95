// Regression: "a bound on record size". A record longer than the parser's bound (a CSV record, a JSON
// line or row, an event XML element) is reported as kRecordTooLarge at its start and skipped, and
// parsing resumes at the next boundary the format defines; the records after it are not lost.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/chunker.hpp"

using namespace rareconn;

namespace {

constexpr std::uint64_t kBig = parsers::kDefaultMaxRecordBytes + 10;

using Results = std::vector<std::pair<std::uint64_t, std::string>>;

Results parse_csv(const std::string& t, std::uint64_t chunk_size, std::uint64_t max = parsers::kDefaultMaxRecordBytes) {
  const parsers::CsvHeader h = parsers::parse_csv_header(t);
  parsers::CsvRecordParser p(h, parsers::Projection{{{{"A"}}, {{"B"}}}}, max);
  std::vector<scanner::Chunk> chunks;
  scanner::plan_csv_chunks(0, t, h.data_offset, chunk_size, chunks);
  Results out;
  std::uint64_t expected_begin = h.data_offset;
  bool consistent = true;
  for (const scanner::Chunk& c : chunks) {
    consistent = consistent && c.begin == expected_begin;
    expected_begin = p.parse(
        t, c.begin, c.end,
        [&](const parsers::RecordView& rv) {
          out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::string(rv.values[1]) + "|" + std::to_string(rv.length)});
        },
        [&](std::uint64_t off, parsers::ParseError e) { out.push_back({off, parsers::describe(e)}); });
  }
  // Like the scanner: chunks whose records do not meet are parsed again as one.
  if (!consistent) return parse_csv(t, t.size(), max);
  return out;
}

Results parse_json(const std::string& t, bool line_mode, std::uint64_t chunk_size,
                   std::uint64_t max = parsers::kDefaultMaxRecordBytes) {
  parsers::JsonRecordParser p(parsers::Projection{{{{"A"}}}}, max);
  std::vector<scanner::Chunk> chunks;
  if (line_mode) scanner::plan_line_chunks(0, t, 0, chunk_size, chunks);
  else chunks.push_back({0, 0, t.size()});
  Results out;
  for (const scanner::Chunk& c : chunks) {
    p.parse(
        t, c.begin, c.end, line_mode,
        [&](const parsers::RecordView& rv) { out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::to_string(rv.length)}); },
        [&](std::uint64_t off, parsers::ParseError e) { out.push_back({off, parsers::describe(e)}); });
  }
  return out;
}

const std::string kTooLarge = parsers::describe(parsers::ParseError::kRecordTooLarge);

}  // namespace

TEST(RegressParsersRecordSizeBound, CsvRecordLongerThanTheBoundIsSkipped) {
  std::string t = "A,B\n1,2\n3,";
  t.append(kBig, '\0');
  t += "\n4,5\n";
  const Results want = {{4, "1|2|3"}, {8, kTooLarge}, {t.size() - 4, "4|5|3"}};
  EXPECT_EQ(parse_csv(t, t.size()), want);
  EXPECT_EQ(parse_csv(t, 1 << 20), want);
}

TEST(RegressParsersRecordSizeBound, CsvUnterminatedQuoteLosesAtMostTheBound) {
  // A stray opening quote made the rest of the file one unterminated field.
  std::string t = "A,B\n1,2\n3,\"x\n";
  while (t.size() < kBig + 100) t += "5,6\n";
  t += "7,8\n";
  const Results got = parse_csv(t, t.size());
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got[1], (std::pair<std::uint64_t, std::string>{8, kTooLarge}));
  EXPECT_EQ(got.back(), (std::pair<std::uint64_t, std::string>{t.size() - 4, "7|8|3"}));
}

TEST(RegressParsersRecordSizeBound, JsonLineLongerThanTheBoundIsSkipped) {
  std::string t = "{\"A\":\"";
  t.append(kBig, 'x');
  t += "\"}\n{\"A\":\"ok\"}\n";
  const Results want = {{0, kTooLarge}, {t.size() - 11, "ok|10"}};
  EXPECT_EQ(parse_json(t, true, t.size()), want);
  EXPECT_EQ(parse_json(t, true, 1 << 20), want);
}

TEST(RegressParsersRecordSizeBound, JsonDocumentRowLongerThanTheBoundIsSkipped) {
  std::string t = "[{\"A\":\"";
  t.append(kBig, 'x');
  t += "\"},\n{\"A\":\"ok\"}]";
  const Results want = {{1, kTooLarge}, {t.size() - 11, "ok|10"}};
  EXPECT_EQ(parse_json(t, false, t.size()), want);
}

TEST(RegressParsersRecordSizeBound, XmlEventLongerThanTheBoundIsSkipped) {
  std::string t = "<Event>";
  t.append(kBig, 'x');
  t += "</Event>\n";
  const std::uint64_t second = t.size();
  t += "<Event></Event>\n";
  EXPECT_EQ(parsers::event_end(t, 0), 0u);
  EXPECT_EQ(scanner::next_xml_event(t, 0), second);
  EXPECT_EQ(parsers::event_end(t, second), t.size() - 1);
}

TEST(RegressParsersRecordSizeBound, ExactBoundsAndAnyChunkSize) {
  // With a bound of 8 bytes: "12345,78" (8) is read, with LF or CR LF; "12345,789" (9) is not.
  const std::string t = "A,B\n12345,78\n12345,789\n1,\"2\n3\"\r\n12345,78\r\n\"1\n\n\n\n\",2\nx,y\n";
  const Results want = {{4, "12345|78|8"},
                        {13, kTooLarge},
                        {23, "1|2\n3|7"},
                        {32, "12345|78|8"},
                        {42, kTooLarge},  // resumes after the first LF at or after 42 + 8
                        {52, "x|y|3"}};
  for (std::uint64_t chunk : {t.size(), std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{7}, std::uint64_t{16}}) {
    EXPECT_EQ(parse_csv(t, chunk, 8), want) << chunk;
  }
  const std::string j = "{\"A\":\"1\"}\n{\"A\":\"12\"}\n{\"A\":\"1\"}\r\n  \n{\"A\":\n\"1\"}\n";
  const Results jwant = {{0, "1|9"}, {10, kTooLarge}, {21, "1|9"}, {35, parsers::describe(parsers::ParseError::kBadJson)},
                         {41, parsers::describe(parsers::ParseError::kNotAnObject)}};
  for (std::uint64_t chunk : {j.size(), std::uint64_t{1}, std::uint64_t{5}}) EXPECT_EQ(parse_json(j, true, chunk, 9), jwant) << chunk;
  const std::string x = "<Event>1</Event><Event>12</Event><Event/>";
  EXPECT_EQ(parsers::event_end(x, 0, 16), 16u);
  EXPECT_EQ(parsers::find_event_end(x, 16, 16).error, parsers::ParseError::kRecordTooLarge);
  EXPECT_EQ(parsers::event_end(x, 16, 17), 33u);
  EXPECT_EQ(scanner::next_xml_event(x, 16, 16), 33u);
  EXPECT_EQ(parsers::find_event_end(x, 16, 16).end, 0u);
}
