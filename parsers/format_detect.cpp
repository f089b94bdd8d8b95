// Content sniffing: EVTX by its signature, event XML by its first element; a JSON value starts with '{' or '['; a CSV file starts with a header line
// holding at least one comma. Must not depend on hunts or threads.
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

InputFormat detect_format(std::string_view d) {
  if (is_evtx(d)) return InputFormat::kEvtx;
  if (looks_like_event_xml(d)) return InputFormat::kXml;
  std::size_t p = bom_length(d);
  while (p < d.size() && (d[p] == ' ' || d[p] == '\t' || d[p] == '\r' || d[p] == '\n')) ++p;
  if (p >= d.size()) return InputFormat::kUnknown;
  if (d[p] == '{' || d[p] == '[') return InputFormat::kJson;
  const std::size_t nl = d.find('\n', p);
  const std::string_view line = d.substr(p, nl == std::string_view::npos ? d.size() - p : nl - p);
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
