// Tests for scanner/tzif_reader: TZif files and POSIX TZ rules checked against the C library (TZ,
// localtime_r, mktime, used single-threaded here as an oracle only), gaps and overlaps, bad input.
#include "scanner/tzif_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/kusto_time.hpp"

using namespace rareconn;
using scanner::LocalTimeKind;
using scanner::LocalTimeType;
using scanner::TimeZoneRules;

namespace {

const std::string kZoneDir = "/usr/share/zoneinfo/";

std::int64_t unix_seconds(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return (core::days_from_civil(y, mo, d) - core::days_from_civil(1970, 1, 1)) * 86400 + h * 3600 + mi * 60 + s;
}

TimeZoneRules zone(const std::string& name) {
  std::string err;
  auto z = TimeZoneRules::from_file(kZoneDir + name, err);
  EXPECT_TRUE(z) << name << ": " << err << " (scripts/setup.sh installs tzdata)";
  return z ? *z : *TimeZoneRules::from_posix_tz("UTC0", err);
}

TimeZoneRules posix(const std::string& tz) {
  std::string err;
  auto z = TimeZoneRules::from_posix_tz(tz, err);
  EXPECT_TRUE(z) << tz << ": " << err;
  return z ? *z : *TimeZoneRules::from_posix_tz("UTC0", err);
}

// The C library's idea of a zone, for the lifetime of this object (TZ restored afterwards).
class CLibraryZone {
 public:
  explicit CLibraryZone(const std::string& tz) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    setenv("TZ", tz.c_str(), 1);
    tzset();
  }
  ~CLibraryZone() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  LocalTimeType at(std::int64_t u) const {
    const std::time_t t = static_cast<std::time_t>(u);
    std::tm tm{};
    localtime_r(&t, &tm);
    return {static_cast<std::int32_t>(tm.tm_gmtoff), tm.tm_isdst > 0};
  }
  // mktime with tm_isdst = -1 on wall clock seconds.
  std::int64_t mktime_of(std::int64_t local) const {
    const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const std::int64_t rest = local - days * 86400;
    const core::CivilDate d = core::civil_from_days(days + core::days_from_civil(1970, 1, 1));
    std::tm tm{};
    tm.tm_year = d.year - 1900;
    tm.tm_mon = static_cast<int>(d.month) - 1;
    tm.tm_mday = static_cast<int>(d.day);
    tm.tm_hour = static_cast<int>(rest / 3600);
    tm.tm_min = static_cast<int>(rest / 60 % 60);
    tm.tm_sec = static_cast<int>(rest % 60);
    tm.tm_isdst = -1;
    return std::mktime(&tm);
  }

 private:
  std::optional<std::string> saved_;
};

// What the C library says a wall clock time should become under our rule: every instant showing it
// (found with localtime_r), the later one when there are two; in a gap, the offset from the instant
// the clocks jumped over it on.
scanner::LocalToUtc expected_to_utc(const CLibraryZone& c, std::int64_t local) {
  std::set<std::int32_t> offsets;
  for (int k = -30; k <= 30; ++k) offsets.insert(c.at(local + k * 3600).utc_offset);
  std::vector<std::int64_t> instants;
  for (std::int32_t o : offsets) {
    if (c.at(local - o).utc_offset == o) instants.push_back(local - o);
  }
  if (!instants.empty()) {
    return {*std::max_element(instants.begin(), instants.end()),
            instants.size() == 1 ? LocalTimeKind::kUnique : LocalTimeKind::kAmbiguous};
  }
  // f(u) = u + offset(u) - local is below 0 at lo and above at hi, never 0: find where it jumps.
  std::int64_t lo = local - 30 * 3600, hi = local + 30 * 3600;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (mid + c.at(mid).utc_offset < local ? lo : hi) = mid;
  }
  return {local - c.at(hi).utc_offset, LocalTimeKind::kSkipped};
}

struct Transition {
  std::int64_t at;
  LocalTimeType before, after;
};

