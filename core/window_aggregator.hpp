// The window engine every hunt feeds: per-thread partial aggregates of key -> count (and the set
// of values, when the hunt tracks one), the recent-window partition as compact references, the
// partitioned merge, the rare-key decision (threshold, then the hunt's key filter) and the probe
// (hash join) of the recent partition against the rare keys.
// Knows nothing of formats or files; runs no threads itself: the scanner calls the partition and
// probe steps in parallel (each step touches disjoint state).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tsl/robin_map.h>

#include "core/interner.hpp"
#include "core/key_codec.hpp"
#include "core/kusto_time.hpp"
#include "core/state_codec.hpp"

namespace rareconn::core {

struct WindowConfig {
  std::optional<Ticks> now;  // nullopt: the newest event time read (any record)
  Ticks lookback = 30 * kTicksPerDay;
  Ticks recent = 5 * kTicksPerDay;
  std::int64_t threshold = 50;  // rare: count_ < threshold
  bool track_set = true;        // the hunt aggregates a set of values per key (make_set)
  bool recent_within_lookback = false;  // the recent side also passes the lookback filter
  bool set_drops_empty = false;  // U-4=drop-empty: make_set leaves "" out (default: an element)
  bool empty_key_joins = true;   // U-5: a key with an empty part joins its recent rows (default)
  // With `now` unknown: times and recent rows held before the first prune (0: the default, 64 Ki;
  // tests set 1: prunes from the first events on, each time the rows held double; no result may
  // change).
  std::size_t first_prune = 0;
};

// Where an event lies: enough to find it again in its (memory-mapped) file.
struct EventRef {
  std::uint64_t offset = 0;
  std::uint32_t file = 0;
  std::uint32_t length = 0;
};

// State shared by every thread: the configuration and the newest time seen so far.
class WindowShared {
 public:
  explicit WindowShared(WindowConfig config) : config_(std::move(config)) {}
  const WindowConfig& config() const { return config_; }
  Ticks newest() const { return newest_.load(std::memory_order_relaxed); }
  bool any_time() const { return newest() != kNoTime; }
  // Raises the shared newest time to at least t; returns the value now in force.
  Ticks raise_newest(Ticks t);

  static constexpr Ticks kNoTime = INT64_MIN;

 private:
  WindowConfig config_;
  std::atomic<Ticks> newest_{kNoTime};
};

class WindowPartial {
 public:
  explicit WindowPartial(WindowShared& shared);
  WindowPartial(const WindowPartial&) = delete;
  WindowPartial& operator=(const WindowPartial&) = delete;

  // Every record that has a time (before any filter): feeds the default `now`. Kept in this
  // thread until publish_newest(): a shared atomic raised record by record (times mostly grow in
  // an export) bounced its cache line between the threads (6.5 % of a 2-thread CSV scan's CPU).
  void observe(Ticks t) {
    if (t > local_newest_) local_newest_ = t;
  }
  // Raises the shared newest time to this thread's. The scanner calls it after every chunk, and
  // before the merge reads the shared value (which must then hold every thread's newest time);
  // in between, the shared value is a lower bound, as every use of it during the scan allows.
  void publish_newest() {
    if (local_newest_ > cached_newest_) cached_newest_ = shared_.raise_newest(local_newest_);
  }
  // A lower bound of the final default `now` known to this thread: its own newest time and the
  // shared one last read (WindowShared::kNoTime before any time was seen).
  Ticks newest_so_far() const { return std::max(cached_newest_, local_newest_); }
  // A record that passed the hunt's filters. `key` is an encoded key (key_codec.hpp). With `now`
  // given, a recent record of a key this partial already counts `threshold` times is counted as a
  // recent-window event but not held (it can never be a finding).
  void add(std::string_view key, std::string_view set_value, Ticks t, EventRef ref);

  std::size_t memory_bytes() const;
  WindowShared& shared() const { return shared_; }

  // Called with every record that enters the recent partition and is held (the only records a
  // finding can come from), while its bytes are still readable: streamed inputs copy them there
  // (their blocks are recycled). nullptr: none.
  using RecentSink = void (*)(void* context, const EventRef& ref, Ticks time);
  void set_recent_sink(RecentSink sink, void* context) {
    sink_ = sink;
    sink_context_ = context;
  }

