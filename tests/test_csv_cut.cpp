// Tests for parsers/csv_cut: the stream cutter reports exactly the record starts of
// CsvRecordParser::parse, on random CSV-like text full of stray quotes, quoted line breaks, CRs,
// blank lines and records longer than the bound, fed in pieces of every size; and the fast (SIMD
// parity) path is taken on well-formed text.
#include "parsers/csv_cut.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "parsers/csv_reader.hpp"

using namespace rareconn::parsers;

namespace {

// Every position where the parser's loop stands over the whole text: record starts, the bytes
// after blank lines, resume points after records too large, and the end.
std::set<std::uint64_t> parser_positions(const std::string& text, std::uint64_t max) {
  const CsvHeader h = parse_csv_header(text, max);
  EXPECT_EQ(h.error, ParseError::kNone);
  Projection proj;
  proj.fields.push_back({{"b"}});
  CsvRecordParser parser(h, proj, max);
  std::set<std::uint64_t> at{h.data_offset};
  for (std::uint64_t pos = h.data_offset; pos < text.size();) {
    pos = parser.parse(text, pos, pos + 1, [](const RecordView&) {}, [](std::uint64_t, ParseError) {});
    at.insert(pos);
  }
  return at;
}

// The cuts reported when `text` is fed in pieces of `piece` bytes (absolute stream offsets).
std::vector<std::uint64_t> cuts_of(const std::string& text, std::uint64_t data_start, std::uint64_t max, std::size_t piece,
                                   std::uint64_t* walked = nullptr) {
  CsvRecordCutter cutter(data_start, max);
  std::vector<std::uint64_t> out;
  for (std::size_t off = 0; off < text.size(); off += piece) {
    const std::string_view bytes = std::string_view(text).substr(off, piece);
    const CsvRecordCutter::Cuts c = cutter.feed(bytes);
    if (c.first == CsvRecordCutter::npos) continue;
    out.push_back(off + c.first);
    if (c.last != c.first) out.push_back(off + c.last);
  }
  if (walked) *walked = cutter.walked_bytes();
  return out;
}

std::string random_body(std::mt19937_64& rng, std::size_t n, bool clean) {
  static const char kDirty[] = {'a', 'b', ',', '"', '\n', '\r', 'x'};
  std::string s;
  std::uniform_int_distribution<int> pick(0, 6);
  while (s.size() < n) {
    if (clean) {  // well-formed records: unquoted or quoted fields, doubled quotes, quoted LFs
      const int fields = 3;
      for (int f = 0; f < fields; ++f) {
        if (f) s += ',';
        if (rng() % 3 == 0) {
          s += '"';
          static const char* const kQuoted[] = {"a", ",", "\n", "\"\"", "x"};
          for (int k = static_cast<int>(rng() % 6); k > 0; --k) s += kQuoted[rng() % 5];
          s += '"';
        } else {
          for (int k = static_cast<int>(rng() % 6); k > 0; --k) s += 'a' + static_cast<char>(rng() % 3);
        }
      }
      s += rng() % 4 == 0 ? "\r\n" : "\n";
    } else {
      s += kDirty[pick(rng)];
    }
  }
  return s;
}

}  // namespace

// Each instance runs on the widest instruction set up to its parameter that this processor has
// (a processor without AVX-512 runs instance 2 on AVX2): it never skips, and every path the
// processor can take is checked.
class CsvCutIsa : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const int used = csv_cut_limit_isa(GetParam());
    ASSERT_LE(used, GetParam());
    RecordProperty("instruction_set_used", used);
  }
  void TearDown() override { csv_cut_limit_isa(2); }
};

// 0 SSE2, 1 AVX2 + PCLMUL, 2 AVX-512BW.
INSTANTIATE_TEST_SUITE_P(EveryInstructionSet, CsvCutIsa, ::testing::Values(0, 1, 2));

TEST_P(CsvCutIsa, CutsAreTheParsersRecordStartsOnRandomDirtyText) {
  std::mt19937_64 rng(20261201);
  for (int round = 0; round < 3000; ++round) {
    const std::string header = round % 2 ? "a,b,c\n" : "\xEF\xBB\xBF" "a,\"b\",c\r\n";
    const std::string text = header + random_body(rng, 1 + rng() % 400, false);
    const std::uint64_t max = 10 + rng() % 40;  // longer than the header
    const std::set<std::uint64_t> expected = parser_positions(text, max);
    const std::uint64_t data_start = parse_csv_header(text, max).data_offset;
    // Fed one byte at a time, every cut is reported: exactly the parser's positions before the
    // end (the end itself is a cut only when a record would start there, after an unquoted LF).
    std::set<std::uint64_t> want = expected;
    want.erase(text.size());
    std::vector<std::uint64_t> one = cuts_of(text, data_start, max, 1);
    std::erase(one, text.size());
    ASSERT_EQ(std::set<std::uint64_t>(one.begin(), one.end()), want) << "round " << round << " max " << max;
    // In larger pieces only the first and last of each piece are reported: all among them.
    for (std::size_t piece : {2, 3, 7, 64, 65, 129, 1000}) {
      for (std::uint64_t c : cuts_of(text, data_start, max, piece)) {
        ASSERT_TRUE(expected.count(c)) << "round " << round << " piece " << piece << " cut " << c;
      }
    }
  }
}

TEST_P(CsvCutIsa, WellFormedTextTakesTheParityPath) {
  std::mt19937_64 rng(7);
  const std::string text = "a,b,c\n" + random_body(rng, 200000, true);
  const std::uint64_t max = 1 << 20;
  const std::set<std::uint64_t> expected = parser_positions(text, max);
  std::uint64_t walked = 0;
  for (std::size_t piece : {64, 100, 4096, 65536}) {
    const std::vector<std::uint64_t> cuts = cuts_of(text, 6, max, piece, &walked);
    for (std::uint64_t c : cuts) ASSERT_TRUE(expected.count(c)) << c;
    EXPECT_EQ(walked, 6u) << piece;  // only the header is walked
  }
  // Fed a byte at a time, every record start is reported (the text ends with a line end).
  const std::vector<std::uint64_t> every = cuts_of(text, 6, max, 1);
  EXPECT_EQ(std::set<std::uint64_t>(every.begin(), every.end()), expected);
}

TEST(CsvCut, StrayQuoteDoesNotOpenAField) {
  // Parity would think the LF after `b"c` is quoted; the parser reads `b"c` as a literal field.
  const std::string text = "a,b\n1,b\"c\n2,d\n";
  const std::vector<std::uint64_t> cuts = cuts_of(text, 4, 100, 1);
  EXPECT_EQ(cuts, (std::vector<std::uint64_t>{4, 10, 14}));
  const std::vector<std::uint64_t> whole = cuts_of(text, 4, 100, text.size());
  EXPECT_EQ(whole, (std::vector<std::uint64_t>{4, 14}));
}

TEST(CsvCut, RecordTooLargeResumesAfterTheFirstLineFeedPastTheBound) {
  // An unterminated quote: the parser reports the record at 4 too large (bound 5) and resumes after
  // the first LF at or after 4 + 5, quoted or not.
  const std::string text = "a,b\n\"xx\nyyyy\nzz,1\n3,4\n";
  const std::set<std::uint64_t> expected = parser_positions(text, 5);
  const std::vector<std::uint64_t> cuts = cuts_of(text, 4, 5, 1);
  EXPECT_EQ(std::set<std::uint64_t>(cuts.begin(), cuts.end()), std::set<std::uint64_t>({4, 13, 18, 22}));
  for (std::uint64_t c : cuts) EXPECT_TRUE(expected.count(c)) << c;
}
