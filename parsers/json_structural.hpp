// Stage 1 of the JSON reader, computed on demand 16 blocks of 64 bytes at a time, just ahead of
// the walker (MarkRing): marks the bytes a walker cannot see by looking at the bytes around a
// string (closing quotes, and escaping backslashes and control bytes inside strings). Knows no
// grammar and never reads past the data; the walker checks the bytes between strings (: , { } [ ]
// literals, numbers) itself.
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

// How far ahead of the block being classified its bytes are prefetched. The hardware's stream
// prefetchers stop at each 4 KiB page's end (the input was first read through a mapping of the page
// cache); 512 bytes measured best (256: slower, 1024-4096: slower; again the same with the ring).
inline constexpr std::size_t kPrefetchAhead = 512;

// One 64-byte block classified: bit i stands for byte i.
struct BlockClasses {
  std::uint64_t quote = 0;      // '"'
  std::uint64_t backslash = 0;  // '\\'
  std::uint64_t control = 0;    // bytes below 0x20
};

inline BlockClasses classify_block(const char* p) {
  BlockClasses m;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
  for (int k = 0; k < 4; ++k) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const unsigned shift = 16u * static_cast<unsigned>(k);
    m.quote |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)))) << shift;
    m.backslash |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, backslash)))) << shift;
    m.control |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x))))
                 << shift;
  }
#else
  for (unsigned i = 0; i < 64; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (c == '"') m.quote |= bit;
    if (c == '\\') m.backslash |= bit;
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
  const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\'), ctl = _mm256_set1_epi8(0x1f);
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  m.quote = bits(_mm256_cmpeq_epi8(lo, quote)) | bits(_mm256_cmpeq_epi8(hi, quote)) << 32;
  m.backslash = bits(_mm256_cmpeq_epi8(lo, backslash)) | bits(_mm256_cmpeq_epi8(hi, backslash)) << 32;
  m.control = bits(_mm256_cmpeq_epi8(_mm256_min_epu8(lo, ctl), lo)) | bits(_mm256_cmpeq_epi8(_mm256_min_epu8(hi, ctl), hi)) << 32;
  return m;
}
#endif

// The bytes escaped by a backslash (simdjson's odd-backslash-sequence trick); `carry` (1 or 0) says
// whether the previous block's last backslash escapes this block's first byte, and is updated.
inline std::uint64_t escaped_bytes(std::uint64_t backslash, std::uint64_t& carry) {
  if (backslash == 0) {
    const std::uint64_t e = carry;
    carry = 0;
    return e;
  }
  backslash &= ~carry;
  const std::uint64_t follows_escape = backslash << 1 | carry;
  constexpr std::uint64_t kEven = 0x5555555555555555ULL;
  const std::uint64_t odd_starts = backslash & ~kEven & ~follows_escape;
  std::uint64_t even_sequences;
  carry = __builtin_add_overflow(odd_starts, backslash, &even_sequences) ? 1 : 0;
  return (kEven ^ (even_sequences << 1)) & follows_escape;
}

// Bit i set when an odd number of bits at or below i are set: with the unescaped quotes, the bytes
// from an opening quote up to (not including) its closing quote. Shifts here; a carry-less
// multiply by all ones (PCLMULQDQ) in the AVX2 path.
inline std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}
#if RARECONN_JSON_AVX2
[[gnu::target("pclmul")]] inline std::uint64_t prefix_xor_clmul(std::uint64_t x) {
  const __m128i all = _mm_set1_epi8(static_cast<char>(0xFF));
  return static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(x)), all, 0)));
}
#endif

// prefix_xor as block_marks takes it: by shifts, and by carry-less multiply.
struct PrefixByShifts {
  std::uint64_t operator()(std::uint64_t x) const { return prefix_xor(x); }
};
#if RARECONN_JSON_AVX2
struct PrefixByClmul {
  [[gnu::target("pclmul")]] std::uint64_t operator()(std::uint64_t x) const { return prefix_xor_clmul(x); }
};
#endif

// What one block hands the next, in one word (so that a block and its carry come back in two
// registers): bit 0 when its last backslash escapes the next byte, bit 1 when it ends inside a string.
using BlockCarry = std::uint64_t;

