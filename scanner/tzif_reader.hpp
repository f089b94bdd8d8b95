// Time zone rules read once from a tz database file (TZif, RFC 8536, versions 1-3 and later) or a
// POSIX TZ string: the local time type at an instant and local (wall clock) time -> UTC. Must not
// touch the process's TZ or the C library's time functions; immutable and allocation-free once loaded,
// so any number of threads may share one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rareconn::scanner {

// What the clocks show at an instant: seconds east of UTC, and whether it is daylight saving time.
struct LocalTimeType {
  std::int32_t utc_offset = 0;
  bool is_dst = false;
  bool operator==(const LocalTimeType&) const = default;
};

enum class LocalTimeKind {
  kUnique,     // exactly one instant shows this wall clock time
  kAmbiguous,  // the clocks went back over it: two instants show it (an overlap)
  kSkipped,    // the clocks went forward over it: no instant shows it (a gap)
};

// A wall clock time resolved to UTC; seconds are Unix seconds (since 1970-01-01T00:00:00Z).
struct LocalToUtc {
  std::int64_t utc_seconds = 0;
  LocalTimeKind kind = LocalTimeKind::kUnique;
};

class TimeZoneRules {
 public:
  // A TZif file (e.g. "/usr/share/zoneinfo/Asia/Kolkata"). On failure returns nullopt with `error` set
  // to a reason without the path (the caller names the zone).
  static std::optional<TimeZoneRules> from_file(const std::string& path, std::string& error);
  static std::optional<TimeZoneRules> from_tzif(std::string_view bytes, std::string& error);
  // A POSIX TZ string as in a TZif footer: "EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30", "IST-5:30",
  // "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"; dates Mm.w.d, Jn (1-365, no February 29) and n (0-365);
  // transition times "/[+-]h[hh][:mm[:ss]]" up to +-167 h (RFC 8536 extension). A DST name needs a rule.
  static std::optional<TimeZoneRules> from_posix_tz(std::string_view tz, std::string& error);

  // Both conversions expect instants of years 1-9999 (Kusto's range), give or take a few days.
  LocalTimeType type_at(std::int64_t utc_seconds) const;

  // Wall clock seconds (a civil time counted as if it were UTC) -> UTC. A time in a gap or an overlap
  // takes the UTC offset in effect after the transition that made it (see tzif_reader.cpp for why).
  LocalToUtc to_utc(std::int64_t local_seconds) const;

 private:
  // A day of the year in a POSIX TZ rule, and the local time of day the change happens at.
  struct RuleDate {
    enum class Form : std::uint8_t { kJulianNoLeap, kDayOfYear, kMonthWeekDay };
    Form form = Form::kMonthWeekDay;
    int day = 0;                 // Jn: 1-365; n: 0-365
    int month = 0, week = 0, weekday = 0;  // Mm.w.d: week 5 = the last; weekday 0 = Sunday
    std::int32_t time = 7200;    // seconds after local midnight, default 02:00
  };
  struct PosixRule {
    LocalTimeType standard;
    LocalTimeType daylight;
    bool has_dst = false;
    RuleDate start, end;  // start: standard -> daylight; end: daylight -> standard
  };
  struct Change {
    std::int64_t at;  // UTC seconds
    bool to_dst;
  };

  static std::optional<PosixRule> parse_posix(std::string_view tz, std::string& error);
  static std::int64_t rule_day(const RuleDate& d, int year);
  // The changes of out.size() / 2 years from `first` under the footer rule, in time order.
  void footer_changes(int first, std::span<Change> out) const;
  // The footer's changes of kCacheFirstYear..kCacheLastYear, computed once: data of these years is a
  // binary search even in "slim" TZif files, whose table ends at the first year the footer describes.
  void cache_footer_changes();
  // Changes in time order that include the last one at or before utc_seconds and the first after it:
  // the cache, or `window` filled for the years around it.
  std::span<const Change> footer_changes_around(std::int64_t utc_seconds, std::span<Change, 8> window) const;
  LocalTimeType footer_type_at(std::int64_t utc_seconds) const;
  std::optional<std::int64_t> next_transition(std::int64_t utc_seconds) const;  // first one after

  static constexpr int kCacheFirstYear = 1900;
  static constexpr int kCacheLastYear = 2200;

  std::vector<std::int64_t> transitions_;      // UTC seconds, ascending
  std::vector<std::uint8_t> transition_type_;  // index into types_ of the type from each transition on
  std::vector<LocalTimeType> types_;           // types_[0] is in effect before the first transition
  std::optional<PosixRule> footer_;            // in effect from the last transition on
  std::vector<Change> footer_cache_;           // see cache_footer_changes
  std::int64_t cache_from_ = 0, cache_to_ = 0;  // the instants footer_cache_ answers for
};

}  // namespace rareconn::scanner
