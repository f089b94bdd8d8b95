// Column time decoding: ISO first, then the portal text; the header's zone decides UTC or local.
#include "core/hunts/column_time.hpp"

#include <algorithm>

namespace rareconn::hunts {

namespace {

parsers::CivilTime civil_of(core::Ticks t) {
  const std::int64_t days = t / core::kTicksPerDay;
  core::Ticks rest = t % core::kTicksPerDay;
  const core::CivilDate d = core::civil_from_days(days);
  parsers::CivilTime c;
  c.year = static_cast<int>(d.year);
  c.month = static_cast<int>(d.month);
  c.day = static_cast<int>(d.day);
  c.hour = static_cast<int>(rest / core::kTicksPerHour);
  rest %= core::kTicksPerHour;
  c.minute = static_cast<int>(rest / core::kTicksPerMinute);
  rest %= core::kTicksPerMinute;
  c.second = static_cast<int>(rest / core::kTicksPerSecond);
  c.fraction_ticks = rest % core::kTicksPerSecond;
  return c;
}

// A civil time read as UTC, in ticks (nullopt outside Kusto's range).
std::optional<core::Ticks> utc_ticks(const parsers::CivilTime& t) {
  const std::int64_t days = core::days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  const core::Ticks ticks = (days * 86400 + t.hour * 3600 + t.minute * 60 + t.second) * core::kTicksPerSecond + t.fraction_ticks;
  if (ticks < 0 || ticks > core::kMaxDatetimeTicks) return std::nullopt;
  return ticks;
}

bool has_explicit_zone(std::string_view iso) {
  if (!iso.empty() && iso.back() == 'Z') return true;
  const std::size_t t = iso.find_first_of("T ");
  return t != std::string_view::npos && iso.find_first_of("+-", t) != std::string_view::npos;
}

}  // namespace

// Out of line: GCC 12 reports a false -Wrestrict when this concatenation is inlined.
[[gnu::noinline]] std::string local_time_reason(std::string_view column) {
  std::string r = "'";
  r += column;
  r += "' is local time: give its zone with --input-timezone";
  return r;
}

ColumnTimeResult decode_column_time(std::string_view raw, std::string_view column_name,
                                    const LocalTimeZone* zone) {
  const std::string_view text = core::trim_blanks(raw);
  if (text.empty()) return {ColumnTime::kNull, 0};
  const parsers::HeaderZone header = parsers::header_zone(column_name);
  std::optional<parsers::CivilTime> civil;
  if (const auto iso = core::parse_datetime(text)) {
    if (header != parsers::HeaderZone::kLocal || has_explicit_zone(text)) return {ColumnTime::kOk, *iso};
    civil = civil_of(*iso);
  } else {
    civil = parsers::parse_portal_time(text);
  }
  if (!civil) return {ColumnTime::kBad, 0};
  if (header == parsers::HeaderZone::kLocal) {
    if (!zone) return {ColumnTime::kNeedsZone, 0};
    const auto t = zone->to_utc(*civil);
    return t ? ColumnTimeResult{ColumnTime::kOk, *t} : ColumnTimeResult{ColumnTime::kBad, 0};
  }
  const auto t = utc_ticks(*civil);
  return t ? ColumnTimeResult{ColumnTime::kOk, *t} : ColumnTimeResult{ColumnTime::kBad, 0};
}

std::string local_time_header_message(std::string_view hint) {
  std::string m = "writes TimeGenerated in the exporter's local time; give its zone with --input-timezone (e.g. +05:30 or "
                  "Asia/Kolkata)";
  m += hint;
  return m;
}

bool only_local_time_generated(const std::vector<std::string>& header) {
  auto has = [&](std::string_view name) { return std::find(header.begin(), header.end(), name) != header.end(); };
  return has("TimeGenerated [Local Time]") && !has("TimeGenerated [UTC]") && !has("TimeGenerated");
}

}  // namespace rareconn::hunts
