// The one interface every hunt implements (SPEC §6): what it reads, its filters and funnel, its
// key, its window state (add per thread, merge, finish) and its output schema. The scanner drives
// any hunt through it; a hunt is one folder under hunts/ and one line in scanner/hunt_registry.cpp.
// Hunts see record views and Windows-event views, never files, formats' bytes or threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/funnel.hpp"
#include "core/key_codec.hpp"
#include "core/server_set.hpp"
#include "core/state_codec.hpp"
#include "core/window_aggregator.hpp"
#include "core/hunts/column_time.hpp"
#include "core/hunts/findings_table.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::hunts {

// The kinds of input a hunt's per-thread worker accepts (see HuntWorker).
enum InputKind : unsigned {
  kTabularRows = 1u << 0,    // CSV and JSON records through a projection (parsers::RecordView)
  kWindowsEvents = 1u << 1,  // event XML and EVTX records (parsers::WindowsEventView)
};

// Sets of projection slots of which one must be present: the columns the hunt's query names.
using RequiredSlots = std::vector<std::vector<std::size_t>>;

// Extra counts for the summary, in the order they were noted: (label, count).
using Notes = std::vector<std::pair<std::string, std::uint64_t>>;

// The options that shape a hunt's result, from the command line. Plain data.
struct RunOptions {
  core::ServerSet servers;               // default: every device
  core::KeyBy by = core::KeyBy::kIp;
  bool per_server = false;
  core::WindowConfig window;             // now, lookback, recent, threshold
  std::vector<std::string> allow;        // --allow needles, added to the hunt's defaults
  bool default_allow = true;
  bool linux_sysmon = false;             // --linux-sysmon
  bool kusto_pivot = false;              // --pivot kusto
  bool time_from_column = false;         // --time-source column
  bool rule_parse_greedy = false;        // --rule-parse greedy
  bool timestamp_required = false;       // --assume U-12=timestamp-required: no TimeGenerated fallback
  const LocalTimeZone* zone = nullptr;   // --input-timezone
};

// What one record did besides feeding the window state.
struct RecordOutcome {
  // kOtherTable: a row of another table (an export of several tables); neither read nor malformed.
  enum Kind : std::uint8_t { kOk, kBadTime, kMalformed, kOtherTable };
  Kind kind = kOk;
  // kBadTime: the time as written; kMalformed: why; kOtherTable: the table as the row names it
  // (valid until the next record)
  std::string_view text;
};

// One input as auto-detection sees it.
struct InputFacts {
  InputKind kind = kTabularRows;
  bool json = false;  // rows from JSON (a field is a key seen in the first 64 KiB), else a CSV header
  std::function<bool(std::string_view name)> has_field;
};

// One tabular record read again: a CSV record's values by header position, or a JSON record's
// members (strings decoded, other values verbatim with raw_json).
struct RowCells {
  const std::vector<std::string>* header = nullptr;  // CSV: the column names of `values`
  std::vector<std::string> values;                   // CSV
  std::vector<parsers::NamedCell> cells;             // JSON
  // Calls f(name, value) for every column, in input order.
  template <class F>
  void for_each(F&& f) const {
    if (header) {
      for (std::size_t j = 0; j < values.size() && j < header->size(); ++j) f((*header)[j], values[j]);
    } else {
      for (const parsers::NamedCell& c : cells) f(c.name, c.cell.value);
    }
  }
};

// Records read again after the scan (the findings; Kusto's pivot candidates), decoded by the
// scanner in parallel: row() or event() is called once per record that decodes, concurrently for
// distinct indexes.
class RecordVisitor {
 public:
  virtual ~RecordVisitor() = default;
  virtual void row(std::size_t i, RowCells& row) = 0;
  virtual void event(std::size_t i, const parsers::WindowsEventView& event) = 0;
};

// What the scanner lends a hunt after the scan: its inputs read again, and its threads.
class RunServices {
 public:
  virtual ~RunServices() = default;
  virtual void read_again(std::span<const core::EventRef> refs, RecordVisitor& visitor) const = 0;
  virtual void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) const = 0;
  // The header of each input that has one (CSV), in input order; null for the others.
  virtual std::vector<const std::vector<std::string>*> headers() const = 0;
};

// One thread's share of a hunt: its filters, funnel and the add side of its window state. A hunt's
// worker type H::Worker derives from this and adds the hot path, called without virtual dispatch
// (scanner/chunk_scan.hpp instantiates the scanner's chunk loop once per hunt):
//   RecordOutcome row(const parsers::RecordView&, core::EventRef);              // kTabularRows
//   RecordOutcome event(const parsers::WindowsEventView&, core::EventRef);      // kWindowsEvents
// The input kinds a hunt accepts are the members its worker has.
class HuntWorker {
 public:
  virtual ~HuntWorker() = default;
  virtual const core::Funnel& funnel() const = 0;
};

