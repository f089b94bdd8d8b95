// Regression: a CSV "header" of 60 MB (30 million columns, or no line break at all) took 1.1 GB of
// memory and 11 s before the file was refused. The header is now bounded like any record
// (max_record_bytes) and by a column count (kMaxCsvColumns): past either it is malformed at once.
#include <gtest/gtest.h>

#include <string>

#include "parsers/csv_reader.hpp"

namespace rareconn::parsers {
namespace {

TEST(RegressCsvHeaderUnbounded, TooManyColumnsIsRefusedWithoutBuildingThem) {
  std::string wide = "Timestamp,";
  for (std::size_t i = 0; i < kMaxCsvColumns + 1; ++i) wide += "a,";
  wide += "RemoteIP\n1,2\n";
  const CsvHeader h = parse_csv_header(wide);
  EXPECT_EQ(h.error, ParseError::kTooManyColumns);
  EXPECT_TRUE(h.columns.empty());
}

TEST(RegressCsvHeaderUnbounded, HeaderLongerThanTheRecordBoundIsRefused) {
  const std::string text = "Timestamp," + std::string(5000, 'x') + "\n1\n";
  EXPECT_EQ(parse_csv_header(text, 1000).error, ParseError::kRecordTooLarge);
  EXPECT_EQ(parse_csv_header(text, 6000).error, ParseError::kNone);
  const std::string no_break(3000, 'y');
  EXPECT_EQ(parse_csv_header(no_break, 1000).error, ParseError::kRecordTooLarge);
  EXPECT_EQ(parse_csv_header(no_break, 5000).error, ParseError::kNone);  // one column, no rows
}

TEST(RegressCsvHeaderUnbounded, ManyColumnsWithinTheLimitStillParse) {
  std::string wide;
  for (std::size_t i = 0; i < kMaxCsvColumns; ++i) wide += (i ? ",c" : "c") + std::to_string(i);
  wide += "\n";
  const CsvHeader h = parse_csv_header(wide);
  ASSERT_EQ(h.error, ParseError::kNone);
  EXPECT_EQ(h.columns.size(), kMaxCsvColumns);
}

}  // namespace
}  // namespace rareconn::parsers
