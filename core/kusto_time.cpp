// Kusto datetime/timespan parsing and formatting (kql-semantics §3): hand-written fast path + Spirit X3 grammar.
// Must not know about files, formats or threads, and must not throw (malformed input -> nullopt).
#include "core/kusto_time.hpp"

#include <cstring>

#include <boost/spirit/home/x3.hpp>

#include <array>
#include <atomic>

namespace rareconn::core {
namespace {

namespace x3 = boost::spirit::x3;

constexpr Ticks kPow10[8] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000};

struct Fields {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  Ticks fraction = 0;        // first (up to) 7 fractional digits
  int fraction_digits = 0;   // how many of them were read (at most 7)
  int offset_sign = 0;       // 0 = none/Z, +1 / -1
  unsigned offset_hours = 0, offset_minutes = 0;
};

// Range checks and conversion shared by both paths.
std::optional<Ticks> to_ticks(const Fields& f) noexcept {
  if (f.year < 1 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 ||
      f.day > static_cast<unsigned>(days_in_month(static_cast<int>(f.year), static_cast<int>(f.month))) ||
      f.hour > 23 || f.minute > 59 || f.second > 59 || f.offset_hours > 14 || f.offset_minutes > 59) {
    return std::nullopt;
  }
  Ticks t = days_from_civil(static_cast<int>(f.year), f.month, f.day) * kTicksPerDay +
            static_cast<Ticks>(f.hour) * kTicksPerHour + static_cast<Ticks>(f.minute) * kTicksPerMinute +
            static_cast<Ticks>(f.second) * kTicksPerSecond + f.fraction * kPow10[7 - f.fraction_digits];
  // local = UTC + offset  =>  UTC = local - offset
  t -= f.offset_sign * (static_cast<Ticks>(f.offset_hours) * kTicksPerHour +
                        static_cast<Ticks>(f.offset_minutes) * kTicksPerMinute);
  if (t < 0 || t > kMaxDatetimeTicks) return std::nullopt;
  return t;
}

inline unsigned digit(char c) noexcept { return static_cast<unsigned>(static_cast<unsigned char>(c)) - '0'; }

// Fixed width "YYYY-MM-DDTHH:MM:SS.fffffffZ" (also with ' ' instead of 'T'). nullopt = not this shape
// (the general path then decides), never "invalid".
inline bool fast_fields(std::string_view s, Fields& f) noexcept {
  if (s.size() != 28 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[27] != 'Z') {
    return false;
  }
  static constexpr std::array<unsigned char, 21> kDigitPos = {0,  1,  2,  3,  5,  6,  8,  9,  11, 12, 14,
                                                             15, 17, 18, 20, 21, 22, 23, 24, 25, 26};
  unsigned bad = 0;
  for (unsigned char p : kDigitPos) bad |= digit(s[p]) > 9 ? 1u : 0u;
  if (bad) return false;
  auto two = [&](std::size_t p) { return digit(s[p]) * 10 + digit(s[p + 1]); };
  f.year = two(0) * 100 + two(2);
  f.month = two(5);
  f.day = two(8);
  f.hour = two(11);
  f.minute = two(14);
  f.second = two(17);
  Ticks frac = 0;
  for (std::size_t p = 20; p < 27; ++p) frac = frac * 10 + digit(s[p]);
  f.fraction = frac;
  f.fraction_digits = 7;
  return true;
}

// General grammar (Spirit X3).
std::atomic<bool> g_excess_fraction_rejected{false};  // U-9 (set_excess_fraction_rejected)

std::optional<Ticks> parse_general(std::string_view text, bool reject_excess) noexcept {
  Fields f;
  const auto d2 = x3::uint_parser<unsigned, 10, 2, 2>{};
  const auto d4 = x3::uint_parser<unsigned, 10, 4, 4>{};
  auto set = [&f](unsigned Fields::*member) { return [&f, member](auto& ctx) { f.*member = x3::_attr(ctx); }; };
  bool excess = false;
  auto frac_digit = [&f, &excess](auto& ctx) {
    if (f.fraction_digits < 7) {
      f.fraction = f.fraction * 10 + (x3::_attr(ctx) - '0');
      ++f.fraction_digits;
    } else {
      excess = true;
    }
  };
  auto sign = [&f](auto& ctx) { f.offset_sign = x3::_attr(ctx) == '-' ? -1 : 1; };

  const auto date = d4[set(&Fields::year)] >> '-' >> d2[set(&Fields::month)] >> '-' >> d2[set(&Fields::day)];
  // Kusto's documented ISO forms: a date alone, or with hours and minutes, seconds optional.
  const auto time = d2[set(&Fields::hour)] >> ':' >> d2[set(&Fields::minute)] >>
                    -(x3::lit(':') >> d2[set(&Fields::second)] >> -(x3::lit('.') >> *x3::char_('0', '9')[frac_digit]));
  const auto zone = x3::lit('Z') | (x3::char_("+-")[sign] >> d2[set(&Fields::offset_hours)] >>
                                    -(-x3::lit(':') >> d2[set(&Fields::offset_minutes)]));
  const auto grammar = date >> -((x3::lit('T') | x3::lit(' ')) >> time >> -zone) >> x3::eoi;

  auto first = text.begin();
  if (!x3::parse(first, text.end(), grammar)) return std::nullopt;
  if (excess && reject_excess) return std::nullopt;
  return to_ticks(f);
}

}  // namespace

