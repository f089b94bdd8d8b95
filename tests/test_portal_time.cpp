// Tests for parsers/portal_time: the portal's US 12-hour time text and header zones.
#include "parsers/portal_time.hpp"

#include <gtest/gtest.h>

using namespace rareconn::parsers;

TEST(PortalTime, ParsesTheExportFormat) {
  auto t = parse_portal_time("11/17/2023, 11:32:04.819 AM");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->year, 2023);
  EXPECT_EQ(t->month, 11);
  EXPECT_EQ(t->day, 17);
  EXPECT_EQ(t->hour, 11);
  EXPECT_EQ(t->minute, 32);
  EXPECT_EQ(t->second, 4);
  EXPECT_EQ(t->fraction_ticks, 8190000);
  EXPECT_EQ(parse_portal_time("1/2/2024, 12:00:00.000 AM")->hour, 0);
  EXPECT_EQ(parse_portal_time("1/2/2024, 12:00:00.000 PM")->hour, 12);
  EXPECT_EQ(parse_portal_time("1/2/2024, 1:05:09 PM")->hour, 13);
  EXPECT_EQ(parse_portal_time("2/29/2024, 1:05:09.1234567 PM")->fraction_ticks, 1234567);
}

TEST(PortalTime, RejectsWhatIsNotTheFormat) {
  for (const char* s : {"", "2023-11-17T11:32:04Z", "13/17/2023, 11:32:04 AM", "2/30/2023, 1:00:00 AM",
                        "11/17/2023, 13:32:04 PM", "11/17/2023, 11:32:04", "11/17/2023 11:32:04 AM x",
                        "2/29/2023, 1:00:00 AM", "11/17/2023, 0:32:04 AM"}) {
    EXPECT_FALSE(parse_portal_time(s)) << s;
  }
}

TEST(PortalTime, HeaderZone) {
  EXPECT_EQ(header_zone("TimeGenerated [UTC]"), HeaderZone::kUtc);
  EXPECT_EQ(header_zone("TimeGenerated [Local Time]"), HeaderZone::kLocal);
  EXPECT_EQ(header_zone("TimeGenerated"), HeaderZone::kNone);
}
