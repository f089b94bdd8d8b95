// The window engine's saved state: WindowPartial::save/load/absorb and the exact pruning done
// before saving (see window_aggregator.hpp). The layout is documented in the README ("Partials").
#include <algorithm>

#include "core/window_aggregator.hpp"

namespace rareconn::core {

void WindowPartial::saturate_if_full(KeyAgg& agg) {
  if (!now_known_ || agg.saturated || static_cast<std::int64_t>(agg.count) < shared_.config().threshold) return;
  saturate(agg);
}

void WindowPartial::prune_now() {
  if (!now_known_) {
    if (shared_.any_time()) prune();
    return;
  }
  const std::size_t before = recent_.size();
  std::erase_if(recent_, [&](const RecentRef& r) { return keys_[r.key].saturated; });
  recent_dropped_ += before - recent_.size();
}

void WindowPartial::prune_for_saving() {
  if (!now_known_ && local_newest_ != WindowShared::kNoTime) shared_.raise_newest(local_newest_);
  prune_now();
}

void WindowPartial::save(ByteWriter& w) const {
  w.svarint(local_newest_);
  w.varint(recent_dropped_);
  {
    std::vector<Ticks> dropped = recent_dropped_times_;
    std::sort(dropped.begin(), dropped.end());
    w.varint(dropped.size());
    Ticks prev = 0;
    for (Ticks t : dropped) w.svarint(t - prev), prev = t;  // datetimes: no overflow
  }
  // Keys and set values in byte order, so that the bytes do not depend on the order of arrival.
  // Keys that hold nothing (created by events pruned since) are left out: whether a thread met
  // them before or after the newest time moved on must not show in the bytes.
  std::vector<char> referenced(keys_.size(), 0);
  for (const RecentRef& r : recent_) referenced[r.key] = 1;
  std::vector<std::uint32_t> pending(keys_.size() + 1, 0);  // the key's first pending time in `times`
  for (const PendingTime& p : pending_) ++pending[p.key + 1];
  for (std::size_t i = 1; i < pending.size(); ++i) pending[i] += pending[i - 1];
  std::vector<Ticks> times(pending_.size());
  {
    std::vector<std::uint32_t> at(pending.begin(), pending.end() - 1);
    for (const PendingTime& p : pending_) times[at[p.key]++] = p.time;
  }
  std::vector<std::uint32_t> key_order;
  for (std::uint32_t i = 0; i < keys_.size(); ++i) {
    const KeyAgg& k = keys_[i];
    if (referenced[i] || k.count || k.saturated || pending[i + 1] > pending[i] || k.urls != kNoLink) key_order.push_back(i);
  }
  std::sort(key_order.begin(), key_order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return keys_text_[a] < keys_text_[b]; });
  std::vector<std::uint32_t> key_rank(keys_.size());
  for (std::uint32_t i = 0; i < key_order.size(); ++i) key_rank[key_order[i]] = i;
  std::vector<char> url_used(urls_.size(), 0);
  for (const KeyAgg& k : keys_) {
    for (std::uint32_t l = k.urls; l != kNoLink; l = links_[l].next) url_used[links_[l].url] = 1;
  }
  std::vector<std::uint32_t> url_order;
  for (std::uint32_t i = 0; i < urls_.size(); ++i) {
    if (url_used[i]) url_order.push_back(i);
  }
  std::sort(url_order.begin(), url_order.end(), [&](std::uint32_t a, std::uint32_t b) { return urls_[a] < urls_[b]; });
  std::vector<std::uint32_t> url_rank(urls_.size(), 0);
  for (std::uint32_t i = 0; i < url_order.size(); ++i) url_rank[url_order[i]] = i;
  w.varint(url_order.size());
  for (std::uint32_t u : url_order) w.str(urls_[u]);
  w.varint(key_order.size());
  std::vector<std::pair<std::uint32_t, Ticks>> urls;
  for (std::uint32_t id : key_order) {
    const KeyAgg& k = keys_[id];
    w.str(keys_text_[id]);
    w.varint(k.count);
    w.u8(k.saturated ? 1 : 0);
    const auto first = times.begin() + pending[id], last = times.begin() + pending[id + 1];
    std::sort(first, last);
    w.varint(static_cast<std::uint64_t>(last - first));
    Ticks prev = 0;
    for (auto t = first; t != last; ++t) w.svarint(*t - prev), prev = *t;  // times are datetimes: no overflow
    urls.clear();
    for (std::uint32_t l = k.urls; l != kNoLink; l = links_[l].next) urls.push_back({url_rank[links_[l].url], links_[l].newest});
    std::sort(urls.begin(), urls.end());
    w.varint(urls.size());
    for (const auto& [rank, newest] : urls) w.varint(rank), w.svarint(newest);
  }
  std::vector<const RecentRef*> recent(recent_.size());
  for (std::size_t i = 0; i < recent_.size(); ++i) recent[i] = &recent_[i];
  std::sort(recent.begin(), recent.end(), [](const RecentRef* a, const RecentRef* b) {
    return a->file != b->file ? a->file < b->file : a->offset < b->offset;
  });
  w.varint(recent.size());
  for (const RecentRef* r : recent) {
    w.varint(key_rank[r->key]);
    w.varint(r->file);
    w.varint(r->offset);
    w.varint(r->length);
    w.svarint(r->time);
  }
}

