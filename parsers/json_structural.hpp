// Stage 1 of the JSON reader (simdjson's structural index, computed lazily 64 bytes at a time): marks
// the bytes a validating walker must step on. Knows no grammar and never reads past the data.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rareconn::parsers::json {

// One 64-byte block classified: bit i stands for byte i.
struct BlockClasses {
  std::uint64_t quote = 0;      // '"'
  std::uint64_t backslash = 0;  // '\\'
  std::uint64_t op = 0;         // { } [ ] : ,
  std::uint64_t control = 0;    // bytes below 0x20
};

inline BlockClasses classify_block(const char* p) {
  BlockClasses m;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), brace = _mm_set1_epi8('{'),
                close = _mm_set1_epi8('}'), colon = _mm_set1_epi8(':'), comma = _mm_set1_epi8(','),
                bit5 = _mm_set1_epi8(0x20), ctl = _mm_set1_epi8(0x1f);
  for (int k = 0; k < 4; ++k) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i lower = _mm_or_si128(x, bit5);  // '[' and ']' become '{' and '}'
    const __m128i op = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lower, brace), _mm_cmpeq_epi8(lower, close)),
                                    _mm_or_si128(_mm_cmpeq_epi8(x, colon), _mm_cmpeq_epi8(x, comma)));
    const unsigned shift = 16u * static_cast<unsigned>(k);
    m.quote |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)))) << shift;
    m.backslash |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, backslash)))) << shift;
    m.op |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(op))) << shift;
    m.control |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x))))
                 << shift;
  }
#else
  for (unsigned i = 0; i < 64; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (c == '"') m.quote |= bit;
    if (c == '\\') m.backslash |= bit;
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',') m.op |= bit;
    if (c < 0x20) m.control |= bit;
  }
#endif
  return m;
}

#if defined(__x86_64__)
#define RARECONN_JSON_AVX2 1
[[gnu::target("avx2")]] inline std::uint64_t bits(__m256i v) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(v)));
}
// The same with AVX2, for processors that have it (checked at run time: the build's baseline is SSE2).
[[gnu::target("avx2")]] inline BlockClasses classify_block_avx2(const char* p) {
  BlockClasses m;
  const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\'), brace = _mm256_set1_epi8('{'),
                close = _mm256_set1_epi8('}'), colon = _mm256_set1_epi8(':'), comma = _mm256_set1_epi8(','),
                bit5 = _mm256_set1_epi8(0x20), ctl = _mm256_set1_epi8(0x1f);
  for (int k = 0; k < 2; ++k) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * k));
    const __m256i lower = _mm256_or_si256(x, bit5);
    const __m256i op = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(lower, brace), _mm256_cmpeq_epi8(lower, close)),
                                       _mm256_or_si256(_mm256_cmpeq_epi8(x, colon), _mm256_cmpeq_epi8(x, comma)));
    const unsigned shift = 32u * static_cast<unsigned>(k);
    m.quote |= bits(_mm256_cmpeq_epi8(x, quote)) << shift;
    m.backslash |= bits(_mm256_cmpeq_epi8(x, backslash)) << shift;
    m.op |= bits(op) << shift;
    m.control |= bits(_mm256_cmpeq_epi8(_mm256_min_epu8(x, ctl), x)) << shift;
  }
  return m;
}
#endif

// Bit i set when an odd number of bits at or below i are set (a carry-less multiply by all ones).
inline std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// What one block hands the next: whether it ends inside a string, and whether its last backslash
// escapes the next block's first byte.
struct StringCarry {
  std::uint64_t in_string = 0;  // all ones or zero
  std::uint64_t escaped = 0;    // 1 or 0
};

// The bytes escaped by a backslash (simdjson's odd-backslash-sequence trick, with its carry).
inline std::uint64_t escaped_bytes(std::uint64_t backslash, StringCarry& carry) {
  if (backslash == 0) {
    const std::uint64_t e = carry.escaped;
    carry.escaped = 0;
    return e;
  }
  backslash &= ~carry.escaped;
  const std::uint64_t follows_escape = backslash << 1 | carry.escaped;
  constexpr std::uint64_t kEven = 0x5555555555555555ULL;
  const std::uint64_t odd_starts = backslash & ~kEven & ~follows_escape;
  std::uint64_t even_sequences;
  carry.escaped = __builtin_add_overflow(odd_starts, backslash, &even_sequences) ? 1 : 0;
  return (kEven ^ (even_sequences << 1)) & follows_escape;
}

// Tokens of a block: every unescaped quote, every escaping backslash, every control byte (inside a
// string it is an error, outside it is blank or an error), and { } [ ] : , unescaped outside strings.
inline std::uint64_t block_tokens(const BlockClasses& m, StringCarry& carry) {
  const std::uint64_t escaped = escaped_bytes(m.backslash, carry);
  const std::uint64_t quotes = m.quote & ~escaped;
  const std::uint64_t in_string = prefix_xor(quotes) ^ carry.in_string;
  carry.in_string = static_cast<std::uint64_t>(static_cast<std::int64_t>(in_string) >> 63);
  return quotes | (m.op & ~(in_string | escaped)) | m.control | (m.backslash & ~escaped);
}

// The tokens of a text in order, from a position known to be outside any string, up to a limit.
class Tokenizer {
 public:
  // Tokens in [pos, limit) of `data`; pos < limit <= data.size(), or pos == limit for none.
  void reset(std::string_view data, std::uint64_t pos, std::uint64_t limit) {
    data_ = data;
    limit_ = limit;
    carry_ = StringCarry{};
    block_ = pos;
    bits_ = pos < limit ? load(pos) : 0;
  }
  // Moves the limit forward (tokens before the old limit not yet returned are kept).
  void extend(std::uint64_t limit) { limit_ = limit; }
  std::uint64_t limit() const { return limit_; }

  // Offset of the next token, or limit() when none is left before it (then nothing is consumed).
  std::uint64_t next() {
    if (bits_ == 0) [[unlikely]] {
      if (!next_block()) return limit_;
    }
    const std::uint64_t pos = block_ + static_cast<std::uint64_t>(__builtin_ctzll(bits_));
    if (pos >= limit_) return limit_;
    bits_ &= bits_ - 1;
    return pos;
  }

 private:
  // Loads blocks until one holds a token; false at the limit. Out of line: next() stays small.
  [[gnu::noinline]] bool next_block() {
    while (bits_ == 0) {
      if (block_ + 64 >= limit_) return false;
      block_ += 64;
      bits_ = load(block_);
    }
    return true;
  }

  std::uint64_t load(std::uint64_t at) {
    const char* p = data_.data() + at;
    char tail[64];
    if (data_.size() - at < 64) {
      std::memset(tail, ' ', sizeof tail);
      std::memcpy(tail, p, data_.size() - at);
      p = tail;
    }
#if RARECONN_JSON_AVX2
    if (has_avx2()) return tokens_avx2(p, carry_);
#endif
    return block_tokens(classify_block(p), carry_);
  }
#if RARECONN_JSON_AVX2
  static bool has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
  }
  [[gnu::target("avx2")]] static std::uint64_t tokens_avx2(const char* p, StringCarry& carry) {
    return block_tokens(classify_block_avx2(p), carry);
  }
#endif

  std::string_view data_;
  std::uint64_t limit_ = 0;
  std::uint64_t block_ = 0;  // offset of the loaded block's first byte
  std::uint64_t bits_ = 0;   // tokens of the loaded block not yet returned
  StringCarry carry_;
};

}  // namespace rareconn::parsers::json
