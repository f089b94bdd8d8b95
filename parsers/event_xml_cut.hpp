// Where the events of a Windows event XML stream read once, in order, start: the same walk every
// reader of event XML makes (next_event_start, then event_end and on from its end, or from one
// byte after a start that never ended), so that a stream can be cut into blocks that a reader
// parses exactly as it parses the whole. The walk's positions are found as bytes arrive; the
// bytes of an event still open are kept (at most --max-record-size and what one call feeds), and
// only a few bytes between events. Reports each event start, the end of each whole event, and
// where a call's bytes end between events (outside comments, CDATA and processing instructions),
// but none before what the walk read to find that an event did not end (its bound, when it is too
// large): a reader of that block must see as much to tell a cut-off event from one too large. A
// block is then at most twice the bound and two calls' bytes long.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/event_xml.hpp"

namespace rareconn::parsers {

class XmlEventCutter {
 public:
  static constexpr std::uint64_t npos = ~std::uint64_t{0};
  struct Cuts {
    std::uint64_t first = npos;  // the first and the last position found with the bytes fed, as stream
    std::uint64_t last = npos;   // offsets (a start is known only a byte after "<Event": it may lie in
  };                             // bytes fed before); npos: none. The stream's start is never reported.

  explicit XmlEventCutter(std::uint64_t max_record_bytes);

  Cuts feed(std::string_view bytes);

 private:
  void cut(std::uint64_t at, Cuts& cuts);
  void keep_from(std::uint64_t at);

  std::string buf_;              // stream bytes [buf_start_, buf_start_ + buf_.size())
  std::uint64_t buf_start_ = 0;
  bool in_event_ = false;        // true: an event starts at event_, its end not known yet
  std::uint64_t event_ = 0;
  EventSeek seek_;               // false in_event_: the walk's search for the next event start
  std::uint64_t max_;
  std::uint64_t last_cut_ = 0;
  std::uint64_t no_cut_before_ = 0;  // past the bound of the last event that did not end
};

}  // namespace rareconn::parsers