  // Saved state (rareconn partial, merge, report). save() writes the keys (sorted by their bytes),
  // their counts, pending times and set values, and the recent references (sorted by file and
  // offset): the same bytes for any thread count. load() adds a saved state to this partial, its
  // file indexes mapped through `file_map`; false when the bytes are damaged. absorb() adds
  // another partial of the same run (the per-thread partials of `rareconn partial`).
  void save(ByteWriter& w) const;
  bool load(ByteReader& r, std::span<const std::uint32_t> file_map);
  void absorb(const WindowPartial& other);
  // Before saving, exact pruning: what no `now` the merge may find can use is dropped. With
  // `now` unknown, times out of the windows of the newest time seen so far (a lower bound of the
  // final `now`); with `now` given, the set values and recent rows of keys whose count already
  // reaches the threshold (never rare): their recent rows are only counted.
  void prune_for_saving();
  // The recent rows still held: the records a finding can come from.
  template <class F>
  void for_each_recent(F&& f) const {
    for (const RecentRef& r : recent_) f(EventRef{r.offset, r.file, r.length});
  }
  Ticks local_newest() const { return local_newest_; }
  std::size_t key_count() const { return keys_.size(); }
  std::size_t recent_count() const { return recent_.size(); }
  std::uint64_t recent_dropped() const { return recent_dropped_ + recent_dropped_times_.size(); }
  // Prunes now (as the add path does from time to time): streamed inputs call it before dropping
  // the copies of records no longer in recent_.
  // With `now` given, the recent rows of keys already past the threshold are dropped (counted).
  void prune_now();

  // After the probe: frees the keys, set values and recent rows (the counters stay).
  void release();

 private:
  friend class WindowMerger;
  // Per key (the same id as the key's in keys_): 16 bytes. The set values are a list in links_.
  struct KeyAgg {
    std::uint64_t count = 0;          // events surely in the lookback window (`now` given)
    std::uint32_t urls = kNoLink;     // first of the key's distinct set values in links_
    std::uint32_t url_count : 31 = 0;
    std::uint32_t saturated : 1 = 0;  // `now` given and count_ already >= threshold: never rare
  };
  // One distinct set value of a key: the value's id, its newest time, the key's next value.
  struct UrlLink {
    Ticks newest;
    std::uint32_t url;
    std::uint32_t next;
  };
  struct PendingTime {  // a candidate event of a key while `now` is not known
    Ticks time;
    std::uint32_t key;
  };
  struct RecentRef {
    Ticks time;
    std::uint64_t offset;
    std::uint32_t file;
    std::uint32_t length;
    std::uint32_t key;
  };
  static constexpr std::uint32_t kNoLink = UINT32_MAX;
  std::uint32_t key_id(std::string_view key);
  void note_url(std::uint32_t key, std::uint32_t url, Ticks t);
  void clear_urls(KeyAgg& agg);
  void saturate(KeyAgg& agg);
  // Keeps the set values for which keep(link) holds (all: reclaims cleared lists), rebuilding the
  // lists and the index of long ones.
  template <class Keep>
  void compact_urls(Keep keep);
  void prune();
  // With `now` unknown: drops the recent rows no `now` can make findings (see the .cpp), keeping
  // their times for the summary's count.
  void drop_shadowed_recent();
  void saturate_if_full(KeyAgg& agg);

