// The CSV stream cutter of csv_cut.hpp: a SIMD pass (quote parity, line ends, the opening-quote
// check) per call, and the parser's rules byte by byte where that pass cannot answer.
#include "parsers/csv_cut.hpp"

#include <algorithm>
#include <cstring>

#include "parsers/json_structural.hpp"  // prefix_xor
#include "parsers/record_view.hpp"      // clamp_max_record_bytes

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rareconn::parsers {

namespace {

// One 64-byte block: bit i stands for byte i.
struct CsvClasses {
  std::uint64_t quote = 0;
  std::uint64_t delimiter = 0;  // ',' or LF: what a field-opening quote may follow (or a quote)
  std::uint64_t lf = 0;
};

struct Sse2 {
  static CsvClasses classify(const char* p) {
    CsvClasses m;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n');
    for (int k = 0; k < 4; ++k) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const unsigned shift = 16u * static_cast<unsigned>(k);
      const __m128i is_lf = _mm_cmpeq_epi8(x, lf);
      m.quote |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)))) << shift;
      m.lf |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(is_lf))) << shift;
      m.delimiter |=
          static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is_lf, _mm_cmpeq_epi8(x, comma)))))
          << shift;
    }
#else
    for (unsigned i = 0; i < 64; ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      if (p[i] == '"') m.quote |= bit;
      if (p[i] == '\n') m.lf |= bit;
      if (p[i] == ',' || p[i] == '\n') m.delimiter |= bit;
    }
#endif
    return m;
  }
  static std::uint64_t prefix_xor(std::uint64_t x) { return json::prefix_xor(x); }
};

#if RARECONN_JSON_AVX2
struct Avx2 {
  [[gnu::target("avx2")]] static CsvClasses classify(const char* p) {
    CsvClasses m;
    const __m256i quote = _mm256_set1_epi8('"'), comma = _mm256_set1_epi8(','), lf = _mm256_set1_epi8('\n');
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const __m256i lf_lo = _mm256_cmpeq_epi8(lo, lf), lf_hi = _mm256_cmpeq_epi8(hi, lf);
    m.quote = json::bits(_mm256_cmpeq_epi8(lo, quote)) | json::bits(_mm256_cmpeq_epi8(hi, quote)) << 32;
    m.lf = json::bits(lf_lo) | json::bits(lf_hi) << 32;
    m.delimiter = json::bits(_mm256_or_si256(lf_lo, _mm256_cmpeq_epi8(lo, comma))) |
                  json::bits(_mm256_or_si256(lf_hi, _mm256_cmpeq_epi8(hi, comma))) << 32;
    return m;
  }
  [[gnu::target("pclmul")]] static std::uint64_t prefix_xor(std::uint64_t x) { return json::prefix_xor_clmul(x); }
};

struct Avx512 {
  [[gnu::target("avx512bw")]] static CsvClasses classify(const char* p) {
    CsvClasses m;
    const __m512i x = _mm512_loadu_si512(p);
    m.quote = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('"'));
    m.lf = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\n'));
    m.delimiter = m.lf | _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(','));
    return m;
  }
  [[gnu::target("pclmul")]] static std::uint64_t prefix_xor(std::uint64_t x) { return json::prefix_xor_clmul(x); }
};

// The widest instruction set this processor has: 0 SSE2, 1 AVX2 and PCLMUL, 2 AVX-512BW too.
int cpu_isa() {
  static const int level = !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul")) ? 0
                           : __builtin_cpu_supports("avx512bw")                                  ? 2
                                                                                                 : 1;
  return level;
}
#endif
int g_isa_allowed = 2;  // csv_cut_limit_isa (tests)

// What one pass over a call's bytes found.
struct Pass {
  bool exact = true;           // false: a quote that parity opens follows neither a delimiter nor a quote
  std::size_t first = CsvRecordCutter::npos, last = CsvRecordCutter::npos;  // line ends outside quotes, + 1
  bool inside = false;         // inside quotes after the last byte
};

