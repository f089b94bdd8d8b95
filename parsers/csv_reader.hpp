// RFC 4180 CSV with a header: the header grammar, quote-parity helpers that let the scanner cut a
// file into chunks at exact record boundaries in parallel, and the record decoder. Knows nothing of
// hunts or threads: it decodes bytes it is handed.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/record_view.hpp"
#include "parsers/simd_scan.hpp"

namespace rareconn::parsers {

struct CsvHeader {
  std::vector<std::string> columns;
  std::uint64_t data_offset = 0;  // first byte after the header record (and its terminator)
  ParseError error = ParseError::kNone;
};

// More columns than any exported table has (Kusto's limit is far lower): such a first line is not a
// header, and refusing it early keeps memory bounded.
inline constexpr std::size_t kMaxCsvColumns = 65536;

// Parses the header record at the start of `data`; a UTF-8 byte-order mark is skipped. A header
// longer than max_record_bytes is kRecordTooLarge, one with more than kMaxCsvColumns columns
// kTooManyColumns; neither builds its columns.
CsvHeader parse_csv_header(std::string_view data, std::uint64_t max_record_bytes = kDefaultMaxRecordBytes);

// Number of '"' bytes in [begin, end).
std::uint64_t count_quotes(const char* begin, const char* end);

// The first record start in [pos, limit), or min(limit, data.size()) when there is none there. Record
// starts are `data_start` and every byte after an LF that lies outside quotes; `in_quotes` is the
// parity of the quotes in [data_start, pos). Reads only [pos - 1, limit): a caller searching slices
// passes the slice's end, so that a slice without a record start costs its own length, not a search
// to the end of the file.
std::uint64_t first_record_start(std::string_view data, std::uint64_t data_start, std::uint64_t pos,
                                 bool in_quotes, std::uint64_t limit = UINT64_MAX);

// A likely record start in [pos, limit), found without knowing the quote parity at `pos` (so
// without reading the data before it): the first line start there (a byte after an LF) from which
// one record, walked by the quoting rules, has exactly `columns` fields and ends at an LF, or at the
// end of the data, within `window` bytes; the first line start when none does; min(limit,
// data.size()) when [pos, limit) holds no LF. Reads only bytes in [pos - 1, pos + 2 * window), a
// few times at most. A guess can be wrong (a line inside a quoted field that looks like a record): the caller must check it.
std::uint64_t guess_record_start(std::string_view data, std::uint64_t pos, std::uint64_t limit, std::size_t columns,
                                 std::uint64_t window);

// Decodes records. One instance per thread (it owns a scratch buffer).
class CsvRecordParser {
 public:
  // `projection` lists the wanted fields; each is matched against the header once, here. A record
  // longer than `max_record_bytes` (clamped to kMaxRecordBytesLimit) is malformed: see parse().
  CsvRecordParser(const CsvHeader& header, const Projection& projection,
                  std::uint64_t max_record_bytes = kDefaultMaxRecordBytes);

  // Decodes every record that starts in [begin, end) of `data`; `begin` must be a record start.
  // Calls on_record(const RecordView&) or on_error(offset, ParseError) per record; blank lines
  // are skipped. Records may run past `end` (they are owned by the chunk where they start).
  // Returns where parsing stopped: the start of the first record at or after `end` (a chunk's
  // records must end exactly where the next chunk begins, which the scanner checks).
  //
  // A record whose text (by the quoting rules, up to its terminator; an unterminated quote runs to
  // the end of the data) is longer than max_record_bytes is reported as kRecordTooLarge at its
  // start, and parsing resumes after the first LF at or after start + max_record_bytes (the end of
  // the data if none). The rule depends only on the data and the record's start, never on where
  // chunks are cut, and reads O(max_record_bytes) bytes of the record before that LF search: a
  // stray quote loses at most the bound and a line, not the rest of the file. When the resume
  // point is inside quotes the chunks no longer meet, and the scanner re-reads the file whole.
  template <class OnRecord, class OnError>
  std::uint64_t parse(std::string_view data, std::uint64_t begin, std::uint64_t end, OnRecord&& on_record,
                      OnError&& on_error);

  // Every field of the record at `offset`, decoded (used for the output of findings).
  static ParseError split_record(std::string_view data, std::uint64_t offset,
                                 std::vector<std::string>& out);

  std::size_t column_count() const { return column_count_; }

