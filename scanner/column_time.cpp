// Column time decoding: ISO first, then the portal text; the header's zone decides UTC or local.
#include "scanner/column_time.hpp"

#include "parsers/portal_time.hpp"

namespace rareconn::scanner {

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
                                    const std::optional<InputZone>& zone) {
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
  const auto t = InputZone::utc().to_utc(*civil);
  return t ? ColumnTimeResult{ColumnTime::kOk, *t} : ColumnTimeResult{ColumnTime::kBad, 0};
}

}  // namespace rareconn::scanner
