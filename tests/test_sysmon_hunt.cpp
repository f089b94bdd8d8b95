// Tests for hunts/sysmon/sysmon_hunt: the Sysmon hunt behind the interface. Windows-event views
// (as the event XML and EVTX readers fill them) through the worker, bad times, null EventData,
// the pivot candidates merged into the hunt, and its window rule.
#include "core/hunts/sysmon/sysmon_hunt.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace rareconn;
using namespace rareconn::hunts;

namespace {

const std::vector<std::pair<std::string_view, std::string_view>> kData = {{"Image", "C:\\a.exe"},
                                                                          {"DestinationIp", "8.8.8.8"}};

parsers::WindowsEventView event(std::string_view time) {
  parsers::WindowsEventView v;
  v.provider = "Microsoft-Windows-Sysmon";
  v.computer = "host";
  v.event_id = "3";
  v.level = "4";
  v.time_text = time;
  v.has_event_data = true;
  v.data = kData;
  return v;
}

RunOptions options() {
  RunOptions o;
  o.window.now = core::parse_datetime("2024-05-31T12:00:00Z");
  return o;
}

}  // namespace

TEST(SysmonHunt, WindowsEventsThroughTheWorker) {
  SysmonHunt hunt(options());
  EXPECT_FALSE(hunt.window_config().track_set);
  EXPECT_TRUE(hunt.window_config().recent_within_lookback);
  core::WindowShared shared(hunt.window_config());
  core::WindowPartial partial(shared);
  SysmonWorker w(hunt, partial);
  EXPECT_EQ(w.event(event("2024-05-30T00:00:00Z"), {}).kind, RecordOutcome::kOk);
  parsers::WindowsEventView binary = event("");
  binary.has_time = true;
  binary.time_ticks = *core::parse_datetime("2024-05-30T01:00:00Z");
  EXPECT_EQ(w.event(binary, {}).kind, RecordOutcome::kOk);
  const RecordOutcome bad = w.event(event("(no TimeCreated)"), {});
  EXPECT_EQ(bad.kind, RecordOutcome::kBadTime);
  EXPECT_EQ(bad.text, "(no TimeCreated)");
  parsers::WindowsEventView no_data = event("2024-05-30T02:00:00Z");
  no_data.has_event_data = false;
  w.event(no_data, {});
  EXPECT_EQ(w.funnel().records, 4u);
  EXPECT_EQ(w.funnel().bad_time, 1u);
  EXPECT_EQ(w.funnel().passed[kSysAfterEventId], 3u);
  EXPECT_EQ(w.funnel().passed[kSysAfterEventData], 2u);
  EXPECT_EQ(w.funnel().passed[kSysAfterPrivate], 2u);
  EXPECT_EQ(w.candidates().size(), 2u);
  hunt.merge(w);  // the pivot candidates move into the hunt's state
}

TEST(SysmonHunt, ZoneNeededOnlyForTheColumnTimeSource) {
  RunOptions o = options();
  EXPECT_FALSE(SysmonHunt(o).needs_zone({"TimeGenerated [Local Time]", "EventData"}).has_value());
  o.time_from_column = true;
  EXPECT_TRUE(SysmonHunt(o).needs_zone({"TimeGenerated [Local Time]", "EventData"}).has_value());
  EXPECT_FALSE(SysmonHunt(o).needs_zone({"TimeGenerated [Local Time]", "TimeGenerated [UTC]"}).has_value());
}
