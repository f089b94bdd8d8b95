// Content sniffing: EVTX by its signature, event XML by its first element; a JSON value starts with '{' or '['
// (or, cut inside a record, a first line ending in '}' is followed by lines of one object each); a CSV file
// starts with a header line holding at least one comma. Must not depend on hunts or threads.
#include "parsers/format_detect.hpp"

#include "parsers/event_xml.hpp"
#include "parsers/evtx_reader.hpp"

namespace rareconn::parsers {

std::size_t bom_length(std::string_view d) {
  return d.size() >= 3 && static_cast<unsigned char>(d[0]) == 0xEF && static_cast<unsigned char>(d[1]) == 0xBB &&
                 static_cast<unsigned char>(d[2]) == 0xBF
             ? 3
             : 0;
}

namespace {
std::string_view trim_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}
bool ends_like_object(std::string_view line) {
  line = trim_cr(line);
  return !line.empty() && line.back() == '}';
}
// The whole lines after `from` in the sniffed bytes (at least one, at most eight) are each one
// object: '{' ... '}'.
bool next_lines_are_objects(std::string_view d, std::size_t from) {
  int whole = 0;
  while (whole < 8) {
    const std::size_t nl = d.find('\n', from);
    if (nl == std::string_view::npos) break;
    const std::string_view line = trim_cr(d.substr(from, nl - from));
    if (line.size() < 2 || line.front() != '{' || line.back() != '}') return false;
    ++whole;
    from = nl + 1;
  }
  return whole > 0;
}
}  // namespace

InputFormat detect_format(std::string_view d) {
  if (is_evtx(d)) return InputFormat::kEvtx;
  if (looks_like_event_xml(d)) return InputFormat::kXml;
  std::size_t p = bom_length(d);
  while (p < d.size() && (d[p] == ' ' || d[p] == '\t' || d[p] == '\r' || d[p] == '\n')) ++p;
  if (p >= d.size()) return InputFormat::kUnknown;
  if (d[p] == '{' || d[p] == '[') return InputFormat::kJson;
  const std::size_t nl = d.find('\n', p);
  const std::string_view line = d.substr(p, nl == std::string_view::npos ? d.size() - p : nl - p);
  if (nl != std::string_view::npos && ends_like_object(line) && next_lines_are_objects(d, nl + 1)) {
    return InputFormat::kJson;  // JSON lines cut inside a record (a piece of a larger export)
  }
  if (line.find(',') != std::string_view::npos) return InputFormat::kCsv;
  return InputFormat::kUnknown;
}

const char* format_name(InputFormat f) {
  switch (f) {
    case InputFormat::kCsv: return "csv";
    case InputFormat::kJson: return "json";
    case InputFormat::kXml: return "xml";
    case InputFormat::kEvtx: return "evtx";
    case InputFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace rareconn::parsers
