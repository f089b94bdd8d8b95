// The time in an export's time column, as the column header declares it: ISO 8601 or the
// portal's US text, in UTC or in the exporter's local time ("TimeGenerated [Local Time]"), which
// needs --input-timezone. Shared by both hunts' export readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/kusto_time.hpp"
#include "scanner/input_zone.hpp"

namespace rareconn::scanner {

enum class ColumnTime { kNull, kOk, kBad, kNeedsZone };

struct ColumnTimeResult {
  ColumnTime status = ColumnTime::kNull;
  core::Ticks ticks = 0;
};

ColumnTimeResult decode_column_time(std::string_view text, std::string_view column_name,
                                    const std::optional<InputZone>& zone);

// The message for kNeedsZone.
std::string local_time_reason(std::string_view column_name);

}  // namespace rareconn::scanner
