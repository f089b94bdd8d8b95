// A hunt's result table as Kusto returns it (the key columns, the aggregates, then the columns of
// the recent event), the join's renaming of duplicate names, and the builder for hunts whose
// output row is the input row itself (every column of the record, read again).
#pragma once

#include <string>
#include <vector>

#include "core/window_aggregator.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::hunts {

class RunServices;

struct FindingsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<parsers::Cell>> rows;  // rows[i][j] is the value of columns[j]
};

// Kusto's join renaming: a right column whose name is taken gets the smallest integer suffix
// that makes it unique.
std::vector<std::string> unique_right_names(const std::vector<std::string>& left, const std::vector<std::string>& right);

// The output of a hunt whose findings are its input rows (CSV and JSON records).
struct TabularSchema {
  std::vector<std::string> key_columns;     // the key, in Kusto's order
  std::string set_column;                   // the set aggregate ("set_RemoteUrl"), or empty
  std::vector<std::string> time_columns;    // the event time column's names, in priority order
  std::vector<std::string> datetime_columns;  // printed as Kusto prints a datetime when they parse
};

// Columns: the key, the set (if any), count_, then the CSV headers in input order and the JSON
// keys in the order the findings show them. The event time column takes the finding's time.
FindingsTable tabular_findings_table(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare,
                                     const RunServices& services, const TabularSchema& schema);

}  // namespace rareconn::hunts
