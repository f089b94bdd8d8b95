// Windows events as hunts read them: the event XML parser's and the EVTX decoder's records turned
// into one neutral view (parsers::WindowsEventView). Inline: called once per event on the hot path.
#pragma once

#include <array>
#include <charconv>
#include <string_view>

#include "parsers/event_xml.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::scanner {

// Scratch text for the numbers a binary event carries (EventID, Level), one per thread.
struct EventText {
  std::array<char, 16> id{}, level{};
};

inline std::string_view decimal_text(std::int32_t n, std::array<char, 16>& buf) {
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  return std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
}

inline parsers::WindowsEventView event_view(const parsers::XmlEventView& x, std::uint64_t offset, std::uint32_t length) {
  parsers::WindowsEventView v;
  v.provider = x.provider;
  v.channel = x.channel;
  v.computer = x.computer;
  v.event_id = x.event_id;
  v.level = x.level;
  v.user = x.user_id;
  v.rendered_message = x.rendered_message;
  v.time_text = x.system_time;
  v.has_event_data = x.has_event_data && !x.data.empty();  // Kusto: no Data under EventData is null
  v.data = x.data;
  v.offset = offset;
  v.length = length;
  return v;
}

inline parsers::WindowsEventView event_view(const parsers::EvtxEvent& ev, EventText& text) {
  parsers::WindowsEventView v;
  v.provider = ev.provider;
  v.channel = ev.channel;
  v.computer = ev.computer;
  v.event_id = decimal_text(ev.event_id, text.id);
  v.level = decimal_text(ev.level, text.level);
  v.user = ev.user_sid;
  v.has_time = ev.has_time;
  v.time_ticks = ev.time_ticks;
  if (!ev.has_time) v.time_text = "(no TimeCreated)";
  v.has_event_data = true;
  v.data = ev.data;
  v.offset = ev.offset;
  v.length = ev.length;
  return v;
}

}  // namespace rareconn::scanner
