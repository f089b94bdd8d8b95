// RFC 4180 CSV: header grammar (Spirit X3), quote-parity boundary helpers, whole-record split.
// Must not know about hunts, windows or threads.
#include "parsers/csv_reader.hpp"

#include <boost/spirit/home/x3.hpp>

#include <algorithm>

namespace rareconn::parsers {

namespace x3 = boost::spirit::x3;

namespace {

// field := quoted | unquoted ; quoted := '"' (non-quote | '""')* '"'
const auto quoted_body = *(~x3::char_('"') | (x3::lit("\"\"") >> x3::attr('"')));
const auto quoted_field = x3::lexeme['"' >> quoted_body >> '"'];
const auto unquoted_field = x3::lexeme[*~x3::char_(",\r\n\"")];
const auto csv_field = x3::rule<struct csv_field_tag, std::string>{} = quoted_field | unquoted_field;
const auto header_line = csv_field % ',';

}  // namespace

void unescape_csv_quoted(std::string_view body, std::string& out) {
  auto first = body.begin();
  std::string decoded;
  if (x3::parse(first, body.end(), quoted_body, decoded) && first == body.end()) {
    out.append(decoded);
    return;
  }
  out.append(body);  // cannot happen for bodies the scanner accepted; keep the text as is
}

CsvHeader parse_csv_header(std::string_view whole, std::uint64_t max_record_bytes) {
  CsvHeader h;
  std::uint64_t start = 0;
  if (whole.size() >= 3 && static_cast<unsigned char>(whole[0]) == 0xEF &&
      static_cast<unsigned char>(whole[1]) == 0xBB && static_cast<unsigned char>(whole[2]) == 0xBF) {
    start = 3;
  }
  // At most the bound and its CR LF are read; the header must end inside.
  const std::uint64_t max = clamp_max_record_bytes(max_record_bytes);
  const std::string_view data = whole.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(whole.size(), start + max + 2)));
  // Columns are counted on the first line before they are built (a quoted line break may add a
  // few more lines to the header: the count after parsing catches those).
  const std::size_t lf = data.find('\n', start);
  const char* first_lf = data.data() + (lf == std::string_view::npos ? data.size() : lf);
  if (simd::count_byte(data.data() + start, first_lf, ',') >= kMaxCsvColumns) {
    h.error = ParseError::kTooManyColumns;
    return h;
  }
  auto first = data.begin() + static_cast<std::ptrdiff_t>(start);
  std::vector<std::string> cols;
  if (!x3::parse(first, data.end(), header_line, cols)) {
    h.error = ParseError::kBadQuote;
    return h;
  }
  const std::uint64_t line_end = static_cast<std::uint64_t>(first - data.begin());
  if (line_end - start > max || (first == data.end() && data.size() < whole.size())) {
    h.error = ParseError::kRecordTooLarge;
    return h;
  }
  if (first != data.end()) {
    if (*first == '\r') ++first;
    if (first != data.end() && *first == '\n') {
      ++first;
    } else if (first != data.end()) {
      h.error = ParseError::kBadQuote;
      return h;
    }
  }
  if (cols.size() > kMaxCsvColumns) {
    h.error = ParseError::kTooManyColumns;
    return h;
  }
  h.columns = std::move(cols);
  h.data_offset = static_cast<std::uint64_t>(first - data.begin());
  return h;
}

std::uint64_t count_quotes(const char* begin, const char* end) {
  return simd::count_byte(begin, end, '"');
}

std::uint64_t first_record_start(std::string_view data, std::uint64_t data_start, std::uint64_t pos,
                                 bool in_quotes, std::uint64_t limit) {
  limit = std::min<std::uint64_t>(limit, data.size());
  if (pos <= data_start) return std::min(data_start, limit);
  if (pos >= limit) return limit;
  if (!in_quotes && data[pos - 1] == '\n') return pos;
  // The line after the first LF in [pos, limit) that lies outside quotes.
  for (std::uint64_t i = pos; i < limit; ++i) {
    const char c = data[i];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (c == '\n' && !in_quotes) {
      return i + 1;
    }
  }
  return limit;
}

