// Tests for parsers/json_structural: the lazy stage 1 agrees with a byte-at-a-time walk (odd
// backslash runs, control bytes) at every length, start, limit and stride, with SSE2 and AVX2.
#include "parsers/json_structural.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace rareconn::parsers::json;

namespace {

// The reference: walk byte by byte, tracking whether a byte is escaped.
std::vector<std::uint64_t> naive_marks(const std::string& s, std::uint64_t pos, std::uint64_t limit) {
  std::vector<std::uint64_t> out;
  bool escaped = false;
  for (std::uint64_t i = pos; i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool was_escaped = escaped;
    escaped = false;
    if (c < 0x20) out.push_back(i);
    if (was_escaped) continue;
    if (c == '\\') {
      escaped = true;
      out.push_back(i);
    } else if (c == '"') {
      out.push_back(i);
    }
  }
  return out;
}

std::string random_text(std::mt19937& rng, std::size_t n) {
  const char alphabet[] = {'"', '\\', '{', '}', '[', ']', ':', ',', ' ', '\n', '\x01', 'a', '\xc3', 'z', '\\', '"'};
  std::string s(n, 'x');
  for (char& c : s) c = rng() % 3 == 0 ? alphabet[rng() % sizeof alphabet] : 'x';
  return s;
}

}  // namespace

TEST(JsonStructural, MarksAgreeWithByteWalk) {
  std::mt19937 rng(11);
  for (int round = 0; round < 400; ++round) {
    const std::size_t n = round < 300 ? rng() % 200 : 1000 + rng() % 3000;
    std::string s = random_text(rng, n);
    if (round % 7 == 0) s.replace(0, std::min<std::size_t>(n, 70), std::min<std::size_t>(n, 70), '\\');  // long runs
    const std::uint64_t pos = n == 0 ? 0 : rng() % (n / 4 + 1);
    const std::uint64_t limit = pos + (n - pos == 0 ? 0 : rng() % (n - pos) + 1);
    Marks m;
    m.reset(s, pos, limit);
    std::vector<std::uint64_t> got;
    for (std::uint64_t p = m.next(); p < limit; p = m.next()) got.push_back(p);
    EXPECT_EQ(m.next(), limit);
    EXPECT_EQ(got, naive_marks(s, pos, limit)) << "round " << round;
  }
}

TEST(JsonStructural, AfterSkipsAheadAcrossBlocks) {
  // The walker jumps over stretches it checked itself: every block in between still carries its
  // escapes to the next.
  std::mt19937 rng(3);
  for (int round = 0; round < 300; ++round) {
    const std::string s = random_text(rng, 500 + rng() % 1500);
    const std::vector<std::uint64_t> want = naive_marks(s, 0, s.size());
    Marks m;
    m.reset(s, 0, s.size());
    std::uint64_t at = 0;
    while (at < s.size()) {
      const std::uint64_t got = m.after(at);
      const auto it = std::upper_bound(want.begin(), want.end(), at);
      ASSERT_EQ(got, it == want.end() ? s.size() : *it) << "round " << round << " at " << at;
      at = std::max<std::uint64_t>(at + 1 + rng() % 200, got);  // never before the last mark returned
    }
  }
}

TEST(JsonStructural, ExtendingTheLimitKeepsTheMarksBeyondIt) {
  const std::string s = "{\"a\":\"b\\\"c\"}\n{\"d\":1}\n";
  Marks m;
  m.reset(s, 0, 13);
  std::vector<std::uint64_t> got;
  std::uint64_t p = m.next();
  for (; p < m.limit(); p = m.next()) got.push_back(p);
  EXPECT_EQ(p, 13u);
  m.extend(s.size());
  for (p = m.next(); p < m.limit(); p = m.next()) got.push_back(p);
  EXPECT_EQ(got, naive_marks(s, 0, s.size()));
}

// Every classifier the dispatcher can pick agrees with the byte definitions: SSE2 always, and
// AVX2 on processors that have it (where they do not, the dispatcher never calls it).
TEST(JsonStructural, ClassifiersAgreeWithTheByteDefinitions) {
  std::mt19937 rng(5);
  for (int round = 0; round < 2000; ++round) {
    char block[64];
    for (char& c : block) c = static_cast<char>(rng() % 4 == 0 ? "\"\\{}[]:,\x1f\x20\x80\xff"[rng() % 12] : rng() % 256);
    BlockClasses want;
    for (int i = 0; i < 64; ++i) {
      const auto u = static_cast<unsigned char>(block[i]);
      want.quote |= std::uint64_t{u == '"'} << i;
      want.backslash |= std::uint64_t{u == '\\'} << i;
      want.control |= std::uint64_t{u < 0x20} << i;
    }
    const BlockClasses a = classify_block(block);
    EXPECT_EQ(a.quote, want.quote);
    EXPECT_EQ(a.backslash, want.backslash);
    EXPECT_EQ(a.control, want.control);
#if RARECONN_JSON_AVX2
    if (__builtin_cpu_supports("avx2")) {
      const BlockClasses b = classify_block_avx2(block);
      EXPECT_EQ(b.quote, want.quote);
      EXPECT_EQ(b.backslash, want.backslash);
      EXPECT_EQ(b.control, want.control);
    }
#endif
  }
}