// Compares type_at with localtime_r every `step` seconds over [from, to] and at every second on both
// sides of each change found; returns the changes.
std::vector<Transition> expect_types_match(const TimeZoneRules& z, const CLibraryZone& c, const std::string& what,
                                           std::int64_t from, std::int64_t to, std::int64_t step) {
  std::vector<Transition> changes;
  int mismatches = 0;
  const auto check = [&](std::int64_t u) {
    const LocalTimeType want = c.at(u), got = z.type_at(u);
    if (want != got && ++mismatches <= 5) {
      ADD_FAILURE() << what << " at " << u << ": offset " << got.utc_offset << " dst " << got.is_dst
                    << ", C library " << want.utc_offset << " dst " << want.is_dst;
    }
    return want;
  };
  LocalTimeType prev = check(from);
  for (std::int64_t u = from + step; u <= to; u += step) {
    const LocalTimeType now = check(u);
    if (now != prev) {
      std::int64_t lo = u - step, hi = u;  // c.at(lo) == prev, c.at(hi) != prev
      while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (c.at(mid) == prev ? lo : hi) = mid;
      }
      check(hi - 1);
      changes.push_back({hi, check(hi - 1), check(hi)});
    }
    prev = now;
  }
  return changes;
}

// Wall clock times around each change, including both edges of every gap and overlap, and a spread of
// ordinary times: to_utc must agree with the C library (and with mktime where the time is unique).
void expect_to_utc_matches(const TimeZoneRules& z, const CLibraryZone& c, const std::string& what,
                           const std::vector<Transition>& changes, std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> locals;
  for (const Transition& t : changes) {
    for (std::int32_t o : {t.before.utc_offset, t.after.utc_offset}) {
      for (std::int64_t d : {-7200, -1800, -1, 0, 1, 900, 1799, 1800, 3599, 3600, 7200}) locals.push_back(t.at + o + d);
    }
  }
  for (std::int64_t l = from; l <= to; l += 86400 * 7 + 3 * 3600 + 17 * 60 + 13) locals.push_back(l);
  int mismatches = 0, skipped = 0, ambiguous = 0;
  for (std::int64_t l : locals) {
    const scanner::LocalToUtc want = expected_to_utc(c, l), got = z.to_utc(l);
    skipped += want.kind == LocalTimeKind::kSkipped;
    ambiguous += want.kind == LocalTimeKind::kAmbiguous;
    if ((want.utc_seconds != got.utc_seconds || want.kind != got.kind) && ++mismatches <= 5) {
      ADD_FAILURE() << what << " local " << l << ": got " << got.utc_seconds << " kind " << int(got.kind)
                    << ", expected " << want.utc_seconds << " kind " << int(want.kind);
    }
    if (want.kind == LocalTimeKind::kUnique && c.mktime_of(l) != got.utc_seconds && ++mismatches <= 5) {
      ADD_FAILURE() << what << " local " << l << ": got " << got.utc_seconds << ", mktime " << c.mktime_of(l);
    }
  }
  // Every zone below with DST has gaps and overlaps in the range: the edges above must have hit them.
  if (!changes.empty()) {
    EXPECT_GT(skipped + ambiguous, 0) << what;
  }
}

}  // namespace

TEST(TzifReader, ZonesMatchTheCLibrary1970To2040) {
  const std::int64_t from = unix_seconds(1970, 1, 1), to = unix_seconds(2040, 12, 31);
  for (const char* name : {"America/New_York", "Europe/Berlin", "Europe/Brussels", "Asia/Kolkata",
                           "Australia/Lord_Howe", "Europe/Dublin", "Europe/Moscow", "Pacific/Apia",
                           "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca", "America/St_Johns",
                           "Asia/Tehran", "America/Nuuk", "Antarctica/Troll", "Etc/GMT+5", "UTC"}) {
    SCOPED_TRACE(name);
    const TimeZoneRules z = zone(name);
    const CLibraryZone c(":" + kZoneDir + name);
    const auto changes = expect_types_match(z, c, name, from, to, 3607);
    expect_to_utc_matches(z, c, name, changes, from, to);
  }
}

TEST(TzifReader, PosixRulesMatchTheCLibrary) {
  // M-rules north and south, half-hour DST, v3 times outside 0-24 h, J and zero-based day forms,
  // negative DST, and a zone without DST.
  for (const char* tz : {"EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3",
                         "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
                         "<+00>0<+02>-2,M3.5.0/1,M10.5.0/3", "AAA3BBB,J60/2,J300/2", "AAA3BBB,59/2,299",
                         "AAA-3BBB-4:30,J2/0,J364/23:59:59", "IST-1GMT0,M10.5.0,M3.5.0/1", "<+0530>-5:30",
                         "NZST-12NZDT,M9.5.0,M4.1.0/3", "<-04>4<-03>,M9.1.6/24,M4.1.6/24"}) {
    SCOPED_TRACE(tz);
    const TimeZoneRules z = posix(tz);
    const CLibraryZone c(tz);
    const std::int64_t from = unix_seconds(1995, 1, 1), to = unix_seconds(2041, 1, 1);
    const auto changes = expect_types_match(z, c, tz, from, to, 4999);
    expect_to_utc_matches(z, c, tz, changes, from, to);
  }
}

