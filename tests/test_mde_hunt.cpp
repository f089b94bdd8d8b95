// Tests for hunts/mde/mde_hunt: the MDE hunt behind the interface. The worker's portal time
// columns (UTC, local with and without a zone, bad text), the zone check on a header, the allow-list
// as the key filter, and the output schema's time column.
#include "core/hunts/mde/mde_hunt.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

using namespace rareconn;
using namespace rareconn::hunts;

namespace {

struct Plus2 final : LocalTimeZone {  // a fixed zone two hours ahead of UTC
  std::optional<core::Ticks> to_utc(const parsers::CivilTime& t) const override {
    const std::int64_t days = core::days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
    return (days * 86400 + (t.hour - 2) * 3600 + t.minute * 60 + t.second) * core::kTicksPerSecond + t.fraction_ticks;
  }
};

struct Row {
  std::array<std::string_view, kMdeSlotCount> values{};
  std::array<std::string_view, kMdeSlotCount> names{};
  parsers::RecordView view() const { return parsers::RecordView{values.data(), values.size(), 0, 1, names.data()}; }
};

Row row(std::string_view time_column, std::string_view time) {
  Row r;
  r.values = {time, "srv", "ConnectionSuccess", "Public", "8.8.8.8", "dns.example", "", "p.exe"};
  r.names = {time_column, "DeviceName", "ActionType", "RemoteIPType", "RemoteIP", "RemoteUrl", "", "InitiatingProcessFileName"};
  return r;
}

RunOptions options(const LocalTimeZone* zone) {
  RunOptions o;
  o.window.now = core::parse_datetime("2024-05-31T12:00:00Z");
  o.zone = zone;
  return o;
}

}  // namespace

TEST(MdeHunt, PortalTimeColumns) {
  const MdeHunt hunt(options(nullptr));
  core::WindowShared shared(hunt.window_config());
  core::WindowPartial partial(shared);
  MdeWorker w(hunt, partial);
  EXPECT_EQ(w.row(row("Timestamp", "2024-05-30T00:00:00Z").view(), {}).kind, RecordOutcome::kOk);
  EXPECT_EQ(w.row(row("TimeGenerated [UTC]", "5/30/2024, 1:00:00.000 PM").view(), {}).kind, RecordOutcome::kOk);
  const RecordOutcome local = w.row(row("TimeGenerated [Local Time]", "5/30/2024, 1:00:00.000 PM").view(), {});
  EXPECT_EQ(local.kind, RecordOutcome::kMalformed);
  EXPECT_NE(local.text.find("--input-timezone"), std::string_view::npos);
  const RecordOutcome bad = w.row(row("TimeGenerated [UTC]", "yesterday").view(), {});
  EXPECT_EQ(bad.kind, RecordOutcome::kBadTime);
  EXPECT_EQ(bad.text, "yesterday");
  w.row(row("TimeGenerated [UTC]", "").view(), {});
  EXPECT_EQ(w.funnel().records, 4u);  // the local-time record is malformed, not counted
  EXPECT_EQ(w.funnel().null_time, 1u);
  EXPECT_EQ(w.funnel().bad_time, 1u);
  EXPECT_EQ(w.funnel().passed[kMdeAfterLinkLocal], 2u);

  const Plus2 zone;
  const MdeHunt zoned(options(&zone));
  MdeWorker z(zoned, partial);
  EXPECT_EQ(z.row(row("TimeGenerated [Local Time]", "5/30/2024, 1:00:00.000 PM").view(), {}).kind, RecordOutcome::kOk);
}

TEST(MdeHunt, ZoneNeededOnlyWithoutAUtcColumn) {
  const MdeHunt hunt(options(nullptr));
  EXPECT_TRUE(hunt.needs_zone({"TimeGenerated [Local Time]", "RemoteIP"}).has_value());
  EXPECT_FALSE(hunt.needs_zone({"TimeGenerated [Local Time]", "Timestamp"}).has_value());
  EXPECT_FALSE(hunt.needs_zone({"TimeGenerated [Local Time]", "TimeGenerated [UTC]"}).has_value());
}

TEST(MdeHunt, AllowListIsTheKeyFilter) {
  RunOptions o = options(nullptr);
  o.allow = {"example.org"};
  const MdeHunt hunt(o);
  EXPECT_EQ(hunt.allow_needles(), core::default_allow_needles().size() + 1);
  core::RareKey k;
  k.set_json = "[\"www.example.org\"]";
  EXPECT_TRUE(hunt.key_filter()->drops(k));
  k.set_json = "[\"rare.example.net\"]";
  EXPECT_FALSE(hunt.key_filter()->drops(k));
  o.default_allow = false;
  o.allow.clear();
  EXPECT_EQ(MdeHunt(o).allow_needles(), 0u);
  EXPECT_TRUE(hunt.window_config().track_set);
  EXPECT_FALSE(hunt.window_config().recent_within_lookback);
}

// A JSON walk stores every projected member it meets, so the projection holds only what the run
// reads: the process file name for the (RemoteIP, process) pivot alone.
TEST(MdeHunt, ProjectsTheProcessFileNameOnlyForTheProcessPivot) {
  RunOptions by_ip = options(nullptr);
  const MdeHunt ip_hunt(by_ip);
  ASSERT_EQ(ip_hunt.projection().fields.size(), std::size_t{kMdeProcessFileName});
  for (const auto& field : ip_hunt.projection().fields) EXPECT_NE(field.names.front(), "InitiatingProcessFileName");

  RunOptions by_process = options(nullptr);
  by_process.by = KeyBy::kIpProcess;
  const MdeHunt process_hunt(by_process);
  ASSERT_EQ(process_hunt.projection().fields.size(), std::size_t{kMdeSlotCount});
  EXPECT_EQ(process_hunt.projection().fields[kMdeProcessFileName].names.front(), "InitiatingProcessFileName");
}