 private:
  struct Scan {
    std::uint64_t content_end;  // end of the record's text (before CR LF / LF)
    std::uint64_t next;         // start of the following record
    ParseError error;
  };
  // Walks one record; for each field whose column is projected calls sink(slot, view, quoted, esc).
  // Fields after `last_projected` are only counted: stretches of unquoted fields are skipped to
  // the next LF or quote in one search, their commas counted 16 bytes at a time.
  struct Scanners {
    simd::ByteClassScanner field;  // ',' '\n' '"'
    simd::ByteClassScanner tail;   // '\n' '"'
    explicit Scanners(const char* end)
        : field(end, simd::AnyOf3{',', '\n', '"'}), tail(end, simd::AnyOf3{'\n', '"', '\n'}) {}
    void reset(const char* end) {
      field.reset(end);
      tail.reset(end);
    }
  };
  template <class Sink>
  static Scan scan_record(std::string_view data, std::uint64_t start, std::size_t ncols,
                          const std::int32_t* slot_of_column, std::size_t last_projected, Scanners& scanners,
                          Sink&& sink);

  std::size_t column_count_ = 0;
  std::uint64_t max_record_bytes_;
  std::vector<std::int32_t> slot_of_column_;  // -1 when the column is not projected
  std::size_t last_projected_ = 0;            // the last projected column
  std::vector<std::string_view> values_;
  std::vector<std::string_view> matched_names_;
  std::vector<std::int32_t> escaped_slots_;
  std::string scratch_;
};

// Decodes a quoted field body (without the outer quotes) whose doubled quotes must be collapsed.
void unescape_csv_quoted(std::string_view body, std::string& out);

// ---- implementation of the templates -------------------------------------------------------


template <class Sink>
CsvRecordParser::Scan CsvRecordParser::scan_record(std::string_view data, std::uint64_t start,
                                                   std::size_t ncols,
                                                   const std::int32_t* slot_of_column,
                                                   std::size_t last_projected, Scanners& scanners,
                                                   Sink&& sink) {
  // A quote is special only at the start of a field (as in Python's csv and DuckDB): inside an
  // unquoted field it is a literal character. Text after a closing quote makes the record
  // malformed; it still ends where its structure ends, so the next record is not lost.
  const char* const base = data.data();
  const char* const e = base + data.size();
  const char* p = base + start;
  std::size_t col = 0;
  bool bad_quote = false;
  // The next ',' or LF after p in an unquoted stretch, quotes read literally.
  auto unquoted_end = [&](const char* q) {
    q = scanners.field.next(q);
    while (q < e && *q == '"') q = scanners.field.next(q + 1);
    return q;
  };
  for (;;) {
    const std::int32_t slot = col < ncols ? slot_of_column[col] : -1;
    if (p < e && *p == '"') {
      const char* body = ++p;
      bool escaped = false;
      for (;;) {
        const char* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(e - p)));
        if (q == nullptr) {
          return {data.size(), data.size(), ParseError::kUnterminatedQuote};
        }
        if (q + 1 < e && q[1] == '"') {
          escaped = true;
          p = q + 2;
          continue;
        }
        if (slot >= 0) sink(slot, std::string_view(body, static_cast<std::size_t>(q - body)), escaped);
        p = q + 1;
        break;
      }
      if (p < e && *p != ',' && *p != '\n' && !(*p == '\r' && (p + 1 == e || p[1] == '\n'))) {
        bad_quote = true;  // "a"x: the field goes on to the next delimiter
        p = unquoted_end(p);
      }
      ++col;
      if (p < e && *p == ',') {
        ++p;
        continue;
      }
      break;
    }
    if (col > last_projected) {
      // Tail of the record: no field here is wanted, only their number and the record's end.
      // Stretches without quotes are searched for their LF in one go, commas counted 16 at a time.
      bool quoted_next = false;
      for (const char* from = p;;) {
        const char* q = scanners.tail.next(from);
        col += simd::count_byte(from, q, ',');
        if (q < e && *q == '"') {
          if (q[-1] == ',') {  // a quoted field starts here: handled at the top of the loop
            p = q;
            quoted_next = true;
            break;
          }
          from = q + 1;  // a literal quote inside an unquoted field
          continue;
        }
        ++col;
        p = q;
        break;
      }
      if (quoted_next) continue;
      break;
    }
    const char* f = p;
    p = unquoted_end(p);
    const char* fe = p;
    if ((p == e || *p == '\n') && fe > f && fe[-1] == '\r') --fe;
    if (slot >= 0) sink(slot, std::string_view(f, static_cast<std::size_t>(fe - f)), false);
    ++col;
    if (p < e && *p == ',') {
      ++p;
      continue;
    }
    break;
  }
  // p is at LF, at CR LF / final CR, or at the end of the data.
  std::uint64_t content_end = static_cast<std::uint64_t>(p - base);
  std::uint64_t next = content_end;
  if (p < e && *p == '\r') {
    ++next;
    ++p;
  }
  if (p < e && *p == '\n') ++next;
  // An unquoted last field stops at the LF (or the end): drop the CR of a CR LF terminator.
  if (content_end > start && base[content_end - 1] == '\r' &&
      (content_end == data.size() || base[content_end] == '\n')) {
    --content_end;
  }
  const ParseError err = bad_quote ? ParseError::kBadQuote : col == ncols ? ParseError::kNone : ParseError::kFieldCount;
  return {content_end, next, err};
}