// What a block hands the next, as two values that travel apart from block to block (so that the
// next block's carry-less multiply need not wait for this block's string state); BlockCarry joins them.
struct SplitCarry {
  std::uint64_t escape;     // 1 when the block's last backslash escapes the next block's first byte
  std::uint64_t in_string;  // all ones when the block ends inside a string
  static SplitCarry of(BlockCarry c) { return {c & 1, 0 - (c >> 1)}; }
  BlockCarry joined() const { return escape | (in_string & 2); }
};

// Marks of a block: the closing quote of every string, and inside strings every escaping backslash
// and every control byte (an error there). Bytes outside strings carry no mark: the walker checks
// them itself, and asks for a string's marks only once it has seen the string open. `prefix`
// computes prefix_xor (by shifts or by carry-less multiply); `c` goes from the previous block's
// state to this block's; `escapes` receives the marks that are escaping backslashes.
template <class Prefix>
[[gnu::always_inline]] inline std::uint64_t block_marks(const BlockClasses& m, SplitCarry& c, Prefix prefix,
                                                        std::uint64_t& escapes) {
  const std::uint64_t escaped = escaped_bytes(m.backslash, c.escape);
  const std::uint64_t quotes = m.quote & ~escaped;
  const std::uint64_t in_string = prefix(quotes) ^ c.in_string;
  c.in_string = static_cast<std::uint64_t>(static_cast<std::int64_t>(in_string) >> 63);
  escapes = m.backslash & ~escaped & in_string;
  return (quotes & ~in_string) | ((escapes | m.control) & in_string);
}

// A few blocks' marks computed ahead of the walker, in one loop (so that the core overlaps one
// block's classification with the next's) instead of one call per block on the walker's path.
// Owned by whoever owns the Marks that fill it; the copies of those Marks share it, one at a time
// (see Marks).
struct MarkRing {
  static constexpr unsigned kBlocks = 16;
  struct Entry {
    std::uint64_t bits;     // the block's marks
    BlockCarry carry;       // what it hands the next block
    std::uint64_t escapes;  // the marks that are escaping backslashes (a subset of bits)
  };
  // One more than ever held: the entry after the last block held has no marks (bits 0), and a
  // walker reads the entry after its block whether it needs it or not.
  Entry blocks[kBlocks + 1] = {};
  std::uint64_t count = 0;     // blocks held
  std::uint64_t fills = 0;     // times filled (so that a copy can tell its blocks are gone)
  const char* data = nullptr;  // the text (Marks::reset)
  std::uint64_t size = 0;
};

// The marks of a text in order, from a position outside any string up to a limit. The walker asks
// for the next mark once it has passed a string's opening quote: it is that string's closing quote
// (or an escape or a bad byte in it), so one mark is popped per string and the dependency chain
// from one mark to the next is one bit clear. Small and copyable, so that a walker can keep it in
// registers; the blocks' marks come from a MarkRing, filled a few blocks at a time.
//
// The copies of a Marks take turns: a copy may go on only while it is the one that last read the
// ring (current()): once another copy has gone on past the ring's blocks and refilled it, the
// blocks this copy points into are gone. The walker hands its copy back and forth (`m = io` ...
// `io = m`) and starts again (restart) after an error, so it never reads through an old copy;
// builds with RARECONN_JSON_CHECKED (the sanitizer builds) stop the process if one does.
class Marks {
 public:
  // Marks in [pos, limit) of `data`; pos <= limit <= data.size(); pos is outside any string. The
  // ring must outlive the Marks and its copies.
  void reset(std::string_view data, std::uint64_t pos, std::uint64_t limit, MarkRing& ring) {
    ring.data = data.data();
    ring.size = data.size();
    limit_ = limit;
    ring_ = &ring;
    restart(pos);
  }
  // Starts again at pos (outside any string), with the same data, limit and ring.
  void restart(std::uint64_t pos) {
    MarkRing& r = *ring_;
    r.count = 0;
    ++r.fills;
    bits_ = 0;
    fills_ = r.fills;
    if (pos < limit_) {
      base_ = pos;
      fill(pos, 0);
      return;
    }
    // Nothing before the limit yet: as if just past a block that ends at pos, outside any string
    // (its entry has no marks and hands on nothing), so that the first advance once the limit
    // moves fills the ring from pos. (Modulo 2^64 when pos < 64.)
    base_ = pos - 64;
    r.blocks[0] = {};
    r.blocks[1].bits = 0;  // (next() reads the entry after cur_)
    cur_ = r.blocks;
  }
  // Moves the limit forward (marks before the old limit not yet returned are kept).
  void extend(std::uint64_t limit) { limit_ = limit; }
  std::uint64_t limit() const { return limit_; }
  // Whether this copy may go on: no other copy has refilled the ring since it last read it.
  bool current() const { return fills_ == ring_->fills; }

