// JSON rows: a small validating cursor (strings, numbers via Spirit X3, literals, nesting), row
// discovery in envelopes, projection and full decoding. Must not know about hunts or threads.
#include "parsers/json_reader.hpp"

#include <boost/spirit/home/x3.hpp>
#include <algorithm>
#include <cstring>

#include "core/json_text.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/simd_scan.hpp"
#include "parsers/utf8.hpp"

namespace rareconn::parsers {

namespace x3 = boost::spirit::x3;

namespace json_detail {

namespace {
constexpr int kMaxDepth = 256;

// number := '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
// Digits as a byte range, never x3::digit: that is std::isdigit, undefined for bytes >= 0x80.
const auto digit = x3::char_('0', '9');
const auto digits = +digit;
const auto json_number = x3::lexeme[-x3::lit('-') >> (x3::lit('0') | (x3::char_('1', '9') >> *digit)) >>
                                    -('.' >> digits) >> -(x3::char_("eE") >> -x3::char_("+-") >> digits)];

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, std::size_t i, unsigned& out) {
  if (i + 4 > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const int h = hex_value(s[i + k]);
    if (h < 0) return false;
    out = out * 16 + static_cast<unsigned>(h);
  }
  return true;
}

}  // namespace

void skip_ws(std::string_view d, std::uint64_t& p) {
  while (p < d.size() && (d[p] == ' ' || d[p] == '\n' || d[p] == '\r' || d[p] == '\t')) ++p;
}

bool skip_string(std::string_view d, std::uint64_t& p, bool& escaped, simd::JsonStringScanner& scanner) {
  ++p;
  escaped = false;
  const char* base = d.data();
  while (p < d.size()) {
    p = static_cast<std::uint64_t>(scanner.next(base + p) - base);
    if (p >= d.size()) return false;
    const char c = d[p];
    if (c == '"') {
      ++p;
      return true;
    }
    if (c == '\\') {
      escaped = true;
      p += 2;
      continue;
    }
    return false;  // raw control character
  }
  return false;
}

bool skip_string(std::string_view d, std::uint64_t& p, bool& escaped) {
  simd::JsonStringScanner scanner(d.data() + d.size());
  return skip_string(d, p, escaped, scanner);
}

bool skip_value(std::string_view d, std::uint64_t& p, int depth) {
  if (depth > kMaxDepth || p >= d.size()) return false;
  const char c = d[p];
  if (c == '"') {
    bool esc;
    return skip_string(d, p, esc);
  }
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++p;
    skip_ws(d, p);
    if (p < d.size() && d[p] == close) {
      ++p;
      return true;
    }
    for (;;) {
      if (c == '{') {
        if (p >= d.size() || d[p] != '"') return false;
        bool esc;
        if (!skip_string(d, p, esc)) return false;
        skip_ws(d, p);
        if (p >= d.size() || d[p] != ':') return false;
        ++p;
        skip_ws(d, p);
      }
      if (!skip_value(d, p, depth + 1)) return false;
      skip_ws(d, p);
      if (p >= d.size()) return false;
      if (d[p] == ',') {
        ++p;
        skip_ws(d, p);
        continue;
      }
      if (d[p] == close) {
        ++p;
        return true;
      }
      return false;
    }
  }
  auto literal = [&](std::string_view word) {
    if (d.substr(p, word.size()) != word) return false;
    p += word.size();
    return true;
  };
  if (c == 't') return literal("true");
  if (c == 'f') return literal("false");
  if (c == 'n') return literal("null");
  auto first = d.begin() + static_cast<std::ptrdiff_t>(p);
  if (!x3::parse(first, d.end(), json_number)) return false;
  p = static_cast<std::uint64_t>(first - d.begin());
  return true;
}

