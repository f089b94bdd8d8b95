// Tests for parsers/json_structural: the lazy stage 1 agrees with a byte-at-a-time tokenizer (string
// state, odd backslash runs, control bytes) at every length, start and limit, with SSE2 and AVX2.
#include "parsers/json_structural.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace rareconn::parsers::json;

namespace {

// The reference: walk byte by byte, tracking whether we are in a string and whether a byte is escaped.
std::vector<std::uint64_t> naive_tokens(const std::string& s, std::uint64_t pos, std::uint64_t limit) {
  std::vector<std::uint64_t> out;
  bool in_string = false, escaped = false;
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
      in_string = !in_string;
      out.push_back(i);
    } else if (!in_string && (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',')) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace

TEST(JsonStructural, TokensAgreeWithByteWalk) {
  std::mt19937 rng(11);
  const char alphabet[] = {'"', '\\', '{', '}', '[', ']', ':', ',', ' ', '\n', '\x01', 'a', '\xc3', 'z', '\\', '"'};
  for (int round = 0; round < 400; ++round) {
    const std::size_t n = round < 300 ? rng() % 200 : 1000 + rng() % 3000;
    std::string s(n, 'x');
    for (char& c : s) c = rng() % 3 == 0 ? alphabet[rng() % sizeof alphabet] : 'x';
    if (round % 7 == 0) s.replace(0, std::min<std::size_t>(n, 70), std::min<std::size_t>(n, 70), '\\');  // long runs
    const std::uint64_t pos = n == 0 ? 0 : rng() % (n / 4 + 1);
    const std::uint64_t limit = pos + (n - pos == 0 ? 0 : rng() % (n - pos) + 1);
    Tokenizer t;
    t.reset(s, pos, limit);
    std::vector<std::uint64_t> got;
    for (std::uint64_t p = t.next(); p < limit; p = t.next()) got.push_back(p);
    EXPECT_EQ(t.next(), limit);
    EXPECT_EQ(got, naive_tokens(s, pos, limit)) << "round " << round;
  }
}

TEST(JsonStructural, ExtendingTheLimitKeepsTheTokensBeyondIt) {
  const std::string s = "{\"a\":\"b\\\"c\"}\n{\"d\":1}\n";
  Tokenizer t;
  t.reset(s, 0, 13);
  std::vector<std::uint64_t> got;
  for (std::uint64_t p = t.next(); p < t.limit(); p = t.next()) got.push_back(p);
  t.extend(s.size());
  for (std::uint64_t p = t.next(); p < t.limit(); p = t.next()) got.push_back(p);
  EXPECT_EQ(got, naive_tokens(s, 0, s.size()));
}

#if RARECONN_JSON_AVX2
TEST(JsonStructural, Avx2ClassifiesAsSse2) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 here";
  std::mt19937 rng(5);
  for (int round = 0; round < 2000; ++round) {
    char block[64];
    for (char& c : block) c = static_cast<char>(rng() % 4 == 0 ? "\"\\{}[]:,\x1f\x20\x80\xff"[rng() % 12] : rng() % 256);
    const BlockClasses a = classify_block(block), b = classify_block_avx2(block);
    EXPECT_EQ(a.quote, b.quote);
    EXPECT_EQ(a.backslash, b.backslash);
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.control, b.control);
  }
}
#endif
