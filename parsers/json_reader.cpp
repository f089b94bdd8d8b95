// JSON rows: a small validating cursor (strings, numbers via Spirit X3, literals, nesting), row
// discovery in envelopes, projection and full decoding. Must not know about hunts or threads.
#include "parsers/json_reader.hpp"

#include <boost/spirit/home/x3.hpp>
#include <algorithm>
#include <bit>
#include <cstring>

#include "core/json_text.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/simd_scan.hpp"
#include "parsers/utf8.hpp"

namespace rareconn::parsers {

namespace x3 = boost::spirit::x3;

namespace json_detail {

constexpr int kMaxDepth = 256;

// number := '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
// Digits as a byte range, never x3::digit: that is std::isdigit, undefined for bytes >= 0x80.
const auto digit = x3::char_('0', '9');
const auto digits = +digit;
const auto json_number = x3::lexeme[-x3::lit('-') >> (x3::lit('0') | (x3::char_('1', '9') >> *digit)) >>
                                    -('.' >> digits) >> -(x3::char_("eE") >> -x3::char_("+-") >> digits)];

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, std::size_t i, unsigned& out) {
  if (i + 4 > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const int h = hex_value(s[i + k]);
    if (h < 0) return false;
    out = out * 16 + static_cast<unsigned>(h);
  }
  return true;
}

}  // namespace

void skip_ws(std::string_view d, std::uint64_t& p) {
  while (p < d.size() && (d[p] == ' ' || d[p] == '\n' || d[p] == '\r' || d[p] == '\t')) ++p;
}

namespace {
bool skip_string_scanned(std::string_view d, std::uint64_t& p, bool& escaped, simd::JsonStringScanner& scanner) {
  ++p;
  escaped = false;
  const char* base = d.data();
  while (p < d.size()) {
    p = static_cast<std::uint64_t>(scanner.next(base + p) - base);
    if (p >= d.size()) return false;
    const char c = d[p];
    if (c == '"') {
      ++p;
      return true;
    }
    if (c == '\\') {
      escaped = true;
      p += 2;
      continue;
    }
    return false;  // raw control character
  }
  return false;
}
}  // namespace

bool skip_string(std::string_view d, std::uint64_t& p, bool& escaped) {
  simd::JsonStringScanner scanner(d.data() + d.size());
  return skip_string_scanned(d, p, escaped, scanner);
}

bool skip_value(std::string_view d, std::uint64_t& p, int depth) {
  if (depth > kMaxDepth || p >= d.size()) return false;
  const char c = d[p];
  if (c == '"') {
    bool esc;
    return skip_string(d, p, esc);
  }
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++p;
    skip_ws(d, p);
    if (p < d.size() && d[p] == close) {
      ++p;
      return true;
    }
    for (;;) {
      if (c == '{') {
        if (p >= d.size() || d[p] != '"') return false;
        bool esc;
        if (!skip_string(d, p, esc)) return false;
        skip_ws(d, p);
        if (p >= d.size() || d[p] != ':') return false;
        ++p;
        skip_ws(d, p);
      }
      if (!skip_value(d, p, depth + 1)) return false;
      skip_ws(d, p);
      if (p >= d.size()) return false;
      if (d[p] == ',') {
        ++p;
        skip_ws(d, p);
        continue;
      }
      if (d[p] == close) {
        ++p;
        return true;
      }
      return false;
    }
  }
  auto literal = [&](std::string_view word) {
    if (d.substr(p, word.size()) != word) return false;
    p += word.size();
    return true;
  };
  if (c == 't') return literal("true");
  if (c == 'f') return literal("false");
  if (c == 'n') return literal("null");
  auto first = d.begin() + static_cast<std::ptrdiff_t>(p);
  if (!x3::parse(first, d.end(), json_number)) return false;
  p = static_cast<std::uint64_t>(first - d.begin());
  return true;
}

