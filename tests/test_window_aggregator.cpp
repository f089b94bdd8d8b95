// Tests for core/window_aggregator and core/window_state_io: the merger's results over many keys
// (most with one to three set values, some with long lists, some past the threshold in one
// partial) equal a plain computation of the query's summarize and join, with `now` given and found
// at the end (pruning on the way), spread over several partials, and after save/load and absorb.
#include "core/window_aggregator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/json_text.hpp"

using namespace rareconn::core;

namespace {

struct Event {
  std::string key;  // encoded (key_codec.hpp)
  std::string url;
  Ticks time;
  std::uint64_t offset;
};

// Drops the keys whose set holds a value with "drop" in it.
class DropFilter final : public RareKeyFilter {
 public:
  bool drops(const RareKey& k) const override { return k.set_json.find("drop") != std::string_view::npos; }
};

// One finding as the output sees it: its row's place, its key, count_ and set.
using Row = std::tuple<Ticks, std::uint64_t, std::string, std::int64_t, std::string>;

struct Outcome {
  std::vector<Row> rows;
  WindowCounts counts;
};

constexpr Ticks kDay = kTicksPerDay;
constexpr Ticks kEnd = 800 * kDay;  // the newest event time

std::vector<Event> make_events(std::size_t keys, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> evs;
  for (std::size_t k = 0; k < keys; ++k) {
    std::string key;
    std::string server = "srv-", ip = "10.";
    server += std::to_string(k % 97);
    ip += std::to_string(k / 97);
    ip += ".0.1";
    append_key_part(key, server);
    append_key_part(key, ip);
    if (k % 3 == 0) append_key_part(key, std::string(130 + k % 7, 'p'));  // a length of two varint bytes
    const std::size_t kind = k % 10;
    const std::size_t events = kind == 0 ? 60 + rng() % 40 : 1 + rng() % 8;  // some past the threshold
    const std::size_t urls = kind == 1 ? 40 : 1 + rng() % 3;                 // some long lists
    for (std::size_t e = 0; e < events; ++e) {
      std::string url = "x.drop.example";
      if (kind != 2 || e != 0) url = std::to_string(rng() % urls), url += ".example";
      if (rng() % 50 == 0) url.clear();
      const Ticks t = kEnd - static_cast<Ticks>(rng() % (40 * kDay));  // around both window edges
      evs.push_back({key, url, t, evs.size()});
    }
  }
  evs.push_back({evs.front().key, "newest", kEnd, evs.size()});
  std::shuffle(evs.begin(), evs.end(), rng);
  return evs;
}

WindowConfig config(bool now_given) {
  WindowConfig cfg;
  if (now_given) cfg.now = kEnd - 2 * kDay;  // events after `now` are in both windows
  cfg.threshold = 50;
  return cfg;
}

// The query computed plainly: make_set and count() per key over the lookback, threshold, the key
// filter, then one row per recent event of a rare key.
Outcome reference(const std::vector<Event>& evs, const WindowConfig& cfg) {
  Ticks now = cfg.now ? *cfg.now : INT64_MIN;
  for (const Event& e : evs) now = cfg.now ? now : std::max(now, e.time);
  const Ticks base_cut = now - cfg.lookback, recent_cut = now - cfg.recent;
  std::map<std::string, std::pair<std::int64_t, std::set<std::string>>> keys;
  Outcome out;
  for (const Event& e : evs) {
    if (e.time > recent_cut) ++out.counts.recent_events;
    if (e.time <= base_cut) continue;
    auto& [count, set] = keys[e.key];
    ++count;
    set.insert(e.url);
    ++out.counts.baseline_events;
  }
  std::map<std::string, std::pair<std::int64_t, std::string>> rare;
  const DropFilter filter;
  for (const auto& [key, agg] : keys) {
    ++out.counts.distinct_keys;
    if (agg.first >= cfg.threshold) continue;
    ++out.counts.keys_under_threshold;
    const std::vector<std::string_view> set(agg.second.begin(), agg.second.end());
    const std::string json = json_string_array(set);
    RareKey rk;
    rk.set_json = json;
    if (filter.drops(rk)) {
      ++out.counts.keys_allow_dropped;
      continue;
    }
    rare[key] = {agg.first, json};
  }
  out.counts.rare_keys = rare.size();
  for (const Event& e : evs) {
    const auto it = rare.find(e.key);
    if (e.time > recent_cut && it != rare.end()) out.rows.push_back({e.time, e.offset, e.key, it->second.first, it->second.second});
  }
  std::sort(out.rows.begin(), out.rows.end());
  return out;
}

Outcome merge(WindowShared& shared, const std::vector<WindowPartial*>& partials) {
  const DropFilter filter;
  WindowMerger m(shared, partials, &filter);
  for (std::size_t p = 0; p < m.partition_count(); ++p) m.merge_partition(p);
  m.finish_merge();
  std::vector<Finding> fs;
  std::uint64_t recent = 0;
  for (std::size_t t = 0; t < m.probe_task_count(); ++t) m.probe(t, fs, recent);
  m.add_recent_events(recent);
  // The scanner's two passes (probe_count, then probe_into at each task's place) give the same
  // findings in the same order, and the same recent-window events.
  std::vector<Finding> two_pass;
  std::uint64_t recent_counted = 0;
  for (std::size_t t = 0; t < m.probe_task_count(); ++t) {
    const std::size_t at = two_pass.size();
    two_pass.resize(at + m.probe_count(t, recent_counted));
    m.probe_into(t, two_pass.data() + at);
  }
  EXPECT_EQ(recent_counted, recent);
  EXPECT_EQ(two_pass.size(), fs.size());
  for (std::size_t i = 0; i < std::min(fs.size(), two_pass.size()); ++i) {
    EXPECT_TRUE(two_pass[i].time == fs[i].time && two_pass[i].offset == fs[i].offset && two_pass[i].file == fs[i].file &&
                two_pass[i].length == fs[i].length && two_pass[i].rare == fs[i].rare)
        << "finding " << i;
  }
  m.release_partials();  // the rare keys hold their own bytes
  Outcome out;
  for (const Finding& f : fs) {
    const RareKey& k = m.rare_keys()[f.rare];
    std::string key;
    for (std::string_view part : k.parts()) append_key_part(key, part);
    EXPECT_EQ(key, k.key);
    out.rows.push_back({f.time, f.offset, key, k.count, std::string(k.set_json)});
  }
  std::sort(out.rows.begin(), out.rows.end());
  out.counts = m.counts();
  return out;
}

// Feeds the events to `n` partials, round robin, as the scanner's threads do.
std::vector<std::unique_ptr<WindowPartial>> feed(WindowShared& shared, const std::vector<Event>& evs, std::size_t n) {
  std::vector<std::unique_ptr<WindowPartial>> parts;
  for (std::size_t i = 0; i < n; ++i) parts.push_back(std::make_unique<WindowPartial>(shared));
  for (const Event& e : evs) {
    WindowPartial& p = *parts[e.offset % n];
    p.observe(e.time);
    p.add(e.key, e.url, e.time, EventRef{e.offset, 0, 1});
  }
  return parts;
}

std::vector<WindowPartial*> pointers(const std::vector<std::unique_ptr<WindowPartial>>& parts) {
  std::vector<WindowPartial*> out;
  for (const auto& p : parts) out.push_back(p.get());
  return out;
}

void expect_same(const Outcome& got, const Outcome& want) {
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_EQ(got.counts.baseline_events, want.counts.baseline_events);
  EXPECT_EQ(got.counts.recent_events, want.counts.recent_events);
  EXPECT_EQ(got.counts.distinct_keys, want.counts.distinct_keys);
  EXPECT_EQ(got.counts.keys_under_threshold, want.counts.keys_under_threshold);
  EXPECT_EQ(got.counts.keys_allow_dropped, want.counts.keys_allow_dropped);
  EXPECT_EQ(got.counts.rare_keys, want.counts.rare_keys);
}

class ManyKeys : public ::testing::TestWithParam<std::tuple<bool, std::size_t>> {};

TEST_P(ManyKeys, MergerEqualsThePlainQuery) {
  const auto [now_given, threads] = GetParam();
  // 30,000 keys, about 250,000 events: more than the first prune's 64 Ki entries per partial.
  const std::vector<Event> evs = make_events(30000, 7);
  const WindowConfig cfg = config(now_given);
  const Outcome want = reference(evs, cfg);
  ASSERT_GT(want.rows.size(), 1000u);
  ASSERT_GT(want.counts.keys_allow_dropped, 0u);
  ASSERT_LT(want.counts.keys_under_threshold, want.counts.distinct_keys);
  WindowShared shared(cfg);
  auto parts = feed(shared, evs, threads);
  expect_same(merge(shared, pointers(parts)), want);
}

TEST_P(ManyKeys, SavedLoadedAndAbsorbedPartialsEqualThePlainQuery) {
  const auto [now_given, threads] = GetParam();
  const std::vector<Event> evs = make_events(8000, 11);
  const WindowConfig cfg = config(now_given);
  const Outcome want = reference(evs, cfg);
  WindowShared shared(cfg);
  auto parts = feed(shared, evs, threads);
  // Each partial saved (after exact pruning) and loaded into one partial of a new run.
  WindowShared loaded_shared(cfg);
  WindowPartial loaded(loaded_shared);
  const std::vector<std::uint32_t> file_map = {0};
  for (auto& p : parts) {
    p->prune_for_saving();
    ByteWriter w;
    p->save(w);
    ByteReader r(w.bytes());
    ASSERT_TRUE(loaded.load(r, file_map));
    EXPECT_TRUE(r.done());
  }
  expect_same(merge(loaded_shared, {&loaded}), want);
  // The same partials absorbed into one (rareconn partial's per-thread partials).
  WindowShared absorbed_shared(cfg);
  auto fresh = feed(absorbed_shared, evs, threads);
  WindowPartial absorbed(absorbed_shared);
  for (auto& p : fresh) absorbed.absorb(*p);
  expect_same(merge(absorbed_shared, {&absorbed}), want);
}

INSTANTIATE_TEST_SUITE_P(NowAndThreads, ManyKeys,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(std::size_t{1}, std::size_t{3})));

