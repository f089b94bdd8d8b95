// Tests for scanner/record_boundary: each rule, fed the same stream in pieces of every size, reports
// exactly the first and last record start of each piece that a byte-by-byte reference finds.
#include "scanner/record_boundary.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

using namespace rareconn::scanner;

namespace {

// CSV with quoted commas, doubled quotes, quoted LFs and CRLFs, and empty lines.
std::string csv_text(std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s = "Timestamp,DeviceName,RemoteUrl\r\n";
  for (std::size_t i = 0; i < rows; ++i) {
    s += "2024-05-30T00:00:00Z,";
    switch (rng() % 5) {
      case 0: s += "\"dev,\"\"x\"\"\n\n" + std::to_string(rng()) + "\""; break;
      case 1: s += "\"\"\"\""; break;
      case 2: s += "\"\r\n\""; break;
      default: s += "host" + std::to_string(rng() % 100);
    }
    s += ",u" + std::to_string(i) + (rng() % 2 ? "\r\n" : "\n");
    if (rng() % 17 == 0) s += "\n";
  }
  return s;
}

// Record starts by the definition, one byte at a time: after each LF outside quotes.
std::set<std::size_t> csv_starts(const std::string& s) {
  std::set<std::size_t> out;
  bool q = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') q = !q;
    if (s[i] == '\n' && !q) out.insert(i + 1);
  }
  return out;
}

std::set<std::size_t> line_starts(const std::string& s) {
  std::set<std::size_t> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') out.insert(i + 1);
  }
  return out;
}

// Feeds `s` in pieces of sizes from `sizes` (cycled) and checks each piece's cuts.
void check(RecordBoundary& rule, const std::string& s, const std::set<std::size_t>& starts,
           const std::vector<std::size_t>& sizes) {
  std::size_t at = 0;
  for (std::size_t k = 0; at < s.size(); ++k) {
    const std::size_t n = std::min(sizes[k % sizes.size()], s.size() - at);
    const RecordBoundary::Cuts cuts = rule.feed(std::string_view(s).substr(at, n));
    const auto lo = starts.upper_bound(at), hi = starts.upper_bound(at + n);
    if (lo == hi) {
      EXPECT_EQ(cuts.first, RecordBoundary::npos) << "piece at " << at;
      EXPECT_EQ(cuts.last, RecordBoundary::npos) << "piece at " << at;
    } else {
      EXPECT_EQ(cuts.first, *lo) << "piece at " << at;
      EXPECT_EQ(cuts.last, *std::prev(hi)) << "piece at " << at;
    }
    at += n;
  }
}

}  // namespace

TEST(RecordBoundary, CsvQuoteParityCarriedAcrossEveryPieceSize) {
  const std::string s = csv_text(300, 1);
  const auto starts = csv_starts(s);
  for (std::vector<std::size_t> sizes : {std::vector<std::size_t>{1}, {2}, {3}, {7}, {64}, {1, 5, 2, 31, 400}, {1 << 20}}) {
    CsvBoundary rule;
    check(rule, s, starts, sizes);
  }
}

TEST(RecordBoundary, CsvLongQuotedFieldWithoutBoundary) {
  const std::string s = "a,\"" + std::string(1000, '\n') + "\"\nb\n";
  CsvBoundary rule;
  check(rule, s, csv_starts(s), {10});
}

TEST(RecordBoundary, LinesEveryPieceSize) {
  const std::string s = csv_text(200, 2);
  for (std::vector<std::size_t> sizes : {std::vector<std::size_t>{1}, {3}, {1, 9, 100}, {1 << 20}}) {
    LineBoundary rule;
    check(rule, s, line_starts(s), sizes);
  }
}

TEST(RecordBoundary, FixedChunksAfterAHeader) {
  std::string s(4096 + 65536 * 5 + 100, 'x');
  for (auto [first, period] : {std::pair<std::uint64_t, std::uint64_t>{4096, 65536}, {0, 65536}, {0, 1}, {3, 7}}) {
    std::set<std::size_t> starts;
    for (std::uint64_t c = first ? first : period; c <= s.size(); c += period) starts.insert(c);
    for (std::vector<std::size_t> sizes : {std::vector<std::size_t>{1}, {4096}, {65536}, {5000, 1, 70000}}) {
      if (period == 1 && sizes[0] == 1 && sizes.size() == 1) continue;  // 400,000 one-byte pieces: covered by {3, 7}
      FixedBoundary rule(first, period);
      check(rule, s, starts, sizes);
    }
  }
}
