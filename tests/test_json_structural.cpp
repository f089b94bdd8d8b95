// Tests for parsers/json_structural: the lazy stage 1 agrees with a byte-at-a-time walk (strings,
// odd backslash runs, control bytes) at every length, start and limit, with SSE2 and AVX2+PCLMUL.
#include "parsers/json_structural.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace rareconn::parsers::json;

namespace {

// The reference: walk byte by byte from outside any string, tracking strings and escapes. Marks:
// closing quotes, and inside strings escaping backslashes and control bytes.
std::vector<std::uint64_t> naive_marks(const std::string& s, std::uint64_t pos, std::uint64_t limit) {
  std::vector<std::uint64_t> out;
  bool in_string = false, escaped = false;
  for (std::uint64_t i = pos; i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool was_escaped = escaped;
    escaped = false;
    // (A backslash escapes the next byte outside strings too, where JSON has none: the walker
    // rejects it there, whatever the marks say.)
    if (!was_escaped && c == '\\') escaped = true;
    if (!in_string) {
      in_string = !was_escaped && c == '"';
      continue;
    }
    if (c < 0x20) out.push_back(i);
    if (was_escaped) continue;
    if (c == '\\') {
      out.push_back(i);
    } else if (c == '"') {
      in_string = false;
      out.push_back(i);
    }
  }
  return out;
}

std::string random_text(std::mt19937& rng, std::size_t n) {
  const char alphabet[] = {'"', '\\', '{', '}', '[', ']', ':', ',', ' ', '\n', '\x01', 'a', '\xc3', 'z', '\\', '"', '\x1f', '\xff'};
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
    MarkRing ring;
    Marks m;
    m.reset(s, pos, limit, ring);
    std::vector<std::uint64_t> got;
    for (std::uint64_t p = m.next(); p < limit; p = m.next()) got.push_back(p);
    EXPECT_EQ(m.next(), limit);
    EXPECT_EQ(got, naive_marks(s, pos, limit)) << "round " << round;
  }
}

TEST(JsonStructural, PrefixXorByShiftsAndByCarrylessMultiplyAgree) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 5000; ++round) {
    const std::uint64_t x = round < 64 ? std::uint64_t{1} << round : rng() & rng();
    std::uint64_t want = 0, acc = 0;
    for (int i = 0; i < 64; ++i) {
      acc ^= x >> i & 1;
      want |= acc << i;
    }
    EXPECT_EQ(prefix_xor(x), want);
#if RARECONN_JSON_AVX2
    if (Marks::kFast) {
      EXPECT_EQ(prefix_xor_clmul(x), want);
    }
#endif
  }
}

// Each block classifier chained over a text gives the reference's marks: the portable one always,
// the AVX2+PCLMULQDQ one where the processor has them (where it does not, load() never calls it).
TEST(JsonStructural, EachBlockClassifierChainedGivesTheReferenceMarks) {
  std::mt19937 rng(3);
  for (int round = 0; round < 300; ++round) {
    const std::string s = random_text(rng, 64 * (1 + rng() % 40));
    const std::vector<std::uint64_t> want = naive_marks(s, 0, s.size());
    auto chained = [&](auto classify) {
      std::vector<std::uint64_t> got;
      BlockCarry carry = 0;
      for (std::size_t at = 0; at < s.size(); at += 64) {
        const Marks::Block b = classify(s.data() + at, carry);
        for (std::uint64_t bits = b.bits; bits; bits &= bits - 1) got.push_back(at + static_cast<std::uint64_t>(__builtin_ctzll(bits)));
        carry = b.carry;
      }
      return got;
    };
    EXPECT_EQ(chained(Marks::marks_portable), want) << "round " << round;
#if RARECONN_JSON_AVX2
    if (Marks::kFast) {
      EXPECT_EQ(chained(Marks::marks_avx2), want) << "round " << round;
    }
#endif
  }
}

