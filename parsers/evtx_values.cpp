// EVTX building blocks: BinXML value rendering to UTF-8 text, CRC32 (slicing-by-8), FILETIME/SYSTEMTIME/ISO 8601 time.
// Must not know about hunts, windows or threads; only compile-time constant tables, no mutable globals.
#include "parsers/evtx_values.hpp"

#include "core/kusto_time.hpp"

#include <array>
#include <charconv>

namespace rareconn::parsers::evtx {
namespace {

using Crc32Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Crc32Tables make_crc_tables() {
  Crc32Tables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? (0xEDB88320U ^ (c >> 1)) : (c >> 1);
    t[0][i] = c;
  }
  for (std::uint32_t i = 0; i < 256; ++i)
    for (std::size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFU];
  return t;
}

constexpr Crc32Tables kCrcTables = make_crc_tables();

inline std::uint64_t load_le(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n && i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

// The calendar is core/kusto_time's (days since 0001-01-01, Kusto's tick epoch).
using core::kTicksPerDay;
using core::kTicksPerSecond;

inline char* put_digits(char* o, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    o[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return o + width;
}

constexpr char kHexUpper[] = "0123456789ABCDEF";

void append_hex_lower(TextBuf& out, std::uint64_t v) {
  char* o = out.tail(18);
  o[0] = '0';
  o[1] = 'x';
  auto r = std::to_chars(o + 2, o + 18, v, 16);
  out.commit(static_cast<std::size_t>(r.ptr - o));
}

void append_guid(TextBuf& out, const std::uint8_t* p) {
  char* o = out.tail(38);
  char* s = o;
  auto hex_byte = [&](std::uint8_t b) {
    *o++ = kHexUpper[b >> 4];
    *o++ = kHexUpper[b & 15];
  };
  *o++ = '{';
  for (int i = 3; i >= 0; --i) hex_byte(p[i]);
  *o++ = '-';
  hex_byte(p[5]);
  hex_byte(p[4]);
  *o++ = '-';
  hex_byte(p[7]);
  hex_byte(p[6]);
  *o++ = '-';
  hex_byte(p[8]);
  hex_byte(p[9]);
  *o++ = '-';
  for (int i = 10; i < 16; ++i) hex_byte(p[i]);
  *o++ = '}';
  out.commit(static_cast<std::size_t>(o - s));
}

bool append_sid(TextBuf& out, const std::uint8_t* p, std::size_t size) {
  if (size < 8) return false;
  const unsigned count = p[1];
  if (size < 8 + 4 * static_cast<std::size_t>(count)) return false;
  std::uint64_t auth = 0;
  for (int i = 2; i < 8; ++i) auth = (auth << 8) | p[i];
  char* o = out.tail(32 + 11 * static_cast<std::size_t>(count));
  char* s = o;
  *o++ = 'S';
  *o++ = '-';
  o = std::to_chars(o, o + 4, static_cast<unsigned>(p[0])).ptr;
  *o++ = '-';
  if (auth >> 32) {
    *o++ = '0';
    *o++ = 'x';
    for (int i = 2; i < 8; ++i) {
      *o++ = kHexUpper[p[i] >> 4];
      *o++ = kHexUpper[p[i] & 15];
    }
  } else {
    o = std::to_chars(o, o + 20, auth).ptr;
  }
  for (unsigned i = 0; i < count; ++i) {
    *o++ = '-';
    o = std::to_chars(o, o + 10, static_cast<std::uint32_t>(load_le(p + 8 + 4 * i, 4))).ptr;
  }
  out.commit(static_cast<std::size_t>(o - s));
  return true;
}

void append_binary_hex(TextBuf& out, const std::uint8_t* p, std::size_t size) {
  char* o = out.tail(2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    o[2 * i] = kHexUpper[p[i] >> 4];
    o[2 * i + 1] = kHexUpper[p[i] & 15];
  }
  out.commit(2 * size);
}

template <class T>
void append_number(TextBuf& out, T v) {
  char* o = out.tail(24);
  out.commit(static_cast<std::size_t>(std::to_chars(o, o + 24, v).ptr - o));
}

template <class T>
void append_float(TextBuf& out, T v) {
  char* o = out.tail(64);
  auto r = std::to_chars(o, o + 64, v);
  if (r.ec == std::errc()) out.commit(static_cast<std::size_t>(r.ptr - o));
}

void append_ticks(TextBuf& out, std::int64_t ticks) {
  char* o = out.tail(32);
  out.commit(format_ticks_iso(ticks, o));
}

}  // namespace

std::size_t fixed_value_size(std::uint8_t base) {
  switch (base) {
    case kInt8: case kUInt8: return 1;
    case kInt16: case kUInt16: return 2;
    case kInt32: case kUInt32: case kReal32: case kBool: case kHexInt32: return 4;
    case kInt64: case kUInt64: case kReal64: case kFileTime: case kHexInt64: return 8;
    case kGuid: case kSysTime: return 16;
    default: return 0;
  }
}

namespace {

bool render_scalar(TextBuf& out, std::uint8_t type, const std::uint8_t* p, std::size_t size) {
  switch (type) {
    case kNull: case kEvtHandle: case kBinXml: case kEvtXml:
      return true;
    case kString:
      append_utf16(out, p, size / 2, true);
      return true;
    case kAnsiString: {
      while (size > 0 && p[size - 1] == 0) --size;
      for (std::size_t i = 0; i < size; ++i) {
        if (p[i] < 0x80) out.push(static_cast<char>(p[i]));
        else append_code_point(out, p[i]);
      }
      return true;
    }
    case kInt8: if (size >= 1) append_number(out, static_cast<std::int8_t>(p[0])); return true;
    case kUInt8: if (size >= 1) append_number(out, static_cast<unsigned>(p[0])); return true;
    case kInt16: if (size >= 2) append_number(out, static_cast<std::int16_t>(load_le(p, 2))); return true;
    case kUInt16: if (size >= 2) append_number(out, static_cast<std::uint16_t>(load_le(p, 2))); return true;
    case kInt32: if (size >= 4) append_number(out, static_cast<std::int32_t>(load_le(p, 4))); return true;
    case kUInt32: if (size >= 4) append_number(out, static_cast<std::uint32_t>(load_le(p, 4))); return true;
    case kInt64: if (size >= 8) append_number(out, static_cast<std::int64_t>(load_le(p, 8))); return true;
    case kUInt64: if (size >= 8) append_number(out, load_le(p, 8)); return true;
    case kReal32:
      if (size >= 4) {
        const auto bits = static_cast<std::uint32_t>(load_le(p, 4));
        float f;
        std::memcpy(&f, &bits, 4);
        append_float(out, f);
      }
      return true;
    case kReal64:
      if (size >= 8) {
        const std::uint64_t bits = load_le(p, 8);
        double f;
        std::memcpy(&f, &bits, 8);
        append_float(out, f);
      }
      return true;
    case kBool:
      if (size >= 1) out.append(load_le(p, size) != 0 ? std::string_view("true") : std::string_view("false"));
      return true;
    case kBinary:
      append_binary_hex(out, p, size);
      return true;
    case kGuid:
      if (size >= 16) append_guid(out, p);
      else append_binary_hex(out, p, size);
      return true;
    case kSizeT: case kHexInt32: case kHexInt64:
      if (size >= 1) append_hex_lower(out, load_le(p, size));
      return true;
    case kFileTime:
      if (size >= 8) {
        std::int64_t t;
        if (filetime_to_ticks(load_le(p, 8), t)) append_ticks(out, t);
      }
      return true;
    case kSysTime:
      if (size >= 16) {
        std::int64_t t;
        if (systemtime_to_ticks(p, t)) append_ticks(out, t);
      }
      return true;
    case kSid:
      if (!append_sid(out, p, size)) append_binary_hex(out, p, size);
      return true;
    default:
      return false;
  }
}

}  // namespace

void TextBuf::grow(std::size_t need) {
  std::size_t cap = cap_ ? cap_ : 256;
  while (cap < need) cap *= 2;
  std::unique_ptr<char[]> d(new char[cap]);
  if (size_) std::memcpy(d.get(), data_.get(), size_);
  data_ = std::move(d);
  cap_ = cap;
}

std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t size) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  const auto& t = kCrcTables;
  crc = ~crc;
  while (size >= 8) {
    const std::uint32_t lo = crc ^ static_cast<std::uint32_t>(load_le(p, 4));
    const auto hi = static_cast<std::uint32_t>(load_le(p + 4, 4));
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size--) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void append_code_point(TextBuf& out, std::uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  char* o = out.tail(4);
  std::size_t n;
  if (cp < 0x80) {
    o[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    o[0] = static_cast<char>(0xC0 | (cp >> 6));
    o[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    o[0] = static_cast<char>(0xE0 | (cp >> 12));
    o[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    o[0] = static_cast<char>(0xF0 | (cp >> 18));
    o[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    o[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  out.commit(n);
}

void append_utf16(TextBuf& out, const std::uint8_t* p, std::size_t units, bool strip_nul) {
  if (strip_nul)
    while (units > 0 && p[2 * units - 2] == 0 && p[2 * units - 1] == 0) --units;
  if (units == 0) return;
  char* o = out.tail(units * 3);
  char* const start = o;
  std::size_t i = 0;
  while (i < units) {
    // ASCII fast path: 4 units at a time.
    if (i + 4 <= units) {
      std::uint64_t w;
      std::memcpy(&w, p + 2 * i, 8);
      if ((w & 0xFF80FF80FF80FF80ULL) == 0) {
        o[0] = static_cast<char>(p[2 * i]);
        o[1] = static_cast<char>(p[2 * i + 2]);
        o[2] = static_cast<char>(p[2 * i + 4]);
        o[3] = static_cast<char>(p[2 * i + 6]);
        o += 4;
        i += 4;
        continue;
      }
    }
    std::uint32_t u = p[2 * i] | (static_cast<std::uint32_t>(p[2 * i + 1]) << 8);
    ++i;
    if (u < 0x80) {
      *o++ = static_cast<char>(u);
      continue;
    }
    if (u < 0x800) {
      *o++ = static_cast<char>(0xC0 | (u >> 6));
      *o++ = static_cast<char>(0x80 | (u & 0x3F));
      continue;
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      std::uint32_t cp = 0xFFFD;
      if (u <= 0xDBFF && i < units) {
        const std::uint32_t lo = p[2 * i] | (static_cast<std::uint32_t>(p[2 * i + 1]) << 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
          ++i;
        }
      }
      if (cp >= 0x10000) {  // 4 bytes for 2 units: within the 3-per-unit budget
        *o++ = static_cast<char>(0xF0 | (cp >> 18));
        *o++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        *o++ = static_cast<char>(0x80 | (cp & 0x3F));
        continue;
      }
      u = cp;
    }
    *o++ = static_cast<char>(0xE0 | (u >> 12));
    *o++ = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (u & 0x3F));
  }
  out.commit(static_cast<std::size_t>(o - start));
}

bool render_value(TextBuf& out, std::uint8_t type, const std::uint8_t* p, std::size_t size) {
  if (!(type & kArrayFlag)) return render_scalar(out, type, p, size);
  const std::uint8_t base = type & 0x7F;
  if (base == kString) {  // NUL-separated UTF-16 strings
    std::size_t units = size / 2, start = 0;
    bool first = true;
    while (units > 0 && p[2 * units - 2] == 0 && p[2 * units - 1] == 0) --units;
    for (std::size_t i = 0; i <= units; ++i) {
      if (i == units || (p[2 * i] == 0 && p[2 * i + 1] == 0)) {
        if (!first) out.append(", ", 2);
        append_utf16(out, p + 2 * start, i - start, false);
        first = false;
        start = i + 1;
      }
    }
    return true;
  }
  std::size_t el = fixed_value_size(base);
  if (base == kSid) {  // variable-size elements
    std::size_t off = 0;
    bool first = true;
    while (off + 8 <= size) {
      const std::size_t n = 8 + 4 * static_cast<std::size_t>(p[off + 1]);
      if (off + n > size) break;
      if (!first) out.append(", ", 2);
      render_scalar(out, base, p + off, n);
      first = false;
      off += n;
    }
    return true;
  }
  if (base == kSizeT || base == kHexInt64) el = (base == kSizeT && size % 8 != 0) ? 4 : 8;
  if (el == 0) return render_scalar(out, base, p, size);
  for (std::size_t off = 0; off + el <= size; off += el) {
    if (off) out.append(", ", 2);
    render_scalar(out, base, p + off, el);
  }
  return true;
}

std::size_t format_ticks_iso(std::int64_t ticks, char* out) {
  if (ticks < 0) ticks = 0;
  const std::int64_t days = ticks / kTicksPerDay;
  std::int64_t rem = ticks % kTicksPerDay;
  const core::CivilDate c = core::civil_from_days(days);
  const std::int64_t y = c.year;
  const unsigned m = c.month, d = c.day;
  const std::int64_t secs = rem / kTicksPerSecond;
  const std::int64_t frac = rem % kTicksPerSecond;
  char* o = out;
  o = put_digits(o, static_cast<std::uint64_t>(y), 4);
  *o++ = '-';
  o = put_digits(o, m, 2);
  *o++ = '-';
  o = put_digits(o, d, 2);
  *o++ = 'T';
  o = put_digits(o, static_cast<std::uint64_t>(secs / 3600), 2);
  *o++ = ':';
  o = put_digits(o, static_cast<std::uint64_t>(secs / 60 % 60), 2);
  *o++ = ':';
  o = put_digits(o, static_cast<std::uint64_t>(secs % 60), 2);
  *o++ = '.';
  o = put_digits(o, static_cast<std::uint64_t>(frac), 7);
  *o++ = 'Z';
  return static_cast<std::size_t>(o - out);
}

bool filetime_to_ticks(std::uint64_t filetime, std::int64_t& ticks) {
  // Kusto datetime ends at 9999-12-31; FILETIME values beyond that are rejected.
  constexpr std::uint64_t kMax = 3155378975999999999ULL - static_cast<std::uint64_t>(kFiletimeToKustoTicks);
  if (filetime > kMax) return false;
  ticks = static_cast<std::int64_t>(filetime) + kFiletimeToKustoTicks;
  return true;
}

bool systemtime_to_ticks(const std::uint8_t* p, std::int64_t& ticks) {
  const auto f = [&](int i) { return static_cast<unsigned>(p[2 * i] | (p[2 * i + 1] << 8)); };
  const unsigned y = f(0), mo = f(1), d = f(3), h = f(4), mi = f(5), s = f(6), ms = f(7);
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || ms > 999)
    return false;
  const std::int64_t days = core::days_from_civil(static_cast<int>(y), mo, d);
  ticks = days * kTicksPerDay + (static_cast<std::int64_t>(h) * 3600 + mi * 60 + s) * kTicksPerSecond +
          static_cast<std::int64_t>(ms) * 10000;
  return true;
}

bool parse_iso_ticks(std::string_view s, std::int64_t& ticks) {
  auto num = [&](std::size_t pos, std::size_t n, unsigned& v) {
    if (pos + n > s.size()) return false;
    v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
  };
  unsigned y, mo, d, h, mi, sec;
  if (!num(0, 4, y) || s.size() < 19 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      (s[10] != 'T' && s[10] != ' ') || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' ||
      !num(17, 2, sec))
    return false;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return false;
  std::int64_t frac = 0;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 7) {
        frac = frac * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    for (; digits < 7; ++digits) frac *= 10;
  }
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size()) return false;
  ticks = core::days_from_civil(static_cast<int>(y), mo, d) * kTicksPerDay +
          (static_cast<std::int64_t>(h) * 3600 + mi * 60 + sec) * kTicksPerSecond + frac;
  return true;
}

}  // namespace rareconn::parsers::evtx
