// TZif and POSIX TZ rule reading, and instant <-> wall clock arithmetic over them, on core's one
// civil calendar (days_from_civil). Must not use TZ, tzset, mktime or localtime; no allocation after load.
#include "scanner/tzif_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <span>

#include "core/kusto_time.hpp"

namespace rareconn::scanner {

namespace {

constexpr std::int64_t kUnixEpochDay = core::days_from_civil(1970, 1, 1);
constexpr std::int64_t kSecondsPerDay = 86400;
// RFC 8536: UT offsets lie in [-89999, 93599] s (about +-26 h); anything else is a corrupt file.
constexpr std::int32_t kMinOffset = -89999;
constexpr std::int32_t kMaxOffset = 93599;
// Every instant showing a given wall clock time lies within +-26 h of it; look 2 days either way.
constexpr std::int64_t kWindow = 2 * kSecondsPerDay;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int year_of(std::int64_t utc_seconds) {
  return core::civil_from_days(floor_div(utc_seconds, kSecondsPerDay) + kUnixEpochDay).year;
}

// Big-endian fields of a TZif file, read with bounds checks.
class Bytes {
 public:
  explicit Bytes(std::string_view s) : s_(s) {}
  bool has(std::size_t n) const { return n <= s_.size() - pos_; }
  std::size_t pos() const { return pos_; }
  void skip(std::size_t n) { pos_ += n; }
  std::string_view take(std::size_t n) {
    const std::string_view v = s_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(s_[pos_++]); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  std::int64_t i64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return static_cast<std::int64_t>(v);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

struct Header {
  char version = 0;  // 0 (version 1), '2', '3', '4'
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  std::size_t data_size(std::size_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * std::size_t{6} + charcnt + leapcnt * (time_size + 4) + isstdcnt +
           isutcnt;
  }
};

bool read_header(Bytes& b, Header& h, std::string& error) {
  if (!b.has(44) || b.take(4) != "TZif") {
    error = "not a TZif file";
    return false;
  }
  h.version = static_cast<char>(b.u8());
  b.skip(15);
  h.isutcnt = b.u32();
  h.isstdcnt = b.u32();
  h.leapcnt = b.u32();
  h.timecnt = b.u32();
  h.typecnt = b.u32();
  h.charcnt = b.u32();
  if (h.typecnt == 0 || h.typecnt > 256 || (h.isutcnt != 0 && h.isutcnt != h.typecnt) ||
      (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || h.timecnt > 1'000'000 || h.charcnt > 1'000'000 ||
      h.leapcnt > 1'000'000) {
    error = "corrupt TZif header";
    return false;
  }
  return true;
}

// POSIX TZ text, read left to right.
class TzText {
 public:
  explicit TzText(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

  // "EST" (3+ letters) or "<+0530>" (3+ of letters, digits, '+', '-').
  bool name() {
    std::size_t n = 0;
    if (eat('<')) {
      while (!done() && (is_alpha(peek()) || is_digit(peek()) || peek() == '+' || peek() == '-')) ++pos_, ++n;
      return eat('>') && n >= 3;
    }
    while (!done() && is_alpha(peek())) ++pos_, ++n;
    return n >= 3;
  }
  std::optional<int> number(int max_digits, int max_value) {
    int v = 0, n = 0;
    while (n < max_digits && is_digit(peek())) v = v * 10 + (s_[pos_++] - '0'), ++n;
    if (n == 0 || v > max_value) return std::nullopt;
    return v;
  }
  // [+-]h[h...][:mm[:ss]] in seconds.
  std::optional<std::int32_t> hms(int max_hours) {
    const int sign = eat('-') ? -1 : (eat('+'), 1);
    const auto h = number(3, max_hours);
    if (!h) return std::nullopt;
    int m = 0, s = 0;
    if (eat(':')) {
      const auto mm = number(2, 59);
      if (!mm) return std::nullopt;
      m = *mm;
      if (eat(':')) {
        const auto ss = number(2, 59);
        if (!ss) return std::nullopt;
        s = *ss;
      }
    }
    return sign * (*h * 3600 + m * 60 + s);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<TimeZoneRules::PosixRule> TimeZoneRules::parse_posix(std::string_view tz, std::string& error) {
  TzText t(tz);
  PosixRule r;
  const auto bad = [&](const char* what) {
    error = std::string("bad POSIX TZ rule '") + std::string(tz) + "': " + what;
    return std::nullopt;
  };
  if (!t.name()) return bad("expected a zone abbreviation");
  // POSIX offsets are hours west of Greenwich (UTC - local); types hold seconds east.
  const auto std_west = t.hms(24);
  if (!std_west) return bad("expected the standard offset");
  r.standard = {-*std_west, false};
  if (t.done()) return r;
  if (!t.name()) return bad("expected the daylight saving abbreviation");
  r.has_dst = true;
  r.daylight = {r.standard.utc_offset + 3600, true};
  if (t.peek() != ',') {
    const auto dst_west = t.hms(24);
    if (!dst_west) return bad("expected the daylight saving offset");
    r.daylight.utc_offset = -*dst_west;
  }
  if (!t.eat(',')) return bad("daylight saving time without a rule");
  for (RuleDate* d : {&r.start, &r.end}) {
    if (d == &r.end && !t.eat(',')) return bad("expected ',' and the end rule");
    if (t.eat('M')) {
      d->form = RuleDate::Form::kMonthWeekDay;
      const auto m = t.number(2, 12);
      const bool dot1 = m && t.eat('.');
      const auto w = dot1 ? t.number(1, 5) : std::nullopt;
      const bool dot2 = w && t.eat('.');
      const auto wd = dot2 ? t.number(1, 6) : std::nullopt;
      if (!wd || *m < 1 || *w < 1) return bad("expected Mm.w.d");
      d->month = *m;
      d->week = *w;
      d->weekday = *wd;
    } else if (t.eat('J')) {
      d->form = RuleDate::Form::kJulianNoLeap;
      const auto n = t.number(3, 365);
      if (!n || *n < 1) return bad("expected Jn with n in 1-365");
      d->day = *n;
    } else {
      d->form = RuleDate::Form::kDayOfYear;
      const auto n = t.number(3, 365);
      if (!n) return bad("expected a rule date");
      d->day = *n;
    }
    if (t.eat('/')) {
      const auto time = t.hms(167);
      if (!time) return bad("expected a time after '/'");
      d->time = *time;
    }
  }
  if (!t.done()) return bad("unexpected text after the rule");
  return r;
}

std::optional<TimeZoneRules> TimeZoneRules::from_posix_tz(std::string_view tz, std::string& error) {
  auto rule = parse_posix(tz, error);
  if (!rule) return std::nullopt;
  TimeZoneRules z;
  z.types_.push_back(rule->standard);
  z.footer_ = *rule;
  z.cache_footer_changes();
  return z;
}

std::optional<TimeZoneRules> TimeZoneRules::from_tzif(std::string_view bytes, std::string& error) {
  Bytes b(bytes);
  Header h;
  if (!read_header(b, h, error)) return std::nullopt;
  std::size_t time_size = 4;
  if (h.version != 0) {  // version 2+: skip the 32-bit block, use the 64-bit one and the footer
    if (!b.has(h.data_size(4))) {
      error = "truncated TZif file";
      return std::nullopt;
    }
    b.skip(h.data_size(4));
    if (!read_header(b, h, error)) return std::nullopt;
    time_size = 8;
  }
  if (h.leapcnt != 0) {
    error = "it counts leap seconds (a right/ zone); use the zone without them";
    return std::nullopt;
  }
  if (!b.has(h.data_size(time_size))) {
    error = "truncated TZif file";
    return std::nullopt;
  }
  TimeZoneRules z;
  z.transitions_.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    const std::int64_t t = time_size == 8 ? b.i64() : static_cast<std::int32_t>(b.u32());
    if (!z.transitions_.empty() && t <= z.transitions_.back()) {
      error = "corrupt TZif file (transitions out of order)";
      return std::nullopt;
    }
    z.transitions_.push_back(t);
  }
  z.transition_type_.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    const std::uint8_t type = b.u8();
    if (type >= h.typecnt) {
      error = "corrupt TZif file (transition to an unknown type)";
      return std::nullopt;
    }
    z.transition_type_.push_back(type);
  }
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    const auto offset = static_cast<std::int32_t>(b.u32());
    const std::uint8_t is_dst = b.u8();
    b.skip(1);  // abbreviation index
    if (offset < kMinOffset || offset > kMaxOffset || is_dst > 1) {
      error = "corrupt TZif file (bad local time type)";
      return std::nullopt;
    }
    z.types_.push_back({offset, is_dst == 1});
  }
  b.skip(h.charcnt + h.isstdcnt + h.isutcnt);  // abbreviations, standard/wall and UT/local indicators
  if (h.version != 0) {
    // Footer: "\n" POSIX-TZ-string "\n"; an empty string means no rule after the last transition.
    if (!b.has(1) || b.u8() != '\n') {
      error = "corrupt TZif footer";
      return std::nullopt;
    }
    const std::string_view rest = bytes.substr(b.pos());
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      error = "corrupt TZif footer";
      return std::nullopt;
    }
    if (nl != 0) {
      z.footer_ = parse_posix(rest.substr(0, nl), error);
      if (!z.footer_) return std::nullopt;
      z.cache_footer_changes();
    }
  }
  return z;
}

std::optional<TimeZoneRules> TimeZoneRules::from_file(const std::string& path, std::string& error) {
  // stdio, not ifstream: libstdc++'s filebuf throws on a read error (e.g. a directory).
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = "cannot open it";
    return std::nullopt;
  }
  constexpr std::size_t kMaxSize = 1 << 20;  // real zone files are a few KiB
  std::string bytes(kMaxSize + 1, '\0');
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    error = "cannot read it";
    return std::nullopt;
  }
  if (bytes.size() > kMaxSize) {
    error = "too large for a TZif file";
    return std::nullopt;
  }
  return from_tzif(bytes, error);
}

std::int64_t TimeZoneRules::rule_day(const RuleDate& d, int year) {
  const std::int64_t jan1 = core::days_from_civil(year, 1, 1);
  switch (d.form) {
    case RuleDate::Form::kJulianNoLeap:  // February 29 is never counted: J60 is always March 1
      return jan1 + d.day - 1 + (core::is_leap_year(year) && d.day >= 60 ? 1 : 0);
    case RuleDate::Form::kDayOfYear:
      return jan1 + d.day;
    case RuleDate::Form::kMonthWeekDay:
      break;
  }
  const std::int64_t first = core::days_from_civil(year, static_cast<unsigned>(d.month), 1);
  const unsigned first_weekday = core::weekday_from_days(first);
  std::int64_t day = first + (d.weekday + 7 - static_cast<int>(first_weekday)) % 7 + (d.week - 1) * 7;
  if (day >= first + core::days_in_month(year, d.month)) day -= 7;  // week 5: the last such weekday
  return day;
}

void TimeZoneRules::footer_changes(int first, std::span<Change> out) const {
  const PosixRule& r = *footer_;
  for (std::size_t i = 0; i < out.size() / 2; ++i) {
    const int year = first + static_cast<int>(i);
    // A rule's time of day is local time as the clocks show it just before the change.
    out[2 * i] = {(rule_day(r.start, year) - kUnixEpochDay) * kSecondsPerDay + r.start.time - r.standard.utc_offset,
                  true};
    out[2 * i + 1] = {(rule_day(r.end, year) - kUnixEpochDay) * kSecondsPerDay + r.end.time - r.daylight.utc_offset,
                      false};
  }
  // At equal instants the end sorts first: "DST all year" rules (e.g. "0/0,J365/25") end one year's
  // daylight time exactly when the next year's starts, and stay on daylight time.
  std::sort(out.begin(), out.end(),
            [](const Change& a, const Change& b) { return a.at != b.at ? a.at < b.at : !a.to_dst && b.to_dst; });
}

void TimeZoneRules::cache_footer_changes() {
  if (!footer_ || !footer_->has_dst) return;
  footer_cache_.resize(2 * (kCacheLastYear - kCacheFirstYear + 1));
  footer_changes(kCacheFirstYear, footer_cache_);
  // A change may lie up to 167 h outside its year: keep two years of margin at both ends.
  cache_from_ = (core::days_from_civil(kCacheFirstYear + 2, 1, 1) - kUnixEpochDay) * kSecondsPerDay;
  cache_to_ = (core::days_from_civil(kCacheLastYear - 2, 1, 1) - kUnixEpochDay) * kSecondsPerDay;
}

std::span<const TimeZoneRules::Change> TimeZoneRules::footer_changes_around(std::int64_t utc_seconds,
                                                                           std::span<Change, 8> window) const {
  if (utc_seconds >= cache_from_ && utc_seconds < cache_to_) return footer_cache_;
  // Years y-2..y+1 hold the last change at or before any instant of year y, and the first after it.
  footer_changes(year_of(utc_seconds) - 2, window);
  return window;
}

namespace {
template <class Changes>
auto first_after(const Changes& changes, std::int64_t utc_seconds) {
  return std::upper_bound(changes.begin(), changes.end(), utc_seconds,
                          [](std::int64_t t, const auto& c) { return t < c.at; });
}
}  // namespace

LocalTimeType TimeZoneRules::footer_type_at(std::int64_t utc_seconds) const {
  const PosixRule& r = *footer_;
  if (!r.has_dst) return r.standard;
  Change window[8];
  const auto changes = footer_changes_around(utc_seconds, window);
  const auto it = first_after(changes, utc_seconds);
  return it != changes.begin() && std::prev(it)->to_dst ? r.daylight : r.standard;
}

LocalTimeType TimeZoneRules::type_at(std::int64_t utc_seconds) const {
  if (transitions_.empty() || utc_seconds >= transitions_.back()) {
    if (footer_) return footer_type_at(utc_seconds);
    return transitions_.empty() ? types_[0] : types_[transition_type_.back()];
  }
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  if (it == transitions_.begin()) return types_[0];
  return types_[transition_type_[static_cast<std::size_t>(it - transitions_.begin() - 1)]];
}

std::optional<std::int64_t> TimeZoneRules::next_transition(std::int64_t utc_seconds) const {
  if (!transitions_.empty() && utc_seconds < transitions_.back()) {
    return *std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  }
  if (!footer_ || !footer_->has_dst) return std::nullopt;
  Change window[8];
  const auto changes = footer_changes_around(utc_seconds, window);
  const auto it = first_after(changes, utc_seconds);
  if (it == changes.end()) return std::nullopt;
  return it->at;
}

// Gaps and overlaps. Kusto's datetime_local_to_utc() documents its answer for a gap: in
// Europe/Brussels, where 2022-03-27 02:00-03:00 was skipped, local 02:00 converts to 00:00Z, i.e. the
// UTC offset in effect after the change (+02:00) applied to the wall clock time (landing an hour
// before the change). For an overlap Kusto documents nothing; .NET's TimeZoneInfo.ConvertTimeToUtc
// (Kusto is a .NET service) takes an ambiguous time as standard time, and at the end of DST the
// standard offset is again the one in effect after the change (the later of the two instants). So
// one rule serves both: a time a change skipped or repeated takes the offset in effect after that
// change. It also decides the cases "standard time" cannot: a change of the standard offset itself
// (Europe/Moscow 2014) and Europe/Dublin, whose tz data marks winter GMT as the daylight type.
LocalToUtc TimeZoneRules::to_utc(std::int64_t local_seconds) const {
  // Walk the periods of constant offset within the window; a period [begin, end) with offset o holds
  // an instant showing local_seconds iff begin <= local_seconds - o < end.
  std::int64_t begin = local_seconds - kWindow;
  LocalTimeType current = type_at(begin);
  int found = 0;
  std::int64_t chosen = 0;
  std::optional<std::int64_t> gap;
  for (;;) {
    std::optional<std::int64_t> end = next_transition(begin);
    while (end && *end <= local_seconds + kWindow && type_at(*end).utc_offset == current.utc_offset) {
      end = next_transition(*end);
    }
    const std::int64_t u = local_seconds - current.utc_offset;
    if (begin <= u && (!end || u < *end)) {
      ++found;
      chosen = u;  // the later candidate wins: the offset after the change
    }
    if (!end || *end > local_seconds + kWindow) break;
    const LocalTimeType next = type_at(*end);
    // The clocks jumped over local_seconds at *end: before it they showed less, from it on more.
    if (!gap && u >= *end && local_seconds - next.utc_offset < *end) gap = local_seconds - next.utc_offset;
    current = next;
    begin = *end;
  }
  if (found > 0) return {chosen, found == 1 ? LocalTimeKind::kUnique : LocalTimeKind::kAmbiguous};
  return {gap.value_or(local_seconds - type_at(local_seconds).utc_offset), LocalTimeKind::kSkipped};
}

}  // namespace rareconn::scanner
