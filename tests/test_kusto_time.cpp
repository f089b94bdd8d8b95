// Unit tests for core/kusto_time: datetime parsing/formatting and timespan literals (kql-semantics §3).
// Must not time anything (speed is measured by the benchmark) and must not touch files.
#include "core/kusto_time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace rareconn::core {
namespace {

TEST(KustoTime, CivilHelpers) {
  EXPECT_EQ(days_from_civil(1, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1, 1, 2), 1);
  EXPECT_EQ(days_from_civil(1970, 1, 1), 719162);
  for (std::int64_t d : {0LL, 1LL, 59LL, 60LL, 365LL, 719162LL, 738000LL, 3652058LL}) {
    const CivilDate c = civil_from_days(d);
    EXPECT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_TRUE(is_leap_year(2000));
  EXPECT_FALSE(is_leap_year(1900));
  EXPECT_TRUE(is_leap_year(2024));
  EXPECT_FALSE(is_leap_year(2023));
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(2023, 2), 28);
}

TEST(KustoTime, ApiExample) {
  EXPECT_EQ(parse_datetime("2020-02-05T01:10:26.2648757Z"), Ticks{637164618262648757});
  EXPECT_EQ(format_datetime(637164618262648757), "2020-02-05T01:10:26.2648757Z");
  EXPECT_EQ(parse_datetime("2023-02-11T04:10:39.3558461Z"),
            parse_datetime("2023-02-11T04:10:39Z").value() + 3558461);
}

// kql-semantics §3 T2/T3 worked example.
TEST(KustoTime, WindowEdgesWorkedExample) {
  const Ticks now = parse_datetime("2024-05-31T12:00:00.0000000Z").value();
  EXPECT_EQ(now, 638527536000000000);
  const Ticks d30 = parse_timespan("30d").value();
  const Ticks d5 = parse_timespan("5d").value();
  EXPECT_EQ(d30, 30 * 864'000'000'000LL);
  EXPECT_EQ(d5, 5 * 864'000'000'000LL);
  const Ticks cutoff = now - d30;
  EXPECT_EQ(format_datetime(cutoff), "2024-05-01T12:00:00.0000000Z");
  EXPECT_EQ(cutoff, 638501616000000000);
  const Ticks at = parse_datetime("2024-05-01T12:00:00.0000000Z").value();
  const Ticks after = parse_datetime("2024-05-01T12:00:00.0000001Z").value();
  EXPECT_FALSE(at > cutoff);   // exactly now-30d: excluded (strict >)
  EXPECT_TRUE(after > cutoff);  // 100 ns later: included
  EXPECT_EQ(after - at, 1);
  const Ticks future = parse_datetime("2024-06-30T00:00:00Z").value();
  EXPECT_TRUE(future > cutoff);  // future timestamps are included
  EXPECT_EQ(format_datetime(now - d5), "2024-05-26T12:00:00.0000000Z");
}

TEST(KustoTime, SeparatorsAndFractions) {
  const Ticks base = parse_datetime("2024-05-31T12:34:56Z").value();
  EXPECT_EQ(parse_datetime("2024-05-31 12:34:56Z"), base);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56"), base);  // no zone = UTC
  EXPECT_EQ(parse_datetime("2024-05-31 12:34:56"), base);
  EXPECT_EQ(parse_datetime("2024-05-31 12:34:56.1234567Z"), base + 1234567);  // fast path with space
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.Z"), base);  // ".f{0,}": dot without digits
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.1Z"), base + 1000000);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.12Z"), base + 1200000);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.123Z"), base + 1230000);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.1234Z"), base + 1234000);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.12345Z"), base + 1234500);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.123456Z"), base + 1234560);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.1234567Z"), base + 1234567);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.1234567"), base + 1234567);
  // More than 7 digits: truncated, not rounded (U-9).
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.123456789Z"), base + 1234567);
  EXPECT_EQ(parse_datetime("2024-05-31T12:34:56.99999999999Z"), base + 9999999);
  EXPECT_EQ(parse_datetime("2024-05-31 12:34:56.156"), base + 1560000);  // Sysmon UtcTime shape
}

