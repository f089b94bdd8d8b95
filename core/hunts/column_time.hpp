// The time in an export's time column, as the column header declares it: ISO 8601 or the
// portal's US text, in UTC or in the exporter's local time ("TimeGenerated [Local Time]"), which
// needs --input-timezone. Shared by the hunts that read exports; the zone itself is the scanner's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/kusto_time.hpp"
#include "parsers/portal_time.hpp"

namespace rareconn::hunts {

// The zone an export wrote its local times in (--input-timezone; scanner/input_zone.hpp).
class LocalTimeZone {
 public:
  virtual ~LocalTimeZone() = default;
  // nullopt when the result is outside Kusto's datetime range.
  virtual std::optional<core::Ticks> to_utc(const parsers::CivilTime& t) const = 0;
};

enum class ColumnTime { kNull, kOk, kBad, kNeedsZone };

struct ColumnTimeResult {
  ColumnTime status = ColumnTime::kNull;
  core::Ticks ticks = 0;
};

// `zone` may be null (no --input-timezone): a local-time column is then kNeedsZone.
ColumnTimeResult decode_column_time(std::string_view text, std::string_view column_name, const LocalTimeZone* zone);

// The message for kNeedsZone.
std::string local_time_reason(std::string_view column_name);

// Does a CSV header name TimeGenerated only in the exporter's local time?
bool only_local_time_generated(const std::vector<std::string>& header);

// What to tell about such a header when no --input-timezone is given; `hint` ends the sentence.
std::string local_time_header_message(std::string_view hint);

}  // namespace rareconn::hunts
