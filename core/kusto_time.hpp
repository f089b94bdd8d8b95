// Kusto datetime/timespan: ISO 8601 text <-> 100 ns ticks since 0001-01-01Z, timespan literals (kql-semantics §3).
// Must not know about files, formats or threads, and must not throw on the hot path (malformed input -> nullopt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rareconn::core {

using Ticks = std::int64_t;  // 100 ns ticks since 0001-01-01T00:00:00Z (Kusto datetime)
inline constexpr Ticks kTicksPerSecond = 10'000'000;
inline constexpr Ticks kTicksPerMinute = 60 * kTicksPerSecond;
inline constexpr Ticks kTicksPerHour = 60 * kTicksPerMinute;
inline constexpr Ticks kTicksPerDay = 864'000'000'000;
// Largest valid datetime: 9999-12-31T23:59:59.9999999Z (3,155,378,975,999,999,999 ticks).
inline constexpr Ticks kMaxDatetimeTicks = 3'155'378'975'999'999'999;

// ISO 8601 date-time: "YYYY-MM-DD[THH:MM[:SS[.f*]][Z|+hh:mm|-hh:mm|+hhmm|-hhmm|+hh|-hh]]", 'T' or one
// space between date and time (the forms Kusto documents for datetime: a date alone is midnight,
// seconds may be left out). Up to 7 fractional digits are exact, further digits are truncated (U-9); a '.' with no
// digits is accepted (the ".f{0,}" of the grammar). No zone = UTC; an offset is subtracted to get UTC.
// No leading/trailing blanks (the caller trims). Fields are range-checked (leap years included); a
// result outside [0001-01-01T00:00:00Z, 9999-12-31T23:59:59.9999999Z] after applying the offset is
// rejected. Returns nullopt when malformed. Fast path for the 28-char "YYYY-MM-DDTHH:MM:SS.fffffffZ".
std::optional<Ticks> parse_datetime(std::string_view text);

// U-9: what parse_datetime does with more than 7 fractional digits: truncate them (the default) or
// reject the text. Set once, before any thread parses (the scanner's --assume U-9=reject).
void set_excess_fraction_rejected(bool reject) noexcept;
// parse_datetime with U-9's reading given, not the process's (the command line's --now is read
// before set_excess_fraction_rejected is called).
std::optional<Ticks> parse_datetime(std::string_view text, bool excess_fraction_rejected);

// parse_datetime with a one-entry memory of the last date: consecutive events of an export share
// their day, so "YYYY-MM-DDT" is compared instead of parsed again. Same results as parse_datetime;
// one per thread.
class DatetimeParser {
 public:
  std::optional<Ticks> parse(std::string_view text);

 private:
  char date_[11] = {};   // "YYYY-MM-DDT" (or ' ') of the last fixed-width UTC text
  Ticks day_ticks_ = -1;  // its day, in ticks; -1 = none
};

// The text without leading and trailing spaces and tabs (input values are trimmed before parsing
// as a datetime; string columns are never trimmed).
constexpr std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Kusto timespan literal: a non-negative decimal number ("30", "1.5") followed by a unit:
// d, h, m, min, s, ms, microsecond, tick. Exact integer arithmetic ("1.5d" = 1,296,000,000,000 ticks);
// a fraction below one tick is truncated. Sign, blanks, other units, overflow -> nullopt.
std::optional<Ticks> parse_timespan(std::string_view text);

// Format as "YYYY-MM-DDTHH:MM:SS.fffffffZ" (always 7 fractional digits, always Z); writes exactly
// kDatetimeTextSize chars to out (no terminator). Ticks outside [0, kMaxDatetimeTicks] are clamped.
inline constexpr std::size_t kDatetimeTextSize = 28;
void format_datetime(Ticks t, char* out);
std::string format_datetime(Ticks t);

// Civil calendar helpers (proleptic Gregorian, Howard Hinnant's algorithms).
// days_from_civil: days since 0001-01-01 (which is day 0); valid for years 1..9999.
constexpr bool is_leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr int days_in_month(int y, int m) noexcept {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && is_leap_year(y)) ? 29 : kDays[m - 1];
}
constexpr std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;       // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468 + 719162;    // 1970-01-01 is day 719162
}
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
constexpr CivilDate civil_from_days(std::int64_t days) noexcept {
  std::int64_t z = days - 719162 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}
// Day of the week of a day counted as days_from_civil counts: 0 = Sunday ... 6 = Saturday (0001-01-01
// was a Monday). Valid for any day number, also before day 0.
constexpr unsigned weekday_from_days(std::int64_t days) noexcept {
  return static_cast<unsigned>(((days + 1) % 7 + 7) % 7);
}
static_assert(days_from_civil(1, 1, 1) == 0);
static_assert(weekday_from_days(days_from_civil(1970, 1, 1)) == 4);  // a Thursday
static_assert(days_from_civil(1970, 1, 1) * kTicksPerDay == 621'355'968'000'000'000);
static_assert((days_from_civil(9999, 12, 31) + 1) * kTicksPerDay - 1 == kMaxDatetimeTicks);

}  // namespace rareconn::core
