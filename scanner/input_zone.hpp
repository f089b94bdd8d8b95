// --input-timezone: the zone in which an export wrote local times ("UTC", "+05:30", "-0800", or an
// IANA name such as "Asia/Kolkata" from the system's tz database), and the conversion of a civil
// time in that zone to Kusto UTC ticks. Must not use the process's TZ or the C library's time functions.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/kusto_time.hpp"
#include "core/hunts/column_time.hpp"
#include "parsers/portal_time.hpp"
#include "scanner/tzif_reader.hpp"

namespace rareconn::scanner {

// A value: copies share the zone's rules, which are read once by parse(); to_utc is thread-safe and
// allocation-free, and zones parsed one after another are independent.
class InputZone final : public hunts::LocalTimeZone {
 public:
  // On failure returns nullopt with `error` set. An IANA name is read from /usr/share/zoneinfo.
  static std::optional<InputZone> parse(const std::string& zone, std::string& error);
  static InputZone utc() { return InputZone(); }
  // nullopt when the result is outside Kusto's datetime range. A local time skipped or repeated by a
  // clock change takes the UTC offset in effect after that change (TimeZoneRules::to_utc).
  std::optional<core::Ticks> to_utc(const parsers::CivilTime& t) const override;
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  core::Ticks offset_ = 0;                            // local - UTC, for fixed offsets
  std::shared_ptr<const TimeZoneRules> rules_;        // named zones; null for fixed offsets
};

}  // namespace rareconn::scanner
