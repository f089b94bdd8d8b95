// Tests for scanner/input_zone: fixed offsets, UTC, named zones with daylight saving, gaps and
// overlaps, historical offsets, errors.
#include "scanner/input_zone.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace rareconn;

TEST(InputZone, FixedOffsetsAndUtc) {
  std::string err;
  auto z = scanner::InputZone::parse("+05:30", err);
  ASSERT_TRUE(z) << err;
  parsers::CivilTime t{2023, 11, 17, 11, 32, 4, 8191328};
  EXPECT_EQ(core::format_datetime(*z->to_utc(t)), "2023-11-17T06:02:04.8191328Z");
  auto m = scanner::InputZone::parse("-0800", err);
  ASSERT_TRUE(m);
  EXPECT_EQ(core::format_datetime(*m->to_utc(t)), "2023-11-17T19:32:04.8191328Z");
  EXPECT_EQ(core::format_datetime(*scanner::InputZone::utc().to_utc(t)), "2023-11-17T11:32:04.8191328Z");
  EXPECT_FALSE(scanner::InputZone::parse("+5:3", err));
  EXPECT_FALSE(scanner::InputZone::parse("Mars/Olympus", err));
  EXPECT_NE(err.find("unknown zone"), std::string::npos);
  for (const char* bad : {"", "America", "../zoneinfo/UTC", "/usr/share/zoneinfo/UTC", "Europe//Berlin",
                          "Europe/./Berlin", "Europe/Berlin/", "Europe/Berlin\n"}) {
    EXPECT_FALSE(scanner::InputZone::parse(bad, err)) << bad;
    EXPECT_NE(err.find("unknown zone"), std::string::npos) << bad;
  }
}

namespace {
std::string utc_of(const scanner::InputZone& z, parsers::CivilTime t) {
  const auto u = z.to_utc(t);
  return u ? core::format_datetime(*u) : "out of range";
}
scanner::InputZone named(const char* name) {
  std::string err;
  auto z = scanner::InputZone::parse(name, err);
  EXPECT_TRUE(z) << err;
  return z ? *z : scanner::InputZone::utc();
}
}  // namespace

TEST(InputZone, KustoDocumentedGapExample) {
  // datetime_local_to_utc() documentation: Europe/Brussels skipped 2022-03-27 02:00-03:00 local.
  const auto z = named("Europe/Brussels");
  EXPECT_EQ(utc_of(z, {2022, 3, 27, 1, 0, 0, 0}), "2022-03-27T00:00:00.0000000Z");
  EXPECT_EQ(utc_of(z, {2022, 3, 27, 2, 0, 0, 0}), "2022-03-27T00:00:00.0000000Z");
  EXPECT_EQ(utc_of(z, {2022, 3, 27, 3, 0, 0, 0}), "2022-03-27T01:00:00.0000000Z");
  EXPECT_EQ(utc_of(z, {2022, 3, 27, 4, 0, 0, 0}), "2022-03-27T02:00:00.0000000Z");
}

TEST(InputZone, GapsAndOverlapsTakeTheOffsetAfterTheChange) {
  const auto ny = named("America/New_York");
  EXPECT_EQ(utc_of(ny, {2021, 3, 14, 2, 30, 0, 1}), "2021-03-14T06:30:00.0000001Z");   // skipped: EDT
  EXPECT_EQ(utc_of(ny, {2021, 3, 14, 3, 30, 0, 0}), "2021-03-14T07:30:00.0000000Z");
  EXPECT_EQ(utc_of(ny, {2021, 11, 7, 1, 30, 0, 0}), "2021-11-07T06:30:00.0000000Z");   // twice: EST
  EXPECT_EQ(utc_of(ny, {2021, 11, 7, 0, 59, 59, 9999999}), "2021-11-07T04:59:59.9999999Z");
  const auto berlin = named("Europe/Berlin");
  EXPECT_EQ(utc_of(berlin, {2021, 3, 28, 2, 30, 0, 0}), "2021-03-28T00:30:00.0000000Z");  // skipped: CEST
  EXPECT_EQ(utc_of(berlin, {2021, 10, 31, 2, 30, 0, 0}), "2021-10-31T01:30:00.0000000Z");  // twice: CET
  EXPECT_EQ(utc_of(berlin, {2021, 10, 31, 1, 59, 59, 0}), "2021-10-30T23:59:59.0000000Z");
  const auto lord_howe = named("Australia/Lord_Howe");  // DST is +30 min
  EXPECT_EQ(utc_of(lord_howe, {2021, 10, 3, 2, 15, 0, 0}), "2021-10-02T15:15:00.0000000Z");
  EXPECT_EQ(utc_of(lord_howe, {2021, 4, 4, 1, 45, 0, 0}), "2021-04-03T15:15:00.0000000Z");
}

TEST(InputZone, HistoricalAndFutureOffsets) {
  const auto kolkata = named("Asia/Kolkata");
  EXPECT_EQ(utc_of(kolkata, {2023, 11, 17, 11, 32, 4, 8191328}), "2023-11-17T06:02:04.8191328Z");
  EXPECT_EQ(utc_of(kolkata, {1943, 6, 1, 12, 0, 0, 0}), "1943-06-01T05:30:00.0000000Z");  // war time +06:30
  const auto moscow = named("Europe/Moscow");
  EXPECT_EQ(utc_of(moscow, {2012, 6, 1, 12, 0, 0, 0}), "2012-06-01T08:00:00.0000000Z");  // +04 all year
  EXPECT_EQ(utc_of(moscow, {2015, 6, 1, 12, 0, 0, 0}), "2015-06-01T09:00:00.0000000Z");  // +03 since 2014
  // After the file's last transition the footer rule applies (2100: EST/EDT by M3.2.0,M11.1.0).
  const auto ny = named("America/New_York");
  EXPECT_EQ(utc_of(ny, {2100, 3, 14, 12, 0, 0, 0}), "2100-03-14T16:00:00.0000000Z");
  EXPECT_EQ(utc_of(ny, {2100, 3, 13, 12, 0, 0, 0}), "2100-03-13T17:00:00.0000000Z");
  EXPECT_EQ(utc_of(ny, {9999, 12, 31, 18, 59, 59, 9999999}), "9999-12-31T23:59:59.9999999Z");
  EXPECT_EQ(utc_of(ny, {9999, 12, 31, 19, 0, 0, 0}), "out of range");
  EXPECT_EQ(utc_of(named("Asia/Tokyo"), {1, 1, 1, 8, 0, 0, 0}), "out of range");  // before 0001-01-01Z
  EXPECT_EQ(utc_of(named("Asia/Tokyo"), {1, 1, 1, 9, 18, 59, 0}), "0001-01-01T00:00:00.0000000Z");  // LMT +9:18:59
}

TEST(InputZone, NamedZoneHonoursDaylightSaving) {
  ASSERT_TRUE(std::filesystem::exists("/usr/share/zoneinfo/America/New_York")) << "scripts/setup.sh installs tzdata";
  std::string err;
  auto z = scanner::InputZone::parse("America/New_York", err);
  ASSERT_TRUE(z) << err;
  EXPECT_EQ(core::format_datetime(*z->to_utc({2024, 1, 15, 12, 0, 0, 0})), "2024-01-15T17:00:00.0000000Z");
  EXPECT_EQ(core::format_datetime(*z->to_utc({2024, 7, 15, 12, 0, 0, 5})), "2024-07-15T16:00:00.0000005Z");
}
