// The event XML stream cutter of event_xml_cut.hpp: the walk of event_xml.hpp, resumed as bytes
// arrive.
#include "parsers/event_xml_cut.hpp"

#include "parsers/record_view.hpp"

namespace rareconn::parsers {

XmlEventCutter::XmlEventCutter(std::uint64_t max_record_bytes) : max_(clamp_max_record_bytes(max_record_bytes)) {}

namespace {
// Bytes kept before the walk's position: a cut after "<Event" is not made (below).
constexpr std::uint64_t kBefore = 6;
}  // namespace

void XmlEventCutter::cut(std::uint64_t at, Cuts& cuts) {
  if (at <= last_cut_ || at < no_cut_before_) return;  // the stream's start, an event's end where the next one starts
  // A block that ends in "<Event" would show a reader a start tag cut by the end of the data,
  // which the whole stream does not have ("<Event<Event ..."): no cut there.
  const std::uint64_t i = at - buf_start_;
  if (i >= kBefore && std::string_view(buf_).substr(static_cast<std::size_t>(i - kBefore), kBefore) == "<Event") return;
  if (cuts.first == npos) cuts.first = at;
  cuts.last = at;
  last_cut_ = at;
}

void XmlEventCutter::keep_from(std::uint64_t at) {
  const std::uint64_t from = at - buf_start_ > kBefore ? at - kBefore : buf_start_;
  buf_.erase(0, static_cast<std::size_t>(from - buf_start_));
  buf_start_ = from;
}

XmlEventCutter::Cuts XmlEventCutter::feed(std::string_view bytes) {
  Cuts cuts;
  buf_.append(bytes);
  for (;;) {
    if (!in_event_) {
      const bool found = seek_event_start(buf_, buf_start_, seek_);
      if (!found && seek_.skip == EventSeek::Skip::kNone) cut(seek_.pos, cuts);  // text between events
      keep_from(seek_.pos);
      if (!found) return cuts;
      cut(seek_.pos, cuts);
      in_event_ = true;
      event_ = seek_.pos;
    }
    // The event's end, as find_event_end tells it: within max bytes of its start; past them (the
    // data goes on) it is too large, and the walk goes on one byte after its start.
    const std::string_view d(buf_);
    const std::uint64_t start = event_ - buf_start_;
    std::uint64_t end = 0;
    const bool past_bound = d.size() - start > max_;
    if (past_bound) {
      end = find_event_end(d, start, max_).end;
    } else {
      bool need_more = false;
      end = event_end_so_far(d, start, need_more);
      if (need_more) return cuts;
    }
    in_event_ = false;
    if (end != 0) {
      cut(buf_start_ + end, cuts);  // the text after a whole event is a record of its own
      seek_ = EventSeek{buf_start_ + end, EventSeek::Skip::kNone};
    } else {
      // Its reader must see what this walk saw: past the bound when it is too large, else the
      // bytes fed so far (a later start tag or a malformed one cut it off).
      no_cut_before_ = past_bound ? event_ + max_ + 1 : buf_start_ + buf_.size();
      seek_ = EventSeek{event_ + 1, EventSeek::Skip::kNone};
    }
  }
}

}  // namespace rareconn::parsers