TEST(JsonStructural, ExtendingTheLimitKeepsTheMarksBeyondIt) {
  const std::string s = "{\"a\":\"b\\\"c\"}\n{\"d\":1}\n";
  MarkRing ring;
  Marks m;
  m.reset(s, 0, 13, ring);
  std::vector<std::uint64_t> got;
  std::uint64_t p = m.next();
  for (; p < m.limit(); p = m.next()) got.push_back(p);
  EXPECT_EQ(p, 13u);
  m.extend(s.size());
  for (p = m.next(); p < m.limit(); p = m.next()) got.push_back(p);
  EXPECT_EQ(got, naive_marks(s, 0, s.size()));
}

// Each ring fill (the portable one always, the AVX2+PCLMULQDQ one where the processor has them),
// chained over a text a ring at a time, gives the reference's marks, and its escapes are exactly
// the marks that are escaping backslashes.
TEST(JsonStructural, EachRingFillGivesTheReferenceMarksAndEscapes) {
  std::mt19937 rng(29);
  for (int round = 0; round < 300; ++round) {
    const std::string s = random_text(rng, 64 * (1 + rng() % 60) + rng() % 64);
    const std::vector<std::uint64_t> want = naive_marks(s, 0, s.size());
    std::vector<std::uint64_t> want_escapes;
    for (std::uint64_t p : want) {
      if (s[p] == '\\') want_escapes.push_back(p);
    }
    auto chained = [&](auto fill, std::vector<std::uint64_t>& escapes) {
      std::vector<std::uint64_t> got;
      MarkRing ring;
      BlockCarry carry = 0;
      for (std::uint64_t at = 0; at < s.size(); at += 64 * ring.count) {
        fill(s.data(), s.size(), at, carry, ring);
        EXPECT_GT(ring.count, 0u);
        EXPECT_EQ(ring.blocks[ring.count].bits, 0u);  // the entry after the last
        for (std::uint64_t i = 0; i < ring.count; ++i) {
          const MarkRing::Entry& e = ring.blocks[i];
          EXPECT_EQ(e.escapes & ~e.bits, 0u);
          for (std::uint64_t b = e.bits; b; b &= b - 1) got.push_back(at + 64 * i + static_cast<std::uint64_t>(__builtin_ctzll(b)));
          for (std::uint64_t b = e.escapes; b; b &= b - 1) escapes.push_back(at + 64 * i + static_cast<std::uint64_t>(__builtin_ctzll(b)));
          carry = e.carry;
        }
      }
      return got;
    };
    std::vector<std::uint64_t> escapes;
    EXPECT_EQ(chained(Marks::fill_ring_portable, escapes), want) << "round " << round;
    EXPECT_EQ(escapes, want_escapes) << "round " << round;
#if RARECONN_JSON_AVX2
    if (Marks::kFast) {
      escapes.clear();
      EXPECT_EQ(chained(Marks::fill_ring_avx2, escapes), want) << "round " << round;
      EXPECT_EQ(escapes, want_escapes) << "round " << round;
    }
#endif
  }
}

// The blocks' marks are computed a ring at a time and shared by the copies of a Marks, which take
// turns: the walker keeps one in registers and hands it to its out-of-line paths and back
// (`io = m; ...; m = io`). Handed back and forth at random, the copies give the byte walk's marks.
TEST(JsonStructural, ACopyHandedBackGoesOnWhereTheOtherLeftOff) {
  std::mt19937 rng(17);
  for (int round = 0; round < 100; ++round) {
    const std::string s = random_text(rng, 64 * MarkRing::kBlocks * 3 + rng() % 500);
    const std::vector<std::uint64_t> want = naive_marks(s, 0, s.size());
    MarkRing ring;
    Marks m;
    m.reset(s, 0, s.size(), ring);
    std::vector<std::uint64_t> got;
    for (;;) {
      Marks io = m;  // the callee's turn: a few marks (past a refill of the ring, at times)
      std::uint64_t p = 0;
      for (std::size_t k = rng() % 40; k > 0 && (p = io.next()) < s.size(); --k) got.push_back(p);
      m = io;
      EXPECT_TRUE(m.current());
      if (p == s.size() || (p = m.next()) == s.size()) break;
      got.push_back(p);
    }
    EXPECT_EQ(got, want) << "round " << round;
  }
}

