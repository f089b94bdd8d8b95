// The time text of Log Analytics portal CSV exports: "11/17/2023, 11:32:04.819 AM" (US month/day,
// 12-hour clock, milliseconds, no zone), and the zone named in the column header
// ("TimeGenerated [UTC]", "TimeGenerated [Local Time]"). Parsing only: no zone arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rareconn::parsers {

// Civil date-time as written, without a zone; fraction in 100 ns ticks.
struct CivilTime {
  int year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int64_t fraction_ticks = 0;
};

std::optional<CivilTime> parse_portal_time(std::string_view text);

enum class HeaderZone { kNone, kUtc, kLocal };
// "TimeGenerated [UTC]" -> kUtc, "TimeGenerated [Local Time]" -> kLocal, "TimeGenerated" -> kNone.
HeaderZone header_zone(std::string_view column_name);

}  // namespace rareconn::parsers
