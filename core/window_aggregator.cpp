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
  if (now_known_) {
    base_cut_ = *shared.config().now - shared.config().lookback;
    recent_cut_ = *shared.config().now - shared.config().recent;
  }
}

std::uint32_t WindowPartial::key_id(std::string_view key) {
  const std::uint64_t h = hash_bytes(key);
  auto it = key_index_.find(key, static_cast<std::size_t>(h));
  if (it != key_index_.end()) return it->second;
  const std::uint32_t id = static_cast<std::uint32_t>(keys_.size());
  KeyAgg agg;
  agg.hash = h;
  agg.key = arena_.copy(key);
  keys_.push_back(std::move(agg));
  key_index_.insert({keys_.back().key, id});
  return id;
}

std::uint32_t WindowPartial::url_id(std::string_view url) {
  auto it = url_index_.find(url);
  if (it != url_index_.end()) return it->second;
  const std::uint32_t id = static_cast<std::uint32_t>(urls_.size());
  urls_.push_back(arena_.copy(url));
  url_index_.insert({urls_.back(), id});
  return id;
}

namespace {
constexpr std::size_t kLinearUrls = 16;  // beyond this many distinct values a key gets an index

void index_urls(std::unique_ptr<tsl::robin_map<std::uint32_t, std::uint32_t>>& pos,
                const std::vector<WindowPartial::UrlSeen>& urls) {
  pos = std::make_unique<tsl::robin_map<std::uint32_t, std::uint32_t>>();
  for (std::size_t i = 0; i < urls.size(); ++i) pos->insert({urls[i].url, static_cast<std::uint32_t>(i)});
}
}  // namespace

void WindowPartial::note_url(KeyAgg& agg, std::uint32_t url, Ticks t) {
  if (agg.url_pos) {
    auto [it, inserted] = agg.url_pos->insert({url, static_cast<std::uint32_t>(agg.urls.size())});
    if (inserted) {
      agg.urls.push_back({url, t});
    } else if (t > agg.urls[it->second].newest) {
      agg.urls[it->second].newest = t;
    }
    return;
  }
  for (UrlSeen& u : agg.urls) {
    if (u.url == url) {
      if (t > u.newest) u.newest = t;
      return;
    }
  }
  agg.urls.push_back({url, t});
  if (agg.urls.size() > kLinearUrls) index_urls(agg.url_pos, agg.urls);
}

void WindowPartial::add(std::string_view key, std::string_view set_value, Ticks t, EventRef ref) {
  const WindowConfig& cfg = shared_.config();
  Ticks base_cut = base_cut_, recent_cut = recent_cut_;
  if (!now_known_) {
    // `now` >= the newest time seen so far, so these are lower bounds of the final cuts.
    const Ticks newest = cached_newest_;
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
      if (!agg.saturated && static_cast<std::int64_t>(agg.count) >= cfg.threshold) {
        // This thread alone already counts threshold events: the key is not rare, its set is moot.
        agg.saturated = true;
        agg.urls = {};
        agg.url_pos.reset();
      }
    } else {
      agg.pending.push_back(t);
      ++pending_total_;
    }
    if (cfg.track_set && !agg.saturated) note_url(agg, url_id(set_value), t);
  }
  if (in_recent) {
    recent_.push_back({t, ref.offset, ref.file, ref.length, id});
    if (sink_ != nullptr) [[unlikely]] sink_(sink_context_, ref, t);
  }
  if (!now_known_ && pending_total_ + recent_.size() > next_prune_) prune();
}

void WindowPartial::prune() {
  const WindowConfig& cfg = shared_.config();
  cached_newest_ = shared_.newest();
  const Ticks base_cut = cached_newest_ - cfg.lookback;
  const Ticks recent_cut = cached_newest_ - cfg.recent;
  pending_total_ = 0;
  for (KeyAgg& agg : keys_) {
    std::erase_if(agg.pending, [&](Ticks t) { return t <= base_cut; });
    if (std::erase_if(agg.urls, [&](const UrlSeen& u) { return u.newest <= base_cut; }) && agg.url_pos) {
      index_urls(agg.url_pos, agg.urls);  // positions moved
    }
    pending_total_ += agg.pending.size();
  }
  std::erase_if(recent_, [&](const RecentRef& r) {
    return r.time <= recent_cut || (cfg.recent_within_lookback && r.time <= base_cut);
  });
  next_prune_ = std::max<std::size_t>(2 * (pending_total_ + recent_.size()), 1 << 20);
}

