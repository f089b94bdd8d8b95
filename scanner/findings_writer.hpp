// Writes the findings table as CSV (RFC 4180), JSON lines (one object per finding) or an aligned
// table for people. Knows the table, not how it was computed nor which hunt made it.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "core/hunts/findings_table.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::scanner {

using hunts::FindingsTable;

// Each returns false when writing failed (disk full, closed pipe).
bool write_csv(std::FILE* out, const FindingsTable& table);
bool write_jsonl(std::FILE* out, const FindingsTable& table);
// People's view: the hunt's preferred columns (groups of alternatives, the first present of each
// shown; all columns when none is present), cells cut to a readable width.
bool write_table(std::FILE* out, const FindingsTable& table, const std::vector<std::vector<std::string>>& preferred);

// RFC 4180: quote when the value holds a comma, quote, CR or LF; double the quotes.
void append_csv_field(std::string& out, std::string_view value);

}  // namespace rareconn::scanner