// Quote parity and the opening-quote check, 64 bytes at a time. `inside`: the parity before the
// first byte; `may_open`: whether a quote at the first byte may open a field.
template <class Isa>
[[gnu::always_inline]] inline Pass scan_blocks(const char* p, std::size_t n, bool inside_before, bool may_open_first) {
  Pass out;
  std::uint64_t inside = inside_before ? ~std::uint64_t{0} : 0;  // the parity before the block, in every bit
  std::uint64_t may_open = may_open_first ? 1 : 0;
  char tail[64];
  for (std::size_t off = 0; off < n; off += 64) {
    const char* b = p + off;
    if (n - off < 64) {
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, b, n - off);
      b = tail;
    }
    const CsvClasses m = Isa::classify(b);
    const std::uint64_t in = Isa::prefix_xor(m.quote) ^ inside;  // bit i: inside quotes after byte i
    const std::uint64_t after = m.delimiter | m.quote;
    if (m.quote & in & ~(after << 1 | may_open)) {  // a quote parity opens mid-field
      out.exact = false;
      return out;
    }
    may_open = after >> 63;
    inside = static_cast<std::uint64_t>(static_cast<std::int64_t>(in) >> 63);
    const std::uint64_t ends = m.lf & ~in;
    if (ends != 0) {
      if (out.first == CsvRecordCutter::npos) out.first = off + static_cast<std::size_t>(__builtin_ctzll(ends)) + 1;
      out.last = off + 63 - static_cast<std::size_t>(__builtin_clzll(ends)) + 1;
    }
  }
  out.inside = inside != 0;
  return out;
}

Pass scan_sse2(const char* p, std::size_t n, bool inside, bool may_open) { return scan_blocks<Sse2>(p, n, inside, may_open); }
#if RARECONN_JSON_AVX2
[[gnu::target("avx2,pclmul")]] Pass scan_avx2(const char* p, std::size_t n, bool inside, bool may_open) {
  return scan_blocks<Avx2>(p, n, inside, may_open);
}
[[gnu::target("avx512bw,pclmul")]] Pass scan_avx512(const char* p, std::size_t n, bool inside, bool may_open) {
  return scan_blocks<Avx512>(p, n, inside, may_open);
}
#endif

}  // namespace

int csv_cut_limit_isa(int level) {
  g_isa_allowed = level;
#if RARECONN_JSON_AVX2
  return std::min(level, cpu_isa());
#else
  return 0;
#endif
}

CsvRecordCutter::CsvRecordCutter(std::uint64_t data_start, std::uint64_t max_record_bytes)
    : data_start_(data_start), max_(clamp_max_record_bytes(max_record_bytes)), record_start_(data_start) {}

void CsvRecordCutter::cut(std::size_t c, Cuts& cuts) {
  if (cuts.first == npos) cuts.first = c;
  cuts.last = c;
  record_start_ = fed_ + c;
  state_ = State::kFieldStart;
}

CsvRecordCutter::Cuts CsvRecordCutter::feed(std::string_view bytes) {
  Cuts cuts;
  std::size_t done = 0;
  if (fed_ < data_start_) {  // the header is walked (it is the stream's first call, or few)
    const auto header = static_cast<std::size_t>(std::min<std::uint64_t>(data_start_ - fed_, bytes.size()));
    walk(bytes.substr(0, header), cuts);
    fed_ += header;
    done = header;
  }
  if (done < bytes.size()) {
    Cuts rest;
    const std::string_view b = bytes.substr(done);
    if (state_ == State::kSeeking || !fast(b, rest)) {
      rest = Cuts{};
      walk(b, rest);
    }
    if (rest.first != npos) {
      if (cuts.first == npos) cuts.first = done + rest.first;
      cuts.last = done + rest.last;
    }
    fed_ += b.size();
  }
  return cuts;
}

