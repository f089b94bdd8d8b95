// Tests for core/sysmon_hunt: the private-address regex (kql-semantics §2 examples), the
// RenderedDescription cut (§6.2), the RuleName parse lazy and greedy (§6.8), the filters and the
// Sysmon window rule (recent side also inside the lookback).
#include "core/hunts/sysmon/sysmon_filter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

using namespace rareconn::core;
using namespace rareconn::hunts;

TEST(SysmonHunt, PrivateRegexExamples) {
  for (const char* ip : {"10.1.2.3", "172.16.0.1", "172.31.9.9", "172.20.1.1", "192.168.0.1", "127.0.0.1"}) {
    EXPECT_TRUE(matches_private_regex(ip)) << ip;
  }
  for (const char* ip : {"100.64.0.1", "172.32.0.1", "172.3.1.1", "169.254.0.1", "::1", "0:0:0:0:0:0:0:1",
                         "fe80:0:0:0:8165:712:b68f:7ccc", "::ffff:10.0.0.1", "", "8.8.8.8", "172.15.0.1", "10", "1.10.0.1"}) {
    EXPECT_FALSE(matches_private_regex(ip)) << ip;
  }
}

TEST(SysmonHunt, RenderedDescriptionCut) {
  EXPECT_EQ(rendered_description_cut("Network connection detected:\r\nRuleName: -\r\n"), "Network connection detected");
  EXPECT_EQ(rendered_description_cut("no colon"), "no colon");
  EXPECT_EQ(rendered_description_cut(""), "");
  EXPECT_EQ(rendered_description_cut(":x"), "");
}

TEST(SysmonHunt, RuleNameParse) {
  auto lazy = [](std::string_view s) { Technique t = parse_rule_name(s, false); return std::string(t.id) + "|" + std::string(t.name); };
  auto greedy = [](std::string_view s) { Technique t = parse_rule_name(s, true); return std::string(t.id) + "|" + std::string(t.name); };
  EXPECT_EQ(lazy("technique_id=T1036,technique_name=Masquerading"), "T1036|Masquerading");
  EXPECT_EQ(lazy("technique_id=T1021.001,technique_name=Remote Desktop Protocol"), "T1021.001|Remote Desktop Protocol");
  EXPECT_EQ(lazy("-"), "|");
  EXPECT_EQ(lazy(""), "|");
  EXPECT_EQ(lazy("TechniqueID=T1098"), "|");
  EXPECT_EQ(lazy("technique_id=T1003,T1055,technique_name=X"), "T1003|X");
  EXPECT_EQ(greedy("technique_id=T1003,T1055,technique_name=X"), "T1003,T1055|X");
  EXPECT_EQ(greedy("technique_id=T1036,technique_name=Masquerading"), "T1036|Masquerading");
  EXPECT_EQ(lazy("technique_id=T1,no name"), "|");
  EXPECT_EQ(lazy("prefix technique_id=T9,x,technique_name=a,b"), "T9|a,b");
}

namespace {

struct SysmonRun {
  std::vector<std::uint64_t> findings;
  std::vector<std::int64_t> counts;
  Funnel funnel;
};

SysmonRun run(const std::vector<SysmonEvent>& evs, const std::string& now, Ticks lookback, Ticks recent,
        SysmonOptions opts = {}) {
  WindowConfig cfg;
  cfg.now = parse_datetime(now);
  cfg.lookback = lookback;
  cfg.recent = recent;
  cfg.track_set = false;
  cfg.recent_within_lookback = true;
  WindowShared shared(cfg);
  WindowPartial part(shared);
  SysmonRecordFilter f(opts, part);
  for (std::size_t i = 0; i < evs.size(); ++i) f.process(evs[i], EventRef{i, 0, 1});
  WindowMerger m(shared, {&part}, nullptr);
  for (std::size_t p = 0; p < m.partition_count(); ++p) m.merge_partition(p);
  m.finish_merge();
  std::vector<Finding> fs;
  std::uint64_t recent_n = 0;
  for (std::size_t t = 0; t < m.probe_task_count(); ++t) m.probe(t, fs, recent_n);
  SysmonRun r;
  for (const Finding& x : fs) {
    r.findings.push_back(x.offset);
    r.counts.push_back(m.rare_keys()[x.rare].count);
  }
  std::sort(r.findings.begin(), r.findings.end());
  r.funnel = f.funnel();
  return r;
}

SysmonEvent ev(const char* time, const char* ip) {
  SysmonEvent e;
  e.time_text = time;
  e.computer = "host";
  e.source = "Microsoft-Windows-Sysmon";
  e.event_id = "3";
  e.destination_ip = ip;
  return e;
}

}  // namespace

TEST(SysmonHunt, FiltersAndFunnel) {
  std::vector<SysmonEvent> evs = {ev("2024-05-30T00:00:00Z", "8.8.8.8"), ev("2024-05-30T00:00:00Z", "10.0.0.1"),
                                  ev("2024-05-30T00:00:00Z", "fe80:0:0:0:1:2:3:4"), ev("2024-05-30T00:00:00Z", "")};
  SysmonEvent other_source = ev("2024-05-30T00:00:00Z", "1.1.1.1");
  other_source.source = "Linux-Sysmon";
  SysmonEvent id22 = ev("2024-05-30T00:00:00Z", "1.1.1.1");
  id22.event_id = "22";
  SysmonEvent no_data = ev("2024-05-30T00:00:00Z", "1.1.1.1");
  no_data.has_event_data = false;
  SysmonEvent id03 = ev("2024-05-30T00:00:00Z", "9.9.9.9");
  id03.event_id = "03";
  evs.insert(evs.end(), {other_source, id22, no_data, id03});
  SysmonRun r = run(evs, "2024-05-31T00:00:00Z", 30 * kTicksPerDay, 5 * kTicksPerDay);
  EXPECT_EQ(r.findings, (std::vector<std::uint64_t>{0, 2, 3, 7}));
  EXPECT_EQ(r.funnel.passed[kSysAfterSource], 7u);
  EXPECT_EQ(r.funnel.passed[kSysAfterEventId], 6u);
  EXPECT_EQ(r.funnel.passed[kSysAfterEventId] - r.funnel.passed[kSysAfterEventData], 1u);  // null EventData
  EXPECT_EQ(r.funnel.passed[kSysAfterPrivate], 4u);
  SysmonOptions lin;
  lin.linux_sysmon = true;
  EXPECT_EQ(run(evs, "2024-05-31T00:00:00Z", 30 * kTicksPerDay, 5 * kTicksPerDay, lin).findings.size(), 5u);
}

TEST(SysmonHunt, RecentSideStaysInsideTheLookback) {
  // _timeframe larger than _lookback: the function's own lookback filter bounds the recent side.
  std::vector<SysmonEvent> evs = {ev("2024-05-20T00:00:00Z", "8.8.8.8"), ev("2024-05-30T00:00:00Z", "8.8.8.8")};
  SysmonRun r = run(evs, "2024-05-31T00:00:00Z", 5 * kTicksPerDay, 30 * kTicksPerDay);
  EXPECT_EQ(r.findings, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(r.counts, (std::vector<std::int64_t>{1}));
}