  WindowShared& shared_;
  const bool now_known_;
  Ticks base_cut_ = 0;    // exact cuts when `now` is given
  Ticks recent_cut_ = 0;
  Ticks local_newest_ = WindowShared::kNoTime;
  Ticks cached_newest_ = WindowShared::kNoTime;
  Interner keys_text_;                // encoded keys; ids index keys_
  std::vector<KeyAgg> keys_;
  Interner urls_;                     // set values
  std::vector<UrlLink> links_;
  std::size_t dead_links_ = 0;        // links of cleared lists (saturated keys), reclaimed by compaction
  // Position in links_ of (key << 32 | url) for keys with many values (a CDN address with thousands
  // of host names must not cost a linear search per event).
  tsl::robin_map<std::uint64_t, std::uint32_t> long_lists_;
  std::vector<PendingTime> pending_;
  std::vector<RecentRef> recent_;
  RecentSink sink_ = nullptr;
  void* sink_context_ = nullptr;
  std::uint64_t recent_dropped_ = 0;  // recent rows of never-rare keys, counted then dropped (`now` given)
  std::vector<Ticks> recent_dropped_times_;  // the same with `now` unknown: counted once `now` is known
  static constexpr std::size_t kFirstPrune = 1 << 16;  // times and recent rows held before a prune
  std::size_t first_prune_ = kFirstPrune;
  std::size_t next_prune_ = kFirstPrune;
};

// A key that survived: count below the threshold and not dropped by the hunt's key filter. Its
// bytes are held by the merger.
struct RareKey {
  std::string_view key;       // encoded key (key_codec.hpp)
  std::int64_t count = 0;
  std::string_view set_json;  // compact JSON array of the distinct set values (sorted)
  std::vector<std::string_view> parts() const { return key_part_views(key); }  // in key order
};

// A hunt's last word on a key under the threshold (MDE: the allow-list on its set of URLs).
// Called from the parallel merge: must be thread-safe.
class RareKeyFilter {
 public:
  virtual ~RareKeyFilter() = default;
  virtual bool drops(const RareKey& key) const = 0;  // count and set_json are filled
};

struct Finding {
  Ticks time;
  std::uint64_t offset;
  std::uint32_t file;
  std::uint32_t length;
  std::uint32_t rare;  // index into WindowMerger::rare_keys()
};

struct WindowCounts {
  std::uint64_t baseline_events = 0;   // filtered events in the lookback window
  std::uint64_t recent_events = 0;     // filtered events in the recent window
  std::uint64_t distinct_keys = 0;     // keys with at least one baseline event
  std::uint64_t keys_under_threshold = 0;
  std::uint64_t keys_allow_dropped = 0;  // by the hunt's key filter
  std::uint64_t rare_keys = 0;
};

class WindowMerger {
 public:
  // `filter` may be null (every key under the threshold is rare). Partials must outlive the merger.
  WindowMerger(WindowShared& shared, std::vector<WindowPartial*> partials, const RareKeyFilter* filter);

  // The `now` of the run (given, or the newest time read); nullopt when no record had a time.
  std::optional<Ticks> now() const { return now_; }

  std::size_t partition_count() const { return partitions_.size(); }
  void merge_partition(std::size_t p);  // parallel-safe across distinct p
  void finish_merge();                  // after every partition

  std::size_t probe_task_count() const { return probe_tasks_.size(); }
  // Parallel-safe across distinct tasks; appends the findings of one slice of the recent partition.
  void probe(std::size_t task, std::vector<Finding>& out, std::uint64_t& recent_events) const;
  // The same in two passes, so that the scanner writes every task's findings straight into one
  // array (no vector per task growing by doubling, no copy into the whole: each fresh page is a
  // page fault): how many findings the task gives (its recent-window events added to
  // recent_events), then the findings themselves from `out` on.
  std::size_t probe_count(std::size_t task, std::uint64_t& recent_events) const;
  void probe_into(std::size_t task, Finding* out) const;

  // After every probe: the partials' key state is no longer read (the rare keys hold their own
  // bytes), so it is freed before the findings are built.
  void release_partials();

  const std::vector<RareKey>& rare_keys() const { return rare_; }
  const WindowCounts& counts() const { return counts_; }
  void add_recent_events(std::uint64_t n) { counts_.recent_events += n; }

 private:
  // A key of one partition and the partials' keys that make it up (a list through `members`).
  struct GlobalKey {
    std::string_view key;
    std::uint64_t count = 0;
    std::uint32_t first_member;
  };
  struct Member {
    std::uint32_t partial;
    std::uint32_t key;
    std::uint32_t next;
  };
  struct Partition {
    std::vector<RareKey> rare;
    Arena bytes;  // the rare keys' encoded keys and set texts
    WindowCounts counts;
  };
  struct ProbeTask {
    std::uint32_t partial;
    std::size_t begin, end;
  };
  // One task's slice of the recent partition: on_finding(Finding) for each recent row of a rare key.
  template <class OnFinding>
  void probe_slice(std::size_t task, std::uint64_t& recent_events, OnFinding&& on_finding) const;

  WindowShared& shared_;
  std::vector<WindowPartial*> partials_;
  const RareKeyFilter* filter_;
  std::optional<Ticks> now_;
  Ticks base_cut_ = 0, recent_cut_ = 0;
  std::vector<Partition> partitions_;
  // Per partial, per local key: (partition << 32 | index in partition.rare), or kNotRare.
  std::vector<std::vector<std::uint64_t>> rare_of_;
  // Per partial, per local key: its pending times (`now` found at the end) inside the lookback.
  std::vector<std::vector<std::uint32_t>> pending_in_base_;
  std::vector<std::uint32_t> partition_offset_;
  std::vector<RareKey> rare_;
  std::vector<ProbeTask> probe_tasks_;
  WindowCounts counts_;
  static constexpr std::uint64_t kNotRare = ~std::uint64_t{0};
};

}  // namespace rareconn::core
