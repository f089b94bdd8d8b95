// Zone conversion: fixed offsets by arithmetic, named zones through their tz database file read once
// (scanner/tzif_reader). Must not touch TZ, tzset or mktime: workers convert concurrently.
#include "scanner/input_zone.hpp"

#include <algorithm>
#include <filesystem>
#include <string_view>

namespace rareconn::scanner {

namespace {

constexpr std::int64_t kUnixEpochDay = core::days_from_civil(1970, 1, 1);
constexpr const char* kZoneDir = "/usr/share/zoneinfo/";

// Seconds since 0001-01-01T00:00:00 of the civil time, read as if it were UTC.
std::int64_t civil_seconds(const parsers::CivilTime& t) {
  const std::int64_t days = core::days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

std::optional<core::Ticks> in_range(core::Ticks t) {
  if (t < 0 || t > core::kMaxDatetimeTicks) return std::nullopt;
  return t;
}

// A tz database name: relative, no "." or ".." component, only the characters zone names use.
bool plausible_zone_name(const std::string& zone) {
  if (zone.empty() || zone.front() == '/' || zone.back() == '/') return false;
  for (char c : zone) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
                    c == '_' || c == '-' || c == '+' || c == '.';
    if (!ok) return false;
  }
  std::size_t start = 0;
  while (start <= zone.size()) {
    const std::size_t slash = std::min(zone.find('/', start), zone.size());
    const std::string_view part(zone.data() + start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
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
  const std::string path = kZoneDir + zone;
  std::error_code ec;
  if (!plausible_zone_name(zone) || !std::filesystem::is_regular_file(path, ec)) {
    error = "--input-timezone: unknown zone '" + zone + "' (use UTC, an offset like +05:30, or a tz database name)";
    return std::nullopt;
  }
  std::string why;
  auto rules = TimeZoneRules::from_file(path, why);
  if (!rules) {
    error = "--input-timezone: cannot use zone '" + zone + "' (" + path + "): " + why;
    return std::nullopt;
  }
  z.rules_ = std::make_shared<const TimeZoneRules>(std::move(*rules));
  return z;
}

std::optional<core::Ticks> InputZone::to_utc(const parsers::CivilTime& t) const {
  const std::int64_t local = civil_seconds(t);
  if (!rules_) return in_range(local * core::kTicksPerSecond - offset_ + t.fraction_ticks);
  const std::int64_t unix_local = local - kUnixEpochDay * 86400;
  const std::int64_t unix_utc = rules_->to_utc(unix_local).utc_seconds;
  return in_range((unix_utc + kUnixEpochDay * 86400) * core::kTicksPerSecond + t.fraction_ticks);
}

}  // namespace rareconn::scanner
