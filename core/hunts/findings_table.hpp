// A hunt's result table as Kusto returns it (the key columns, the aggregates, then the columns of
// the recent event), the join's renaming of duplicate names, and the builder for hunts whose
// output row is the input row itself (every column of the record, read again).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bulk_bytes.hpp"
#include "core/window_aggregator.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::hunts {

class RunServices;

// One cell of a findings table: its text, and whether that text is JSON to write as is (a number,
// an array) rather than a string.
struct CellView {
  std::string_view value;
  bool raw_json = false;
};

// The result table. Each row is one block (the end of each cell, then the cells' bytes): a row
// costs its text and 4 bytes a cell, not a std::string a cell. A JSON record's row is stored once,
// its values in its members' order (their names are kept once per key order by the builder), and
// read through its key order's layout.
class FindingsTable {
 public:
  std::vector<std::string> columns;

  std::size_t size() const { return rows_.size(); }
  void resize(std::size_t rows) { rows_.resize(rows, nullptr); }
  // Stores row i: cells[j] is the value of columns[j]; columns past cells.size() are empty.
  // Thread-safe for distinct rows. Cells of a row hold less than 2 GiB together.
  void set_row(std::size_t i, std::span<const CellView> cells);
  void set_row(std::size_t i, const std::vector<parsers::Cell>& cells);
  // Rows may be stored with their cells in another order than the columns' (a JSON record's, in
  // the order of its members), under a layout: the cell holding each column, or kNoCell. Layouts
  // are numbered from 1; row i takes layout `layout` (0: the columns' order, the default).
  static constexpr std::uint32_t kNoCell = UINT32_MAX;
  std::uint32_t add_layout(std::vector<std::uint32_t> cell_of_column) {
    layouts_.push_back(std::move(cell_of_column));
    return static_cast<std::uint32_t>(layouts_.size());
  }
  void set_layout(std::size_t i, std::uint32_t layout) {
    if (layout_of_.empty()) layout_of_.assign(rows_.size(), 0);
    layout_of_[i] = layout;
  }
  // Cell j of row i as stored (whatever the row's layout); empty past the row's cells.
  CellView stored_cell(std::size_t i, std::size_t j) const {
    const char* row = rows_[i];
    std::uint32_t n, end, begin = 0;
    std::memcpy(&n, row, 4);
    if (j >= n) return {};
    std::memcpy(&end, row + 4 + 4 * j, 4);
    if (j > 0) std::memcpy(&begin, row + 4 * j, 4), begin &= ~kRawJson;
    return {std::string_view(row + 4 + 4 * std::size_t{n} + begin, (end & ~kRawJson) - begin), (end & kRawJson) != 0};
  }
  CellView cell(std::size_t i, std::size_t j) const {
    if (!layout_of_.empty() && layout_of_[i] != 0) {  // a row stored in its record's order
      const std::vector<std::uint32_t>& cell_of = layouts_[layout_of_[i] - 1];
      if (j >= cell_of.size() || cell_of[j] == kNoCell) return {};
      j = cell_of[j];
    }
    return stored_cell(i, j);
  }

 private:
  static constexpr std::uint32_t kRawJson = 1u << 31;
  std::vector<const char*> rows_;                                        // blocks in bytes_
  std::vector<std::vector<std::uint32_t>> layouts_;                      // layout k is layouts_[k - 1]
  std::vector<std::uint32_t> layout_of_;                                 // per row; empty: all 0
  std::unique_ptr<core::BulkBytes> bytes_ = std::make_unique<core::BulkBytes>();  // fresh pages are dear
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