bool decode_string_body(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned cp;
        if (!read_hex4(s, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
          unsigned lo;
          if (read_hex4(s, i + 3, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate is no character: U+FFFD
        append_utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

}  // namespace json_detail

using json_detail::skip_string;
using json_detail::skip_value;
using json_detail::skip_ws;

bool json_is_line_delimited(std::string_view data) {
  std::uint64_t p = bom_length(data);
  skip_ws(data, p);
  if (p >= data.size()) return true;
  if (data[p] != '{') return false;
  const std::uint64_t start = p;
  if (!skip_value(data, p)) {
    // Malformed first value: stay in line mode so the damage stays local to a line.
    return true;
  }
  return std::memchr(data.data() + start, '\n', p - start) == nullptr;
}

std::uint64_t next_line_start(std::string_view data, std::uint64_t pos) {
  if (pos >= data.size()) return data.size();
  if (pos > 0 && data[pos - 1] == '\n') return pos;
  const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
  return nl == nullptr ? data.size() : static_cast<std::uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
}

namespace {
// A name's first 8 bytes (fewer, zero-padded, for a shorter name), and the bit standing for a name
// of that head and length in JsonRecordParser's filter of projected names.
std::uint64_t name_head(const char* p, std::size_t len, bool eight_readable) {
  std::uint64_t head = 0;
  if (eight_readable) {
    std::memcpy(&head, p, 8);
    if (len < 8) head &= (std::uint64_t{1} << (8 * len)) - 1;
  } else {
    std::memcpy(&head, p, std::min<std::size_t>(len, 8));
  }
  return head;
}
std::uint64_t name_bit(std::uint64_t head, std::size_t len) {
  return std::uint64_t{1} << ((head ^ len) * 0x9E3779B97F4A7C15ULL >> 58);
}
}  // namespace

JsonRecordParser::JsonRecordParser(const Projection& projection, std::uint64_t max_record_bytes)
    : projection_(projection),
      max_record_bytes_(clamp_max_record_bytes(max_record_bytes)),
      values_(projection.fields.size()),
      matched_names_(projection.fields.size()) {
  std::vector<std::vector<KeyCandidate>> by_length(65);
  for (std::size_t s = 0; s < projection_.fields.size(); ++s) {
    const auto& names = projection_.fields[s].names;
    for (std::size_t k = 0; k < names.size(); ++k) {
      const std::uint64_t head = name_head(names[k].data(), names[k].size(), false);
      by_length[std::min<std::size_t>(names[k].size(), 64)].push_back(
          {names[k], head, static_cast<int>(s), static_cast<int>(k)});
      name_filter_ |= name_bit(head, names[k].size());
    }
    has_envelope_fields_ = has_envelope_fields_ || projection_.fields[s].from_envelope;
  }
  for (std::size_t len = 0; len <= 64; ++len) {
    bucket_[len] = static_cast<std::uint32_t>(keys_.size());
    keys_.insert(keys_.end(), by_length[len].begin(), by_length[len].end());
  }
  bucket_[65] = static_cast<std::uint32_t>(keys_.size());
}

inline int JsonRecordParser::match_key(std::string_view key, bool in_data, int& name) const {
  // Most members are not projected: one bit of the filter turns them away.
  const std::size_t len = key.size();
  const std::uint64_t head = name_head(key.data(), len, in_data && key.data() + 8 <= data_.data() + data_.size());
  if ((name_filter_ & name_bit(head, len)) == 0) [[likely]] return -1;
  const std::size_t b = std::min<std::size_t>(len, 64);
  for (std::uint32_t k = bucket_[b]; k < bucket_[b + 1]; ++k) {
    const KeyCandidate& c = keys_[k];
    if (c.name.size() != len || c.head != head) continue;
    if (len > 16 && std::memcmp(key.data() + 8, c.name.data() + 8, len - 8) != 0) continue;
    if (len > 8 && len <= 16) {  // the last 8 bytes (overlapping the head)
      std::uint64_t a, b;
      std::memcpy(&a, key.data() + len - 8, 8);
      std::memcpy(&b, c.name.data() + len - 8, 8);
      if (a != b) continue;
    }
    name = c.priority;
    return c.slot;
  }
  return -1;
}

bool JsonRecordParser::is_flattened(std::string_view key) const {
  for (const std::string& f : projection_.flatten) {
    if (f == key) return true;
  }
  return false;
}

namespace {
bool is_blank(char c, bool line_mode) { return c == ' ' || c == '\t' || c == '\r' || (c == '\n' && !line_mode); }
}  // namespace

inline std::uint64_t JsonRecordParser::skip_blanks(std::uint64_t from) const {
  if (from < data_.size() && static_cast<unsigned char>(data_[from]) > ' ') [[likely]] return from;  // compact JSON
  while (from < data_.size() && is_blank(data_[from], line_mode_)) ++from;
  return from;
}

inline bool JsonRecordParser::string_close(json::Marks& m, std::uint64_t open, std::uint64_t& close,
                                           bool& escaped) const {
  // The walker has checked every byte since the last string it read, so the marks agree with it
  // on where strings open: the next mark is in this string. (A mark at or before `open` would mean
  // they disagree: the text is then not JSON there.)
  const std::uint64_t t = m.next();
  if (t <= open || t >= m.limit()) [[unlikely]] return false;
  escaped = data_[t] != '"';
  close = escaped ? string_rest(m, t) : t;  // an escape or a control byte first: the rest (0 if bad)
  return close != 0;
}

namespace {
// The bytes of a little-endian word that are not ASCII digits, as the high bit of each: a byte is a
// digit when its high bit is clear and its low 7 bits are at least '0' and below ':'.
inline std::uint64_t not_digit_bytes(std::uint64_t w) {
  static_assert(std::endian::native == std::endian::little);
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL, kHigh = 0x8080808080808080ULL;
  const std::uint64_t low = w & kLow7;
  return (w | (low + 0x4646464646464646ULL) | ~(low + 0x5050505050505050ULL)) & kHigh;
}

// The end of a positive integer of 1 to 7 digits at `s` that no fraction or exponent follows (ports,
// process ids, most of an export's numbers), from one 8-byte load: false for anything else, which
// scalar_end then reads. Inline in the member loop, where a call spills its registers.
inline bool short_integer_end(const char* d, std::uint64_t size, std::uint64_t s, std::uint64_t& e) {
  if (static_cast<unsigned char>(d[s] - '1') > 8 || s + 8 > size) return false;
  std::uint64_t w;
  std::memcpy(&w, d + s, 8);
  const std::uint64_t not_digit = not_digit_bytes(w);
  if (not_digit == 0) return false;  // 8 digits or more
  const std::uint64_t i = s + static_cast<std::uint64_t>(__builtin_ctzll(not_digit)) / 8;
  if (d[i] == '.' || (d[i] | 0x20) == 'e') return false;
  e = i;
  return true;
}
}  // namespace

inline bool JsonRecordParser::scalar_end(std::uint64_t s, std::uint64_t& e) const {
  auto literal = [&](std::string_view word) {
    if (data_.substr(s, word.size()) != word) return false;
    e = s + word.size();
    return true;
  };
  switch (data_[s]) {
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    default: {
      // A positive integer not followed by a fraction or an exponent (most numbers) needs no grammar.
      std::uint64_t i = s;
      // Its digits 8 bytes at a time where 8 can be read.
      bool in_digits = true;
      while (in_digits && i + 8 <= data_.size()) {
        std::uint64_t w;
        std::memcpy(&w, data_.data() + i, 8);
        const std::uint64_t not_digit = not_digit_bytes(w);
        if (not_digit != 0) {
          i += static_cast<std::uint64_t>(__builtin_ctzll(not_digit)) / 8;
          in_digits = false;
        } else {
          i += 8;
        }
      }
      while (in_digits && i < data_.size() && static_cast<unsigned char>(data_[i] - '0') < 10) ++i;
      if (data_[s] != '0' && i > s && (i == data_.size() || (data_[i] != '.' && (data_[i] | 0x20) != 'e'))) {
        e = i;
        return true;
      }
      auto first = data_.begin() + static_cast<std::ptrdiff_t>(s);
      if (!x3::parse(first, data_.end(), json_detail::json_number)) return false;
      e = static_cast<std::uint64_t>(first - data_.begin());
      return true;
    }
  }
}

bool JsonRecordParser::skip_value(json::Marks& io, std::uint64_t s, int depth, std::uint64_t& end) {
  if (depth > json_detail::kMaxDepth) return false;
  const char c = byte_at(s, io);
  if (c == '"') {
    std::uint64_t close;
    bool escaped;
    if (!string_close(io, s, close, escaped)) return false;
    end = close + 1;
    return true;
  }
  if (c == '{' || c == '[') return skip_container(io, s, depth, end);
  return s < io.limit() && scalar_end(s, end);
}

bool JsonRecordParser::skip_container(json::Marks& io, std::uint64_t open, int depth, std::uint64_t& end) {
  // Iterative: one bit per open container (1: an object), the innermost at `level`.
  json::Marks m = io;
  std::uint64_t objects[(json_detail::kMaxDepth + 2) / 64 + 1] = {};
  int level = 0;
  auto closer = [&] { return (objects[level / 64] >> (level % 64) & 1) != 0 ? '}' : ']'; };
  if (data_[open] == '{') objects[0] = 1;
  std::uint64_t p = skip_blanks(open + 1);
  bool first = true;  // p is at the innermost container's first element, or at its end if empty
  for (;;) {
    char c = byte_at(p, m);
    bool closing = first && c == closer();
    if (!closing) {
      if (closer() == '}') {
        std::uint64_t key_close;
        bool escaped;
        if (c != '"' || !string_close(m, p, key_close, escaped)) return false;
        p = skip_blanks(key_close + 1);
        if (byte_at(p, m) != ':') return false;
        p = skip_blanks(p + 1);
        c = byte_at(p, m);
      }
      if (depth + level + 1 > json_detail::kMaxDepth) return false;
      if (c == '"') {
        std::uint64_t close;
        bool escaped;
        if (!string_close(m, p, close, escaped)) return false;
        p = close + 1;
      } else if (c == '{' || c == '[') {
        ++level;
        const std::uint64_t bit = std::uint64_t{1} << (level % 64);
        objects[level / 64] = c == '{' ? objects[level / 64] | bit : objects[level / 64] & ~bit;
        p = skip_blanks(p + 1);
        first = true;
        continue;
      } else if (p >= m.limit() || !scalar_end(p, p)) {
        return false;
      }
    }
    // After a value (or at an empty container's end): a comma, or the ends of containers.
    for (;;) {
      if (!closing) {
        p = skip_blanks(p);
        c = byte_at(p, m);
        if (c == ',') break;
        if (c != closer()) return false;
      }
      closing = false;
      if (level == 0) {
        io = m;
        end = p + 1;
        return true;
      }
      --level;
      ++p;
    }
    p = skip_blanks(p + 1);
    first = false;
  }
}

std::size_t JsonRecordParser::new_row(std::uint64_t offset) {
  Row row;
  row.offset = offset;
  row.slots = slots_.size();
  rows_.push_back(row);
  slots_.resize(slots_.size() + projection_.fields.size());
  return rows_.size() - 1;
}

void JsonRecordParser::store(std::size_t row, int slot, int name, std::string_view text, bool escaped) {
  Slot& sl = slots_[rows_[row].slots + static_cast<std::size_t>(slot)];
  if (name <= sl.name) sl = Slot{text, name, escaped};
}

std::uint64_t JsonRecordParser::string_rest(json::Marks& m, std::uint64_t t) const {
  for (;;) {
    if (t >= m.limit()) return 0;
    const char c = data_[t];
    if (c == '"') return t;
    if (c != '\\') return 0;  // a control byte
    t = m.next_past_escapes();  // (escaped bytes carry no mark unless they are control bytes)
  }
}

std::uint64_t JsonRecordParser::escaped_key(json::Marks& m, std::uint64_t t, std::size_t row, std::string_view& key,
                                            bool& key_ok) {
  const std::uint64_t close = string_rest(m, t);
  if (close == 0) return 0;
  key = std::string_view(key.data(), static_cast<std::size_t>(data_.data() + close - key.data()));
  key_buf_.clear();
  key_ok = json_detail::decode_string_body(key, key_buf_);
  if (key_ok) key = key_buf_;
  else rows_[row].bad_key = true;
  return close;
}

ParseError JsonRecordParser::container_member(json::Marks& io, std::uint64_t s, int depth, std::size_t row, Envelope* env,
                                              std::string_view key, bool key_ok, int slot, int name,
                                              std::uint64_t& value_end) {
  const char c = data_[s];
  if (c == '{' && slot < 0 && env != nullptr && key_ok && key == "properties") {
    const std::size_t inner = new_row(s);
    const ParseError e = read_members(io, s, depth + 1, inner, nullptr, value_end);
    if (e != ParseError::kNone) return e;
    rows_[inner].end = value_end;
    env->properties = static_cast<std::int64_t>(inner);
    return ParseError::kNone;
  }
  if (c == '[' && slot < 0 && env != nullptr && env->allow_records && key_ok && (key == "records" || key == "Results")) {
    // Event Hub captures ("records") and Advanced Hunting API results ("Results") hold rows; the
    // last such array counts.
    records_.clear();
    records_error_ = ParseError::kNone;
    ++records_arrays_;
    env->has_records = true;
    return read_row_array(io, s, depth + 2, false, records_, true, value_end);
  }
  if (c == '{' && slot < 0 && env != nullptr && key_ok && is_flattened(key)) {
    // A nested object whose members are row fields (Winlogbeat's event_data).
    return read_members(io, s, depth + 1, row, nullptr, value_end);
  }
  if (!skip_container(io, s, depth, value_end)) return ParseError::kBadJson;
  if (slot >= 0) store(row, slot, name, data_.substr(s, value_end - s), false);
  return ParseError::kNone;
}

ParseError JsonRecordParser::read_members(json::Marks& io, std::uint64_t open, int depth, std::size_t row,
                                          Envelope* env, std::uint64_t& end) {
  // The member loop keeps the marks in registers (m): the rare paths (escapes, nested values) are
  // out of line and get them through io, so that m's address never escapes. Compact JSON takes the
  // first test of each blank skip; the bounds are those of the marks (`lim`).
  json::Marks m = io;
  const char* const d = data_.data();
  const std::uint64_t lim = m.limit();
  auto blank = [&](std::uint64_t q) { return q < lim && static_cast<unsigned char>(d[q]) <= ' '; };
  std::uint64_t p = skip_blanks(open + 1);
  if (p < lim && d[p] == '}') {
    io = m;
    end = p + 1;
    return ParseError::kNone;
  }
  for (;;) {
    if (p >= lim || d[p] != '"') return ParseError::kBadJson;
    // The name: the next mark is its closing quote unless it holds an escape (or a control byte).
    std::uint64_t key_close = m.next();
    if (key_close <= p || key_close >= lim) return ParseError::kBadJson;
    std::string_view key(d + p + 1, key_close - p - 1);
    bool key_ok = true;
    const bool plain_key = d[key_close] == '"';
    if (!plain_key) [[unlikely]] {
      io = m;
      key_close = escaped_key(io, key_close, row, key, key_ok);
      m = io;
      if (key_close == 0) return ParseError::kBadJson;
    }
    int name = 0;
    const int slot = key_ok ? match_key(key, plain_key, name) : -1;
    std::uint64_t s = key_close + 1;
    if (s >= lim || d[s] != ':') [[unlikely]] {
      s = skip_blanks(s);
      if (s >= lim || d[s] != ':') return ParseError::kBadJson;
    }
    ++s;
    if (blank(s)) [[unlikely]] s = skip_blanks(s);
    if (s >= lim) return ParseError::kBadJson;
    const char c = d[s];
    std::uint64_t value_end;
    if (c == '"') {
      std::uint64_t close = m.next();
      if (close <= s || close >= lim) return ParseError::kBadJson;
      const bool escaped = d[close] != '"';
      if (escaped) [[unlikely]] {
        io = m;
        close = string_rest(io, close);
        m = io;
        if (close == 0) return ParseError::kBadJson;
      }
      if (slot >= 0) store(row, slot, name, std::string_view(d + s + 1, close - s - 1), escaped);
      value_end = close + 1;
    } else if (c == '{' || c == '[') {
      io = m;
      const ParseError e = container_member(io, s, depth, row, env, key, key_ok, slot, name, value_end);
      m = io;
      if (e != ParseError::kNone) return e;
    } else {
      if (!short_integer_end(d, data_.size(), s, value_end) && !scalar_end(s, value_end)) return ParseError::kBadJson;
      if (slot >= 0) {
        const std::string_view text(d + s, value_end - s);
        store(row, slot, name, text == "null" ? std::string_view() : text, false);
      }
    }
    p = value_end;
    if (p < lim && d[p] == ',') [[likely]] {
      ++p;
      if (blank(p)) [[unlikely]] p = skip_blanks(p);
      continue;
    }
    p = skip_blanks(p);
    if (p < lim && d[p] == ',') {
      p = skip_blanks(p + 1);
      continue;
    }
    if (p >= lim || d[p] != '}') return ParseError::kBadJson;
    io = m;
    end = p + 1;
    return ParseError::kNone;
  }
}

void JsonRecordParser::inherit_envelope_fields(std::size_t envelope, std::size_t row) {
  for (std::size_t i = 0; i < projection_.fields.size(); ++i) {
    if (!projection_.fields[i].from_envelope) continue;
    const Slot& from = slots_[rows_[envelope].slots + i];
    Slot& to = slots_[rows_[row].slots + i];
    if (to.name == kUnset && from.name != kUnset) to = from;
  }
}

bool JsonRecordParser::own_values_decode(const Row& row) {
  if (row.bad_key) return false;
  for (std::size_t i = 0; i < projection_.fields.size(); ++i) {
    const Slot& sl = slots_[row.slots + i];
    key_buf_.clear();
    if (sl.escaped && !json_detail::decode_string_body(sl.text, key_buf_)) return false;
  }
  return true;
}

ParseError JsonRecordParser::read_row_object(json::Marks& io, std::uint64_t open, int depth, bool allow_records,
                                             std::vector<std::uint32_t>& out, std::uint64_t& end, ParseError& own) {
  // An envelope with "records" (array of envelopes) or "properties" (the row), or a row: one walk
  // projects the object as if it were the row and finds the envelope's parts on the way.
  const std::size_t row = new_row(open);
  Envelope env;
  env.allow_records = allow_records;
  const ParseError e = read_members(io, open, depth, row, &env, end);
  if (e != ParseError::kNone) return e;
  rows_[row].end = end;
  if (env.properties >= 0 && has_envelope_fields_) inherit_envelope_fields(row, static_cast<std::size_t>(env.properties));
  own = !own_values_decode(rows_[row]) ? ParseError::kBadJson : env.has_records ? records_error_ : ParseError::kNone;
  if (own != ParseError::kNone) return ParseError::kNone;
  if (env.has_records) out.insert(out.end(), records_.begin(), records_.end());
  else out.push_back(static_cast<std::uint32_t>(env.properties >= 0 ? static_cast<std::size_t>(env.properties) : row));
  return ParseError::kNone;
}

ParseError JsonRecordParser::read_row_array(json::Marks& io, std::uint64_t open, int depth, bool allow_records,
                                            std::vector<std::uint32_t>& out, bool defer_errors, std::uint64_t& end) {
  // Every element must be an object (a row or an envelope). Top-level arrays stop at the first bad
  // element; a "records" array is read to its end first (defer_errors), its first bad element
  // deciding the envelope's `own` error.
  std::uint64_t p = skip_blanks(open + 1);
  if (byte_at(p, io) == ']') {
    end = p + 1;
    return ParseError::kNone;
  }
  for (;;) {
    if (p == cut_from_ && depth == cut_depth_) [[unlikely]] {
      // A cut document: the rows from here up to cut_to_ are other chunks'.
      p = cut_to_;
      io.restart(p);
      cut_jumped_ = true;
      cut_from_ = UINT64_MAX;
      cut_records_array_ = records_arrays_;
    }
    std::uint64_t element_end;
    if (byte_at(p, io) == '{') {
      ParseError own = ParseError::kNone;
      const ParseError e = read_row_object(io, p, depth, allow_records, out, element_end, own);
      if (e != ParseError::kNone) return e;
      if (own != ParseError::kNone) {
        if (!defer_errors) return own;
        if (records_error_ == ParseError::kNone) records_error_ = own;
      }
    } else {
      const bool text_ends = p >= data_.size() || (line_mode_ && data_[p] == '\n');
      if (!defer_errors) return text_ends ? ParseError::kBadJson : ParseError::kNotAnObject;
      if (!skip_value(io, p, depth - 1, element_end)) return ParseError::kBadJson;
      if (records_error_ == ParseError::kNone) records_error_ = ParseError::kNotAnObject;
    }
    p = skip_blanks(element_end);
    const char c = byte_at(p, io);
    if (c == ',') {
      p = skip_blanks(p + 1);
      continue;
    }
    if (c != ']') return ParseError::kBadJson;
    end = p + 1;
    return ParseError::kNone;
  }
}

std::uint64_t JsonRecordParser::read_rows(std::uint64_t begin, std::uint64_t end, json::RowContainer array) {
  rows_.clear();
  slots_.clear();
  rows_out_.clear();
  marks_.reset(data_, begin, data_.size(), ring_);
  const int depth = row_depth(array);
  std::uint64_t p = begin;
  while (p < end) {
    // As read_row_array reads an element of that array, and stricter: any error means a wrong cut.
    if (byte_at(p, marks_) != '{') return UINT64_MAX;
    ParseError own = ParseError::kNone;
    std::uint64_t element_end = p;
    if (read_row_object(marks_, p, depth, array == json::RowContainer::kTopArray, rows_out_, element_end, own) !=
            ParseError::kNone ||
        own != ParseError::kNone) {
      return UINT64_MAX;
    }
    p = skip_blanks(element_end);
    if (byte_at(p, marks_) != ',') return UINT64_MAX;
    p = skip_blanks(p + 1);
  }
  return p;
}

void JsonRecordParser::cut_at(std::uint64_t from, std::uint64_t to, json::RowContainer array) {
  cut_from_ = from;
  cut_to_ = to;
  cut_depth_ = row_depth(array);
}

ParseError JsonRecordParser::read_top(json::Marks& io, std::uint64_t v, std::uint64_t& end) {
  const char c = byte_at(v, io);
  if (c == '{') {
    ParseError own = ParseError::kNone;
    const ParseError e = read_row_object(io, v, 1, true, rows_out_, end, own);
    return e != ParseError::kNone ? e : own;
  }
  if (c == '[') return read_row_array(io, v, 1, true, rows_out_, false, end);
  // Not a row: a well-formed string or scalar is "not an object" (whatever follows it), else bad.
  std::uint64_t close;
  bool escaped;
  const bool valid = c == '"' ? string_close(io, v, close, escaped) : v < io.limit() && scalar_end(v, end);
  return valid ? ParseError::kNotAnObject : ParseError::kBadJson;
}

JsonRecordParser::Step JsonRecordParser::step_line(std::uint64_t pos) {
  rows_.clear();
  slots_.clear();
  rows_out_.clear();
  Step step;
  const std::uint64_t size = data_.size();
  marks_.extend(std::min<std::uint64_t>(size, pos + max_record_bytes_ + 2));
  const std::uint64_t limit = marks_.limit();
  std::uint64_t v = pos;
  while (v < size && (data_[v] == ' ' || data_[v] == '\t' || data_[v] == '\r')) ++v;
  ParseError err = ParseError::kNone;
  std::uint64_t line_end = size;
  if (v >= size || data_[v] == '\n') {  // a blank line
    if (v < size ? v < limit : limit == size) line_end = v;
    else err = ParseError::kBadJson;  // longer than the bound: reported as such below
  } else {
    std::uint64_t end = v;
    err = read_top(marks_, v, end);
    if (err == ParseError::kNone) {
      // A line's value is followed by blanks up to its LF or the end of the data.
      const std::uint64_t t = skip_blanks(end);
      if (t < limit && data_[t] == '\n') line_end = t;
      else if (!(t == size && limit == size)) err = ParseError::kBadJson;
    }
  }
  if (err != ParseError::kNone) {
    // A line's length excludes its terminator (LF or CR LF), as a CSV record's does; a line longer
    // than the bound is reported as such whatever else is wrong with it.
    const std::uint64_t reach = std::min<std::uint64_t>(size - pos, max_record_bytes_ + 2);
    const void* nl = std::memchr(data_.data() + pos, '\n', reach);
    line_end = nl == nullptr ? pos + reach : static_cast<std::uint64_t>(static_cast<const char*>(nl) - data_.data());
    const std::uint64_t content_end = line_end > pos && data_[line_end - 1] == '\r' ? line_end - 1 : line_end;
    const bool too_large = (nl == nullptr && line_end < size) || content_end - pos > max_record_bytes_;
    step.error = too_large ? ParseError::kRecordTooLarge : err;
    step.error_at = pos;
    step.next = too_large ? next_line_start(data_, line_end) : line_end + 1;
    rows_out_.clear();
    return step;
  }
  const std::uint64_t content_end = line_end > pos && data_[line_end - 1] == '\r' ? line_end - 1 : line_end;
  if (content_end - pos > max_record_bytes_) {
    step.error = ParseError::kRecordTooLarge;
    step.error_at = pos;
    rows_out_.clear();
  }
  step.next = line_end + 1;
  return step;
}

JsonRecordParser::Step JsonRecordParser::step_document(std::uint64_t pos) {
  rows_.clear();
  slots_.clear();
  rows_out_.clear();
  Step step;
  std::uint64_t v = pos;
  skip_ws(data_, v);
  if (v >= data_.size()) {
    step.next = data_.size();
    return step;
  }
  std::uint64_t end = v;
  const ParseError err = read_top(marks_, v, end);
  if (err != ParseError::kNone) {
    step.error = err;
    step.error_at = v;
    step.next = next_line_start(data_, v + 1);
    rows_out_.clear();
    return step;
  }
  step.next = end;
  return step;
}

ParseError JsonRecordParser::decode_row(std::size_t r) {
  const Row& row = rows_[r];
  if (row.bad_key) return ParseError::kBadJson;
  const std::size_t n = projection_.fields.size();
  // A decoded body is never longer than its text (an escape is at least as long as what it
  // stands for), so with this much room the views into scratch_ stay valid.
  std::size_t room = 0;
  for (std::size_t i = 0; i < n; ++i) room += slots_[row.slots + i].escaped ? slots_[row.slots + i].text.size() : 0;
  scratch_.clear();
  scratch_.reserve(room);
  for (std::size_t i = 0; i < n; ++i) {
    const Slot& sl = slots_[row.slots + i];
    matched_names_[i] = sl.name == kUnset ? std::string_view() : std::string_view(projection_.fields[i].names[static_cast<std::size_t>(sl.name)]);
    values_[i] = sl.text;
    if (!sl.escaped) continue;
    const std::size_t at = scratch_.size();
    if (!json_detail::decode_string_body(sl.text, scratch_)) return ParseError::kBadJson;
    values_[i] = std::string_view(scratch_.data() + at, scratch_.size() - at);
  }
  if (row.end - row.offset > max_record_bytes_) return ParseError::kRecordTooLarge;
  return ParseError::kNone;
}

namespace {
// Compact JSON text of a nested value, as Kusto renders a dynamic value: whitespace outside strings
// removed, strings decoded and re-encoded (raw UTF-8, '/' not escaped), numbers as written.
std::string compact_json(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::string decoded;
  for (std::uint64_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const std::uint64_t start = i;
      bool esc;
      if (!skip_string(text, i, esc)) {
        out.append(text.substr(start));
        break;
      }
      decoded.clear();
      if (json_detail::decode_string_body(text.substr(start + 1, i - start - 2), decoded)) {
        core::append_json_string(out, decoded);
      } else {
        out.append(text.substr(start, i - start));
      }
      continue;
    }
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out.push_back(c);
    ++i;
  }
  return out;
}
}  // namespace

namespace {
// The text of a string body (quotes excluded) into `out`, its capacity kept: copied when it holds
// no escape, decoded otherwise.
bool assign_string_body(std::string_view body, bool escaped, std::string& out) {
  if (!escaped) {
    out.assign(body);
    return true;
  }
  out.clear();
  return json_detail::decode_string_body(body, out);
}
}  // namespace

namespace {
// One of 256 bits standing for a member name (its length, first and last 8 bytes): split_record
// compares a name with the earlier ones only when its bit was set before (rows rarely repeat a
// name, and comparing each name with every earlier one was a fifth of the findings' decoding).
unsigned name_filter_bit(std::string_view n) {
  std::uint64_t a = 0, b = 0;
  std::memcpy(&a, n.data(), std::min<std::size_t>(n.size(), 8));
  if (n.size() > 8) std::memcpy(&b, n.data() + n.size() - 8, 8);
  return static_cast<unsigned>(((a * 0x9E3779B97F4A7C15ULL) ^ ((b + n.size()) * 0xC2B2AE3D27D4EB4FULL)) >> 56);
}
}  // namespace

ParseError JsonRecordParser::split_record(std::string_view d, std::uint64_t offset, std::vector<NamedCell>& out,
                                          const std::vector<std::string>& flatten) {
  // The cells of `out` are reused (names and values keep their capacity): reading the findings'
  // rows again allocates only when a row has more or longer members than the rows before it.
  std::size_t used = 0;
  const auto result = [&](ParseError e) {
    out.resize(e == ParseError::kNone ? used : 0);
    return e;
  };
  std::uint64_t p = offset;
  if (p >= d.size() || d[p] != '{') return result(ParseError::kNotAnObject);
  ++p;
  skip_ws(d, p);
  if (p < d.size() && d[p] == '}') return result(ParseError::kNone);
  // One scanner for the row's strings, so that each 64-byte window of it is classified once.
  simd::JsonStringScanner strings(d.data() + d.size());
  std::uint64_t seen[4] = {};  // name_filter_bit of the names so far
  auto note = [&](std::string_view name) {
    const unsigned bit = name_filter_bit(name);
    const bool maybe_seen = (seen[bit / 64] >> (bit % 64) & 1) != 0;
    seen[bit / 64] |= std::uint64_t{1} << (bit % 64);
    return maybe_seen;
  };
  for (;;) {
    if (p >= d.size() || d[p] != '"') return result(ParseError::kBadJson);
    const std::uint64_t key_start = p + 1;
    bool esc;
    if (!json_detail::skip_string_scanned(d, p, esc, strings)) return result(ParseError::kBadJson);
    if (used == out.size()) out.emplace_back();
    NamedCell* nc = &out[used];
    if (!assign_string_body(d.substr(key_start, p - 1 - key_start), esc, nc->name)) return result(ParseError::kBadJson);
    // A duplicate name keeps its first position and takes the last value.
    if (note(nc->name)) {
      for (std::size_t j = 0; j < used; ++j) {
        if (out[j].name == nc->name) {
          nc = &out[j];
          break;
        }
      }
    }
    if (nc == &out[used]) ++used;
    skip_ws(d, p);
    if (p >= d.size() || d[p] != ':') return result(ParseError::kBadJson);
    ++p;
    skip_ws(d, p);
    const std::uint64_t v = p;
    const bool value_ok = p < d.size() && d[p] == '"' ? json_detail::skip_string_scanned(d, p, esc, strings) : json_detail::skip_value(d, p, 1);
    if (!value_ok) return result(ParseError::kBadJson);
    Cell& cell = nc->cell;
    const std::string_view text = d.substr(v, p - v);
    cell.raw_json = text.front() != '"' && text != "null";
    if (text.front() == '"') {
      const std::string_view body = text.substr(1, text.size() - 2);
      if (!assign_string_body(body, body.find('\\') != std::string_view::npos, cell.value)) return result(ParseError::kBadJson);
    } else if (text == "null") {
      cell.value.clear();
    } else if (text.front() == '{' || text.front() == '[') {
      cell.value = compact_json(text);
    } else {
      cell.value.assign(text);
    }
    if (text.front() == '{' && std::find(flatten.begin(), flatten.end(), nc->name) != flatten.end()) {
      std::vector<NamedCell> nested;
      if (split_record(d, v, nested) == ParseError::kNone) {
        out.resize(used);
        for (NamedCell& n : nested) {
          note(n.name);
          out.push_back(std::move(n));
        }
        used = out.size();
      }
    }
    skip_ws(d, p);
    if (p >= d.size()) return result(ParseError::kBadJson);
    if (d[p] == ',') {
      ++p;
      skip_ws(d, p);
      continue;
    }
    if (d[p] == '}') return result(ParseError::kNone);
    return result(ParseError::kBadJson);
  }
}

}  // namespace rareconn::parsers
