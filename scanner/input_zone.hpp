// --input-timezone: the zone in which an export wrote local times ("UTC", "+05:30", "-0800", or an
// IANA name such as "Asia/Kolkata" from the system's tz database), and the conversion of a civil
// time in that zone to Kusto UTC ticks.
#pragma once

#include <optional>
#include <string>

#include "core/kusto_time.hpp"
#include "parsers/portal_time.hpp"

namespace rareconn::scanner {

class InputZone {
 public:
  // On failure returns nullopt with `error` set. An IANA name sets the process's TZ (call before
  // threads start).
  static std::optional<InputZone> parse(const std::string& zone, std::string& error);
  static InputZone utc() { return InputZone(); }
  std::optional<core::Ticks> to_utc(const parsers::CivilTime& t) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  bool fixed_ = true;
  core::Ticks offset_ = 0;  // local - UTC, for fixed offsets
};

}  // namespace rareconn::scanner
