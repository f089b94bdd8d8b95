// JSON rows: JSON lines of flat objects, Streaming API records ({"properties":{...}}), Event Hub
// captures ({"records":[...]}) and API results ({"Results":[...]}), or a whole-file stream/array of
// such values. One walker over the structural tokens (json_structural.hpp) locates the projected
// fields of each row and decodes only them; knows nothing of hunts or threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/json_cut.hpp"
#include "parsers/json_structural.hpp"
#include "parsers/record_view.hpp"

// The member loop is compiled twice, for x86-64-v3 (BMI1/2, AVX2: Haswell and later) and for the
// build's baseline, and the loader picks one (GCC's target_clones); elsewhere, once.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(RARECONN_JSON_CHECKED)
#define RARECONN_JSON_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define RARECONN_JSON_HOT
#endif

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
  // keys_ holds views of its own copy of the projection's names: neither copyable nor movable.
  JsonRecordParser(const JsonRecordParser&) = delete;
  JsonRecordParser& operator=(const JsonRecordParser&) = delete;

  // Line mode: decodes every line that starts in [begin, end); each line is parsed on its own (a
  // value may not run on past its LF, whatever the chunks), and a line longer than
  // max_record_bytes is reported as kRecordTooLarge at its start (parsing resumes after its LF).
  // Document mode: a whitespace-separated stream of values over [begin, data.size()), top-level
  // arrays holding rows; a row longer than max_record_bytes is reported as kRecordTooLarge at its
  // start, and the rows after it are read.
  // on_record(const RecordView&) per row; on_error(offset, ParseError) per bad line/value/row.
  template <class OnRecord, class OnError>
  void parse(std::string_view data, std::uint64_t begin, std::uint64_t end, bool line_mode,
             OnRecord&& on_record, OnError&& on_error);

  // A whole document cut into chunks at row starts of its row array (json_cut.hpp; the planner is
  // scanner/chunker.cpp). The first chunk is parse() of the document in document mode after
  // cut_at(from, to, array): at the row starting at `from` in that array the walk goes on at the
  // row starting at `to`, the rows between being the other chunks'. cut_taken() then says whether
  // it did so and those rows count as the sequential parse counts them (false: the cut is wrong).
  void cut_at(std::uint64_t from, std::uint64_t to, json::RowContainer array);
  bool cut_taken() const { return cut_taken_; }
  // The other chunks: the rows of the array from the row starting at `begin` up to the row
  // starting at `end`. Returns `end` when every row in between is well formed and followed by a
  // comma (the array goes on); anything else (then no row is reported) says the cut is wrong, and
  // the caller parses the document whole.
  template <class OnRecord, class OnError>
  std::uint64_t parse_rows(std::string_view data, std::uint64_t begin, std::uint64_t end, json::RowContainer array,
                           OnRecord&& on_record, OnError&& on_error);

  // Every member of the row object at `offset`, in order (duplicate names: first position, last
  // value). Strings decoded; numbers and literals verbatim with raw_json; null as "".
  // Members of objects named in `flatten` are appended after the row's own members.
  static ParseError split_record(std::string_view data, std::uint64_t offset, std::vector<NamedCell>& out,
                                 const std::vector<std::string>& flatten = {});

 private:
  // One projected value of one row, as found in the text.
  struct Slot {
    std::string_view text;  // a string's body (without quotes), or a literal's text ("" for null)
    int name = kUnset;      // which of the field's names matched (the lowest wins; later duplicates win ties)
    bool escaped = false;   // a string body with backslash escapes still to decode
  };
  static constexpr int kUnset = 1 << 30;
  // A row object met while walking a value: its extent and its slots in slots_.
  struct Row {
    std::uint64_t offset = 0, end = 0;
    std::size_t slots = 0;
    bool bad_key = false;  // a member name with an invalid escape
  };
  // What one value of the input gave: the rows to report (rows_out_), or an error at `error_at`;
  // `next` is where the following value (line mode: line) starts.
  struct Step {
    std::uint64_t next = 0;
    std::uint64_t error_at = 0;
    ParseError error = ParseError::kNone;
  };
  Step step_line(std::uint64_t pos);
  Step step_document(std::uint64_t pos);
  // The walker (json_reader.cpp): it checks the bytes around strings itself and asks the marks of
  // json_structural.hpp only where a string ends. What an envelope (a row object that may hold
  // the row elsewhere) was found to hold:
  struct Envelope {
    bool allow_records = false;  // "records" / "Results" arrays hold rows (top-level objects only)
    bool has_records = false;    // such an array was met: its rows are in records_
    std::int64_t properties = -1;  // the row of the last "properties" object, or -1
  };
  // Each reader starts at the value's first byte and sets `end` past its last byte. Errors that end
  // the walk are returned; `own` receives an error of a row object that counts only once the whole
  // object is known to be well formed (an invalid escape in a projected value, a non-object row in
  // its "records"): a malformed object is kBadJson whatever came first. The hot readers keep a
  // copy of the marks in registers and hand it back (`io`) around calls.
  ParseError read_top(json::Marks& io, std::uint64_t v, std::uint64_t& end);
  ParseError read_row_object(json::Marks& io, std::uint64_t open, int depth, bool allow_records,
                             std::vector<std::uint32_t>& out, std::uint64_t& end, ParseError& own);
  RARECONN_JSON_HOT ParseError read_members(json::Marks& io, std::uint64_t open, int depth, std::size_t row,
                                            Envelope* env, std::uint64_t& end);
  // The member loop's rare paths, out of line so that the loop keeps its values in registers:
  // the rest of a string whose first mark `t` is an escape (its closing quote, 0 if bad); a member
  // name with escapes (`key` from its first byte; decoded into key_buf_, key_ok false and the row's
  // bad_key set if an escape is invalid; its closing quote, 0 if bad); a member whose value is an
  // object or an array (the envelope's parts, a flattened object, or a value skipped).
  [[gnu::noinline]] std::uint64_t string_rest(json::Marks& m, std::uint64_t t) const;
  [[gnu::noinline, gnu::cold]] std::uint64_t escaped_key(json::Marks& m, std::uint64_t t, std::size_t row,
                                                          std::string_view& key, bool& key_ok);
  [[gnu::noinline]] ParseError container_member(json::Marks& io, std::uint64_t s, int depth, std::size_t row,
                                                Envelope* env, std::string_view key, bool key_ok, int slot, int name,
                                                std::uint64_t& value_end);
  // A projected value met in a row: kept unless a better-ranked name of its field was met before.
  void store(std::size_t row, int slot, int name, std::string_view text, bool escaped);
  ParseError read_row_array(json::Marks& io, std::uint64_t open, int depth, bool allow_records,
                            std::vector<std::uint32_t>& out, bool defer_errors, std::uint64_t& end);
  bool skip_value(json::Marks& io, std::uint64_t s, int depth, std::uint64_t& end);
  bool skip_container(json::Marks& io, std::uint64_t open, int depth, std::uint64_t& end);
  bool string_close(json::Marks& m, std::uint64_t open, std::uint64_t& close, bool& escaped) const;
  bool scalar_end(std::uint64_t s, std::uint64_t& e) const;
  std::uint64_t skip_blanks(std::uint64_t from) const;
  char byte_at(std::uint64_t p, const json::Marks& m) const { return p < m.limit() ? data_[p] : '\0'; }
  std::size_t new_row(std::uint64_t offset);
  int match_key(std::string_view key, bool in_data, int& name) const;
  bool own_values_decode(const Row& row);
  // The from_envelope fields a row found in an envelope's "properties" lacks, taken from the envelope.
  void inherit_envelope_fields(std::size_t envelope, std::size_t row);
  ParseError decode_row(std::size_t row);
  bool is_flattened(std::string_view key) const;

  RecordView view(const Row& row) const {
    RecordView rv;
    rv.values = values_.data();
    rv.count = values_.size();
    rv.offset = row.offset;
    rv.length = checked_record_length(row.end - row.offset);
    rv.matched_names = matched_names_.data();
    return rv;
  }

  Projection projection_;
  std::uint64_t max_record_bytes_;
  // Projected names by length (names of 64+ bytes in the last bucket): [first, last) in keys_.
  struct KeyCandidate {
    std::string_view name;
    std::uint64_t head;  // the name's first 8 bytes (zero-padded)
    int slot, priority;
  };
  std::uint64_t name_filter_ = 0;  // one bit per (head, length) of a projected name
  bool has_envelope_fields_ = false;  // a field of the projection is from_envelope
  std::vector<KeyCandidate> keys_;
  std::uint32_t bucket_[66] = {};
  json::MarkRing ring_;  // the blocks marks_ computed ahead
  json::Marks marks_;
  std::string_view data_;
  bool line_mode_ = true;
  std::vector<Row> rows_;                // every row object of the current value
  std::vector<Slot> slots_;              // rows_.size() x fields
  std::vector<std::uint32_t> rows_out_;  // rows to report, in order
  std::vector<std::uint32_t> records_;   // rows of the current envelope's "records" array
  ParseError records_error_ = ParseError::kNone;
  std::vector<std::string_view> values_;
  std::vector<std::string_view> matched_names_;
  std::string scratch_, key_buf_;
  // The cut of a document (cut_at): rows at the walker's `cut_depth_` (1: a top-level array, 3: a
  // "records" array) starting at cut_from_ are skipped to cut_to_.
  std::uint64_t cut_from_ = UINT64_MAX, cut_to_ = 0;
  int cut_depth_ = 0;
  bool cut_jumped_ = false, cut_taken_ = false;
  std::uint64_t records_arrays_ = 0, cut_records_array_ = 0;  // "records" arrays begun; the one cut
  static int row_depth(json::RowContainer array) { return array == json::RowContainer::kTopArray ? 1 : 3; }
  void emit_rows_out(auto& on_record, auto& on_error);
  std::uint64_t read_rows(std::uint64_t begin, std::uint64_t end, json::RowContainer array);
};

