// Tests for parsers/json_cut: the slice scans chained over any slicing give the string state,
// escapes, depths and row starts of a byte-at-a-time walk; the row array of each document shape.
#include "parsers/json_cut.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace rareconn::parsers::json;

namespace {

// The reference, byte by byte from outside any string: per byte, the state before it. (A backslash
// escapes the next byte outside strings too, where JSON has none; brackets count whatever precedes.)
struct ByteState {
  bool in_string, escaped;
  std::int64_t depth;
};
std::vector<ByteState> walk(const std::string& s) {
  std::vector<ByteState> out;
  bool in = false, esc = false;
  std::int64_t depth = 0;
  for (char c : s) {
    out.push_back({in, esc, depth});
    const bool was = esc;
    esc = !was && c == '\\';
    if (!was && c == '"') in = !in;
    else if (!in && (c == '{' || c == '[')) ++depth;
    else if (!in && (c == '}' || c == ']')) --depth;
  }
  out.push_back({in, esc, depth});
  return out;
}

std::string random_json_ish(std::mt19937& rng, std::size_t n) {
  const char* pieces[] = {"{", "}", "[", "]", ",", ",{", ", \n{", "\"", "\\", "\\\"", "\\\\", "a", " ", ":"};
  std::string s;
  while (s.size() < n) s += pieces[rng() % 14];
  return s;
}

}  // namespace

TEST(JsonCut, SliceScansChainedAgreeWithAByteWalk) {
  std::mt19937 rng(17);
  for (int round = 0; round < 60; ++round) {
    const std::string s = round % 5 == 0 ? std::string(70 + rng() % 90, '\\') + "\"x\"{[" : random_json_ish(rng, 1 + rng() % 300);
    const std::vector<ByteState> want = walk(s);
    for (std::uint64_t slice : {1, 2, 3, 5, 64, 65, 127, 1000}) {
      bool in = false;
      std::uint8_t esc = 0;
      std::int64_t depth = 0;
      for (std::uint64_t b = 0; b < s.size(); b += slice) {
        const std::uint64_t e = std::min<std::uint64_t>(s.size(), b + slice);
        ASSERT_EQ(in, want[b].in_string) << "round " << round << " slice " << slice << " at " << b;
        ASSERT_EQ(esc != 0, want[b].escaped) << "round " << round << " slice " << slice << " at " << b;
        ASSERT_EQ(depth, want[b].depth) << "round " << round << " slice " << slice << " at " << b;
        const SliceDepths d = scan_slice_depths(s, b, e, in, esc != 0);
        for (int r = -kDepthWindow; r <= kDepthWindow; ++r) {
          std::uint64_t first = UINT64_MAX;
          for (std::uint64_t i = b; i < e && first == UINT64_MAX; ++i) {
            if (s[i] != '{' || want[i].in_string || want[i].depth - depth != r) continue;
            std::uint64_t q = i;
            while (q > 0 && (s[q - 1] == ' ' || s[q - 1] == '\n')) --q;
            if (q > 0 && s[q - 1] == ',') first = i;
          }
          ASSERT_EQ(d.first_row[static_cast<std::size_t>(r + kDepthWindow)], first) << "round " << round << " at " << b;
          std::uint64_t close = UINT64_MAX;
          for (std::uint64_t i = b; i < e && close == UINT64_MAX; ++i) {
            if ((s[i] == '}' || s[i] == ']') && !want[i].in_string && want[i].depth - depth == r) close = i;
          }
          ASSERT_EQ(d.first_close[static_cast<std::size_t>(r + kDepthWindow)], close) << "round " << round << " at " << b;
        }
        const SliceQuotes q = count_slice_quotes(s, b, e);
        in = in != ((q.quotes[esc] & 1) != 0);
        esc = q.escape_out[esc];
        depth += d.delta;
      }
      EXPECT_EQ(in, want.back().in_string);
      EXPECT_EQ(depth, want.back().depth);
    }
  }
}

TEST(JsonCut, RowArrayOfEachDocumentShape) {
  EXPECT_EQ(find_row_array(" \n[{\"a\":1}]", 0).container, RowContainer::kTopArray);
  EXPECT_EQ(find_row_array(" \n[{\"a\":1}]", 0).open, 2u);
  const std::string hub = "{\"meta\":{\"records\":[1]},\"x\":[1,\"]\"], \"records\" : [{}]}";
  const RowArray r = find_row_array(hub, 0);
  EXPECT_EQ(r.container, RowContainer::kRecords);
  EXPECT_EQ(r.open, hub.rfind('['));
  EXPECT_EQ(r.row_depth, 2);
  EXPECT_EQ(find_row_array("{\"Results\":[]}", 0).container, RowContainer::kRecords);
  EXPECT_EQ(find_row_array("{\"rec\\u006frds\":[{}]}", 0).container, RowContainer::kNone);  // escaped: not cut
  EXPECT_EQ(find_row_array("{\"a\":1}\n{\"b\":2}", 0).container, RowContainer::kNone);
  EXPECT_EQ(find_row_array("{\"a\":tru,\"records\":[{}]}", 0).container, RowContainer::kNone);
  EXPECT_EQ(find_row_array("", 0).container, RowContainer::kNone);
}
