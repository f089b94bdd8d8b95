// JSON rows: JSON lines of flat objects, Streaming API records ({"properties":{...}}) and Event Hub
// captures ({"records":[...]}), or a whole-file stream/array of such values. Decodes projected
// fields of each row; knows nothing of hunts or threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/record_view.hpp"
#include "parsers/simd_scan.hpp"

namespace rareconn::parsers {

// True when the file is one JSON value per line (so every LF is a record boundary and the file can
// be cut into chunks at LFs); false for pretty-printed documents or a top-level array.
bool json_is_line_delimited(std::string_view data);

// Start of the first line at or after `pos` (LF is always a boundary: JSON strings cannot hold it).
std::uint64_t next_line_start(std::string_view data, std::uint64_t pos);

class JsonRecordParser {
 public:
  // A line (line mode) or a row (document mode) longer than `max_record_bytes` (clamped to
  // kMaxRecordBytesLimit) is malformed: see parse().
  explicit JsonRecordParser(const Projection& projection, std::uint64_t max_record_bytes = kDefaultMaxRecordBytes);

  // Line mode: decodes every line that starts in [begin, end); each line is parsed on its own (a
  // value may not run on past its LF, whatever the chunks), and a line longer than
  // max_record_bytes is reported as kRecordTooLarge at its start without being parsed (its LF is
  // searched for once; parsing resumes after it). Document mode: a whitespace-separated stream of
  // values over [begin, data.size()), top-level arrays holding rows; a row longer than
  // max_record_bytes is reported as kRecordTooLarge at its start, and the rows after it are read.
  // on_record(const RecordView&) per row; on_error(offset, ParseError) per bad line/value.
  template <class OnRecord, class OnError>
  void parse(std::string_view data, std::uint64_t begin, std::uint64_t end, bool line_mode,
             OnRecord&& on_record, OnError&& on_error);

  // Every member of the row object at `offset`, in order (duplicate names: first position, last
  // value). Strings decoded; numbers and literals verbatim with raw_json; null as "".
  // Members of objects named in `flatten` are appended after the row's own members.
  static ParseError split_record(std::string_view data, std::uint64_t offset, std::vector<NamedCell>& out,
                                 const std::vector<std::string>& flatten = {});

 private:
  struct Raw {
    std::string_view text;
    bool escaped = false;  // a JSON string body with backslash escapes still to decode
    bool set = false;
  };
  // Parses the value at pos: rows are reported; returns the end of the value or an error.
  ParseError parse_top(std::string_view data, std::uint64_t& pos, std::vector<std::uint64_t>& rows);
  ParseError collect_rows(std::string_view data, std::uint64_t& pos, std::vector<std::uint64_t>& rows,
                          int depth);
  ParseError collect_array(std::string_view data, std::uint64_t& pos, std::vector<std::uint64_t>& rows, int depth);

  Projection projection_;
  std::uint64_t max_record_bytes_;
  // Projected names by length (names of 64+ bytes in the last bucket): (name, slot, priority).
  struct KeyCandidate {
    std::string_view name;
    int slot, priority;
  };
  std::vector<std::vector<KeyCandidate>> by_length_;
  simd::JsonStringScanner scanner_storage_;
  simd::JsonStringScanner* scanner_ = nullptr;  // &scanner_storage_ during parse()
  std::vector<Raw> raw_;
  std::vector<int> raw_priority_;
  std::vector<std::string_view> values_;
  std::vector<std::string_view> matched_names_;
  std::vector<std::uint64_t> rows_;
  std::string scratch_;