  // The next mark (dropped), or limit() when there is none before it (then nothing is dropped).
  // Whether the next mark lies in this block or the next is the input's whim: the step to the next
  // block is taken without a branch (its marks are read whether needed or not), and the branch is
  // only for the rare rest (no mark in that block either, the ring's end, a limit).
  std::uint64_t next() {
    check_current();
    const std::uint64_t step = is_zero(bits_);  // this block has no mark left: take the next one
    const std::uint64_t b = or_if_zero(bits_, cur_[1].bits);
    if (b == 0) [[unlikely]] return next_slow();  // (past the ring's last block: its next entry has no marks)
    cur_ += step;
    base_ += step << 6;
    const std::uint64_t t = base_ + static_cast<std::uint64_t>(__builtin_ctzll(b));
    bits_ = b;
    if (t >= limit_) [[unlikely]] return limit_;
    bits_ = b & (b - 1);
    return t;
  }

  // The next mark that is not an escaping backslash (inside a string: its closing quote or a bad
  // byte), dropping the escapes before it; or limit(). The escapes of a string are skipped a block
  // at a time.
  std::uint64_t next_past_escapes() {
    check_current();
    for (;;) {
      const std::uint64_t rest = bits_ & ~cur_->escapes;
      if (rest != 0) {
        const std::uint64_t t = base_ + static_cast<std::uint64_t>(__builtin_ctzll(rest));
        if (t >= limit_) return limit_;
        const std::uint64_t low = rest & (0 - rest);
        bits_ &= ~(low ^ (low - 1));  // the marks up to and including t
        return t;
      }
      bits_ = 0;
      if (!advance()) return limit_;
    }
  }

  // A block's marks and what it hands the next block (returned in registers).
  struct Block {
    std::uint64_t bits;
    BlockCarry carry;
  };
  // One block classified, as the ring fills classify each of theirs (public for tests and benchmarks).
  static Block marks_portable(const char* p, BlockCarry carry) {
    SplitCarry c = SplitCarry::of(carry);
    std::uint64_t escapes;
    const std::uint64_t bits = block_marks(classify_block(p), c, PrefixByShifts{}, escapes);
    return {bits, c.joined()};
  }
#if RARECONN_JSON_AVX2
  [[gnu::target("avx2,pclmul")]] static Block marks_avx2(const char* p, BlockCarry carry) {
    SplitCarry c = SplitCarry::of(carry);
    std::uint64_t escapes;
    const std::uint64_t bits = block_marks(classify_block_avx2(p), c, PrefixByClmul{}, escapes);
    return {bits, c.joined()};
  }
  // The processor has AVX2 and PCLMULQDQ (decided once, before main).
  static bool fast_cpu() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul");
  }
  static inline const bool kFast = fast_cpu();
#endif

  // Fills `ring` with the marks of up to MarkRing::kBlocks blocks from `at` (64 bytes apart, none
  // starting at or past `size`; the last one's bytes past `size` read as blanks), the first
  // block's carry in being `carry`: one of the two fills below, which are public for tests.
  static void fill_ring(const char* data, std::uint64_t size, std::uint64_t at, BlockCarry carry, MarkRing& ring) {
#if RARECONN_JSON_AVX2
    if (kFast) return fill_ring_avx2(data, size, at, carry, ring);
#endif
    fill_ring_portable(data, size, at, carry, ring);
  }


  // The fill loop, once per classifier: each is compiled for its own instruction set, so that the
  // classifier inlines into it.