TEST(WindowAggregator, SavedBytesDoNotDependOnTheOrderOfArrival) {
  const std::vector<Event> evs = make_events(2000, 5);
  std::vector<Event> reversed(evs.rbegin(), evs.rend());
  std::string bytes[2];
  for (int i = 0; i < 2; ++i) {
    WindowShared shared(config(true));
    WindowPartial p(shared);
    for (const Event& e : i ? reversed : evs) p.observe(e.time), p.add(e.key, e.url, e.time, EventRef{e.offset, 0, 1});
    p.prune_for_saving();
    ByteWriter w;
    p.save(w);
    bytes[i] = w.bytes();
  }
  EXPECT_EQ(bytes[0], bytes[1]);
}

// Pruning with `now` unknown drops a recent row at t when `threshold` events of its key are at or
// after t - (lookback - recent); at one tick before, they may all leave the window while the row
// stays recent (the final `now` one tick before t + recent): the row must be kept, a finding.
TEST(WindowAggregator, PruningKeepsARowWhoseShadowIsOneTickTooEarly) {
  const WindowConfig cfg = config(false);
  const Ticks newest = kEnd, t = newest - cfg.recent + 1, from = t - (cfg.lookback - cfg.recent);
  std::string key, other;
  append_key_part(key, "srv-1");
  append_key_part(other, "srv-2");
  std::vector<Event> evs;
  for (int i = 0; i < cfg.threshold; ++i) evs.push_back({key, "a.example", from - 1, evs.size()});
  evs.push_back({key, "b.example", t, evs.size()});
  for (const Ticks at : {from, from + 1}) {  // at `from` or later: the row is shadowed, dropped
    std::string k3;
    append_key_part(k3, "srv-3-" + std::to_string(at - from));
    for (int i = 0; i < cfg.threshold; ++i) evs.push_back({k3, "c.example", at, evs.size()});
    evs.push_back({k3, "d.example", t, evs.size()});
  }
  WindowShared shared(cfg);
  WindowPartial p(shared);
  for (const Event& e : evs) {
    p.observe(e.time);
    p.add(e.key, e.url, e.time, EventRef{e.offset, 0, 1});
  }
  p.prune_now();  // newest so far: t; every event above is still in its lookback
  const Event last{other, "newest", newest, evs.size()};
  evs.push_back(last);
  p.observe(last.time);
  p.add(last.key, last.url, last.time, EventRef{last.offset, 0, 1});
  const Outcome want = reference(evs, cfg);
  ASSERT_EQ(want.rows.size(), 2u);  // the rows of `key` and `other` (the shadowed keys have 51 events in the window)
  expect_same(merge(shared, {&p}), want);
}