std::optional<Ticks> DatetimeParser::parse(std::string_view s) {
  // Fixed width "YYYY-MM-DDTHH:MM:SS.fffffffZ" whose date was the last one seen: only the time of
  // day is read (with the same checks as the full path).
  if (day_ticks_ >= 0 && s.size() == 28 && std::memcmp(s.data(), date_, 11) == 0 && s[13] == ':' && s[16] == ':' &&
      s[19] == '.' && s[27] == 'Z') {
    static constexpr std::array<unsigned char, 13> kPos = {11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25, 26};
    unsigned bad = 0;
    for (unsigned char p : kPos) bad |= digit(s[p]) > 9 ? 1u : 0u;
    if (!bad) {
      const unsigned h = digit(s[11]) * 10 + digit(s[12]), m = digit(s[14]) * 10 + digit(s[15]),
                     sec = digit(s[17]) * 10 + digit(s[18]);
      if (h > 23 || m > 59 || sec > 59) return std::nullopt;
      Ticks frac = 0;
      for (std::size_t p = 20; p < 27; ++p) frac = frac * 10 + digit(s[p]);
      return day_ticks_ + static_cast<Ticks>(h) * kTicksPerHour + static_cast<Ticks>(m) * kTicksPerMinute +
             static_cast<Ticks>(sec) * kTicksPerSecond + frac;
    }
  }
  const std::optional<Ticks> t = parse_datetime(s);
  if (t && s.size() == 28 && s[27] == 'Z' && s[19] == '.') {  // the fixed-width UTC form: remember its day
    std::memcpy(date_, s.data(), 11);
    day_ticks_ = *t - *t % kTicksPerDay;
  }
  return t;
}

void set_excess_fraction_rejected(bool reject) noexcept { g_excess_fraction_rejected.store(reject, std::memory_order_relaxed); }

std::optional<Ticks> parse_datetime(std::string_view text) {
  Fields f;
  if (fast_fields(text, f)) return to_ticks(f);  // exactly 7 fractional digits
  return parse_general(text, g_excess_fraction_rejected.load(std::memory_order_relaxed));
}

std::optional<Ticks> parse_datetime(std::string_view text, bool excess_fraction_rejected) {
  Fields f;
  if (fast_fields(text, f)) return to_ticks(f);  // exactly 7 fractional digits
  return parse_general(text, excess_fraction_rejected);
}

std::optional<Ticks> parse_timespan(std::string_view text) {
  std::size_t i = 0;
  // Integer part: at least one digit. Cap the digit count to keep the arithmetic in range.
  unsigned __int128 whole = 0;
  const std::size_t whole_start = i;
  while (i < text.size() && digit(text[i]) <= 9) {
    if (i - whole_start >= 20) return std::nullopt;
    whole = whole * 10 + digit(text[i]);
    ++i;
  }
  if (i == whole_start) return std::nullopt;
  unsigned __int128 frac = 0, frac_scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < text.size() && digit(text[i]) <= 9) {
      if (i - frac_start < 18) {  // digits beyond the 18th cannot change a tick count below 10^19
        frac = frac * 10 + digit(text[i]);
        frac_scale *= 10;
      }
      ++i;
    }
    if (i == frac_start) return std::nullopt;  // "1." is not a number here
  }
  const std::string_view unit = text.substr(i);
  Ticks per = 0;
  if (unit == "d") per = kTicksPerDay;
  else if (unit == "h") per = kTicksPerHour;
  else if (unit == "m" || unit == "min") per = kTicksPerMinute;
  else if (unit == "s") per = kTicksPerSecond;
  else if (unit == "ms") per = kTicksPerSecond / 1000;
  else if (unit == "microsecond") per = 10;
  else if (unit == "tick") per = 1;
  else return std::nullopt;
  const unsigned __int128 total = whole * static_cast<unsigned __int128>(per) +
                                  frac * static_cast<unsigned __int128>(per) / frac_scale;  // truncates
  if (total > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
  return static_cast<Ticks>(total);
}

void format_datetime(Ticks t, char* out) {
  if (t < 0) t = 0;
  if (t > kMaxDatetimeTicks) t = kMaxDatetimeTicks;
  const std::int64_t days = t / kTicksPerDay;
  Ticks rem = t % kTicksPerDay;
  const CivilDate c = civil_from_days(days);
  const unsigned hour = static_cast<unsigned>(rem / kTicksPerHour);
  rem %= kTicksPerHour;
  const unsigned minute = static_cast<unsigned>(rem / kTicksPerMinute);
  rem %= kTicksPerMinute;
  const unsigned second = static_cast<unsigned>(rem / kTicksPerSecond);
  unsigned frac = static_cast<unsigned>(rem % kTicksPerSecond);
  auto put2 = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const unsigned y = static_cast<unsigned>(c.year);
  put2(out, y / 100);
  put2(out + 2, y % 100);
  out[4] = '-';
  put2(out + 5, c.month);
  out[7] = '-';
  put2(out + 8, c.day);
  out[10] = 'T';
  put2(out + 11, hour);
  out[13] = ':';
  put2(out + 14, minute);
  out[16] = ':';
  put2(out + 17, second);
  out[19] = '.';
  for (int p = 26; p >= 20; --p) {
    out[p] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out[27] = 'Z';
}

std::string format_datetime(Ticks t) {
  std::string s(kDatetimeTextSize, '\0');
  format_datetime(t, s.data());
  return s;
}

}  // namespace rareconn::core
