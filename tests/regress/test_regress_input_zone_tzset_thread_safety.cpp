// Regression: --input-timezone used to set the process-global TZ (setenv/tzset) in InputZone::parse
// and call mktime per record, so a second zone, or a parse racing a worker, changed every zone's
// answers. Zones must be independent values that any number of threads convert with concurrently.
#include "scanner/input_zone.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

using namespace rareconn;

namespace {

// A local time of every month of 2021 at varied hours, so both DST and standard periods are hit.
std::vector<parsers::CivilTime> sample_local_times() {
  std::vector<parsers::CivilTime> out;
  for (int month = 1; month <= 12; ++month) {
    for (int hour = 0; hour < 24; hour += 5) out.push_back({2021, month, 15, hour, 7, 30, 1234567});
  }
  return out;
}

}  // namespace

TEST(RegressInputZoneTzsetThreadSafety, ZonesParsedTogetherConvertIndependentlyOnManyThreads) {
  const std::array<const char*, 4> names = {"Asia/Kolkata", "America/New_York", "Europe/Berlin",
                                            "Australia/Lord_Howe"};
  const auto times = sample_local_times();
  // Expected values: each zone parsed and used alone, on this thread.
  std::vector<std::vector<core::Ticks>> expected;
  for (const char* name : names) {
    std::string err;
    const auto z = scanner::InputZone::parse(name, err);
    ASSERT_TRUE(z) << err;
    auto& e = expected.emplace_back();
    for (const auto& t : times) e.push_back(z->to_utc(t).value_or(-1));
  }
  // 2021-07-15 10:07:30 differs in every zone: the expected values really are zone-specific.
  EXPECT_NE(expected[0][6 * 5 + 2], expected[1][6 * 5 + 2]);
  EXPECT_NE(expected[1][6 * 5 + 2], expected[2][6 * 5 + 2]);

  constexpr int kThreadsPerZone = 3;
  constexpr int kRounds = 300;
  std::vector<int> mismatches(names.size() * kThreadsPerZone, 0);
  std::vector<std::thread> threads;
  for (std::size_t z = 0; z < names.size(); ++z) {
    for (int k = 0; k < kThreadsPerZone; ++k) {
      const std::size_t slot = z * kThreadsPerZone + k;
      threads.emplace_back([&, z, slot] {
        std::string err;
        // Each thread parses its own zone while the others are converting.
        const auto zone = scanner::InputZone::parse(names[z], err);
        if (!zone) {
          mismatches[slot] = -1;
          return;
        }
        for (int round = 0; round < kRounds; ++round) {
          for (std::size_t i = 0; i < times.size(); ++i) {
            if (zone->to_utc(times[i]).value_or(-1) != expected[z][i]) ++mismatches[slot];
          }
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  for (std::size_t slot = 0; slot < mismatches.size(); ++slot) {
    EXPECT_EQ(mismatches[slot], 0) << names[slot / kThreadsPerZone] << " thread " << slot % kThreadsPerZone;
  }
}