std::size_t WindowPartial::memory_bytes() const {
  std::size_t n = arena_.bytes() + keys_.capacity() * sizeof(KeyAgg) + recent_.capacity() * sizeof(RecentRef) +
                  urls_.capacity() * sizeof(std::string_view);
  for (const KeyAgg& k : keys_) n += k.pending.capacity() * sizeof(Ticks) + k.urls.capacity() * sizeof(UrlSeen);
  return n;
}

WindowMerger::WindowMerger(WindowShared& shared, std::vector<WindowPartial*> partials,
                           const RareKeyFilter* filter)
    : shared_(shared), partials_(std::move(partials)), filter_(filter), partitions_(kPartitions) {
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
  for (std::size_t i = 0; i < partials_.size(); ++i) rare_of_[i].assign(partials_[i]->keys_.size(), kNotRare);
}

void WindowMerger::merge_partition(std::size_t p) {
  if (!now_) return;
  const WindowConfig& cfg = shared_.config();
  Partition& part = partitions_[p];
  tsl::robin_map<std::string_view, std::uint32_t, XxHash, std::equal_to<>> index;
  std::vector<GlobalKey> keys;
  for (std::size_t i = 0; i < partials_.size(); ++i) {
    const WindowPartial& w = *partials_[i];
    for (std::size_t k = 0; k < w.keys_.size(); ++k) {
      const WindowPartial::KeyAgg& agg = w.keys_[k];
      if (agg.hash % kPartitions != p) continue;
      std::uint64_t n = agg.count;
      for (Ticks t : agg.pending) n += (t > base_cut_);
      if (n == 0) continue;
      auto it = index.find(agg.key, static_cast<std::size_t>(agg.hash));
      std::uint32_t g;
      if (it == index.end()) {
        g = static_cast<std::uint32_t>(keys.size());
        keys.push_back(GlobalKey{agg.key, 0, {}});
        index.insert({agg.key, g});
      } else {
        g = it->second;
      }
      keys[g].count += n;
      keys[g].members.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(k)});
    }
  }
  part.counts.distinct_keys = keys.size();
  std::vector<std::string_view> set;
  for (const GlobalKey& gk : keys) {
    part.counts.baseline_events += gk.count;
    if (static_cast<std::int64_t>(gk.count) >= cfg.threshold) continue;
    ++part.counts.keys_under_threshold;
    set.clear();
    if (cfg.track_set) {
      for (const Member& m : gk.members) {
        const WindowPartial& w = *partials_[m.partial];
        for (const WindowPartial::UrlSeen& u : w.keys_[m.key].urls) {
          if (u.newest > base_cut_) set.push_back(w.urls_[u.url]);
        }
      }
      std::sort(set.begin(), set.end());
      set.erase(std::unique(set.begin(), set.end()), set.end());
    }
    RareKey rk;
    rk.set_json = json_string_array(set);
    rk.count = static_cast<std::int64_t>(gk.count);
    if (filter_ != nullptr && filter_->drops(rk)) {
      ++part.counts.keys_allow_dropped;
      continue;
    }
    rk.parts = decode_key(gk.key);
    const std::uint64_t code = (static_cast<std::uint64_t>(p) << 32) | part.rare.size();
    part.rare.push_back(std::move(rk));
    for (const Member& m : gk.members) rare_of_[m.partial][m.key] = code;
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
    for (RareKey& rk : part.rare) rare_.push_back(std::move(rk));
    part.rare.clear();
  }
  for (const WindowPartial* w : partials_) counts_.recent_events += w->recent_dropped_;
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

void WindowMerger::probe(std::size_t task, std::vector<Finding>& out, std::uint64_t& recent_events) const {
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
    out.push_back({r.time, r.offset, r.file, r.length, static_cast<std::uint32_t>(code)});
  }
}

}  // namespace rareconn::core
