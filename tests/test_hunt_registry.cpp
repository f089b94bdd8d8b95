// Tests for scanner/hunt_registry: every --hunt name maps to its hunt, the input kinds a hunt
// accepts come from its worker's members, and auto-detection follows the inputs' columns.
#include "scanner/hunt_registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace rareconn;

namespace {

hunts::InputFacts facts(hunts::InputKind kind, bool json, std::set<std::string> fields) {
  hunts::InputFacts f;
  f.kind = kind;
  f.json = json;
  f.has_field = [fields](std::string_view n) { return fields.count(std::string(n)) > 0; };
  return f;
}

int affinity(const char* hunt, const hunts::InputFacts& f) {
  return scanner::find_hunt(hunt)->make(hunts::RunOptions{})->affinity(f);
}

}  // namespace

TEST(HuntRegistry, NamesAndInputKinds) {
  ASSERT_NE(scanner::find_hunt("mde"), nullptr);
  ASSERT_NE(scanner::find_hunt("sysmon"), nullptr);
  EXPECT_EQ(scanner::find_hunt("auto"), nullptr);
  EXPECT_EQ(scanner::hunt_names("|"), "mde|sysmon");
  EXPECT_EQ(scanner::hunt_registry().front().name, "mde");  // the default when no input tells
  EXPECT_EQ(scanner::find_hunt("mde")->input_kinds, unsigned{hunts::kTabularRows});
  EXPECT_EQ(scanner::find_hunt("sysmon")->input_kinds, unsigned{hunts::kTabularRows | hunts::kWindowsEvents});
  for (const auto& e : scanner::hunt_registry()) EXPECT_EQ(e.make(hunts::RunOptions{})->name(), e.name);
}

TEST(HuntRegistry, DetectionFollowsTheColumns) {
  const auto events = facts(hunts::kWindowsEvents, false, {});
  EXPECT_GT(affinity("sysmon", events), affinity("mde", events));
  const auto defender = facts(hunts::kTabularRows, false, {"Timestamp", "RemoteIP", "ActionType"});
  EXPECT_GT(affinity("mde", defender), affinity("sysmon", defender));
  const auto event_table = facts(hunts::kTabularRows, false, {"TimeGenerated", "EventData", "EventID"});
  EXPECT_GT(affinity("sysmon", event_table), affinity("mde", event_table));
  // A table with both Event columns and RemoteIP is Defender's.
  const auto both = facts(hunts::kTabularRows, false, {"EventID", "RemoteIP"});
  EXPECT_GT(affinity("mde", both), affinity("sysmon", both));
  // Winlogbeat's event_id counts in JSON, not as a CSV column.
  EXPECT_GT(affinity("sysmon", facts(hunts::kTabularRows, true, {"event_id"})), affinity("mde", facts(hunts::kTabularRows, true, {"event_id"})));
  EXPECT_GT(affinity("mde", facts(hunts::kTabularRows, false, {"event_id"})), affinity("sysmon", facts(hunts::kTabularRows, false, {"event_id"})));
}

TEST(HuntRegistry, RequiredColumnsAreNamedAsTheQueryNamesThem) {
  const auto mde = scanner::find_hunt("mde")->make(hunts::RunOptions{});
  EXPECT_EQ(mde->column_name(mde->required_slots().front().front()), "Timestamp or TimeGenerated");
  const auto sysmon = scanner::find_hunt("sysmon")->make(hunts::RunOptions{});
  EXPECT_EQ(sysmon->column_name(sysmon->required_slots().front().front()), "TimeGenerated");
}
