// Partial aggregation, partitioned merge, rare-key decision and probe of the recent partition.
// Exact to 100 ns at both window edges (`>` strict) whether `now` is given or found at the end.
#include "core/window_aggregator.hpp"

#include <algorithm>

#include "core/json_text.hpp"

namespace rareconn::core {

namespace {
constexpr std::size_t kPartitions = 64;
constexpr std::size_t kProbeSlice = 1 << 16;
}  // namespace

Ticks WindowShared::raise_newest(Ticks t) {
  Ticks cur = newest_.load(std::memory_order_relaxed);
  while (t > cur && !newest_.compare_exchange_weak(cur, t, std::memory_order_relaxed)) {
  }
  return t > cur ? t : cur;
}

WindowPartial::WindowPartial(WindowShared& shared)
    : shared_(shared), now_known_(shared.config().now.has_value()) {
  if (shared.config().first_prune) first_prune_ = next_prune_ = shared.config().first_prune;
  if (now_known_) {
    base_cut_ = *shared.config().now - shared.config().lookback;
    recent_cut_ = *shared.config().now - shared.config().recent;
  }
}

std::uint32_t WindowPartial::key_id(std::string_view key) {
  bool added;
  const std::uint32_t id = keys_text_.intern(key, hash_bytes(key), added);
  if (added) keys_.emplace_back();
  return id;
}

namespace {
constexpr std::uint32_t kLinearUrls = 16;  // beyond this many distinct values a key's list is indexed

std::uint64_t list_slot(std::uint32_t key, std::uint32_t url) { return (std::uint64_t{key} << 32) | url; }
}  // namespace

void WindowPartial::note_url(std::uint32_t key, std::uint32_t url, Ticks t) {
  KeyAgg& agg = keys_[key];
  if (agg.url_count > kLinearUrls) {
    auto [it, inserted] = long_lists_.insert({list_slot(key, url), static_cast<std::uint32_t>(links_.size())});
    if (!inserted) {
      if (t > links_[it->second].newest) links_[it->second].newest = t;
      return;
    }
  } else {
    for (std::uint32_t l = agg.urls; l != kNoLink; l = links_[l].next) {
      if (links_[l].url == url) {
        if (t > links_[l].newest) links_[l].newest = t;
        return;
      }
    }
  }
  links_.push_back({t, url, agg.urls});
  agg.urls = static_cast<std::uint32_t>(links_.size() - 1);
  ++agg.url_count;
  if (agg.url_count == kLinearUrls + 1) {
    for (std::uint32_t l = agg.urls; l != kNoLink; l = links_[l].next) long_lists_.insert({list_slot(key, links_[l].url), l});
  }
}

void WindowPartial::clear_urls(KeyAgg& agg) {
  dead_links_ += agg.url_count;
  agg.urls = kNoLink;
  agg.url_count = 0;
  // Reclaimed when the dead links outnumber the live ones (the long lists' index is rebuilt then).
  if (dead_links_ > (1u << 16) && 2 * dead_links_ > links_.size()) {
    compact_urls([](const UrlLink&) { return true; });
  }
}

void WindowPartial::saturate(KeyAgg& agg) {
  agg.saturated = 1;
  clear_urls(agg);
}

template <class Keep>
void WindowPartial::compact_urls(Keep keep) {
  std::vector<UrlLink> links;
  links.reserve(links_.size() - dead_links_);
  long_lists_.clear();
  for (std::uint32_t k = 0; k < keys_.size(); ++k) {
    KeyAgg& agg = keys_[k];
    std::uint32_t head = kNoLink, n = 0;
    for (std::uint32_t l = agg.urls; l != kNoLink; l = links_[l].next) {
      if (!keep(links_[l])) continue;
      links.push_back({links_[l].newest, links_[l].url, head});
      head = static_cast<std::uint32_t>(links.size() - 1);
      ++n;
    }
    agg.urls = head;
    agg.url_count = n;
    if (n > kLinearUrls) {
      for (std::uint32_t l = head; l != kNoLink; l = links[l].next) long_lists_.insert({list_slot(k, links[l].url), l});
    }
  }
  links_ = std::move(links);
  dead_links_ = 0;
}

void WindowPartial::add(std::string_view key, std::string_view set_value, Ticks t, EventRef ref) {
  const WindowConfig& cfg = shared_.config();
  Ticks base_cut = base_cut_, recent_cut = recent_cut_;
  if (!now_known_) {
    // `now` >= the newest time seen so far, so these are lower bounds of the final cuts.
    const Ticks newest = newest_so_far();
    base_cut = newest - cfg.lookback;
    recent_cut = newest - cfg.recent;
  }
  const bool in_base = t > base_cut;
  bool in_recent = t > recent_cut;
  if (cfg.recent_within_lookback) in_recent = in_recent && in_base;
  if (!in_base && !in_recent) return;
  const std::uint32_t id = key_id(key);
  if (in_base) {
    KeyAgg& agg = keys_[id];
    if (now_known_) {
      ++agg.count;
      // This thread alone already counts threshold events: the key is not rare, its set is moot.
      if (!agg.saturated && static_cast<std::int64_t>(agg.count) >= cfg.threshold) saturate(agg);
    } else {
      pending_.push_back({t, id});
    }
    if (cfg.track_set && !keys_[id].saturated && !(cfg.set_drops_empty && set_value.empty())) {
      note_url(id, urls_.intern(set_value), t);
    }
  }
  if (in_recent) {
    if (now_known_ && keys_[id].saturated) {
      // Never rare (its count only grows): counted, not held, as prune_now() would drop it.
      ++recent_dropped_;
    } else {
      recent_.push_back({t, ref.offset, ref.file, ref.length, id});
      if (sink_ != nullptr) [[unlikely]] sink_(sink_context_, ref, t);
    }
  }
  if (!now_known_ && pending_.size() + recent_.size() > next_prune_) prune();
}

void WindowPartial::prune() {
  const WindowConfig& cfg = shared_.config();
  publish_newest();
  cached_newest_ = shared_.newest();
  const Ticks base_cut = cached_newest_ - cfg.lookback;
  const Ticks recent_cut = cached_newest_ - cfg.recent;
  std::erase_if(pending_, [&](const PendingTime& p) { return p.time <= base_cut; });
  compact_urls([&](const UrlLink& u) { return u.newest > base_cut; });
  std::erase_if(recent_, [&](const RecentRef& r) {
    return r.time <= recent_cut || (cfg.recent_within_lookback && r.time <= base_cut);
  });
  std::erase_if(recent_dropped_times_, [&](Ticks t) {
    return t <= recent_cut || (cfg.recent_within_lookback && t <= base_cut);  // out of every final window
  });
  drop_shadowed_recent();
  next_prune_ = std::max<std::size_t>(2 * (pending_.size() + recent_.size()), first_prune_);
}

// A recent row at time t can be a finding only if it is still in the recent window at the final
// `now` (t > now - recent, so now - lookback < t - (lookback - recent)) and its key's count in
// (now - lookback, now] is under the threshold. Every event of the key at or after
// t - (lookback - recent) lies in that window (no event is after `now`), and those events are all
// among the pending times (pruning only drops times at or before newest - lookback, which is
// earlier). So when at least `threshold` of them are at or after t - (lookback - recent), the row
// is never a finding, whatever `now` turns out to be: it is dropped, its time kept for the
// summary's count of recent-window events. (Exact, as the tests against the one-pass engine show.)
void WindowPartial::drop_shadowed_recent() {
  const WindowConfig& cfg = shared_.config();
  if (recent_.empty() || pending_.empty()) return;
  const std::uint64_t threshold = cfg.threshold < 0 ? 0 : static_cast<std::uint64_t>(cfg.threshold);
  // Per key with a recent row: the threshold-th latest pending time (a row at t is dropped when it
  // is at or after t - (lookback - recent)). The times are grouped by key (a counting sort) and
  // each group partitioned once: linear, where a sort of all pending times was not.
  constexpr std::uint32_t kNoRow = 0, kHasRow = 1;
  std::vector<std::uint32_t> first(keys_.size() + 1, 0);  // the times of key k: [first[k], first[k + 1])
  std::vector<std::uint32_t> wanted(keys_.size(), kNoRow);
  for (const RecentRef& r : recent_) wanted[r.key] = kHasRow;
  for (const PendingTime& p : pending_) first[p.key + 1] += wanted[p.key];
  for (std::size_t k = 0; k < keys_.size(); ++k) first[k + 1] += first[k];
  std::vector<Ticks> times(first[keys_.size()]);
  {
    std::vector<std::uint32_t> at(first.begin(), first.end() - 1);
    for (const PendingTime& p : pending_) {
      if (wanted[p.key]) times[at[p.key]++] = p.time;
    }
  }
  std::vector<Ticks> kth(keys_.size(), 0);  // valid where the key has at least `threshold` times
  if (threshold > 0) {
    for (std::size_t k = 0; k < keys_.size(); ++k) {
      const std::uint64_t n = first[k + 1] - first[k];
      if (n < threshold) continue;
      const auto begin = times.begin() + first[k], nth = begin + static_cast<std::ptrdiff_t>(n - threshold);
      std::nth_element(begin, nth, times.begin() + first[k + 1]);
      kth[k] = *nth;
    }
  }
  const std::size_t before = recent_.size();
  std::erase_if(recent_, [&](const RecentRef& r) {
    if (first[r.key + 1] - first[r.key] < threshold) return false;
    if (threshold > 0 && kth[r.key] < r.time - (cfg.lookback - cfg.recent)) return false;
    recent_dropped_times_.push_back(r.time);
    return true;
  });
  if (recent_.size() != before) std::sort(recent_dropped_times_.begin(), recent_dropped_times_.end());
}

void WindowPartial::release() {
  keys_text_.clear();
  urls_.clear();
  keys_ = {};
  links_ = {};
  dead_links_ = 0;
  long_lists_ = {};
  pending_ = {};
  recent_ = {};
  recent_dropped_times_ = {};
}

std::size_t WindowPartial::memory_bytes() const {
  return keys_text_.memory_bytes() + urls_.memory_bytes() + keys_.capacity() * sizeof(KeyAgg) +
         links_.capacity() * sizeof(UrlLink) + long_lists_.bucket_count() * 16 +
         pending_.capacity() * sizeof(PendingTime) + recent_.capacity() * sizeof(RecentRef);
}

WindowMerger::WindowMerger(WindowShared& shared, std::vector<WindowPartial*> partials,
                           const RareKeyFilter* filter)
    : shared_(shared), partials_(std::move(partials)), filter_(filter), partitions_(kPartitions) {
  for (WindowPartial* p : partials_) p->publish_newest();
  const WindowConfig& cfg = shared_.config();
  if (cfg.now) {
    now_ = cfg.now;
  } else if (shared_.any_time()) {
    now_ = shared_.newest();
  }
  if (now_) {
    base_cut_ = *now_ - cfg.lookback;
    recent_cut_ = *now_ - cfg.recent;
  }
  rare_of_.resize(partials_.size());
  pending_in_base_.resize(partials_.size());
  for (std::size_t i = 0; i < partials_.size(); ++i) {
    const WindowPartial& w = *partials_[i];
    rare_of_[i].assign(w.keys_.size(), kNotRare);
    if (w.pending_.empty() || !now_) continue;
    std::vector<std::uint32_t>& n = pending_in_base_[i];
    n.assign(w.keys_.size(), 0);
    for (const WindowPartial::PendingTime& t : w.pending_) n[t.key] += (t.time > base_cut_);
  }
}

void WindowMerger::merge_partition(std::size_t p) {
  if (!now_) return;
  const WindowConfig& cfg = shared_.config();
  Partition& part = partitions_[p];
  tsl::robin_map<std::string_view, std::uint32_t, XxHash, std::equal_to<>> index;
  std::vector<GlobalKey> keys;
  std::vector<Member> members;
  // A partial's key with no lookback event (only recent rows: --recent longer than --lookback)
  // does not make a key of the join's left side, but its recent rows join one made elsewhere.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> recent_only;
  for (std::size_t i = 0; i < partials_.size(); ++i) {
    const WindowPartial& w = *partials_[i];
    const std::vector<std::uint32_t>& pending = pending_in_base_[i];
    for (std::uint32_t k = 0; k < w.keys_.size(); ++k) {
      if (w.keys_text_.hash(k) % kPartitions != p) continue;
      const std::uint64_t n = w.keys_[k].count + (pending.empty() ? 0 : pending[k]);
      if (n == 0) {
        recent_only.emplace_back(static_cast<std::uint32_t>(i), k);
        continue;
      }
      const std::string_view key = w.keys_text_[k];
      auto [it, inserted] = index.insert({key, static_cast<std::uint32_t>(keys.size())});
      if (inserted) keys.push_back(GlobalKey{key, 0, WindowPartial::kNoLink});
      GlobalKey& gk = keys[it->second];
      gk.count += n;
      members.push_back({static_cast<std::uint32_t>(i), k, gk.first_member});
      gk.first_member = static_cast<std::uint32_t>(members.size() - 1);
    }
  }
  for (const auto& [i, k] : recent_only) {
    auto it = index.find(partials_[i]->keys_text_[k]);
    if (it == index.end()) continue;
    GlobalKey& gk = keys[it->second];
    members.push_back({i, k, gk.first_member});
    gk.first_member = static_cast<std::uint32_t>(members.size() - 1);
  }
  part.counts.distinct_keys = keys.size();
  std::vector<std::string_view> set;
  std::string text;
  for (const GlobalKey& gk : keys) {
    part.counts.baseline_events += gk.count;
    if (static_cast<std::int64_t>(gk.count) >= cfg.threshold) continue;
    ++part.counts.keys_under_threshold;
    set.clear();
    if (cfg.track_set) {
      for (std::uint32_t m = gk.first_member; m != WindowPartial::kNoLink; m = members[m].next) {
        const WindowPartial& w = *partials_[members[m].partial];
        for (std::uint32_t l = w.keys_[members[m].key].urls; l != WindowPartial::kNoLink; l = w.links_[l].next) {
          if (w.links_[l].newest > base_cut_) set.push_back(w.urls_[w.links_[l].url]);
        }
      }
      std::sort(set.begin(), set.end());
      set.erase(std::unique(set.begin(), set.end()), set.end());
    }
    text.clear();
    append_json_string_array(text, set);
    RareKey rk;
    rk.set_json = text;
    rk.count = static_cast<std::int64_t>(gk.count);
    if (filter_ != nullptr && filter_->drops(rk)) {
      ++part.counts.keys_allow_dropped;
      continue;
    }
    rk.set_json = part.bytes.copy(text);
    rk.key = part.bytes.copy(gk.key);
    const std::uint64_t code = (static_cast<std::uint64_t>(p) << 32) | part.rare.size();
    part.rare.push_back(rk);
    if (!cfg.empty_key_joins) {
      // U-5=no-match: a key with an empty part is rare on the left side, but joins no row.
      const std::vector<std::string_view> parts = key_part_views(gk.key);
      if (std::any_of(parts.begin(), parts.end(), [](std::string_view s) { return s.empty(); })) continue;
    }
    for (std::uint32_t m = gk.first_member; m != WindowPartial::kNoLink; m = members[m].next) {
      rare_of_[members[m].partial][members[m].key] = code;
    }
  }
  part.counts.rare_keys = part.rare.size();
  // Keys seen only in the recent window (no baseline event) are not on the left side of the join.
}

void WindowMerger::finish_merge() {
  partition_offset_.assign(partitions_.size(), 0);
  std::uint32_t total = 0;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    partition_offset_[p] = total;
    total += static_cast<std::uint32_t>(partitions_[p].rare.size());
    const WindowCounts& c = partitions_[p].counts;
    counts_.baseline_events += c.baseline_events;
    counts_.distinct_keys += c.distinct_keys;
    counts_.keys_under_threshold += c.keys_under_threshold;
    counts_.keys_allow_dropped += c.keys_allow_dropped;
    counts_.rare_keys += c.rare_keys;
  }
  rare_.reserve(total);
  for (Partition& part : partitions_) {
    rare_.insert(rare_.end(), part.rare.begin(), part.rare.end());
    part.rare = {};
  }
  for (const WindowPartial* w : partials_) {
    counts_.recent_events += w->recent_dropped_;
    if (!now_) continue;
    const bool within = shared_.config().recent_within_lookback;
    for (Ticks t : w->recent_dropped_times_) counts_.recent_events += t > recent_cut_ && (!within || t > base_cut_);
  }
  pending_in_base_ = {};
  for (auto& per_partial : rare_of_) {
    for (std::uint64_t& code : per_partial) {
      if (code != kNotRare) code = partition_offset_[code >> 32] + (code & 0xffffffffu);
    }
  }
  if (!now_) return;
  for (std::size_t i = 0; i < partials_.size(); ++i) {
    const std::size_t n = partials_[i]->recent_.size();
    for (std::size_t b = 0; b < n; b += kProbeSlice) {
      probe_tasks_.push_back({static_cast<std::uint32_t>(i), b, std::min(n, b + kProbeSlice)});
    }
  }
}