// With `now` given, a recent row of a key this partial already counts `threshold` times for can
// never be a finding: it is counted as a recent-window event but not held (nor handed to the
// recent sink, which copies streamed records), so the partial's recent rows stay few when common
// destinations fill the recent window.
TEST(WindowAggregator, ARecentRowOfAKeyAlreadyPastTheThresholdIsNotHeld) {
  const WindowConfig cfg = config(true);
  const Ticks recent_time = *cfg.now - cfg.recent + kDay;
  std::string common, rare;
  append_key_part(common, "srv-common");
  append_key_part(rare, "srv-rare");
  std::vector<Event> evs;
  for (int i = 0; i < cfg.threshold; ++i) evs.push_back({common, "a.example", *cfg.now - 10 * kDay, evs.size()});
  for (int i = 0; i < 3; ++i) evs.push_back({common, "a.example", recent_time, evs.size()});
  evs.push_back({rare, "b.example", recent_time, evs.size()});
  WindowShared shared(cfg);
  WindowPartial p(shared);
  std::size_t sunk = 0;
  p.set_recent_sink([](void* c, const EventRef&, Ticks) { ++*static_cast<std::size_t*>(c); }, &sunk);
  for (const Event& e : evs) {
    p.observe(e.time);
    p.add(e.key, e.url, e.time, EventRef{e.offset, 0, 1});
  }
  EXPECT_EQ(p.recent_count(), 1u);  // the rare key's row only
  EXPECT_EQ(sunk, 1u);
  const Outcome want = reference(evs, cfg);
  ASSERT_EQ(want.rows.size(), 1u);
  const Outcome got = merge(shared, {&p});
  EXPECT_EQ(got.counts.recent_events, 4u);  // every recent-window event is still counted
  expect_same(got, want);
}

TEST(KeyCodec, PartsOfEveryLengthRoundTrip) {
  std::string key;
  const std::vector<std::string> parts = {"", "a", std::string(127, 'b'), std::string(128, 'c'), std::string(20000, 'd')};
  for (const std::string& p : parts) append_key_part(key, p);
  const std::vector<std::string_view> got = key_part_views(key);
  ASSERT_EQ(got.size(), parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) EXPECT_EQ(got[i], parts[i]);
  EXPECT_EQ(key.size(), 1 + 0 + 1 + 1 + 1 + 127 + 2 + 128 + 3 + 20000);
}

}  // namespace
