// Byte-search kernels for the parsers' hot loops: 16 bytes at a time with SSE2 (baseline x86-64),
// a scalar loop elsewhere. Pure functions over [p, e); no knowledge of formats.
#pragma once

#include <cstddef>
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

// Number of bytes equal to c in [p, e).
inline std::uint64_t count_byte(const char* p, const char* e, char c) {
  std::uint64_t n = 0;
#if defined(__SSE2__)
  // Per-byte counters (cmpeq gives -1 per match, subtracted) summed with SAD at most every 255
  // rounds; four 16-byte lanes per round.
  const __m128i vc = _mm_set1_epi8(c), zero = _mm_setzero_si128();
  while (e - p >= 64) {
    __m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    int rounds = 0;
    while (e - p >= 64 && rounds < 255) {
      a0 = _mm_sub_epi8(a0, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), vc));
      a1 = _mm_sub_epi8(a1, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), vc));
      a2 = _mm_sub_epi8(a2, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), vc));
      a3 = _mm_sub_epi8(a3, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), vc));
      p += 64;
      ++rounds;
    }
    const __m128i sums = _mm_add_epi64(_mm_add_epi64(_mm_sad_epu8(a0, zero), _mm_sad_epu8(a1, zero)),
                                       _mm_add_epi64(_mm_sad_epu8(a2, zero), _mm_sad_epu8(a3, zero)));
    n += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) + static_cast<std::uint64_t>(_mm_extract_epi16(sums, 4)) +
         (static_cast<std::uint64_t>(_mm_extract_epi16(sums, 5)) << 16);
  }
  while (e - p >= 16) {  // (no popcount: it is a library call on baseline x86-64)
    const __m128i ones = _mm_sub_epi8(zero, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), vc));
    const __m128i sums = _mm_sad_epu8(ones, zero);
    n += static_cast<std::uint64_t>(_mm_cvtsi128_si32(sums)) + static_cast<std::uint64_t>(_mm_extract_epi16(sums, 4));
    p += 16;
  }
#endif
  for (; p < e; ++p) n += (*p == c);
  return n;
}

// Finds the next byte of a class, keeping a 64-bit mask of one window of up to 64 bytes so that
// short fields cost a shift and a count-trailing-zeros instead of a fresh vector search each.
// `Class` gives match(char) and, with SSE2, mask16(__m128i) (one bit per matching byte).
// Positions are handled as offsets from the window and its length: no pointer is ever formed
// beyond `end` (nor from a null window), which would be undefined behaviour even unread.
template <class Class>
class WindowScanner {
 public:
  explicit WindowScanner(const char* end = nullptr, Class cls = Class{}) : end_(end), cls_(cls) {}
  void reset(const char* end) {
    end_ = end;
    window_ = nullptr;
    len_ = 0;
    mask_ = 0;
  }

  // First position in [p, end) holding a byte of the class; end if none. p must lie in the
  // buffer that ends at `end` (p == end allowed).
  const char* next(const char* p) {
    for (;;) {
      if (p == end_) return end_;
      if (window_ == nullptr || p < window_ || static_cast<std::size_t>(p - window_) >= len_) load(p);
      const std::uint64_t m = mask_ >> static_cast<unsigned>(p - window_);
      if (m != 0) return p + __builtin_ctzll(m);
      if (len_ < 64) return end_;  // this window reached the end
      p = window_ + 64;            // <= end_: the window held 64 bytes
    }
  }

 private:
  void load(const char* p) {
    window_ = p;
    mask_ = 0;
    const std::size_t left = static_cast<std::size_t>(end_ - p);
    len_ = left < 64 ? left : 64;
#if defined(__SSE2__)
    if (len_ == 64) {
      __builtin_prefetch(p + 512);  // as json::kPrefetchAhead: pages of a mapping defeat the stream prefetchers
      for (int k = 0; k < 4; ++k) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        mask_ |= static_cast<std::uint64_t>(cls_.mask16(x)) << (16 * k);
      }
      return;
    }
#endif
    for (std::size_t i = 0; i < len_; ++i) {
      if (cls_.match(p[i])) mask_ |= std::uint64_t{1} << i;
    }
  }

  const char* end_;
  Class cls_;
  const char* window_ = nullptr;  // first byte of the loaded window (null: none loaded)
  std::size_t len_ = 0;           // bytes in the window: 64, or fewer at the end of the buffer
  std::uint64_t mask_ = 0;        // bit i: window_[i] is of the class (i < len_)
};

// Bytes equal to a, b or c (CSV: ',' '\n' '"').
struct AnyOf3 {
  char a = 0, b = 0, c = 0;
  bool match(char x) const { return x == a || x == b || x == c; }
#if defined(__SSE2__)
  unsigned mask16(__m128i x) const {
    const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(a)), _mm_cmpeq_epi8(x, _mm_set1_epi8(b))),
                                   _mm_cmpeq_epi8(x, _mm_set1_epi8(c)));
    return static_cast<unsigned>(_mm_movemask_epi8(m));
  }
#endif
};

// Bytes that end or escape a JSON string body: '"', '\\' or a control byte < 0x20.
struct JsonStringSpecial {
  bool match(char x) const { return x == '"' || x == '\\' || static_cast<unsigned char>(x) < 0x20; }
#if defined(__SSE2__)
  unsigned mask16(__m128i x) const {
    const __m128i ctrl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);  // x <= 0x1f, unsigned
    const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))), ctrl);
    return static_cast<unsigned>(_mm_movemask_epi8(m));
  }
#endif
};

using ByteClassScanner = WindowScanner<AnyOf3>;
using JsonStringScanner = WindowScanner<JsonStringSpecial>;

}  // namespace rareconn::parsers::simd
