// Tests for hunts/mde/mde_filter and core/window_aggregator together: the seed's filters (kql-semantics
// §2 worked examples), window edges to 100 ns (§3), summarize/join semantics (§4, §5, §8), with
// `now` given and with `now` found at the end, and with records spread over several threads'
// partials.
#include "core/hunts/mde/mde_filter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/window_aggregator.hpp"

using namespace rareconn::core;
using namespace rareconn::hunts;

namespace {

struct Ev {
  std::string time, device = "server1", action = "ConnectionSuccess", ip_type = "Public", ip = "1.1.1.1",
                    url = "", process = "p.exe";
};

struct Result {
  std::vector<std::string> finding_keys;  // key parts joined by '|'
  std::vector<std::int64_t> counts;
  std::vector<std::string> sets;
  std::vector<std::uint64_t> finding_offsets;
  WindowCounts counts_total;
  Funnel funnel;
  std::optional<Ticks> now;
};

Result run(const std::vector<Ev>& evs, std::optional<std::string> now, MdeOptions opts = {}, int partials = 1,
           std::int64_t threshold = 50, bool allow = true) {
  WindowConfig cfg;
  if (now) cfg.now = *parse_datetime(*now);
  cfg.threshold = threshold;
  WindowShared shared(cfg);
  std::vector<std::unique_ptr<WindowPartial>> parts;
  std::vector<std::unique_ptr<MdeRecordFilter>> filters;
  for (int i = 0; i < partials; ++i) {
    parts.push_back(std::make_unique<WindowPartial>(shared));
    filters.push_back(std::make_unique<MdeRecordFilter>(opts, *parts.back()));
  }
  for (std::size_t i = 0; i < evs.size(); ++i) {
    const Ev& e = evs[i];
    std::array<std::string_view, kMdeSlotCount> f{e.time, e.device, e.action, e.ip_type, e.ip, e.url, "", e.process};
    filters[i % filters.size()]->process(f.data(), EventRef{i, 0, 1});
  }
  std::vector<WindowPartial*> ptrs;
  for (auto& p : parts) ptrs.push_back(p.get());
  AllowList matcher(allow ? default_allow_needles() : std::vector<std::string>{});
  WindowMerger m(shared, ptrs, &matcher);
  for (std::size_t p = 0; p < m.partition_count(); ++p) m.merge_partition(p);
  m.finish_merge();
  std::vector<Finding> fs;
  std::uint64_t recent = 0;
  for (std::size_t t = 0; t < m.probe_task_count(); ++t) m.probe(t, fs, recent);
  m.add_recent_events(recent);
  std::sort(fs.begin(), fs.end(), [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
  Result r;
  for (const Finding& f : fs) {
    const RareKey& k = m.rare_keys()[f.rare];
    std::string key;
    for (const std::string_view p : k.parts()) {
      if (!key.empty()) key += '|';
      key += p;
    }
    r.finding_keys.push_back(key);
    r.counts.push_back(k.count);
    r.sets.emplace_back(k.set_json);
    r.finding_offsets.push_back(f.offset);
  }
  r.counts_total = m.counts();
  for (auto& f : filters) r.funnel.add(f->funnel());
  r.now = m.now();
  return r;
}

const std::string kNow = "2024-05-31T12:00:00.0000000Z";

Ev at(const std::string& t, const std::string& ip = "1.1.1.1", const std::string& url = "") {
  Ev e;
  e.time = t;
  e.ip = ip;
  e.url = url;
  return e;
}

}  // namespace

TEST(MdeHunt, WindowEdgesAreStrictTo100ns) {
  // §3 T3: cut-off 2024-05-01T12:00:00Z excluded, one tick later included; recent cut 05-26.
  std::vector<Ev> evs = {at("2024-05-01T12:00:00.0000000Z"), at("2024-05-01T12:00:00.0000001Z"),
                         at("2024-05-26T12:00:00.0000000Z"), at("2024-05-26T12:00:00.0000001Z"),
                         at("2024-06-30T00:00:00Z")};  // after now: in both windows
  for (int parts : {1, 3}) {
    Result r = run(evs, kNow, {}, parts);
    ASSERT_EQ(r.finding_offsets, (std::vector<std::uint64_t>{3, 4}));
    EXPECT_EQ(r.counts[0], 4);
    EXPECT_EQ(r.counts_total.baseline_events, 4u);
    EXPECT_EQ(r.counts_total.recent_events, 2u);
  }
}

TEST(MdeHunt, DefaultNowIsNewestTimeOfAnyRecordEvenFiltered) {
  std::vector<Ev> evs = {at("2024-05-01T12:00:00.0000001Z"), at("2024-05-26T12:00:00.0000001Z")};
  Ev filtered = at(kNow);
  filtered.action = "ConnectionFailed";  // does not pass the filters, still sets now
  evs.push_back(filtered);
  for (int parts : {1, 2, 3}) {
    Result r = run(evs, std::nullopt, {}, parts);
    ASSERT_TRUE(r.now);
    EXPECT_EQ(*r.now, *parse_datetime(kNow));
    EXPECT_EQ(r.finding_offsets, (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(r.counts[0], 2);
  }
}

TEST(MdeHunt, NoTimeMeansNoNowAndNoFindings) {
  Ev e = at("");
  Result r = run({e}, std::nullopt);
  EXPECT_FALSE(r.now);
  EXPECT_TRUE(r.finding_keys.empty());
  EXPECT_EQ(r.funnel.null_time, 1u);
}

TEST(MdeHunt, FiltersOfSection2) {
  auto ev = [](auto mutate) {
    Ev e = at("2024-05-30T00:00:00Z");
    mutate(e);
    return e;
  };
  MdeOptions opts;
  opts.servers = ServerSet({"server1", "server2", "etc."}, ServerMatch::kExact);
  std::vector<Ev> evs = {
      ev([](Ev& e) { e.device = "server1"; }),                     // 0 kept
      ev([](Ev& e) { e.device = "SERVER1"; }),                     // dropped: case
      ev([](Ev& e) { e.device = "server1.contoso.com"; }),         // dropped: FQDN
      ev([](Ev& e) { e.ip_type = "private"; }),                    // 3 kept: case
      ev([](Ev& e) { e.ip_type = ""; }),                           // 4 kept
      ev([](Ev& e) { e.ip_type = "FourToSixMapping"; }),           // 5 kept
      ev([](Ev& e) { e.ip_type = "Private"; }),                    // dropped
      ev([](Ev& e) { e.ip_type = "Loopback"; }),                   // dropped
      ev([](Ev& e) { e.ip = "169.254.1.9"; }),                     // dropped
      ev([](Ev& e) { e.ip = "::ffff:169.254.1.9"; }),              // 9 kept
      ev([](Ev& e) { e.ip = ""; }),                                // 10 kept, key ""
      ev([](Ev& e) { e.action = "connectionsuccess"; }),           // dropped
  };
  Result r = run(evs, kNow, opts);
  EXPECT_EQ(r.finding_offsets, (std::vector<std::uint64_t>{0, 3, 4, 5, 9, 10}));
  EXPECT_EQ(r.funnel.records, 12u);
  EXPECT_EQ(r.funnel.passed[kMdeAfterServers], 10u);
  EXPECT_EQ(r.funnel.passed[kMdeAfterAction], 9u);
  EXPECT_EQ(r.funnel.passed[kMdeAfterIpType], 7u);
  EXPECT_EQ(r.funnel.passed[kMdeAfterLinkLocal], 6u);
  EXPECT_EQ(r.finding_keys[5], "");  // empty RemoteIP groups and joins under ""
}

TEST(MdeHunt, ServerMatchModes) {
  auto evs = std::vector<Ev>{at("2024-05-30T00:00:00Z"), at("2024-05-30T00:00:00Z"), at("2024-05-30T00:00:00Z")};
  evs[0].device = "SRV-1.Contoso.local";
  evs[1].device = "srv-1";
  evs[2].device = "srv-10.contoso.local";
  MdeOptions nocase;
  nocase.servers = ServerSet({"srv-1.contoso.local"}, ServerMatch::kNocase);
  EXPECT_EQ(run(evs, kNow, nocase).finding_offsets, (std::vector<std::uint64_t>{0}));
  MdeOptions host;
  host.servers = ServerSet({"SRV-1.other.domain"}, ServerMatch::kHostname);
  EXPECT_EQ(run(evs, kNow, host).finding_offsets, (std::vector<std::uint64_t>{0, 1}));
}

TEST(MdeHunt, Section5ExampleTenEventsThreeRecent) {
  // IP X: 10 matching events in 30 d, 3 of them in the last 5 d, no Microsoft URL
  // -> 3 rows, each with count_ = 10 and the distinct URLs of all 10.
  std::vector<Ev> evs;
  for (int i = 0; i < 7; ++i) evs.push_back(at("2024-05-10T00:00:0" + std::to_string(i) + "Z", "X", i % 2 ? "b.example" : "a.example"));
  for (int i = 0; i < 3; ++i) evs.push_back(at("2024-05-30T00:00:0" + std::to_string(i) + "Z", "X", "c.example"));
  for (std::optional<std::string> now : {std::optional<std::string>(kNow), std::optional<std::string>()}) {
    Result r = run(evs, now, {}, 2);
    ASSERT_EQ(r.finding_keys.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(r.finding_keys[i], "X");
      EXPECT_EQ(r.counts[i], 10);
      EXPECT_EQ(r.sets[i], "[\"a.example\",\"b.example\",\"c.example\"]");
    }
  }
}

TEST(MdeHunt, ThresholdDuplicatesAndAllowList) {
  std::vector<Ev> evs;
  for (int i = 0; i < 50; ++i) evs.push_back(at("2024-05-30T00:00:00Z", "common"));  // count 50: not rare
  for (int i = 0; i < 49; ++i) evs.push_back(at("2024-05-30T00:00:00Z", "dup"));     // exact duplicates: 49 rows
  evs.push_back(at("2024-05-30T00:00:00Z", "ms", "www.microsoft.com"));             // allow-listed
  evs.push_back(at("2024-05-30T00:00:00Z", "near", "microsoft.com"));               // not a needle match
  Result r = run(evs, kNow);
  EXPECT_EQ(std::count(r.finding_keys.begin(), r.finding_keys.end(), "common"), 0);
  EXPECT_EQ(std::count(r.finding_keys.begin(), r.finding_keys.end(), "dup"), 49);
  EXPECT_EQ(std::count(r.finding_keys.begin(), r.finding_keys.end(), "ms"), 0);
  EXPECT_EQ(std::count(r.finding_keys.begin(), r.finding_keys.end(), "near"), 1);
  EXPECT_EQ(r.counts_total.distinct_keys, 4u);
  EXPECT_EQ(r.counts_total.keys_under_threshold, 3u);
  EXPECT_EQ(r.counts_total.keys_allow_dropped, 1u);
  EXPECT_EQ(r.counts_total.rare_keys, 2u);
  Result no_allow = run(evs, kNow, {}, 1, 50, false);
  EXPECT_EQ(std::count(no_allow.finding_keys.begin(), no_allow.finding_keys.end(), "ms"), 1);
  Result t51 = run(evs, kNow, {}, 1, 51);
  EXPECT_EQ(std::count(t51.finding_keys.begin(), t51.finding_keys.end(), "common"), 50);
}

TEST(MdeHunt, UrlSetOnlyFromBaselineEventsAndKeepsEmpty) {
  // The URL of an event outside the lookback must not enter the set; "" is a value.
  std::vector<Ev> evs = {at("2024-04-01T00:00:00Z", "X", "old.example"), at("2024-05-30T00:00:00Z", "X", ""),
                         at("2024-05-30T00:00:01Z", "X", "new.example")};
  for (std::optional<std::string> now : {std::optional<std::string>(kNow), std::optional<std::string>()}) {
    Result r = run(evs, now ? now : std::optional<std::string>(), {}, 1);
    ASSERT_EQ(r.finding_keys.size(), 2u);
    EXPECT_EQ(r.sets[0], "[\"\",\"new.example\"]");
    EXPECT_EQ(r.counts[0], 2);
  }
}

TEST(MdeHunt, KeyByProcessAndPerServer) {
  std::vector<Ev> evs = {at("2024-05-30T00:00:00Z", "X"), at("2024-05-30T00:00:00Z", "X")};
  evs[1].process = "q.exe";
  evs[1].device = "server2";
  MdeOptions byp;
  byp.by = KeyBy::kIpProcess;
  Result r = run(evs, kNow, byp);
  EXPECT_EQ(r.finding_keys, (std::vector<std::string>{"X|p.exe", "X|q.exe"}));
  EXPECT_EQ(r.counts, (std::vector<std::int64_t>{1, 1}));
  MdeOptions ps;
  ps.per_server = true;
  Result s = run(evs, kNow, ps);
  EXPECT_EQ(s.finding_keys, (std::vector<std::string>{"server1|X", "server2|X"}));
  EXPECT_EQ(mde_key_columns(ps), (std::vector<std::string>{"DeviceName", "RemoteIP"}));
  EXPECT_EQ(mde_key_columns(byp), (std::vector<std::string>{"RemoteIP", "InitiatingProcessFileName"}));
}

TEST(MdeHunt, BadTimeIsReportedNotCounted) {
  WindowShared shared(WindowConfig{});
  WindowPartial part(shared);
  MdeRecordFilter f(MdeOptions{}, part);
  std::array<std::string_view, kMdeSlotCount> v{"2024-13-01T00:00:00Z", "d", "ConnectionSuccess", "", "1", "", "", ""};
  EXPECT_EQ(f.process(v.data(), EventRef{}), RecordStatus::kBadTime);
  EXPECT_EQ(f.funnel().bad_time, 1u);
}

TEST(MdeHunt, StartsWithNocase) {
  EXPECT_TRUE(starts_with_nocase("169.254.1.9", "169.254."));
  EXPECT_FALSE(starts_with_nocase("::ffff:169.254.1.9", "169.254."));
  EXPECT_TRUE(starts_with_nocase("ABCdef", "abc"));
  EXPECT_FALSE(starts_with_nocase("", "169.254."));
}

TEST(MdeHunt, PruningUnderDefaultNowKeepsExactCounts) {
  // Many events with rising times force pruning; the result must equal the `now`-given run.
  std::vector<Ev> evs;
  for (int d = 0; d < 90; ++d) {
    for (int i = 0; i < 30000; ++i) {
      char t[40];
      std::snprintf(t, sizeof t, "2024-%02d-%02dT%02d:%02d:00Z", 1 + (d / 28), 1 + (d % 28), (i / 60) % 24, i % 60);
      evs.push_back(at(t, "ip" + std::to_string(i % 997)));
    }
  }
  std::string last;
  for (const Ev& e : evs) last = std::max(last, e.time);  // same format: text order is time order
  Result a = run(evs, last, {}, 2, 5000);
  Result b = run(evs, std::nullopt, {}, 2, 5000);
  EXPECT_EQ(a.finding_offsets, b.finding_offsets);
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_EQ(a.counts_total.baseline_events, b.counts_total.baseline_events);
  EXPECT_GT(a.finding_offsets.size(), 0u);
}

// "<prefix><n>.example" (built by appending: GCC 12 warns falsely on "x" + std::to_string(n)).
std::string host(const char* prefix, int n) {
  std::string h = prefix;
  h += std::to_string(n);
  h += ".example";
  return h;
}

TEST(MdeHunt, KeyWithThousandsOfDistinctUrls) {
  // A CDN address seen under thousands of host names: the set stays exact (indexed per key).
  std::vector<Ev> evs;
  for (int i = 0; i < 3000; ++i) {
    evs.push_back(at(i % 2 ? "2024-05-30T00:00:00Z" : "2024-04-01T00:00:00Z", "cdn", host("h", i % 1500)));
  }
  for (std::optional<std::string> now : {std::optional<std::string>(kNow), std::optional<std::string>()}) {
    Result r = run(evs, now, {}, 2, 100000);
    ASSERT_EQ(r.finding_keys.size(), 1500u);
    EXPECT_EQ(r.counts[0], 1500);  // the odd events, inside the lookback
    // Only the odd host names were seen inside the lookback window: 750 of the 1500 names.
    EXPECT_EQ(std::count(r.sets[0].begin(), r.sets[0].end(), ','), 749);
  }
}

TEST(MdeHunt, SaturatedKeysStayNotRare) {
  // With `now` given, a key whose count reaches the threshold in one thread drops its set early;
  // it must still be counted exactly and never reported.
  std::vector<Ev> evs;
  for (int i = 0; i < 120; ++i) evs.push_back(at("2024-05-30T00:00:00Z", "busy", host("u", i)));
  evs.push_back(at("2024-05-30T00:00:00Z", "rare", "r.example"));
  Result r = run(evs, kNow, {}, 3, 50);
  EXPECT_EQ(r.finding_keys, (std::vector<std::string>{"rare"}));
  EXPECT_EQ(r.counts_total.distinct_keys, 2u);
  EXPECT_EQ(r.counts_total.keys_under_threshold, 1u);
}
