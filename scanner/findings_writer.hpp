// Writes the findings table as CSV (RFC 4180), JSON lines (one object per finding) or an aligned
// table for people. Knows the table, not how it was computed.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "parsers/record_view.hpp"

namespace rareconn::scanner {

struct FindingsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<parsers::Cell>> rows;  // rows[i][j] is the value of columns[j]
};

// Each returns false when writing failed (disk full, closed pipe).
bool write_csv(std::FILE* out, const FindingsTable& table);
bool write_jsonl(std::FILE* out, const FindingsTable& table);
// People's view: a chosen subset of columns, cells cut to a readable width.
bool write_table(std::FILE* out, const FindingsTable& table);

// RFC 4180: quote when the value holds a comma, quote, CR or LF; double the quotes.
void append_csv_field(std::string& out, const std::string& value);

}  // namespace rareconn::scanner