namespace json_detail {
// Cursor helpers over a JSON text; every function returns false on malformed input.
void skip_ws(std::string_view d, std::uint64_t& p);
bool skip_string(std::string_view d, std::uint64_t& p, bool& escaped);  // p at '"'; ends after '"'
bool skip_value(std::string_view d, std::uint64_t& p, int depth = 0);
bool decode_string_body(std::string_view body, std::string& out);  // body without quotes
}  // namespace json_detail

template <class OnRecord, class OnError>
void JsonRecordParser::parse(std::string_view data, std::uint64_t begin, std::uint64_t end,
                             bool line_mode, OnRecord&& on_record, OnError&& on_error) {
  data_ = data;
  line_mode_ = line_mode;
  cut_jumped_ = cut_taken_ = false;
  const std::uint64_t limit = line_mode ? end : data.size();
  std::uint64_t pos = begin;
  bool fresh = true;  // the tokenizer must restart at pos (no token stream known to lead there)
  while (pos < limit && pos < data.size()) {
    if (fresh) marks_.reset(data, pos, line_mode ? std::min<std::uint64_t>(data.size(), pos + max_record_bytes_ + 2) : data.size(), ring_);
    const bool jumped_before = cut_jumped_;
    const Step s = line_mode ? step_line(pos) : step_document(pos);
    if (cut_jumped_ && !jumped_before) {
      // The value that held the cut: its rows count when it is well formed and (in an envelope)
      // no later "records" array replaced the one cut.
      cut_taken_ = s.error == ParseError::kNone &&
                   (cut_depth_ == row_depth(json::RowContainer::kTopArray) || records_arrays_ == cut_records_array_);
    }
    fresh = s.error != ParseError::kNone;
    if (s.error != ParseError::kNone) on_error(s.error_at, s.error);
    emit_rows_out(on_record, on_error);
    pos = s.next;
  }
  cut_from_ = UINT64_MAX;
}

void JsonRecordParser::emit_rows_out(auto& on_record, auto& on_error) {
  for (std::uint32_t r : rows_out_) {
    const ParseError e = decode_row(r);
    if (e != ParseError::kNone) on_error(rows_[r].offset, e);
    else on_record(view(rows_[r]));
  }
}

template <class OnRecord, class OnError>
std::uint64_t JsonRecordParser::parse_rows(std::string_view data, std::uint64_t begin, std::uint64_t end,
                                           json::RowContainer array, OnRecord&& on_record, OnError&& on_error) {
  data_ = data;
  line_mode_ = false;
  if (read_rows(begin, end, array) != end) return UINT64_MAX;
  emit_rows_out(on_record, on_error);
  return end;
}

}  // namespace rareconn::parsers