#define RARECONN_JSON_FILL_RING(CLASSES, PREFIX)                                             \
  ++ring.fills;                                                                              \
  const std::uint64_t whole = (size - at) / 64; /* blocks of 64 bytes in the data */         \
  const unsigned n = whole < MarkRing::kBlocks ? static_cast<unsigned>(whole) : MarkRing::kBlocks; \
  SplitCarry c = SplitCarry::of(carry);                                                       \
  for (unsigned i = 0; i < n; ++i) {                                                         \
    __builtin_prefetch(data + at + 64 * i + kPrefetchAhead); /* past the end is harmless */  \
    MarkRing::Entry& e = ring.blocks[i];                                                     \
    e.bits = block_marks(CLASSES(data + at + 64 * i), c, PREFIX, e.escapes);                 \
    e.carry = c.joined();                                                                    \
  }                                                                                          \
  ring.count = n;                                                                            \
  ring.blocks[n].bits = 0; /* the entry after the last: no marks, so next() takes its slow way */ \
  if (n < MarkRing::kBlocks && at + 64 * n < size) { /* a last, short block */               \
    char tail[64];                                                                           \
    std::memset(tail, ' ', sizeof tail);                                                     \
    std::memcpy(tail, data + at + 64 * n, size - at - 64 * n);                               \
    MarkRing::Entry& e = ring.blocks[n];                                                     \
    e.bits = block_marks(CLASSES(tail), c, PREFIX, e.escapes);                               \
    e.carry = c.joined();                                                                    \
    ring.count = n + 1;                                                                      \
    ring.blocks[n + 1].bits = 0;                                                             \
  }
  [[gnu::noinline]] static void fill_ring_portable(const char* data, std::uint64_t size, std::uint64_t at,
                                                   BlockCarry carry, MarkRing& ring) {
    RARECONN_JSON_FILL_RING(classify_block, PrefixByShifts{})
  }
#if RARECONN_JSON_AVX2
  [[gnu::noinline, gnu::target("avx2,pclmul")]] static void fill_ring_avx2(const char* data, std::uint64_t size,
                                                                          std::uint64_t at, BlockCarry carry,
                                                                          MarkRing& ring) {
    RARECONN_JSON_FILL_RING(classify_block_avx2, PrefixByClmul{})
  }
#endif
#undef RARECONN_JSON_FILL_RING

 private:
  // Computes the ring from `at` (the block before handing `carry`) and takes its first block.
  void fill(std::uint64_t at, BlockCarry carry) {
    fill_ring(ring_->data, ring_->size, at, carry, *ring_);
    fills_ = ring_->fills;
    cur_ = ring_->blocks;
    bits_ = cur_->bits;
  }
  // next() when its one step does not reach a mark: block by block, from the ring while it holds
  // this walk's blocks.
  std::uint64_t next_slow() {
    for (;;) {
      if (bits_ != 0) {
        const std::uint64_t t = base_ + static_cast<std::uint64_t>(__builtin_ctzll(bits_));
        if (t >= limit_) return limit_;
        bits_ &= bits_ - 1;
        return t;
      }
      if (!advance()) return limit_;
    }
  }
  // Loads the next block (from the ring while it holds more of this walk's blocks, else by
  // refilling it from the carry of the block just passed); false at the limit.
  bool advance() {
    if (base_ + 64 >= limit_) return false;
    base_ += 64;
    if (cur_ + 1 < ring_->blocks + ring_->count) {
      ++cur_;
      bits_ = cur_->bits;
    } else {
      fill(base_, cur_->carry);
    }
    return true;
  }
  // 1 when v is 0, else 0, computed as a value: GCC otherwise branches on v and duplicates the
  // code after it for either value (checked with objdump).
  static std::uint64_t is_zero(std::uint64_t v) {
#if defined(__GNUC__) && defined(__x86_64__)
    std::uint64_t z;
    asm("xorl %k0, %k0\n\ttestq %1, %1\n\tsete %b0" : "=&r"(z) : "r"(v) : "cc");
    return z;
#else
    return v == 0 ? 1 : 0;
#endif
  }
  // v, or `other` when v is 0, by a conditional move: two steps from v (a mask would take four).
  static std::uint64_t or_if_zero(std::uint64_t v, std::uint64_t other) {
#if defined(__GNUC__) && defined(__x86_64__)
    asm("testq %0, %0\n\tcmovzq %1, %0" : "+r"(v) : "r"(other) : "cc");
    return v;
#else
    return v != 0 ? v : other;
#endif
  }
  void check_current() const {
#if RARECONN_JSON_CHECKED
    if (!current()) __builtin_trap();  // a copy read after another copy refilled the ring
#endif
  }

  std::uint64_t limit_ = 0;
  std::uint64_t base_ = 0;  // offset of the loaded block's first byte
  std::uint64_t bits_ = 0;  // marks of the loaded block not yet passed
  MarkRing* ring_ = nullptr;
  const MarkRing::Entry* cur_ = nullptr;  // the loaded block's entry in the ring
  std::uint64_t fills_ = 0;               // the ring's fill that cur_ points into (current())
};

}  // namespace rareconn::parsers::json
