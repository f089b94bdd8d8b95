// Windows event XML (a raw <Event>, or the EventData string of a Log Analytics `Event` row) decoded to XmlEventView.
// Must not know about hunts, windows or threads: no globals, reentrant; the scanner runs one XmlEventParser per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers/record_view.hpp"

namespace rareconn::parsers {

// A decoded Windows event. Views point into the input or into the parser's scratch (entity-decoded or
// concatenated text); valid until the next parse call on the same parser. A missing element/attribute is "".
struct XmlEventView {
  std::string_view provider;          // System/Provider/@Name
  std::string_view event_id;          // System/EventID element text
  std::string_view version;           // System/Version
  std::string_view level;             // System/Level
  std::string_view computer;          // System/Computer
  std::string_view channel;           // System/Channel
  std::string_view system_time;       // System/TimeCreated/@SystemTime (text as written)
  std::string_view user_id;           // System/Security/@UserID (Sysmon for Linux writes @UserId: accepted too)
  std::string_view rendered_message;  // RenderingInfo/Message text when present, else empty
  std::string_view dataitem_time;     // DataItem/@time (Event table EventData only)
  bool has_dataitem = false;          // the <DataItem> wrapper was present (root element)
  bool has_event_data = false;        // an <EventData> element was present at its place
  // EventData/Data: Name attribute -> text, document order. A Data without Name has an empty name.
  // Empty when Kusto's `.EventData.Data` path resolves to nothing: no EventData, an EventData without Data
  // children, or EventData repeated under the same parent (Kusto then sees an array, and `.Data` of an array is
  // null). The caller maps empty `data` to Kusto's null (one row with Key "" and Value "").
  std::vector<std::pair<std::string_view, std::string_view>> data;
};

// Why the last parse failed (kNone after a success). Kusto's parse_xml returns null in every failing case.
enum class XmlError : std::uint8_t {
  kNone = 0,
  kTooLarge,    // input larger than 1 MiB (Kusto's parse_xml limit)
  kEmpty,       // no element at all (empty or blank input)
  kTruncated,   // end of input inside a construct or with elements still open
  kMalformed,   // not well-formed XML (bad syntax, mismatched tags, unknown entity, text outside the root...)
  kNotAnEvent,  // parse_event: the root element is not <Event>
};

const char* describe(XmlError e);

// XML rules (our own parser, no XML library): well-formedness is checked (names, quoting, matching closing tags,
// one root, no text outside it, the five predefined entities and valid character references only); text is kept
// exactly as written (no trimming, no line-end or attribute-value normalisation) except that whitespace-only text
// beside child elements is structural; entity references are decoded to UTF-8, CDATA copied verbatim, comments and
// processing instructions skipped, a DOCTYPE rejected. Not checked (for speed): UTF-8 validity, control bytes,
// "--" inside comments, duplicate attributes (the first wins), where an `<?xml?>` declaration stands.
// Repeated System children, RenderingInfo or Message: the first one wins.
class XmlEventParser {  // one per thread; owns scratch buffers, no allocation per event once warm
 public:
  // Kusto's parse_xml input limit: larger inputs give null.
  static constexpr std::size_t kMaxInputBytes = 1u << 20;

  // `xml` holds exactly one <Event ...>...</Event> element (leading/trailing blanks, a UTF-8 BOM, a `<?xml ...?>`
  // prolog, comments and processing instructions allowed). Element and attribute names are matched by local name
  // (a namespace prefix is ignored; xmlns attributes are ignored). On failure returns false, sets `reason`.
  bool parse_event(std::string_view xml, XmlEventView& out, std::string& reason);

  // An Event.EventData value: `<DataItem type=".." time=".." ...><EventData xmlns=".."><Data Name="RuleName">-</Data>
  // ...</EventData></DataItem>`; `<EventData>` without the wrapper is accepted (has_dataitem=false), and any other
  // well-formed root gives true with both flags false (the caller decides). Names are matched exactly as Kusto's
  // parse_xml keys them (a prefixed `x:DataItem` is not `DataItem`). Invalid XML -> false + `reason` (Kusto: null).
  bool parse_event_data(std::string_view xml, XmlEventView& out, std::string& reason);

  XmlError last_error() const { return error_; }