template <class OnRecord, class OnError>
std::uint64_t CsvRecordParser::parse(std::string_view data, std::uint64_t begin, std::uint64_t end,
                                     OnRecord&& on_record, OnError&& on_error) {
  const std::size_t nslots = values_.size();
  const std::uint64_t size = data.size();
  const std::uint64_t max = max_record_bytes_;
  // Records are scanned in a prefix of the data, `view`, that ends at least max + 2 bytes (room for
  // CR LF) after the record's start, so that no scan reads more than twice the bound. A record is
  // whole when its scan ends at an LF inside the view or the view is all of the data; otherwise it
  // is longer than the bound. The view moves on every ~max bytes (scanner windows are reset then).
  std::string_view view;
  Scanners scanners(data.data());
  std::uint64_t pos = begin;
  while (pos < end && pos < size) {
    const char c = data[pos];
    if (c == '\n') {  // blank line
      ++pos;
      continue;
    }
    if (c == '\r' && pos + 1 < size && data[pos + 1] == '\n') {
      pos += 2;
      continue;
    }
    if (view.size() < size && view.size() - std::min<std::uint64_t>(view.size(), pos) < max + 2) {
      view = data.substr(0, pos + std::min(size - pos, 2 * (max + 2)));
      scanners.reset(view.data() + view.size());
    }
    for (std::size_t i = 0; i < nslots; ++i) values_[i] = std::string_view();
    escaped_slots_.clear();
    Scan s = scan_record(view, pos, column_count_, slot_of_column_.data(), last_projected_, scanners,
                         [&](std::int32_t slot, std::string_view v, bool escaped) {
                           values_[static_cast<std::size_t>(slot)] = v;
                           if (escaped) escaped_slots_.push_back(slot);
                         });
    const bool whole = view.size() == size || (s.next > pos && view[s.next - 1] == '\n');
    if (!whole || s.content_end - pos > max) {
      on_error(pos, ParseError::kRecordTooLarge);
      const std::uint64_t from = pos + max;  // < size: the record is longer than max
      const void* nl = std::memchr(data.data() + from, '\n', size - from);
      pos = nl == nullptr ? size : static_cast<std::uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
      continue;
    }
    if (!escaped_slots_.empty() && s.error == ParseError::kNone) {
      // Collapse doubled quotes. Reserve first so the views into scratch_ stay valid.
      std::size_t total = 0;
      for (std::int32_t slot : escaped_slots_) total += values_[static_cast<std::size_t>(slot)].size();
      scratch_.clear();
      scratch_.reserve(total);
      for (std::int32_t slot : escaped_slots_) {
        std::string_view& v = values_[static_cast<std::size_t>(slot)];
        const std::size_t at = scratch_.size();
        unescape_csv_quoted(v, scratch_);
        v = std::string_view(scratch_.data() + at, scratch_.size() - at);
      }
    }
    if (s.error != ParseError::kNone) {
      on_error(pos, s.error);
    } else {
      RecordView rv;
      rv.values = values_.data();
      rv.count = nslots;
      rv.offset = pos;
      rv.length = checked_record_length(s.content_end - pos);
      rv.matched_names = matched_names_.data();
      on_record(rv);
    }
    pos = s.next;
  }
  return pos;
}

}  // namespace rareconn::parsers