// What the merge works on; a hunt may replace it before the merge (Kusto's pivot: a second pass of
// the window engine over the merged rows).
struct MergeInput {
  core::WindowShared* shared = nullptr;
  std::vector<core::WindowPartial*> partials;
  core::Funnel* funnel = nullptr;
  std::optional<core::Ticks> now;  // the run's `now`; nullopt when no record had a time
};

// One run of one hunt. Its window state follows ClickHouse's aggregate states: add (the worker's
// row()/event() feed core::WindowPartial: counts, set values, recent rows; and the hunt's own
// state, as Sysmon's pivot candidates), merge (merge() takes a worker's own state; the scanner
// merges the partials by hash partition), finish (before_merge(), then the threshold and
// key_filter(), then the join of the recent rows against the rare keys). The states are plain
// data (vectors, maps of interned strings, references into the inputs) so that a later step can
// write and read them (rareconn partial).
class Hunt {
 public:
  virtual ~Hunt() = default;

  // Who it is.
  virtual std::string_view name() const = 0;         // --hunt NAME
  virtual std::string_view table_name() const = 0;   // the table, as messages name it
  virtual std::string_view data_name() const = 0;    // "Defender (DeviceNetworkEvents)"
  virtual std::string_view export_name() const = 0;  // "Defender": "a Defender or ... export"
  // How strongly an input looks like this hunt's table (0: not at all); the strongest wins.
  virtual int affinity(const InputFacts& input) const = 0;

  // What it reads.
  virtual const parsers::Projection& projection() const = 0;
  virtual RequiredSlots required_slots() const = 0;
  // A projection slot as messages name it (default: its first spelling).
  virtual std::string column_name(std::size_t slot) const { return projection().fields[slot].names.front(); }
  virtual std::vector<std::string> event_data_fields() const { return {}; }  // EventData names the filters read
  virtual std::string_view time_column() const = 0;                          // as the summary names it
  // A CSV header whose only time column is in local time: nullopt when the hunt can read it
  // without --input-timezone, else what to tell the user (after the file's name).
  virtual std::optional<std::string> needs_zone(const std::vector<std::string>& header) const = 0;

  // Its window state and funnel.
  virtual const core::WindowConfig& window_config() const = 0;
  virtual std::span<const core::FunnelStepName> funnel_steps() const = 0;
  virtual std::size_t server_count() const = 0;

  // Merge and finish: merge() takes each worker's state beyond the window engine's, before_merge()
  // may redirect the merge, key_filter() has the last word on keys under the threshold.
  virtual void merge(HuntWorker&) {}
  virtual void before_merge(MergeInput&, const RunServices&, Notes&) {}
  virtual const core::RareKeyFilter* key_filter() const { return nullptr; }
  // True when the only records the hunt reads again after the scan are those of the recent
  // partition (WindowPartial's recent sink sees them all): then streamed inputs need keep only
  // those records' bytes. False: streamed inputs are read whole.
  virtual bool reads_again_only_recent() const { return false; }
  virtual std::size_t allow_needles() const { return 0; }

  // Saved state beyond the window engine's (rareconn partial, merge, report): the hunt's own state
  // after merge() of every worker, written in an order that does not depend on threads, and added
  // back (several saved states add up) with file indexes mapped through `file_map`; load_state()
  // returns false when the bytes are damaged. prune_state() drops what the windows of any `now`
  // at or after `now_floor` exclude. kept_refs() names the records, beyond the recent rows, that
  // the hunt reads again after the scan: a partial carries their bytes.
  virtual void save_state(core::ByteWriter&) const {}
  virtual bool load_state(core::ByteReader&, std::span<const std::uint32_t> /*file_map*/) { return true; }
  virtual void prune_state(core::Ticks /*now_floor*/) {}
  virtual void kept_refs(std::vector<core::EventRef>&) const {}

  // Output schema: Kusto's result table of the findings, and the columns people see first
  // (groups of alternatives; the first present of each group is shown).
  virtual FindingsTable findings_table(const std::vector<core::Finding>& findings,
                                       const std::vector<core::RareKey>& rare, const RunServices& services,
                                       Notes& notes) = 0;
  virtual const std::vector<std::vector<std::string>>& preferred_columns() const = 0;
};

}  // namespace rareconn::hunts
