// Regression: "quadratic time on records without line breaks". A run of bytes without an LF (NULs left by
// a crashed file system, text without line breaks) made every slice's boundary search run to the end of
// the run: O(slices x size). These tests pin the cost of the planners to O(size) and their results.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "scanner/chunker.hpp"

using namespace rareconn;

namespace {

std::vector<std::pair<std::uint64_t, std::string>> csv_records(const std::string& t, const std::vector<scanner::Chunk>& chunks) {
  const parsers::CsvHeader h = parsers::parse_csv_header(t);
  parsers::CsvRecordParser p(h, parsers::Projection{{{{"A"}}, {{"B"}}}});
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const scanner::Chunk& c : chunks) {
    p.parse(
        t, c.begin, c.end,
        [&](const parsers::RecordView& rv) { out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::string(rv.values[1])}); },
        [&](std::uint64_t off, parsers::ParseError e) { out.push_back({off, parsers::describe(e)}); });
  }
  return out;
}

std::string csv_with_run(char fill, std::size_t run, bool quoted) {
  std::string t = "A,B\n1,2\n";
  t += quoted ? "3,\"" : "3,";
  t.append(run, fill);
  t += quoted ? "\"\n4,5\n" : "\n4,5\n";
  return t;
}

}  // namespace

TEST(RegressParsersQuadraticBoundarySearch, CsvPlanOverRunWithoutLineBreakIsLinear) {
  for (const bool quoted : {false, true}) {
    for (const char fill : {'\0', 'x'}) {
      const std::string t = csv_with_run(fill, 1 << 20, quoted);
      const std::uint64_t data_start = parsers::parse_csv_header(t).data_offset;
      std::vector<scanner::Chunk> whole, cut;
      scanner::plan_csv_chunks(0, t, data_start, t.size(), whole);
      scanner::PlanCost cost;
      scanner::plan_csv_chunks(0, t, data_start, 4096, cut, &cost);
      // Every byte is examined at most once by the boundary searches (it was ~128 MiB here).
      EXPECT_LE(cost.boundary_bytes, t.size()) << "quoted " << quoted;
      // The slices inside the run hold no record start, so they add no chunk: the first slice's chunk
      // runs to the first record start of the last slice.
      ASSERT_EQ(cut.size(), 2u) << "quoted " << quoted;
      EXPECT_EQ(cut[0].begin, data_start);
      EXPECT_EQ(cut[1].begin, t.size() - 4);
      EXPECT_EQ(csv_records(t, cut), csv_records(t, whole));
    }
  }
}

TEST(RegressParsersQuadraticBoundarySearch, CsvPlanSlicesWithoutBoundaryYieldNone) {
  // A long record in the middle of short ones: chunk boundaries are the first record start of each
  // slice that has one, and slices inside the long record have none.
  std::string t = "A,B\n";
  for (int i = 0; i < 100; ++i) t += "a,b\n";
  const std::uint64_t long_start = t.size();
  t += "c,";
  t.append(10000, '\0');
  t += "\n";
  const std::uint64_t after_long = t.size();
  for (int i = 0; i < 100; ++i) t += "d,e\n";
  std::vector<scanner::Chunk> chunks;
  scanner::PlanCost cost;
  scanner::plan_csv_chunks(0, t, 4, 64, chunks, &cost);
  EXPECT_LE(cost.boundary_bytes, t.size());
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) EXPECT_EQ(chunks[i].end, chunks[i + 1].begin);
  EXPECT_EQ(chunks.front().begin, 4u);
  EXPECT_EQ(chunks.back().end, t.size());
  bool long_chunk = false;
  for (const scanner::Chunk& c : chunks) {
    EXPECT_FALSE(c.begin > long_start && c.begin < after_long) << c.begin;
    long_chunk = long_chunk || (c.begin <= long_start && c.end >= after_long);
  }
  EXPECT_TRUE(long_chunk);
}

TEST(RegressParsersQuadraticBoundarySearch, XmlWalkOverUnterminatedProcessingInstructionsIsLinear) {
  // Each "<Event><?" made event_end search the rest of the data for "?>", and the walk then resumed at
  // the next "<Event" inside: O(events x size). A processing instruction is skipped by both searches
  // alike, so an unterminated one ends the walk at once, as an unterminated comment does.
  std::string t;
  for (int i = 0; i < 5000; ++i) t += "<Event><?";
  std::uint64_t steps = 0;
  for (std::uint64_t pos = parsers::next_event_start(t, 0); pos < t.size(); pos = scanner::next_xml_event(t, pos)) ++steps;
  EXPECT_EQ(steps, 1u);
  std::vector<scanner::Chunk> chunks;
  scanner::plan_xml_chunks(0, t, 64, chunks);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].begin, 0u);
  EXPECT_EQ(parsers::event_end(t, 0), 0u);
}
