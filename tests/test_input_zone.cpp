// Tests for scanner/input_zone: fixed offsets, UTC, named zones with daylight saving, errors.
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
}

TEST(InputZone, NamedZoneHonoursDaylightSaving) {
  ASSERT_TRUE(std::filesystem::exists("/usr/share/zoneinfo/America/New_York")) << "scripts/setup.sh installs tzdata";
  std::string err;
  auto z = scanner::InputZone::parse("America/New_York", err);
  ASSERT_TRUE(z) << err;
  EXPECT_EQ(core::format_datetime(*z->to_utc({2024, 1, 15, 12, 0, 0, 0})), "2024-01-15T17:00:00.0000000Z");
  EXPECT_EQ(core::format_datetime(*z->to_utc({2024, 7, 15, 12, 0, 0, 5})), "2024-07-15T16:00:00.0000005Z");
}