// Quote parity over the whole call, exact when every quote that parity opens follows a delimiter
// or a closing quote (then parity and the parser's states agree byte for byte) and no record in
// the call reaches the size bound (then the parser's resume rule never applies). False: nothing
// changed, the caller walks the bytes.
bool CsvRecordCutter::fast(std::string_view bytes, Cuts& cuts) {
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  // May a quote at the call's first byte open a field? After a delimiter (field start) or a closing
  // quote (a doubled quote); not inside an unquoted field.
  const bool inside_before = state_ == State::kQuoted;
  const bool may_open = state_ == State::kFieldStart || state_ == State::kQuoteSeen;
#if RARECONN_JSON_AVX2
  const int isa = std::min(g_isa_allowed, cpu_isa());
  const Pass pass = isa == 2   ? scan_avx512(p, n, inside_before, may_open)
                    : isa == 1 ? scan_avx2(p, n, inside_before, may_open)
                               : scan_sse2(p, n, inside_before, may_open);
#else
  const Pass pass = scan_sse2(p, n, inside_before, may_open);
#endif
  if (!pass.exact) return false;
  const std::size_t first = pass.first, last = pass.last;
  // The size bound: a record whose line end comes within max + 1 bytes of its start never meets
  // the parser's resume rule. Records between two cuts of one call are shorter than the call.
  const std::uint64_t end = fed_ + n;
  if (first == npos) {
    if (end > record_start_ + max_ + 1) return false;
  } else {
    if (fed_ + first - 1 > record_start_ + max_ || n > max_ || end > fed_ + last + max_ + 1) return false;
    cuts.first = first;
    cuts.last = last;
    record_start_ = fed_ + last;
  }
  const char c = p[n - 1];
  prev_ = c;
  if (pass.inside) {
    state_ = State::kQuoted;
  } else if (c == '"') {
    state_ = State::kQuoteSeen;  // outside after a quote: it closed a field
  } else if (c == ',' || c == '\n') {
    state_ = State::kFieldStart;
  } else {
    state_ = State::kUnquoted;
  }
  return true;
}

// The parser's rules (CsvRecordParser::scan_record and parse), one byte at a time: a quote opens
// a field only at its start; in a quoted field a doubled quote is a quote; text after a closing
// quote goes on to the next delimiter; a record whose text runs past start + max is too large,
// and parsing resumes after the first LF at or after start + max, quoted or not.
void CsvRecordCutter::walk(std::string_view bytes, Cuts& cuts) {
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  walked_ += n;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = p[i];
    const std::uint64_t at = fed_ + i;
    if (at < data_start_) {  // the header: its end is the first record start
      if (at + 1 == data_start_) cut(i + 1, cuts);
      prev_ = c;
      continue;
    }
    if (state_ != State::kSeeking && at == record_start_ + max_ + 1) {
      // Not ended within max + 1 bytes: too large, unless this LF ends it after a CR at start + max.
      const bool ends_here = c == '\n' && state_ != State::kQuoted && prev_ == '\r';
      if (!ends_here) {
        if (prev_ == '\n') {
          cut(i, cuts);  // the LF at start + max (quoted): the next record starts here
        } else {
          state_ = State::kSeeking;  // the next LF, from this byte on
        }
      }
    }
    switch (state_) {
      case State::kSeeking:
        if (c == '\n') cut(i + 1, cuts);
        break;
      case State::kQuoted:
        if (c == '"') state_ = State::kQuoteSeen;
        break;
      case State::kFieldStart:  // a quote opens a field here
      case State::kQuoteSeen:   // a quote here is the second of a doubled quote
        if (c == '"') {
          state_ = State::kQuoted;
          break;
        }
        state_ = State::kUnquoted;  // any other byte: as in an unquoted field
        [[fallthrough]];
      case State::kUnquoted:
        if (c == ',') {
          state_ = State::kFieldStart;
        } else if (c == '\n') {
          cut(i + 1, cuts);
        }
        break;
    }
    prev_ = c;
  }
}

}  // namespace rareconn::parsers