TEST(TzifReader, FooterRulesBeyondTheirCachedYearsMatchTheCLibrary) {
  // Footer changes of 1900-2200 are computed once; before and after, per call.
  const std::string ny = "America/New_York", lord_howe = "Australia/Lord_Howe";
  const std::vector<std::pair<std::string, TimeZoneRules>> zones = {
      {"EST5EDT,M3.2.0,M11.1.0", posix("EST5EDT,M3.2.0,M11.1.0")},
      {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", posix("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")},
      {":" + kZoneDir + ny, zone(ny)},
      {":" + kZoneDir + lord_howe, zone(lord_howe)}};
  for (const auto& [tz, z] : zones) {
    SCOPED_TRACE(tz);
    const CLibraryZone c(tz);
    const std::int64_t from = unix_seconds(2190, 1, 1), to = unix_seconds(2210, 1, 1);
    const auto changes = expect_types_match(z, c, tz, from, to, 9973);
    EXPECT_EQ(changes.size(), 40u);
    expect_to_utc_matches(z, c, tz, changes, from, to);
  }
  // Before 1900 only a POSIX rule alone reaches the footer (files have their table there). glibc
  // applies no DST to years before 1970 for a TZ string, so the expected instants are worked out:
  // 1895-03-10 and 1895-11-03 are the second Sunday of March and the first of November.
  const TimeZoneRules us = posix("EST5EDT,M3.2.0,M11.1.0");
  EXPECT_FALSE(us.type_at(unix_seconds(1895, 3, 10, 6, 59, 59)).is_dst);
  EXPECT_TRUE(us.type_at(unix_seconds(1895, 3, 10, 7)).is_dst);
  EXPECT_TRUE(us.type_at(unix_seconds(1895, 11, 3, 5, 59, 59)).is_dst);
  EXPECT_FALSE(us.type_at(unix_seconds(1895, 11, 3, 6)).is_dst);
  EXPECT_EQ(us.to_utc(unix_seconds(1895, 3, 10, 2, 30)).utc_seconds, unix_seconds(1895, 3, 10, 6, 30));
  EXPECT_EQ(us.to_utc(unix_seconds(1895, 11, 3, 1, 30)).kind, LocalTimeKind::kAmbiguous);
  EXPECT_EQ(us.to_utc(unix_seconds(1895, 11, 3, 1, 30)).utc_seconds, unix_seconds(1895, 11, 3, 6, 30));
}

TEST(TzifReader, PosixRuleDates) {
  // J60 is March 1 in every year; 59 (zero-based) is February 29 in a leap year, March 1 otherwise.
  const TimeZoneRules j = posix("AAA0BBB,J60/0,J300/0");
  EXPECT_FALSE(j.type_at(unix_seconds(2024, 2, 29, 23, 59, 59)).is_dst);
  EXPECT_TRUE(j.type_at(unix_seconds(2024, 3, 1)).is_dst);
  EXPECT_TRUE(j.type_at(unix_seconds(2023, 3, 1)).is_dst);
  const TimeZoneRules n = posix("AAA0BBB,59/0,299/0");
  EXPECT_TRUE(n.type_at(unix_seconds(2024, 2, 29)).is_dst);
  EXPECT_FALSE(n.type_at(unix_seconds(2023, 2, 28, 23, 59, 59)).is_dst);
  EXPECT_TRUE(n.type_at(unix_seconds(2023, 3, 1)).is_dst);
  // M3.5.0: the last Sunday of March, in a month with four (2021: the 28th) or five (2024: the 31st).
  const TimeZoneRules eu = posix("CET-1CEST,M3.5.0,M10.5.0/3");
  EXPECT_EQ(eu.type_at(unix_seconds(2021, 3, 28, 1)).utc_offset, 7200);
  EXPECT_EQ(eu.type_at(unix_seconds(2021, 3, 28, 0, 59, 59)).utc_offset, 3600);
  EXPECT_EQ(eu.type_at(unix_seconds(2024, 3, 31, 1)).utc_offset, 7200);
  EXPECT_EQ(eu.type_at(unix_seconds(2024, 3, 24, 1)).utc_offset, 3600);
  // Daylight time all year: the end at 25:00 on day 365 meets the next start; no standard time.
  const TimeZoneRules all_year = posix("EST5EDT,0/0,J365/25");
  for (int y = 2020; y <= 2026; ++y) {
    EXPECT_TRUE(all_year.type_at(unix_seconds(y, 1, 1, 5)).is_dst) << y;
    EXPECT_TRUE(all_year.type_at(unix_seconds(y, 7, 1)).is_dst) << y;
    EXPECT_TRUE(all_year.type_at(unix_seconds(y, 12, 31, 23)).is_dst) << y;
  }
  EXPECT_EQ(all_year.to_utc(unix_seconds(2021, 1, 1, 0, 30)).kind, LocalTimeKind::kUnique);
  // A change on local January 1 that is still December 31 in UTC belongs to the new local year. (glibc
  // evaluates the rule of the UTC year only and keeps standard time here until 00:00Z, so this case
  // is left out of the comparison above.)
  const TimeZoneRules east = posix("AAA-3BBB-4:30,J1/0,J365/23:59:59");
  EXPECT_FALSE(east.type_at(unix_seconds(1995, 12, 31, 20, 59, 59)).is_dst);
  EXPECT_TRUE(east.type_at(unix_seconds(1995, 12, 31, 21)).is_dst);  // 1996-01-01 00:00 local standard
  // J365 is December 31 in a leap year too; 23:59:59 at +04:30 is 19:29:59Z.
  EXPECT_TRUE(east.type_at(unix_seconds(1996, 12, 31, 19, 29, 58)).is_dst);
  EXPECT_FALSE(east.type_at(unix_seconds(1996, 12, 31, 19, 29, 59)).is_dst);
}

TEST(TzifReader, BadPosixRulesAreRejected) {
  for (const char* tz : {"", "E5", "EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
                         "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J365", "EST5EDT,366,1",
                         "EST25", "<+05", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.2.0,M11.1.0 ", "EST5:60"}) {
    std::string err;
    EXPECT_FALSE(TimeZoneRules::from_posix_tz(tz, err)) << tz;
    EXPECT_NE(err.find("POSIX TZ"), std::string::npos) << tz;
  }
}

namespace {

void put32(std::string& s, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
}
void put64(std::string& s, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
}
// Header for `times` transitions between two types: +1 h ("AAA") then +2 h DST ("BBB").
void put_header(std::string& s, char version, std::uint32_t times) {
  s += "TZif";
  s.push_back(version);
  s.append(15, '\0');
  for (std::uint32_t v : {0u, 0u, 0u, times, 2u, 8u}) put32(s, v);
}
void put_types(std::string& s) {
  put32(s, 3600);
  s += std::string("\0\0", 2);
  put32(s, 7200);
  s += std::string("\1\4", 2);
  s += std::string("AAA\0BBB\0", 8);
}

}  // namespace

TEST(TzifReader, Version1FileUses32BitTimes) {
  std::string v1;
  put_header(v1, '\0', 1);
  put32(v1, 1'000'000'000);
  v1.push_back('\1');
  put_types(v1);
  std::string err;
  const auto z = TimeZoneRules::from_tzif(v1, err);
  ASSERT_TRUE(z) << err;
  EXPECT_EQ(z->type_at(999'999'999).utc_offset, 3600);
  EXPECT_EQ(z->type_at(1'000'000'000).utc_offset, 7200);
  EXPECT_EQ(z->type_at(4'000'000'000).utc_offset, 7200);  // no footer: the last type stays
}

TEST(TzifReader, Version2FileUses64BitTimesAndItsFooter) {
  std::string v2;
  put_header(v2, '2', 1);  // a 32-bit block that disagrees, to show it is skipped
  put32(v2, 5);
  v2.push_back('\0');
  put_types(v2);
  put_header(v2, '2', 1);
  put64(v2, 5'000'000'000);  // beyond 32 bits
  v2.push_back('\1');
  put_types(v2);
  std::string err;
  auto z = TimeZoneRules::from_tzif(v2 + "\n<+03>-3\n", err);
  ASSERT_TRUE(z) << err;
  EXPECT_EQ(z->type_at(10).utc_offset, 3600);
  EXPECT_EQ(z->type_at(4'999'999'999).utc_offset, 3600);
  EXPECT_EQ(z->type_at(5'000'000'000).utc_offset, 10800);  // the footer from the last transition on
  z = TimeZoneRules::from_tzif(v2 + "\n\n", err);             // empty footer: the last type stays
  ASSERT_TRUE(z) << err;
  EXPECT_EQ(z->type_at(5'000'000'000).utc_offset, 7200);
  EXPECT_FALSE(TimeZoneRules::from_tzif(v2, err));  // no footer at all
  EXPECT_FALSE(TimeZoneRules::from_tzif(v2 + "\nEST5EDT\n", err));
  EXPECT_NE(err.find("POSIX TZ"), std::string::npos);
}

TEST(TzifReader, BadFilesAreRejected) {
  std::string err;
  EXPECT_FALSE(TimeZoneRules::from_tzif("", err));
  EXPECT_FALSE(TimeZoneRules::from_tzif("TZif2 not really", err));
  std::string bytes;
  put_header(bytes, '\0', 2);
  put32(bytes, 100);
  put32(bytes, 50);  // out of order
  bytes += std::string("\0\1", 2);
  put_types(bytes);
  EXPECT_FALSE(TimeZoneRules::from_tzif(bytes, err));
  EXPECT_NE(err.find("out of order"), std::string::npos);
  EXPECT_FALSE(TimeZoneRules::from_tzif(bytes.substr(0, 50), err));
  EXPECT_NE(err.find("truncated"), std::string::npos);
  EXPECT_FALSE(TimeZoneRules::from_file(kZoneDir + "America", err));  // a directory
  EXPECT_FALSE(TimeZoneRules::from_file(kZoneDir + "No/Such_Zone", err));
  if (std::filesystem::exists(kZoneDir + "right/Europe/Berlin")) {
    EXPECT_FALSE(TimeZoneRules::from_file(kZoneDir + "right/Europe/Berlin", err));
    EXPECT_NE(err.find("leap seconds"), std::string::npos);
  }
}

TEST(TzifReader, GapsAndOverlapsTakeTheOffsetAfterTheChange) {
  const TimeZoneRules ny = zone("America/New_York");
  // 2021-03-14 02:00 EST -> 03:00 EDT: 02:30 does not exist; EDT (after) makes it 06:30Z.
  auto r = ny.to_utc(unix_seconds(2021, 3, 14, 2, 30));
  EXPECT_EQ(r.kind, LocalTimeKind::kSkipped);
  EXPECT_EQ(r.utc_seconds, unix_seconds(2021, 3, 14, 6, 30));
  // 2021-11-07 02:00 EDT -> 01:00 EST: 01:30 happens twice; EST (after, standard time) is 06:30Z.
  r = ny.to_utc(unix_seconds(2021, 11, 7, 1, 30));
  EXPECT_EQ(r.kind, LocalTimeKind::kAmbiguous);
  EXPECT_EQ(r.utc_seconds, unix_seconds(2021, 11, 7, 6, 30));
  EXPECT_EQ(ny.to_utc(unix_seconds(2021, 11, 7, 0, 59, 59)).utc_seconds, unix_seconds(2021, 11, 7, 4, 59, 59));
  EXPECT_EQ(ny.to_utc(unix_seconds(2021, 11, 7, 2)).kind, LocalTimeKind::kUnique);
  // Australia/Lord_Howe, half-hour DST: 2021-10-03 02:00 +10:30 -> 02:30 +11, 2021-04-04 02:00 +11
  // -> 01:30 +10:30.
  const TimeZoneRules lh = zone("Australia/Lord_Howe");
  r = lh.to_utc(unix_seconds(2021, 10, 3, 2, 15));
  EXPECT_EQ(r.kind, LocalTimeKind::kSkipped);
  EXPECT_EQ(r.utc_seconds, unix_seconds(2021, 10, 2, 15, 15));
  r = lh.to_utc(unix_seconds(2021, 4, 4, 1, 45));
  EXPECT_EQ(r.kind, LocalTimeKind::kAmbiguous);
  EXPECT_EQ(r.utc_seconds, unix_seconds(2021, 4, 3, 15, 15));
  // A change of standard time, not DST: Europe/Moscow 2014-10-26 02:00 +04 -> 01:00 +03.
  r = zone("Europe/Moscow").to_utc(unix_seconds(2014, 10, 26, 1, 30));
  EXPECT_EQ(r.kind, LocalTimeKind::kAmbiguous);
  EXPECT_EQ(r.utc_seconds, unix_seconds(2014, 10, 25, 22, 30));
  // A whole day skipped: Pacific/Apia went from 2011-12-29 23:59:59 -10 to 2011-12-31 00:00 +14.
  r = zone("Pacific/Apia").to_utc(unix_seconds(2011, 12, 30, 12));
  EXPECT_EQ(r.kind, LocalTimeKind::kSkipped);
  EXPECT_EQ(r.utc_seconds, unix_seconds(2011, 12, 29, 22));
}