// A copy that another copy has left behind (the other went on and refilled the ring) knows it may
// not go on; the sanitizer builds (RARECONN_JSON_CHECKED) stop the process if it does.
TEST(JsonStructural, ACopyLeftBehindIsNotCurrent) {
  std::mt19937 rng(19);
  const std::string s = random_text(rng, 64 * MarkRing::kBlocks * 3);
  MarkRing ring;
  Marks ahead;
  ahead.reset(s, 0, s.size(), ring);
  const Marks behind = ahead;
  EXPECT_TRUE(behind.current());
  for (std::uint64_t p = ahead.next(); p < 64 * MarkRing::kBlocks; p = ahead.next()) {
  }
  EXPECT_TRUE(ahead.current());
  EXPECT_FALSE(behind.current());
}

// Regression: a Marks (re)started at its limit skipped the first block once the limit moved on
// (its first load took the block after the start, as if the start's block had been read).
TEST(JsonStructural, RestartedAtTheLimitThenExtendedGivesTheMarksFromTheStart) {
  std::mt19937 rng(29);
  for (int round = 0; round < 200; ++round) {
    const std::string s = random_text(rng, 1 + rng() % 3000);
    const std::uint64_t pos = rng() % s.size();
    MarkRing ring;
    Marks m;
    m.reset(s, pos, pos, ring);
    EXPECT_EQ(m.next(), pos);
    m.extend(s.size());
    std::vector<std::uint64_t> got;
    for (std::uint64_t p = m.next(); p < s.size(); p = m.next()) got.push_back(p);
    EXPECT_EQ(got, naive_marks(s, pos, s.size())) << "round " << round << ", from " << pos;
  }
}

// next_past_escapes() skips the escaping backslashes of a string (a block at a time) to its next
// other mark, as a walker asks once it has seen a string's first escape; mixed with next() in any
// order, the marks are those of the byte walk with the skipped escapes left out.
TEST(JsonStructural, SkippingEscapesGivesTheNextMarkThatIsNotAnEscape) {
  std::mt19937 rng(23);
  for (int round = 0; round < 300; ++round) {
    std::string s = random_text(rng, 64 * (1 + rng() % 50) + rng() % 64);
    if (round % 3 == 0) {  // long runs of escapes across blocks and rings
      const std::size_t at = rng() % s.size();
      s.insert(at, "\"" + std::string(2 * (rng() % 600), '\\') + "\\n");
    }
    const std::vector<std::uint64_t> all = naive_marks(s, 0, s.size());
    MarkRing ring;
    Marks m;
    m.reset(s, 0, s.size(), ring);
    std::size_t i = 0;  // the model: the next byte-walk mark not yet taken
    for (;;) {
      const bool skip = rng() % 2 == 0;
      std::uint64_t got;
      if (skip) {
        got = m.next_past_escapes();
        while (i < all.size() && s[all[i]] == '\\') ++i;
      } else {
        got = m.next();
      }
      const std::uint64_t want = i < all.size() ? all[i++] : s.size();
      ASSERT_EQ(got, want) << "round " << round << (skip ? ", skipping" : "");
      if (got == s.size()) break;
    }
  }
}

TEST(JsonStructural, RestartingAtAPositionGivesTheMarksFromThere) {
  // From 0 the quote at 2 opens a string, so the marks from 0 and from 200 differ.
  const std::string s = "xx\"" + std::string(197, 'x') + "\"bc\\\"d\"" + std::string(700, 'y') + "\"q\"";
  ASSERT_NE(naive_marks(s, 0, s.size()), naive_marks(s, 200, s.size()));
  MarkRing ring;
  Marks m;
  m.reset(s, 0, s.size(), ring);
  EXPECT_EQ(m.next(), 200u);
  m.restart(200);
  std::vector<std::uint64_t> got;
  for (std::uint64_t p = m.next(); p < s.size(); p = m.next()) got.push_back(p);
  EXPECT_EQ(got, naive_marks(s, 200, s.size()));
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
