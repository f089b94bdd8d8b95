// Tests for scanner/chunker: chunks cut in parallel at any size yield exactly the records a
// sequential parse yields (CSV with quoted newlines, CRLF; JSON lines).
#include "scanner/chunker.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parsers/csv_reader.hpp"
#include "parsers/json_reader.hpp"

using namespace rareconn;

namespace {

std::string random_csv(std::mt19937& rng, int rows, bool crlf) {
  const char* pieces[] = {"a", "b,c", "\"", "\n", "x\"y", "", "long text ", "\r\n", "z"};
  std::string t = "A,B,C";
  t += crlf ? "\r\n" : "\n";
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < 3; ++c) {
      std::string v;
      const int n = static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) v += pieces[rng() % 9];
      const bool quote = v.find_first_of(",\"\r\n") != std::string::npos || rng() % 5 == 0;
      if (c) t += ',';
      if (quote) {
        t += '"';
        for (char ch : v) {
          if (ch == '"') t += '"';
          t += ch;
        }
        t += '"';
      } else {
        t += v;
      }
    }
    t += crlf ? "\r\n" : "\n";
  }
  return t;
}

std::vector<std::pair<std::uint64_t, std::string>> records_by_chunks(const std::string& t, std::uint64_t chunk) {
  parsers::CsvHeader h = parsers::parse_csv_header(t);
  parsers::Projection proj{{{{"A"}}, {{"B"}}, {{"C"}}}};
  std::vector<scanner::Chunk> chunks;
  scanner::plan_csv_chunks(0, t, h.data_offset, chunk, chunks);
  parsers::CsvRecordParser p(h, proj);
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& c : chunks) {
    p.parse(t, c.begin, c.end,
            [&](const parsers::RecordView& rv) {
              out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::string(rv.values[1]) + "|" +
                                            std::string(rv.values[2])});
            },
            [&](std::uint64_t off, parsers::ParseError) { out.push_back({off, "ERROR"}); });
  }
  return out;
}

}  // namespace

TEST(Chunker, CsvAnyChunkSizeMatchesSequential) {
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    const std::string t = random_csv(rng, 60, round % 2 == 1);
    const auto expected = records_by_chunks(t, t.size() + 1);
    ASSERT_EQ(expected.size(), 60u);
    for (std::uint64_t chunk : {1, 2, 3, 7, 13, 64, 500}) {
      EXPECT_EQ(records_by_chunks(t, chunk), expected) << "round " << round << " chunk " << chunk;
    }
  }
}

TEST(Chunker, JsonLinesAnyChunkSizeMatchesSequential) {
  std::string t;
  for (int i = 0; i < 50; ++i) t += "{\"A\":\"v" + std::to_string(i) + "\\n\",\"B\":" + std::to_string(i) + "}\n";
  parsers::Projection proj{{{{"A"}}, {{"B"}}}};
  auto run = [&](std::uint64_t chunk) {
    std::vector<scanner::Chunk> chunks;
    scanner::plan_line_chunks(0, t, 0, chunk, chunks);
    parsers::JsonRecordParser p(proj);
    std::vector<std::string> out;
    for (const auto& c : chunks) {
      p.parse(t, c.begin, c.end, true, [&](const parsers::RecordView& rv) {
        out.push_back(std::string(rv.values[0]) + std::string(rv.values[1]));
      }, [&](std::uint64_t, parsers::ParseError) { out.push_back("ERROR"); });
    }
    return out;
  };
  const auto expected = run(t.size() + 1);
  ASSERT_EQ(expected.size(), 50u);
  EXPECT_EQ(expected[3], "v3\n3");
  for (std::uint64_t chunk : {1, 5, 17, 100}) EXPECT_EQ(run(chunk), expected) << chunk;
}