 private:
  enum class Mode : std::uint8_t { kEvent, kEventData };
  struct Frame {
    std::string_view qname;  // as written, for the closing-tag check
    std::uint8_t kind;       // what this element is for the event (see event_xml.cpp)
  };
  struct Segment {  // one piece of direct character data of the element being collected
    const char* begin;
    std::uint32_t size;
    std::uint8_t type;  // 0 raw text without '&', 1 raw text with entity references, 2 CDATA (verbatim)
  };

  bool parse(std::string_view xml, XmlEventView& out, std::string& reason, Mode mode);
  bool fail(XmlError e, std::string_view what, std::size_t offset, std::string& reason);

  std::string scratch_;            // decoded text; reserved to the input size so views never move
  std::vector<Frame> stack_;       // open elements
  std::vector<Segment> segments_;  // text pieces of the element whose value is being collected
  XmlError error_ = XmlError::kNone;
};

// Streams of raw events. next_event_start: offset of the next "<Event" start tag (not "<EventData"
// or "<Events") at or after `pos`, skipping comments, CDATA sections and processing instructions
// (an unterminated one hides the rest of the data); data.size() if none. Call it
// at top-level positions (the data start, or where an event ended) so that every reader of the
// stream sees the same sequence of events.
std::uint64_t next_event_start(std::string_view data, std::uint64_t pos);
// One past the "</Event>" that closes the event starting at `start`, or 0 when the event is cut off
// (the data ends first, or another <Event start tag comes first: events never nest) or is longer
// than max_record_bytes (then error is kRecordTooLarge). Reads at most max_record_bytes bytes from
// `start`, so the length of an event found always fits 32 bits. Walks resume after a failed event
// at the next event start after its start tag (scanner::next_xml_event).
struct EventExtent {
  std::uint64_t end = 0;
  ParseError error = ParseError::kNone;
};
EventExtent find_event_end(std::string_view data, std::uint64_t start,
                           std::uint64_t max_record_bytes = kDefaultMaxRecordBytes);
std::uint64_t event_end(std::string_view data, std::uint64_t start,
                        std::uint64_t max_record_bytes = kDefaultMaxRecordBytes);

// The same walk over a stream that more bytes may follow (parsers/event_xml_cut.hpp). A seek is
// next_event_start made resumable: it stands at `pos` (a stream offset), in text or inside a
// comment, CDATA section or processing instruction whose terminator is searched from `pos`.
struct EventSeek {
  enum class Skip : std::uint8_t { kNone, kComment, kCdata, kPi };
  std::uint64_t pos = 0;
  Skip skip = Skip::kNone;
};
// Advances `seek` through `data`, the stream bytes from offset `data_offset` (seek.pos lies in
// them). True: seek.pos is the event start next_event_start finds (its "<Event" and the byte after
// it seen). False: the bytes from seek.pos on cannot tell yet (keep them and call again with more).
bool seek_event_start(std::string_view data, std::uint64_t data_offset, EventSeek& seek);
// event_end(data, start) when `data` may be followed by more bytes: `need_more` is set when they
// may change the answer (the data ran out, or it ends in "<Event" that the next byte may make a
// start tag); else the answer is event_end's over any longer data (within max bytes of start).
std::uint64_t event_end_so_far(std::string_view data, std::uint64_t start, bool& need_more);

// Between two events of a stream (from the end of one to the start of the next, as
// next_event_start found it) belong text, other tags (a wrapper element, syslog lines of other
// programs: "<info>"), comments, CDATA and processing instructions. Returns the offset of the first
// byte in [from, to) that does not: a NUL, or an element of a Windows event (a damaged start tag
// such as "<Evnt", a stray "</Event>" or "<System>": an event that lost its start), or `to`.
std::uint64_t first_stray_between_events(std::string_view data, std::uint64_t from, std::uint64_t to);

// Content sniffing: true when, after an optional BOM, blanks, `<?xml ...?>`, comments and an `<Events>` wrapper,
// the data starts with an <Event element, or when the first line is a syslog line holding
// `<Event><System><Provider Name="Linux-Sysmon"` (Sysmon for Linux).
bool looks_like_event_xml(std::string_view data);

}  // namespace rareconn::parsers
