// libFuzzer target: raw <Event> XML and Event.EventData strings, and the stream boundary helpers,
// must never crash or read out of bounds.
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/event_xml.hpp"

using namespace rareconn::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view d(reinterpret_cast<const char*>(data), size);
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  p.parse_event(d, v, reason);
  p.parse_event_data(d, v, reason);
  looks_like_event_xml(d);
  for (std::uint64_t pos = next_event_start(d, 0); pos < d.size(); pos = next_event_start(d, pos + 1)) {
    const std::uint64_t end = event_end(d, pos);
    if (end > d.size()) __builtin_trap();
    if (end) p.parse_event(d.substr(pos, end - pos), v, reason);
  }
  return 0;
}
