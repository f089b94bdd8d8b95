// The public types of parsers/: which named fields a caller wants (a projection) and the view of one
// decoded record. Parsers fill these; they know nothing of hunts, windows or threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rareconn::parsers {

// One wanted field: alternative column names, the first one present in the input wins
// (e.g. {"Timestamp", "TimeGenerated"}).
struct FieldSpec {
  std::vector<std::string> names;
  // JSON: a row inside an envelope ({"category":...,"properties":{row}}) takes this field from the
  // envelope when the row itself has none (the Streaming API names the row's table there).
  bool from_envelope = false;
};

struct Projection {
  std::vector<FieldSpec> fields;
  // JSON: members of nested objects under these keys count as row fields (e.g. "event_data").
  std::vector<std::string> flatten = {};
};

// One record: the projected values (a missing field is the empty string, as Kusto strings are
// never null) and where the record lies in its file. Views live until the next record is parsed.
struct RecordView {
  const std::string_view* values = nullptr;
  std::size_t count = 0;
  std::uint64_t offset = 0;  // byte offset of the record's first byte in the file
  std::uint32_t length = 0;  // bytes up to (not including) the record terminator
  // For each projected field: the name that matched in this record, or empty if none did.
  const std::string_view* matched_names = nullptr;
};

// One Windows event, whichever parser read it (event XML, EVTX): the System fields as text, its
// time, the rendered message and the EventData Name/value pairs. Views live until the next event.
struct WindowsEventView {
  std::string_view provider;          // System/Provider/@Name
  std::string_view channel;           // System/Channel
  std::string_view computer;          // System/Computer
  std::string_view event_id;          // System/EventID, decimal text
  std::string_view level;             // System/Level, decimal text
  std::string_view user;              // System/Security/@UserID (a SID), or empty
  std::string_view rendered_message;  // RenderingInfo/Message, or empty
  bool has_time = false;              // time_ticks holds TimeCreated (binary inputs) ...
  std::int64_t time_ticks = 0;        // ... as Kusto ticks (100 ns since 0001-01-01 UTC)
  std::string_view time_text;         // else TimeCreated/@SystemTime as written
  bool has_event_data = false;        // an EventData whose Data elements the input carries
  std::span<const std::pair<std::string_view, std::string_view>> data;  // EventData/Data, document order
  std::uint64_t offset = 0;           // where the event lies in its file
  std::uint32_t length = 0;
};

// Why a record could not be decoded.
enum class ParseError : std::uint8_t {
  kNone = 0,
  kFieldCount,         // CSV: number of fields differs from the header's
  kBadQuote,           // CSV: a quote inside an unquoted field, or text after a closing quote
  kUnterminatedQuote,  // CSV: end of file inside a quoted field
  kBadJson,            // JSON: not a well-formed JSON value
  kNotAnObject,        // JSON: a value that is not an object where a record was expected
  kRecordTooLarge,     // any format: a record longer than the parser's max_record_bytes
  kTooManyColumns,     // CSV: a header with more than kMaxCsvColumns columns
};

const char* describe(ParseError e);
// The same, with the bound named for kRecordTooLarge ("record longer than 16777216 bytes").
std::string describe(ParseError e, std::uint64_t max_record_bytes);

// Longest record a parser accepts by default (a CSV record, a JSON line or row, an event XML
// element): a longer one is malformed (kRecordTooLarge), skipped, and parsing resumes at the next
// record boundary that each format defines. A bound is what keeps the work per record, and the
// memory a finding refers to, finite on hostile input (a run of NUL bytes, a stray quote).
inline constexpr std::uint64_t kDefaultMaxRecordBytes = std::uint64_t{16} << 20;
// Largest bound accepted: record lengths must fit RecordView::length (32 bits); parsers clamp to it.
inline constexpr std::uint64_t kMaxRecordBytesLimit = 0xFFFFFFFFu;

inline std::uint64_t clamp_max_record_bytes(std::uint64_t n) {
  return n == 0 ? 1 : n > kMaxRecordBytesLimit ? kMaxRecordBytesLimit : n;
}

[[noreturn]] void record_length_overflow(std::uint64_t length);
// Checked narrowing of a record length to RecordView::length. Parsers only report records no
// longer than their bound (<= kMaxRecordBytesLimit), so this never fails; if it did, it would throw
// std::logic_error rather than report a wrong length.
inline std::uint32_t checked_record_length(std::uint64_t length) {
  if (length > kMaxRecordBytesLimit) record_length_overflow(length);
  return static_cast<std::uint32_t>(length);
}

// A full decoded record (for output): every column name and its value, in input order.
// `raw_json` marks a value that is a JSON literal (number, bool, object, array) rather than text.
struct Cell {
  std::string value;
  bool raw_json = false;
};
struct NamedCell {
  std::string name;
  Cell cell;
};

}  // namespace rareconn::parsers