void WindowMerger::release_partials() {
  for (WindowPartial* w : partials_) w->release();
  rare_of_ = {};
  probe_tasks_ = {};
}

template <class OnFinding>
void WindowMerger::probe_slice(std::size_t task, std::uint64_t& recent_events, OnFinding&& on_finding) const {
  const ProbeTask& t = probe_tasks_[task];
  const WindowPartial& w = *partials_[t.partial];
  const std::vector<std::uint64_t>& rare_of = rare_of_[t.partial];
  const bool within = shared_.config().recent_within_lookback;
  for (std::size_t i = t.begin; i < t.end; ++i) {
    const WindowPartial::RecentRef& r = w.recent_[i];
    if (r.time <= recent_cut_ || (within && r.time <= base_cut_)) continue;
    ++recent_events;
    const std::uint64_t code = rare_of[r.key];
    if (code == kNotRare) continue;
    on_finding(Finding{r.time, r.offset, r.file, r.length, static_cast<std::uint32_t>(code)});
  }
}

void WindowMerger::probe(std::size_t task, std::vector<Finding>& out, std::uint64_t& recent_events) const {
  probe_slice(task, recent_events, [&](const Finding& f) { out.push_back(f); });
}

std::size_t WindowMerger::probe_count(std::size_t task, std::uint64_t& recent_events) const {
  std::size_t n = 0;
  probe_slice(task, recent_events, [&](const Finding&) { ++n; });
  return n;
}

void WindowMerger::probe_into(std::size_t task, Finding* out) const {
  std::uint64_t unused = 0;
  probe_slice(task, unused, [&](const Finding& f) { *out++ = f; });
}

}  // namespace rareconn::core
