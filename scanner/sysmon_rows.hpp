// Decodes full Sysmon `Event` rows (13 pivot columns + EventData fields) for a set of records
// found by the scan: the findings, or every pivot candidate under --pivot kusto. Runs in parallel;
// EVTX records are decoded chunk by chunk (a chunk's templates serve all its records).
#pragma once

#include <cstdint>
#include <vector>

#include "core/kusto_time.hpp"
#include "scanner/input_file.hpp"
#include "scanner/sysmon_mapping.hpp"

namespace rareconn::scanner {

struct RowRef {
  std::uint32_t file;
  std::uint64_t offset;
  std::uint32_t length;
  core::Ticks time;  // TimeGenerated as the hunt read it
};

// rows[i] is the row of refs[i]; ok[i] is false when the record could not be decoded again.
void decode_sysmon_rows(const std::vector<InputFile>& files, const std::vector<RowRef>& refs,
                        const SysmonTimeConfig& time, std::vector<SysmonRow>& rows, std::vector<char>& ok);

}  // namespace rareconn::scanner
