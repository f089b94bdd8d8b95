// Cut points of a whole JSON document (a top-level array of rows, or an object with a "records" /
// "Results" array): the byte scans that let a planner find row starts at a nesting depth in slices
// scanned in parallel. Knows no threads; the parse checks every cut (JsonRecordParser::parse_rows).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rareconn::parsers::json {

// The array of a document whose elements are the rows.
enum class RowContainer : std::uint8_t {
  kNone = 0,
  kTopArray,  // [ row, row, ... ]: rows at depth 1
  kRecords,   // { ..., "records": [ row, ... ], ... }: rows at depth 2 ("Results" alike)
};

struct RowArray {
  RowContainer container = RowContainer::kNone;
  std::uint64_t open = 0;  // the array's '['
  int row_depth = 0;       // brackets open before a row's '{'
};

// The row array of the document starting at `start` (after a byte order mark), found by walking the
// members of a top-level object up to the first "records" or "Results" array; kNone when the text
// is neither shape (then it is not cut).
RowArray find_row_array(std::string_view data, std::uint64_t start);

// Unescaped quotes of a slice, for both escape states at its start (the state only changes whether
// the first byte after the slice's leading backslashes is escaped), and the escape state it hands
// the next slice: [s] for a slice whose first byte is escaped when s is 1.
struct SliceQuotes {
  std::array<std::uint64_t, 2> quotes{};
  std::array<std::uint8_t, 2> escape_out{};
};
SliceQuotes count_slice_quotes(std::string_view data, std::uint64_t begin, std::uint64_t end);

// Nesting of a slice once the string and escape state at its start are known: the change of depth
// over the slice (brackets outside strings), and for each depth relative to its start within
// kDepthWindow, the first '{' opening at that depth right after a ',' (blanks between): a row
// start when that depth is the row array's; and the first closing bracket that leaves each depth
// (the row array's end, when it leaves the rows' depth).
inline constexpr int kDepthWindow = 8;
struct SliceDepths {
  std::int64_t delta = 0;
  std::array<std::uint64_t, 2 * kDepthWindow + 1> first_row{};    // UINT64_MAX: none
  std::array<std::uint64_t, 2 * kDepthWindow + 1> first_close{};  // by depth before the bracket
};
SliceDepths scan_slice_depths(std::string_view data, std::uint64_t begin, std::uint64_t end, bool in_string,
                              bool escaped);

}  // namespace rareconn::parsers::json