  RecordView view(std::uint64_t offset, std::uint64_t end) const {
    RecordView rv;
    rv.values = values_.data();
    rv.count = values_.size();
    rv.offset = offset;
    rv.length = checked_record_length(end - offset);
    rv.matched_names = matched_names_.data();
    return rv;
  }
  template <class OnRecord>
  ParseError decode_row(std::string_view data, std::uint64_t offset, OnRecord& on_record);
  struct Envelope {
    bool allow_records = false;
    std::uint64_t records_at = 0;     // offset of a top-level "records" array, or 0
    std::uint64_t properties_at = 0;  // offset of a "properties" object, or 0
  };
  ParseError project_object(std::string_view data, std::uint64_t offset, std::uint64_t& end, Envelope* env = nullptr);
  ParseError project_members(std::string_view data, std::uint64_t offset, std::uint64_t& end, Envelope* env);
  bool is_flattened(std::string_view key) const;
  std::uint64_t projected_row_ = ~std::uint64_t{0};  // the row whose projection values_ holds
  std::uint64_t projected_end_ = 0;
};

namespace json_detail {
// Cursor helpers over a JSON text; every function returns false on malformed input.
void skip_ws(std::string_view d, std::uint64_t& p);
bool skip_string(std::string_view d, std::uint64_t& p, bool& escaped);
// The same with a window scanner over `d` (faster for runs of short strings).
bool skip_string(std::string_view d, std::uint64_t& p, bool& escaped, simd::JsonStringScanner& scanner);  // p at '"'; ends after '"'
bool skip_value(std::string_view d, std::uint64_t& p, int depth = 0);
bool decode_string_body(std::string_view body, std::string& out);  // body without quotes
}  // namespace json_detail

template <class OnRecord>
ParseError JsonRecordParser::decode_row(std::string_view data, std::uint64_t offset,
                                        OnRecord& on_record) {
  std::uint64_t end = offset;
  ParseError err = project_object(data, offset, end);
  if (err != ParseError::kNone) return err;
  if (end - offset > max_record_bytes_) return ParseError::kRecordTooLarge;
  on_record(view(offset, end));
  return ParseError::kNone;
}

template <class OnRecord, class OnError>
void JsonRecordParser::parse(std::string_view data, std::uint64_t begin, std::uint64_t end,
                             bool line_mode, OnRecord&& on_record, OnError&& on_error) {
  std::uint64_t pos = begin;
  const std::uint64_t limit = line_mode ? end : data.size();
  scanner_ = &scanner_storage_;
  scanner_storage_.reset(data.data() + data.size());
  while (pos < limit && pos < data.size()) {
    // `text` is what this value may use: its line in line mode (found first, at most the bound
    // plus its LF away), all of the data in document mode.
    std::string_view text = data;
    if (line_mode) {
      // A line's length excludes its terminator (LF or CR LF), as a CSV record's does.
      const std::uint64_t reach = std::min<std::uint64_t>(data.size() - pos, max_record_bytes_ + 2);
      const void* nl = std::memchr(data.data() + pos, '\n', reach);
      const std::uint64_t line_end =
          nl == nullptr ? pos + reach : static_cast<std::uint64_t>(static_cast<const char*>(nl) - data.data());
      const std::uint64_t content_end = line_end > pos && data[line_end - 1] == '\r' ? line_end - 1 : line_end;
      if ((nl == nullptr && line_end < data.size()) || content_end - pos > max_record_bytes_) {
        on_error(pos, ParseError::kRecordTooLarge);
        pos = next_line_start(data, line_end);
        continue;
      }
      text = data.substr(0, line_end);
      scanner_storage_.reset(text.data() + text.size());
    }
    const std::uint64_t line_start = pos;
    if (line_mode) {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
      if (pos >= text.size()) {  // a blank line
        pos = text.size() + 1;
        continue;
      }
    } else {
      json_detail::skip_ws(text, pos);
      if (pos >= text.size()) break;
    }
    const std::uint64_t value_start = pos;
    rows_.clear();
    projected_row_ = ~std::uint64_t{0};
    ParseError err = parse_top(text, pos, rows_);
    if (err == ParseError::kNone && line_mode) {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
      if (pos < text.size()) err = ParseError::kBadJson;
    }
    if (err != ParseError::kNone) {
      on_error(line_mode ? line_start : value_start, err);
      pos = line_mode ? text.size() + 1 : next_line_start(data, value_start + 1);
      continue;
    }
    if (rows_.size() == 1 && rows_[0] == projected_row_) {
      // A plain row: projected during the pass that found it.
      if (projected_end_ - projected_row_ > max_record_bytes_) on_error(projected_row_, ParseError::kRecordTooLarge);
      else on_record(view(projected_row_, projected_end_));
    } else {
      for (std::uint64_t row : rows_) {
        ParseError e = decode_row(text, row, on_record);
        if (e != ParseError::kNone) on_error(row, e);
      }
    }
    if (line_mode) pos = text.size() + 1;  // past the LF
  }
}

}  // namespace rareconn::parsers
