// Regression: named zones were converted with mktime, whose error value -1 is also the valid answer
// for 1969-12-31T23:59:59Z, so that local time was rejected as malformed.
#include "scanner/input_zone.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace rareconn;

TEST(RegressInputZoneMktimeMinusOne, OneSecondBeforeTheUnixEpochConverts) {
  std::string err;
  const auto ny = scanner::InputZone::parse("America/New_York", err);
  ASSERT_TRUE(ny) << err;
  const auto t = ny->to_utc({1969, 12, 31, 18, 59, 59, 0});
  ASSERT_TRUE(t);
  EXPECT_EQ(core::format_datetime(*t), "1969-12-31T23:59:59.0000000Z");
  const auto etc = scanner::InputZone::parse("Etc/UTC", err);
  ASSERT_TRUE(etc) << err;
  ASSERT_TRUE(etc->to_utc({1969, 12, 31, 23, 59, 59, 5}));
  EXPECT_EQ(core::format_datetime(*etc->to_utc({1969, 12, 31, 23, 59, 59, 5})), "1969-12-31T23:59:59.0000005Z");
}
