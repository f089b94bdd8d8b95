// Decodes full Sysmon `Event` rows (13 pivot columns + EventData fields) for a set of records
// found by the scan: the findings, or every pivot candidate under --pivot kusto. The scanner reads
// the records again in parallel; this maps each to its row.
#pragma once

#include <cstdint>
#include <vector>

#include "core/kusto_time.hpp"
#include "core/window_aggregator.hpp"
#include "core/hunts/hunt.hpp"
#include "core/hunts/sysmon/sysmon_mapping.hpp"

namespace rareconn::hunts {

struct RowRef {
  core::EventRef ref;
  core::Ticks time;  // TimeGenerated as the hunt read it
};

// rows[i] is the row of refs[i]; ok[i] is false when the record could not be decoded again.
void decode_sysmon_rows(const RunServices& services, const std::vector<RowRef>& refs, std::vector<SysmonRow>& rows,
                        std::vector<char>& ok);

}  // namespace rareconn::hunts
