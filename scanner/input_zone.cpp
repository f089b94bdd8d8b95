// Zone conversion: fixed offsets by arithmetic, named zones through the C library (mktime with
// TZ set once at start-up). Must not be called for a named zone before parse() set TZ.
#include "scanner/input_zone.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace rareconn::scanner {

namespace {
constexpr core::Ticks kUnixEpochTicks = 621355968000000000;  // 1970-01-01 in 100 ns since 0001-01-01

core::Ticks civil_ticks(const parsers::CivilTime& t) {
  const std::int64_t days = core::days_from_civil(  // days since 0001-01-01
      t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  return (days * 86400 + t.hour * 3600 + t.minute * 60 + t.second) * core::kTicksPerSecond + t.fraction_ticks;
}
}  // namespace

std::optional<InputZone> InputZone::parse(const std::string& zone, std::string& error) {
  InputZone z;
  z.name_ = zone;
  if (zone == "UTC" || zone == "Z" || zone == "GMT") return z;
  if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
    std::string digits;
    for (char c : zone.substr(1)) {
      if (c != ':') digits.push_back(c);
    }
    bool ok = (digits.size() == 2 || digits.size() == 4);
    for (char c : digits) ok = ok && c >= '0' && c <= '9';
    if (ok) {
      const int h = std::stoi(digits.substr(0, 2));
      const int m = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
      if (h <= 14 && m <= 59) {
        z.offset_ = (zone[0] == '-' ? -1 : 1) * (h * 60 + m) * 60 * core::kTicksPerSecond;
        return z;
      }
    }
    error = "--input-timezone: '" + zone + "' is not an offset like +05:30";
    return std::nullopt;
  }
  std::error_code ec;
  if (zone.find("..") != std::string::npos || !std::filesystem::exists("/usr/share/zoneinfo/" + zone, ec)) {
    error = "--input-timezone: unknown zone '" + zone + "' (use UTC, an offset like +05:30, or a tz database name)";
    return std::nullopt;
  }
  setenv("TZ", zone.c_str(), 1);
  tzset();
  z.fixed_ = false;
  return z;
}

std::optional<core::Ticks> InputZone::to_utc(const parsers::CivilTime& t) const {
  if (fixed_) return civil_ticks(t) - offset_;
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.minute;
  tm.tm_sec = t.second;
  tm.tm_isdst = -1;
  const std::time_t secs = std::mktime(&tm);
  if (secs == static_cast<std::time_t>(-1)) return std::nullopt;
  return kUnixEpochTicks + static_cast<core::Ticks>(secs) * core::kTicksPerSecond + t.fraction_ticks;
}

}  // namespace rareconn::scanner