bool decode_string_body(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned cp;
        if (!read_hex4(s, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
          unsigned lo;
          if (read_hex4(s, i + 3, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate is no character: U+FFFD
        append_utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

}  // namespace json_detail

using json_detail::skip_string;
using json_detail::skip_value;
using json_detail::skip_ws;

bool json_is_line_delimited(std::string_view data) {
  std::uint64_t p = bom_length(data);
  skip_ws(data, p);
  if (p >= data.size()) return true;
  if (data[p] != '{') return false;
  const std::uint64_t start = p;
  if (!skip_value(data, p)) {
    // Malformed first value: stay in line mode so the damage stays local to a line.
    return true;
  }
  return std::memchr(data.data() + start, '\n', p - start) == nullptr;
}

std::uint64_t next_line_start(std::string_view data, std::uint64_t pos) {
  if (pos >= data.size()) return data.size();
  if (pos > 0 && data[pos - 1] == '\n') return pos;
  const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
  return nl == nullptr ? data.size() : static_cast<std::uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
}

JsonRecordParser::JsonRecordParser(const Projection& projection, std::uint64_t max_record_bytes)
    : projection_(projection),
      max_record_bytes_(clamp_max_record_bytes(max_record_bytes)),
      by_length_(65),
      raw_(projection.fields.size()),
      raw_priority_(projection.fields.size()),
      values_(projection.fields.size()),
      matched_names_(projection.fields.size()) {
  for (std::size_t s = 0; s < projection_.fields.size(); ++s) {
    const auto& names = projection_.fields[s].names;
    for (std::size_t k = 0; k < names.size(); ++k) {
      by_length_[std::min<std::size_t>(names[k].size(), 64)].push_back(
          {names[k], static_cast<int>(s), static_cast<int>(k)});
    }
  }
}

ParseError JsonRecordParser::collect_rows(std::string_view d, std::uint64_t& p,
                                          std::vector<std::uint64_t>& rows, int depth) {
  // p at '{': an envelope with "records" (array of envelopes) or "properties" (the row), or a row.
  // One pass projects the object as if it were the row; envelopes are detected on the way.
  const std::uint64_t obj = p;
  Envelope env;
  env.allow_records = depth == 0;
  std::uint64_t end = p;
  const ParseError err = project_object(d, obj, end, &env);
  if (err != ParseError::kNone) return err;
  p = end;
  if (env.records_at) {
    std::uint64_t q = env.records_at;
    return collect_array(d, q, rows, depth + 1);
  }
  if (env.properties_at) {
    rows.push_back(env.properties_at);
    return ParseError::kNone;
  }
  // A plain row: its projection is already in values_ (valid if it is the only row of this value).
  rows.push_back(obj);
  projected_row_ = obj;
  projected_end_ = end;
  return ParseError::kNone;
}

ParseError JsonRecordParser::collect_array(std::string_view d, std::uint64_t& p, std::vector<std::uint64_t>& rows,
                                           int depth) {
  // p at '[': every element must be an object (a row or an envelope).
  ++p;
  skip_ws(d, p);
  if (p < d.size() && d[p] == ']') {
    ++p;
    return ParseError::kNone;
  }
  for (;;) {
    if (p >= d.size()) return ParseError::kBadJson;
    if (d[p] != '{') return ParseError::kNotAnObject;
    const ParseError e = collect_rows(d, p, rows, depth);
    if (e != ParseError::kNone) return e;
    skip_ws(d, p);
    if (p < d.size() && d[p] == ',') {
      ++p;
      skip_ws(d, p);
      continue;
    }
    if (p < d.size() && d[p] == ']') {
      ++p;
      return ParseError::kNone;
    }
    return ParseError::kBadJson;
  }
}

ParseError JsonRecordParser::parse_top(std::string_view d, std::uint64_t& p,
                                       std::vector<std::uint64_t>& rows) {
  if (d[p] == '{') return collect_rows(d, p, rows, 0);
  if (d[p] == '[') return collect_array(d, p, rows, 0);
  std::uint64_t q = p;
  if (!skip_value(d, q)) return ParseError::kBadJson;
  p = q;
  return ParseError::kNotAnObject;
}

ParseError JsonRecordParser::project_object(std::string_view d, std::uint64_t offset, std::uint64_t& end,
                                            Envelope* env) {
  const std::size_t nslots = raw_.size();
  for (std::size_t i = 0; i < nslots; ++i) {
    raw_[i] = Raw{};
    raw_priority_[i] = 1 << 30;
    values_[i] = std::string_view();
    matched_names_[i] = std::string_view();
  }
  const ParseError err = project_members(d, offset, end, env);
  if (err != ParseError::kNone) return err;
  std::size_t total = 0;
  for (const Raw& r : raw_) total += r.escaped ? r.text.size() * 2 : 0;  // \u escapes may grow (<=2x)
  scratch_.clear();
  scratch_.reserve(total);
  for (std::size_t i = 0; i < nslots; ++i) {
    if (!raw_[i].escaped) {
      values_[i] = raw_[i].text;
      continue;
    }
    const std::size_t at = scratch_.size();
    if (!json_detail::decode_string_body(raw_[i].text, scratch_)) return ParseError::kBadJson;
    values_[i] = std::string_view(scratch_.data() + at, scratch_.size() - at);
  }
  return ParseError::kNone;
}

bool JsonRecordParser::is_flattened(std::string_view key) const {
  for (const std::string& f : projection_.flatten) {
    if (f == key) return true;
  }
  return false;
}

ParseError JsonRecordParser::project_members(std::string_view d, std::uint64_t offset, std::uint64_t& end,
                                             Envelope* env) {
  std::uint64_t p = offset + 1;
  std::string key_buf;
  skip_ws(d, p);
  if (p < d.size() && d[p] == '}') {
    end = p + 1;
    return ParseError::kNone;
  }
  for (;;) {
    if (p >= d.size() || d[p] != '"') return ParseError::kBadJson;
    const std::uint64_t key_start = p + 1;
    bool key_esc;
    if (!(scanner_ ? skip_string(d, p, key_esc, *scanner_) : skip_string(d, p, key_esc))) return ParseError::kBadJson;
    std::string_view key = d.substr(key_start, p - 1 - key_start);
    if (key_esc) {
      key_buf.clear();
      if (!json_detail::decode_string_body(key, key_buf)) return ParseError::kBadJson;
      key = key_buf;
    }
    skip_ws(d, p);
    if (p >= d.size() || d[p] != ':') return ParseError::kBadJson;
    ++p;
    skip_ws(d, p);
    if (p >= d.size()) return ParseError::kBadJson;
    // Which projected slot (and with which priority among its alternative names) wants this key?
    int slot = -1, prio = 0;
    for (const KeyCandidate& c : by_length_[std::min<std::size_t>(key.size(), 64)]) {
      if (c.name == key) {
        slot = c.slot;
        prio = c.priority;
        break;
      }
    }
    const std::uint64_t v = p;
    if (env != nullptr && slot < 0) {
      // Event Hub captures ("records") and Advanced Hunting API results ("Results") hold rows.
      if (d[p] == '[' && env->allow_records && (key == "records" || key == "Results")) env->records_at = v;
      if (d[p] == '{' && key == "properties") env->properties_at = v;
    }
    if (d[p] == '"') {
      bool esc;
      if (!(scanner_ ? skip_string(d, p, esc, *scanner_) : skip_string(d, p, esc))) return ParseError::kBadJson;
      if (slot >= 0 && prio <= raw_priority_[static_cast<std::size_t>(slot)]) {
        raw_[static_cast<std::size_t>(slot)] = Raw{d.substr(v + 1, p - v - 2), esc, true};
        raw_priority_[static_cast<std::size_t>(slot)] = prio;
        matched_names_[static_cast<std::size_t>(slot)] = projection_.fields[static_cast<std::size_t>(slot)].names[static_cast<std::size_t>(prio)];
      }
    } else if (d[p] == '{' && slot < 0 && env != nullptr && is_flattened(key)) {
      // A nested object whose members are row fields (Winlogbeat's event_data).
      std::uint64_t nested_end = p;
      const ParseError e = project_members(d, p, nested_end, nullptr);
      if (e != ParseError::kNone) return e;
      p = nested_end;
    } else {
      if (!skip_value(d, p, 1)) return ParseError::kBadJson;
      if (slot >= 0 && prio <= raw_priority_[static_cast<std::size_t>(slot)]) {
        std::string_view text = d.substr(v, p - v);
        if (text == "null") text = std::string_view();
        raw_[static_cast<std::size_t>(slot)] = Raw{text, false, true};
        raw_priority_[static_cast<std::size_t>(slot)] = prio;
        matched_names_[static_cast<std::size_t>(slot)] = projection_.fields[static_cast<std::size_t>(slot)].names[static_cast<std::size_t>(prio)];
      }
    }
    skip_ws(d, p);
    if (p >= d.size()) return ParseError::kBadJson;
    if (d[p] == ',') {
      ++p;
      skip_ws(d, p);
      continue;
    }
    if (d[p] == '}') {
      ++p;
      break;
    }
    return ParseError::kBadJson;
  }
  end = p;
  return ParseError::kNone;
}

namespace {
// Compact JSON text of a nested value, as Kusto renders a dynamic value: whitespace outside strings
// removed, strings decoded and re-encoded (raw UTF-8, '/' not escaped), numbers as written.
std::string compact_json(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::string decoded;
  for (std::uint64_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const std::uint64_t start = i;
      bool esc;
      if (!skip_string(text, i, esc)) {
        out.append(text.substr(start));
        break;
      }
      decoded.clear();
      if (json_detail::decode_string_body(text.substr(start + 1, i - start - 2), decoded)) {
        core::append_json_string(out, decoded);
      } else {
        out.append(text.substr(start, i - start));
      }
      continue;
    }
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out.push_back(c);
    ++i;
  }
  return out;
}
}  // namespace

ParseError JsonRecordParser::split_record(std::string_view d, std::uint64_t offset, std::vector<NamedCell>& out,
                                          const std::vector<std::string>& flatten) {
  out.clear();
  std::uint64_t p = offset;
  if (p >= d.size() || d[p] != '{') return ParseError::kNotAnObject;
  ++p;
  skip_ws(d, p);
  if (p < d.size() && d[p] == '}') return ParseError::kNone;
  for (;;) {
    if (p >= d.size() || d[p] != '"') return ParseError::kBadJson;
    const std::uint64_t key_start = p + 1;
    bool esc;
    if (!skip_string(d, p, esc)) return ParseError::kBadJson;
    std::string key;
    if (!json_detail::decode_string_body(d.substr(key_start, p - 1 - key_start), key)) return ParseError::kBadJson;
    skip_ws(d, p);
    if (p >= d.size() || d[p] != ':') return ParseError::kBadJson;
    ++p;
    skip_ws(d, p);
    const std::uint64_t v = p;
    if (!skip_value(d, p, 1)) return ParseError::kBadJson;
    Cell cell;
    const std::string_view text = d.substr(v, p - v);
    if (text.front() == '"') {
      if (!json_detail::decode_string_body(text.substr(1, text.size() - 2), cell.value)) return ParseError::kBadJson;
    } else if (text == "null") {
      cell.value.clear();
    } else if (text.front() == '{' || text.front() == '[') {
      cell.value = compact_json(text);
      cell.raw_json = true;
    } else {
      cell.value.assign(text);
      cell.raw_json = true;
    }
    const bool flat = text.front() == '{' && std::find(flatten.begin(), flatten.end(), key) != flatten.end();
    bool replaced = false;
    for (NamedCell& nc : out) {
      if (nc.name == key) {
        nc.cell = std::move(cell);
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(NamedCell{std::move(key), std::move(cell)});
    if (flat) {
      std::vector<NamedCell> nested;
      if (split_record(d, v, nested) == ParseError::kNone) {
        for (NamedCell& n : nested) out.push_back(std::move(n));
      }
    }
    skip_ws(d, p);
    if (p >= d.size()) return ParseError::kBadJson;
    if (d[p] == ',') {
      ++p;
      skip_ws(d, p);
      continue;
    }
    if (d[p] == '}') return ParseError::kNone;
    return ParseError::kBadJson;
  }
}

}  // namespace rareconn::parsers