namespace {
// Does one record starting at `start` have exactly `columns` fields and end at an LF (or the
// data's end) before `stop`? Quotes toggle (well-formed quoting); bytes read are added to `read`.
bool record_fits(std::string_view data, std::uint64_t start, std::uint64_t stop, std::size_t columns,
                 std::uint64_t& read) {
  bool in_quotes = false;
  std::size_t commas = 0;
  std::uint64_t i = start;
  for (; i < stop; ++i) {
    const char c = data[i];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (!in_quotes) {
      if (c == ',') {
        if (++commas >= columns) break;
      } else if (c == '\n') {
        read += i + 1 - start;
        return commas + 1 == columns;
      }
    }
  }
  read += i - start;
  return i == data.size() && !in_quotes && commas + 1 == columns;
}
}  // namespace

std::uint64_t guess_record_start(std::string_view data, std::uint64_t pos, std::uint64_t limit, std::size_t columns,
                                 std::uint64_t window) {
  const std::uint64_t size = data.size();
  limit = std::min(limit, size);
  if (pos >= limit) return limit;
  auto line_start = [&](std::uint64_t from, std::uint64_t to) -> std::uint64_t {  // after the first LF in [from, to)
    if (from >= to) return limit;
    const void* nl = std::memchr(data.data() + from, '\n', to - from);
    return nl == nullptr ? limit : static_cast<std::uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
  };
  const std::uint64_t first = pos > 0 && data[pos - 1] == '\n' ? pos : line_start(pos, limit);
  // Candidates within `window` of pos; at most 4 * window bytes walked in all.
  const std::uint64_t last = std::min(limit, pos + window);
  std::uint64_t read = 0;
  for (std::uint64_t at = first; at < last && read < 3 * window;) {
    if (columns > 0 && record_fits(data, at, std::min(size, at + window), columns, read)) return at;
    at = line_start(at, last);
  }
  return first;
}

CsvRecordParser::CsvRecordParser(const CsvHeader& header, const Projection& projection, std::uint64_t max_record_bytes)
    : column_count_(header.columns.size()),
      max_record_bytes_(clamp_max_record_bytes(max_record_bytes)),
      slot_of_column_(header.columns.size(), -1),
      values_(projection.fields.size()),
      matched_names_(projection.fields.size()) {
  for (std::size_t slot = 0; slot < projection.fields.size(); ++slot) {
    for (const std::string& name : projection.fields[slot].names) {
      bool found = false;
      for (std::size_t c = 0; c < header.columns.size(); ++c) {
        if (header.columns[c] == name && slot_of_column_[c] < 0) {
          slot_of_column_[c] = static_cast<std::int32_t>(slot);
          matched_names_[slot] = header.columns[c];
          last_projected_ = std::max(last_projected_, c);
          found = true;
          break;
        }
      }
      if (found) break;
    }
  }
}

ParseError CsvRecordParser::split_record(std::string_view data, std::uint64_t offset,
                                         std::vector<std::string>& out) {
  out.clear();
  std::vector<std::pair<std::string_view, bool>> raw;
  // Project every column: slot i for column i.
  static const std::vector<std::int32_t> all = [] {
    std::vector<std::int32_t> v(1u << 16);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int32_t>(i);
    return v;
  }();
  Scanners scanners(data.data() + data.size());
  Scan s = scan_record(data, offset, all.size(), all.data(), all.size(), scanners,
                       [&](std::int32_t, std::string_view v, bool escaped) { raw.emplace_back(v, escaped); });
  if (s.error != ParseError::kNone && s.error != ParseError::kFieldCount) return s.error;
  out.reserve(raw.size());
  for (const auto& [v, escaped] : raw) {
    if (escaped) {
      std::string d;
      unescape_csv_quoted(v, d);
      out.push_back(std::move(d));
    } else {
      out.emplace_back(v);
    }
  }
  return ParseError::kNone;
}

}  // namespace rareconn::parsers
