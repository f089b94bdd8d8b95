// Byte scans for cutting whole JSON documents (see json_cut.hpp): 64 bytes at a time with the
// stage-1 classifier; the brackets outside strings are few, so they are visited one by one.
#include "parsers/json_cut.hpp"

#include <cstring>

#include "parsers/json_reader.hpp"
#include "parsers/json_structural.hpp"

namespace rareconn::parsers::json {

RowArray find_row_array(std::string_view d, std::uint64_t start) {
  RowArray r;
  std::uint64_t p = start;
  json_detail::skip_ws(d, p);
  if (p >= d.size()) return r;
  if (d[p] == '[') return {RowContainer::kTopArray, p, 1};
  if (d[p] != '{') return r;
  ++p;
  json_detail::skip_ws(d, p);
  while (p < d.size() && d[p] == '"') {
    const std::uint64_t key = p;
    bool escaped;
    if (!json_detail::skip_string(d, p, escaped)) return r;
    const std::string_view name = d.substr(key + 1, p - key - 2);
    json_detail::skip_ws(d, p);
    if (p >= d.size() || d[p] != ':') return r;
    ++p;
    json_detail::skip_ws(d, p);
    if (p < d.size() && d[p] == '[' && !escaped && (name == "records" || name == "Results")) {
      return {RowContainer::kRecords, p, 2};
    }
    if (!json_detail::skip_value(d, p, 1)) return r;
    json_detail::skip_ws(d, p);
    if (p >= d.size() || d[p] != ',') return r;
    ++p;
    json_detail::skip_ws(d, p);
  }
  return r;
}

namespace {

// The 64 bytes at `at`, blanks past `end`.
const char* block_at(std::string_view d, std::uint64_t at, std::uint64_t end, char (&tail)[64]) {
  if (end - at >= 64) return d.data() + at;
  std::memset(tail, ' ', sizeof tail);
  std::memcpy(tail, d.data() + at, end - at);
  return tail;
}

struct Brackets {
  std::uint64_t open = 0, close = 0;
};
Brackets classify_brackets(const char* p) {
  // (c | 0x20) is '{' for '{' and '[' only, and '}' for '}' and ']' only.
  Brackets b;
#if defined(__SSE2__)
  const __m128i lower = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
  for (int k = 0; k < 4; ++k) {
    const __m128i x = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)), lower);
    const unsigned shift = 16u * static_cast<unsigned>(k);
    b.open |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, open)))) << shift;
    b.close |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, close)))) << shift;
  }
#else
  for (int i = 0; i < 64; ++i) {
    const char c = static_cast<char>(p[i] | 0x20);
    b.open |= std::uint64_t{c == '{'} << i;
    b.close |= std::uint64_t{c == '}'} << i;
  }
#endif
  return b;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

SliceQuotes count_slice_quotes(std::string_view d, std::uint64_t begin, std::uint64_t end) {
  // Counted with the first byte not escaped; the other state only changes whether the first byte
  // after the leading backslashes is escaped, and what a slice of backslashes only hands on.
  std::uint64_t quotes = 0, carry = 0;
  char tail[64];
  for (std::uint64_t at = begin; at < end; at += 64) {
    const BlockClasses m = classify_block(block_at(d, at, end, tail));
    std::uint64_t q = m.quote & ~escaped_bytes(m.backslash, carry);
    if (end - at < 64) q &= (std::uint64_t{1} << (end - at)) - 1;
    quotes += static_cast<std::uint64_t>(__builtin_popcountll(q));
  }
  const std::uint64_t len = end - begin;
  std::uint64_t lead = 0, trail = 0;
  while (lead < len && d[begin + lead] == '\\') ++lead;
  while (trail < len && d[end - 1 - trail] == '\\') ++trail;
  SliceQuotes s;
  s.quotes = {quotes, quotes};
  if (lead < len && d[begin + lead] == '"') s.quotes[1] = lead % 2 == 0 ? quotes - 1 : quotes + 1;
  for (std::uint64_t e : {0, 1}) {
    // The byte after the slice is escaped when the backslash run ending the slice is odd (counting
    // the escape at the start when the run is the whole slice).
    s.escape_out[e] = static_cast<std::uint8_t>((trail < len ? trail : len + e) & 1);
  }
  return s;
}

SliceDepths scan_slice_depths(std::string_view d, std::uint64_t begin, std::uint64_t end, bool in_string,
                              bool escaped_first) {
  SliceDepths s;
  s.first_row.fill(UINT64_MAX);
  s.first_close.fill(UINT64_MAX);
  std::uint64_t carry = escaped_first ? 1 : 0;
  std::uint64_t string_mask = in_string ? ~std::uint64_t{0} : 0;
  std::int64_t rel = 0;
  char tail[64];
  for (std::uint64_t at = begin; at < end; at += 64) {
    const char* p = block_at(d, at, end, tail);
    const BlockClasses m = classify_block(p);
    const std::uint64_t escaped = escaped_bytes(m.backslash, carry);
    const std::uint64_t inside = prefix_xor(m.quote & ~escaped) ^ string_mask;
    string_mask = static_cast<std::uint64_t>(static_cast<std::int64_t>(inside) >> 63);
    const Brackets b = classify_brackets(p);
    std::uint64_t bits = (b.open | b.close) & ~inside;
    if (end - at < 64) bits &= (std::uint64_t{1} << (end - at)) - 1;
    for (; bits; bits &= bits - 1) {
      const int i = __builtin_ctzll(bits);
      const std::uint64_t pos = at + static_cast<std::uint64_t>(i);
      if (b.close >> i & 1) {
        if (rel >= -kDepthWindow && rel <= kDepthWindow) {
          std::uint64_t& first = s.first_close[static_cast<std::size_t>(rel + kDepthWindow)];
          if (first == UINT64_MAX) first = pos;
        }
        --rel;
        continue;
      }
      if (p[i] == '{' && rel >= -kDepthWindow && rel <= kDepthWindow &&
          s.first_row[static_cast<std::size_t>(rel + kDepthWindow)] == UINT64_MAX) {
        std::uint64_t q = pos;
        while (q > 0 && is_blank(d[q - 1])) --q;
        if (q > 0 && d[q - 1] == ',') s.first_row[static_cast<std::size_t>(rel + kDepthWindow)] = pos;
      }
      ++rel;
    }
  }
  s.delta = rel;
  return s;
}

}  // namespace rareconn::parsers::json
