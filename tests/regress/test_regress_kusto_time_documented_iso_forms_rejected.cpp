// Regression: ISO 8601 forms that Kusto documents for datetime (scalar-data-types/datetime:
// %Y-%m-%dT%H:%M, %Y-%m-%d %H:%M, %Y-%m-%d) were rejected as bad times (and as --now), as was an
// offset of hours alone (+05). They parse now; seconds and fractions still need their full form.
#include <gtest/gtest.h>

#include "core/kusto_time.hpp"

using namespace rareconn::core;

TEST(RegressKustoTimeDocumentedForms, DateAloneIsMidnightUtc) {
  EXPECT_EQ(parse_datetime("2014-11-08"), parse_datetime("2014-11-08T00:00:00Z"));
  EXPECT_EQ(parse_datetime("2024-02-29"), parse_datetime("2024-02-29T00:00:00.0000000Z"));
  EXPECT_FALSE(parse_datetime("2023-02-29"));
}

TEST(RegressKustoTimeDocumentedForms, HoursAndMinutes) {
  EXPECT_EQ(parse_datetime("2014-05-25T08:20"), parse_datetime("2014-05-25T08:20:00Z"));
  EXPECT_EQ(parse_datetime("2014-11-08 15:55"), parse_datetime("2014-11-08T15:55:00Z"));
  EXPECT_EQ(parse_datetime("2014-11-08 15:55Z"), parse_datetime("2014-11-08T15:55:00Z"));
  EXPECT_EQ(parse_datetime("2014-11-08T15:55+01:00"), parse_datetime("2014-11-08T14:55:00Z"));
  EXPECT_FALSE(parse_datetime("2014-11-08T15:60"));
  EXPECT_FALSE(parse_datetime("2014-11-08T15"));
  EXPECT_FALSE(parse_datetime("2014-11-08T15:5"));
  EXPECT_FALSE(parse_datetime("2014-11-08T"));
  EXPECT_FALSE(parse_datetime("2014-11-08T15:55."));
}

TEST(RegressKustoTimeDocumentedForms, OffsetOfHoursAlone) {
  EXPECT_EQ(parse_datetime("2023-11-17T11:02:04+05"), parse_datetime("2023-11-17T06:02:04Z"));
  EXPECT_EQ(parse_datetime("2023-11-17T01:02:04.5-05"), parse_datetime("2023-11-17T06:02:04.5Z"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04+5"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04+15"));
}
