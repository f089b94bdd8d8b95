// Byte-search kernels for the parsers' hot loops: 16 bytes at a time with SSE2 (baseline x86-64),
// a scalar loop elsewhere. Pure functions over [p, e); no knowledge of formats.
#pragma once

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rareconn::parsers::simd {

// First byte in [p, e) equal to a, b or c; e if none.
inline const char* find_any3(const char* p, const char* e, char a, char b, char c) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  while (e - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)), _mm_cmpeq_epi8(x, vc));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < e && *p != a && *p != b && *p != c) ++p;
  return p;
}

// First byte in [p, e) that ends or escapes a JSON string body: '"', '\\' or a control byte < 0x20.
inline const char* find_json_string_special(const char* p, const char* e) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), low = _mm_set1_epi8(0x1f);
  while (e - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i ctrl = _mm_cmpeq_epi8(_mm_min_epu8(x, low), x);  // x <= 0x1f, unsigned
    const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)), ctrl);
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < e && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

// Number of bytes equal to c in [p, e).
inline std::uint64_t count_byte(const char* p, const char* e, char c) {
  std::uint64_t n = 0;
#if defined(__SSE2__)
  // Per-byte counters (cmpeq gives -1 per match, subtracted) summed with SAD every 255 blocks.
  const __m128i vc = _mm_set1_epi8(c), zero = _mm_setzero_si128();
  while (e - p >= 16) {
    __m128i acc = zero;
    int blocks = 0;
    while (e - p >= 16 && blocks < 255) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, vc));
      p += 16;
      ++blocks;
    }
    const __m128i sums = _mm_sad_epu8(acc, zero);
    n += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) + static_cast<std::uint64_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; p < e; ++p) n += (*p == c);
  return n;
}

// Finds the next byte equal to a, b or c, keeping a 64-bit mask of one 64-byte window so that
// short fields cost a shift and a count-trailing-zeros instead of a fresh vector search each.
class ByteClassScanner {
 public:
  ByteClassScanner(const char* end, char a, char b, char c) : end_(end), a_(a), b_(b), c_(c) {}

  // First position >= p holding a, b or c; end if none.
  const char* next(const char* p) {
    for (;;) {
      if (p < window_ || p >= window_ + 64) load(p);
      const std::uint64_t m = mask_ >> static_cast<unsigned>(p - window_);
      if (m != 0) return p + __builtin_ctzll(m);
      p = window_ + 64;
      if (p >= end_) return end_;
    }
  }

 private:
  void load(const char* p) {
    window_ = p;
    mask_ = 0;
#if defined(__SSE2__)
    if (end_ - p >= 64) {
      const __m128i va = _mm_set1_epi8(a_), vb = _mm_set1_epi8(b_), vc = _mm_set1_epi8(c_);
      for (int k = 0; k < 4; ++k) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)), _mm_cmpeq_epi8(x, vc));
        mask_ |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m))) << (16 * k);
      }
      return;
    }
#endif
    const std::ptrdiff_t n = end_ - p < 64 ? end_ - p : 64;
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (p[i] == a_ || p[i] == b_ || p[i] == c_) mask_ |= std::uint64_t{1} << i;
    }
  }

  const char* end_;
  const char* window_ = nullptr;
  std::uint64_t mask_ = 0;
  char a_, b_, c_;
};

// The same window technique for JSON string bodies: '"', '\\' or a control byte < 0x20.
class JsonStringScanner {
 public:
  explicit JsonStringScanner(const char* end = nullptr) : end_(end) {}
  void reset(const char* end) {
    end_ = end;
    window_ = nullptr;
    mask_ = 0;
  }

  const char* next(const char* p) {
    for (;;) {
      if (p < window_ || p >= window_ + 64) load(p);
      const std::uint64_t m = mask_ >> static_cast<unsigned>(p - window_);
      if (m != 0) return p + __builtin_ctzll(m);
      p = window_ + 64;
      if (p >= end_) return end_;
    }
  }

 private:
  void load(const char* p) {
    window_ = p;
    mask_ = 0;
#if defined(__SSE2__)
    if (end_ - p >= 64) {
      const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), low = _mm_set1_epi8(0x1f);
      for (int k = 0; k < 4; ++k) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        const __m128i ctrl = _mm_cmpeq_epi8(_mm_min_epu8(x, low), x);
        const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)), ctrl);
        mask_ |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m))) << (16 * k);
      }
      return;
    }
#endif
    const std::ptrdiff_t n = end_ - p < 64 ? end_ - p : 64;
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (p[i] == '"' || p[i] == '\\' || static_cast<unsigned char>(p[i]) < 0x20) mask_ |= std::uint64_t{1} << i;
    }
  }

  const char* end_;
  const char* window_ = nullptr;
  std::uint64_t mask_ = 0;
};

}  // namespace rareconn::parsers::simd
