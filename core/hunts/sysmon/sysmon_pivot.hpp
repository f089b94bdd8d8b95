// --pivot kusto: Kusto's `evaluate pivot(Key, any(Value), <13 columns>)` grouping, which merges
// different events that share the 13 columns into one row. Each Data field of a merged row takes
// the smallest non-empty value of its events (Kusto's any() picks an arbitrary one).
#pragma once

#include <cstdint>
#include <vector>

#include "core/hunts/sysmon/sysmon_filter.hpp"
#include "core/hunts/sysmon/sysmon_rows.hpp"

namespace rareconn::hunts {

struct PivotRows {
  std::vector<SysmonRow> rows;     // one per group, ordered by the group's first event (file, offset)
  std::uint64_t events = 0;        // candidates merged
  std::uint64_t undecodable = 0;   // candidates whose record could not be decoded again
};

// `candidates` are the events that reached the pivot, already inside the lookback window.
PivotRows kusto_pivot(const RunServices& services, std::vector<PivotCandidate> candidates);

}  // namespace rareconn::hunts
