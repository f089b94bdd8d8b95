// Builds the Sysmon hunt's output table as Kusto returns it (kql-semantics §6.10): the key,
// count_, the 13 pivot columns, the EventData fields (the key renamed DestinationIp1), then
// TechniqueId and TechniqueName parsed from RuleName.
#pragma once

#include <string>
#include <vector>

#include "core/window_aggregator.hpp"
#include "core/hunts/findings_table.hpp"
#include "core/hunts/sysmon/sysmon_mapping.hpp"

namespace rareconn::hunts {

// rows[i] is the decoded row of findings[i].
FindingsTable build_sysmon_table(const std::vector<SysmonRow>& rows, const std::vector<core::Finding>& findings,
                                 const std::vector<core::RareKey>& rare, std::vector<std::string> key_columns,
                                 bool greedy_rule_parse);

}  // namespace rareconn::hunts
