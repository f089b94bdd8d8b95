// Builds Kusto's output table of the join from the sorted findings: the key columns, the
// aggregates, then every column of each matching input record (decoded again from the mapped
// file), with Kusto's renaming of duplicate names. Decoding runs in parallel (oneTBB).
#pragma once

#include <string>
#include <vector>

#include "core/window_aggregator.hpp"
#include "scanner/findings_writer.hpp"
#include "scanner/input_file.hpp"

namespace rareconn::scanner {

// `left` = key column names then aggregate names ("set_RemoteUrl" when `with_set`, "count_").
// The event time column takes the finding's time; other `datetime_columns` are reformatted when
// their text parses as a datetime (else kept as written).
FindingsTable build_findings_table(const std::vector<InputFile>& files, const std::vector<core::Finding>& findings,
                                   const std::vector<core::RareKey>& rare, std::vector<std::string> key_columns,
                                   bool with_set, const std::vector<std::string>& datetime_columns);

// Kusto's join renaming: a right column whose name is taken gets the smallest integer suffix
// that makes it unique.
std::vector<std::string> unique_right_names(const std::vector<std::string>& left, const std::vector<std::string>& right);

}  // namespace rareconn::scanner