TEST(KustoTime, Offsets) {
  EXPECT_EQ(parse_datetime("2023-11-17T11:32:04.8191328+05:30"), Ticks{638357977248191328});
  EXPECT_EQ(parse_datetime("2023-11-17T11:32:04.8191328+05:30"), parse_datetime("2023-11-17T06:02:04.8191328Z"));
  EXPECT_EQ(parse_datetime("2023-11-17T11:32:04.8191328+0530"), parse_datetime("2023-11-17T06:02:04.8191328Z"));
  EXPECT_EQ(parse_datetime("2023-11-17T01:02:04-05:00"), parse_datetime("2023-11-17T06:02:04Z"));
  EXPECT_EQ(parse_datetime("2023-11-17T01:02:04-0500"), parse_datetime("2023-11-17T06:02:04Z"));
  EXPECT_EQ(parse_datetime("2023-11-17T06:02:04+00:00"), parse_datetime("2023-11-17T06:02:04Z"));
  EXPECT_EQ(parse_datetime("2023-11-17T06:02:04-00:00"), parse_datetime("2023-11-17T06:02:04Z"));
  // crossing midnight / year
  EXPECT_EQ(parse_datetime("2024-01-01T01:00:00+14:00"), parse_datetime("2023-12-31T11:00:00Z"));
  EXPECT_EQ(parse_datetime("2023-12-31T23:00:00-02:00"), parse_datetime("2024-01-01T01:00:00Z"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04+15:00"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04+05:60"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04+5:30"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04+05:3"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04Z+05:00"));
  EXPECT_FALSE(parse_datetime("2023-11-17T06:02:04.123+05:30Z"));
}

TEST(KustoTime, LeapDays) {
  EXPECT_TRUE(parse_datetime("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_datetime("2000-02-29T00:00:00.0000000Z"));
  EXPECT_FALSE(parse_datetime("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("2023-02-29T00:00:00.0000000Z"));
  EXPECT_FALSE(parse_datetime("1900-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("2024-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_datetime("2024-04-31T00:00:00Z"));
  EXPECT_TRUE(parse_datetime("2024-12-31T00:00:00Z"));
  EXPECT_EQ(parse_datetime("2024-03-01T00:00:00Z").value() - parse_datetime("2024-02-28T00:00:00Z").value(),
            2 * kTicksPerDay);
}

TEST(KustoTime, Bounds) {
  EXPECT_EQ(parse_datetime("0001-01-01T00:00:00.0000000Z"), Ticks{0});
  EXPECT_EQ(parse_datetime("0001-01-01T00:00:00Z"), Ticks{0});
  EXPECT_EQ(parse_datetime("9999-12-31T23:59:59.9999999Z"), kMaxDatetimeTicks);
  EXPECT_EQ(kMaxDatetimeTicks, 3155378975999999999LL);
  EXPECT_EQ(format_datetime(0), "0001-01-01T00:00:00.0000000Z");
  EXPECT_EQ(format_datetime(kMaxDatetimeTicks), "9999-12-31T23:59:59.9999999Z");
  EXPECT_FALSE(parse_datetime("0000-12-31T23:59:59Z"));
  // Offsets that push the instant out of range are rejected.
  EXPECT_FALSE(parse_datetime("0001-01-01T00:00:00+01:00"));
  EXPECT_TRUE(parse_datetime("0001-01-01T00:00:00-01:00"));
  EXPECT_FALSE(parse_datetime("9999-12-31T23:00:00-02:00"));
  EXPECT_TRUE(parse_datetime("9999-12-31T23:00:00+02:00"));
  // format clamps out-of-range ticks
  EXPECT_EQ(format_datetime(-5), "0001-01-01T00:00:00.0000000Z");
  EXPECT_EQ(format_datetime(kMaxDatetimeTicks + 1), "9999-12-31T23:59:59.9999999Z");
}

TEST(KustoTime, Malformed) {
  const char* bad[] = {
      "",
      " ",
      "2024-13-01T00:00:00Z",
      "2024-00-01T00:00:00Z",
      "2024-01-00T00:00:00Z",
      "2024-01-32T00:00:00Z",
      "2024-05-31T24:00:00Z",
      "2024-05-31T23:60:00Z",
      "2024-05-31T23:59:60Z",
      "2024-05-31T12:00:00Zjunk",
      "2024-05-31T12:00:00.0000000Zx",
      "2024-05-31T12:00:00.0000000ZZ",
      "2024-05-31T12:00:00.00000x0Z",
      "2024-05-31T12:00:00 ",
      " 2024-05-31T12:00:00Z",
      "2024-05-31T12:00:00Z ",
      "2024-05-31T",
      "2024-05-31T12Z",
      "2024-05-31T12:00:0",
      "2024-05-31T12:00:0Z",
      "2024-5-31T12:00:00Z",
      "2024-05-3T12:00:00Z",
      "24-05-31T12:00:00Z",
      "20240-05-31T12:00:00Z",
      "2024/05/31T12:00:00Z",
      "2024-05-31X12:00:00Z",
      "2024-05-31  12:00:00Z",
      "2024-05-31t12:00:00Z",
      "2024-05-31T12:00:00z",
      "2O24-05-31T12:00:00Z",
      "2024-O5-31T12:00:00Z",
      "2024-05-31T1a:00:00Z",
      "2024-05-31T12:00:0aZ",
      "2024-05-31T12:00:00.12a4567Z",
      "2024-05-31T12:00:00..1Z",
      "2024-05-31T12:00:00,1234567Z",
      "+2024-05-31T12:00:00Z",
      "-2024-05-31T12:00:00Z",
      "2024-05-31T+2:00:00Z",
      "2024-05-31T12:00:00+",
      "2024-05-31T12:00:00+05:30:00",
      "not a date at all",
      "2024-05-31T12:00:00.0000000\xff",
      "2024-05-31T12:00:00.000\xff",
      "\xff" "024-05-31T12:00:00Z",
      "2024-05-31T12:00:00\xff",
      "2024-05-31\xff" "12:00:00Z",
      "2024-05-31T12:00:00+\xff" "5:00",
      "2024-05-31T12:00:00\x80",
      "\xef\xbb\xbf" "2024-05-31T12:00:00Z",
  };
  for (const char* s : bad) EXPECT_FALSE(parse_datetime(s)) << '"' << s << '"';
  // Embedded NUL
  EXPECT_FALSE(parse_datetime(std::string_view("2024-05-31T12:00:00Z\0", 21)));
}

// Random byte mutations of valid strings: never crash/assert, and a mutated string that still parses
// must re-format to a value that parses back identically.
TEST(KustoTime, MutationFuzz) {
  std::mt19937_64 rng(777);
  const std::string seeds[] = {"2024-05-31T12:00:00.0000000Z", "2024-05-31 12:00:00.123",
                               "2023-11-17T11:32:04.8191328+05:30", "2024-02-29T23:59:59-0800"};
  const std::string alphabet = "0123456789-:.+TZ ";
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[i % 4];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % (s.size() + 1);
      const char c = (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: if (pos < s.size()) s[pos] = c; break;
        case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c); break;
        default: if (pos < s.size()) s.erase(pos, 1); break;
      }
    }
    const auto t = parse_datetime(s);
    if (t) {
      ASSERT_GE(*t, 0) << s;
      ASSERT_LE(*t, kMaxDatetimeTicks) << s;
      ASSERT_EQ(parse_datetime(format_datetime(*t)), t) << s;
    }
  }
}

TEST(KustoTime, RoundTripRandom) {
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<Ticks> dist(0, kMaxDatetimeTicks);
  std::uniform_int_distribution<Ticks> recent(630000000000000000LL, 640000000000000000LL);
  for (int i = 0; i < 4000; ++i) {
    const Ticks t = (i % 2) ? dist(rng) : recent(rng);
    const std::string s = format_datetime(t);
    ASSERT_EQ(s.size(), kDatetimeTextSize);
    ASSERT_EQ(parse_datetime(s), t) << s;
    // The same instant through the general (X3) path: space separator needs no fast path, offset does.
    std::string no_z = s.substr(0, 27);
    ASSERT_EQ(parse_datetime(no_z), t) << no_z;
    std::string with_offset = no_z + "+00:00";
    ASSERT_EQ(parse_datetime(with_offset), t) << with_offset;
    char buf[kDatetimeTextSize];
    format_datetime(t, buf);
    ASSERT_EQ(std::string(buf, kDatetimeTextSize), s);
  }
}

TEST(KustoTime, Timespans) {
  EXPECT_EQ(parse_timespan("30d"), 30 * kTicksPerDay);
  EXPECT_EQ(parse_timespan("5d"), 5 * kTicksPerDay);
  EXPECT_EQ(parse_timespan("12h"), 12 * 36'000'000'000LL);
  EXPECT_EQ(parse_timespan("90m"), 90 * 600'000'000LL);
  EXPECT_EQ(parse_timespan("90min"), 90 * 600'000'000LL);
  EXPECT_EQ(parse_timespan("45s"), 45 * kTicksPerSecond);
  EXPECT_EQ(parse_timespan("500ms"), 5'000'000LL);
  EXPECT_EQ(parse_timespan("7microsecond"), 70LL);
  EXPECT_EQ(parse_timespan("3tick"), 3LL);
  EXPECT_EQ(parse_timespan("0d"), 0LL);
  EXPECT_EQ(parse_timespan("1.5d"), 1'296'000'000'000LL);
  EXPECT_EQ(parse_timespan("0.5h"), 18'000'000'000LL);
  EXPECT_EQ(parse_timespan("0.1s"), 1'000'000LL);
  EXPECT_EQ(parse_timespan("1.25ms"), 12'500LL);
  EXPECT_EQ(parse_timespan("030d"), 30 * kTicksPerDay);
  EXPECT_EQ(parse_timespan("0.00000001s"), 0LL);  // below one tick: truncated
  EXPECT_EQ(parse_timespan("0.00000019s"), 1LL);
  EXPECT_EQ(parse_timespan("10675199d"), 10675199 * kTicksPerDay);
  const char* bad[] = {"",      "d",     "30",   "-30d", "+30d", "30 d", " 30d", "30d ", "30D",  "30x",
                       "30dd",  "1.d",   ".5d",  "1..5d", "1,5d", "3e2d", "30days", "10675200d",
                       "99999999999999999999999d", "30ticks"};
  for (const char* s : bad) EXPECT_FALSE(parse_timespan(s)) << '"' << s << '"';
}

}  // namespace
}  // namespace rareconn::core

TEST(DatetimeParser, SameResultsAsParseDatetimeWhateverTheHistory) {
  // The cached-day path must agree with the full parser on valid and invalid texts alike.
  std::mt19937_64 rng(11);
  rareconn::core::DatetimeParser cached;
  const std::string base[] = {"2024-05-31T12:00:00.1234567Z", "2024-05-31 23:59:59.9999999Z", "2024-02-29T00:00:00.0000000Z",
                              "2023-12-31T10:11:12.0000001Z", "2024-05-31T12:00:00Z", "2024-05-31T12:00:00.1234567+02:00"};
  const char mutate[] = {'0', '9', '5', 'Z', ' ', ':', '.', 'x', '2', '6'};
  for (int i = 0; i < 200000; ++i) {
    std::string s = base[rng() % 6];
    if (rng() % 3) s[rng() % s.size()] = mutate[rng() % 10];
    if (rng() % 3 == 0) s[11 + rng() % 8] = static_cast<char>('0' + rng() % 10);
    ASSERT_EQ(cached.parse(s), rareconn::core::parse_datetime(s)) << s;
  }
}