namespace {
// A saved time is a datetime Kusto can hold; anything else is damage (and must not reach the
// window arithmetic, where it would overflow).
bool valid_time(Ticks t) { return t >= 0 && t <= kMaxDatetimeTicks; }
}  // namespace

bool WindowPartial::load(ByteReader& r, std::span<const std::uint32_t> file_map) {
  const Ticks newest = r.svarint();
  if (newest != WindowShared::kNoTime && !valid_time(newest)) return false;
  if (newest != WindowShared::kNoTime) observe(newest), publish_newest();  // the merge reads the shared value
  recent_dropped_ += r.varint();
  {
    const std::uint64_t n = r.count();
    Ticks t = 0;
    for (std::uint64_t i = 0; i < n && !r.bad(); ++i) {
      t = static_cast<Ticks>(static_cast<std::uint64_t>(t) + static_cast<std::uint64_t>(r.svarint()));
      if (!valid_time(t)) return false;
      recent_dropped_times_.push_back(t);
    }
  }
  const std::uint64_t url_count = r.count();
  std::vector<std::uint32_t> url_ids;
  url_ids.reserve(url_count);
  for (std::uint64_t i = 0; i < url_count && !r.bad(); ++i) url_ids.push_back(urls_.intern(r.str()));
  const std::uint64_t key_count = r.count(4);
  std::vector<std::uint32_t> key_ids;
  key_ids.reserve(key_count);
  for (std::uint64_t i = 0; i < key_count && !r.bad(); ++i) {
    const std::uint32_t id = key_id(r.str());
    key_ids.push_back(id);
    keys_[id].count += r.varint();
    const bool saturated = r.u8() != 0;
    const std::uint64_t pending = r.count();
    Ticks t = 0;
    for (std::uint64_t j = 0; j < pending && !r.bad(); ++j) {
      t = static_cast<Ticks>(static_cast<std::uint64_t>(t) + static_cast<std::uint64_t>(r.svarint()));
      if (!valid_time(t)) return false;
      pending_.push_back({t, id});
    }
    const std::uint64_t urls = r.count(2);
    for (std::uint64_t j = 0; j < urls && !r.bad(); ++j) {
      const std::uint64_t rank = r.varint();
      const Ticks seen = r.svarint();
      if (rank >= url_ids.size() || !valid_time(seen)) return false;
      if (!keys_[id].saturated) note_url(id, url_ids[rank], seen);
    }
    KeyAgg& agg = keys_[id];
    if (saturated && now_known_ && !agg.saturated) saturate(agg);
    saturate_if_full(agg);
  }
  const std::uint64_t recent = r.count(5);
  recent_.reserve(recent_.size() + recent);
  for (std::uint64_t i = 0; i < recent && !r.bad(); ++i) {
    const std::uint64_t key = r.varint();
    const std::uint64_t file = r.varint();
    const std::uint64_t offset = r.varint();
    const std::uint64_t length = r.varint();
    const Ticks time = r.svarint();
    if (key >= key_ids.size() || file >= file_map.size() || length > UINT32_MAX || !valid_time(time)) return false;
    recent_.push_back({time, offset, file_map[file], static_cast<std::uint32_t>(length), key_ids[key]});
  }
  return !r.bad();
}

void WindowPartial::absorb(const WindowPartial& o) {
  if (o.local_newest_ != WindowShared::kNoTime) observe(o.local_newest_), publish_newest();
  recent_dropped_ += o.recent_dropped_;
  recent_dropped_times_.insert(recent_dropped_times_.end(), o.recent_dropped_times_.begin(), o.recent_dropped_times_.end());
  std::vector<std::uint32_t> key_ids(o.keys_.size());
  for (std::uint32_t k = 0; k < o.keys_.size(); ++k) {
    const KeyAgg& src = o.keys_[k];
    const std::uint32_t id = key_id(o.keys_text_[k]);
    key_ids[k] = id;
    keys_[id].count += src.count;
    if (src.saturated && !keys_[id].saturated) saturate(keys_[id]);
    if (!keys_[id].saturated) {
      for (std::uint32_t l = src.urls; l != kNoLink; l = o.links_[l].next) {
        note_url(id, urls_.intern(o.urls_[o.links_[l].url]), o.links_[l].newest);
      }
    }
    saturate_if_full(keys_[id]);
  }
  pending_.reserve(pending_.size() + o.pending_.size());
  for (const PendingTime& p : o.pending_) pending_.push_back({p.time, key_ids[p.key]});
  recent_.reserve(recent_.size() + o.recent_.size());
  for (const RecentRef& r : o.recent_) recent_.push_back({r.time, r.offset, r.file, r.length, key_ids[r.key]});
}

}  // namespace rareconn::core
