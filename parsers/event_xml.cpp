// Windows event XML decoder: one validating pass that keeps only what an event needs (System, EventData/Data, ...).
// Must not know about hunts, windows or threads: no mutable globals, all state in the XmlEventParser, reentrant.
#include "parsers/event_xml.hpp"

#include <algorithm>
#include <cctype>
#include <array>
#include <cstring>

#include "parsers/simd_scan.hpp"
#include "parsers/utf8.hpp"

namespace rareconn::parsers {

namespace {

// ---- character classes (constant tables; no mutable state) --------------------------------------------------

constexpr std::uint8_t kNameStart = 1, kNameChar = 2, kSpace = 4;

constexpr std::array<std::uint8_t, 256> make_char_table() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    const bool start = alpha || c == '_' || c == ':' || c >= 0x80;
    const bool name = start || (c >= '0' && c <= '9') || c == '-' || c == '.';
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    t[static_cast<std::size_t>(c)] =
        static_cast<std::uint8_t>((start ? kNameStart : 0) | (name ? kNameChar : 0) | (space ? kSpace : 0));
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> kChars = make_char_table();

inline bool has_class(char c, std::uint8_t cls) { return (kChars[static_cast<unsigned char>(c)] & cls) != 0; }
inline bool is_space(char c) { return has_class(c, kSpace); }

inline const char* skip_space(const char* p, const char* e) {
  while (p < e && is_space(*p)) ++p;
  return p;
}

// End of the XML name starting at p (p itself when there is none).
inline const char* scan_name(const char* p, const char* e) {
  if (p < e && has_class(*p, kNameStart)) {
    ++p;
    while (p < e && has_class(*p, kNameChar)) ++p;
  }
  return p;
}

inline bool all_space(const char* p, const char* e) {
  for (; p < e; ++p)
    if (!is_space(*p)) return false;
  return true;
}

inline bool starts_with(const char* p, const char* e, std::string_view s) {
  return static_cast<std::size_t>(e - p) >= s.size() && std::memcmp(p, s.data(), s.size()) == 0;
}

// First occurrence of `s` in [p, e), or nullptr.
inline const char* find_str(const char* p, const char* e, std::string_view s) {
  while (static_cast<std::size_t>(e - p) >= s.size()) {
    const char* q = static_cast<const char*>(std::memchr(p, s[0], static_cast<std::size_t>(e - p) - s.size() + 1));
    if (q == nullptr) return nullptr;
    if (std::memcmp(q + 1, s.data() + 1, s.size() - 1) == 0) return q;
    p = q + 1;
  }
  return nullptr;
}

inline std::string_view local_name(std::string_view qname) {
  const std::size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

inline bool is_xmlns(std::string_view qname) {
  return qname == "xmlns" || (qname.size() > 6 && qname.compare(0, 6, "xmlns:") == 0);
}

// ---- entity references -------------------------------------------------------------------------------------

inline bool valid_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// p is at '&'. Returns the first byte after the reference's ';' and its code point, or nullptr when the reference
// is not one of the five predefined entities or a valid character reference.
const char* parse_reference(const char* p, const char* e, std::uint32_t& cp) {
  ++p;
  if (p < e && *p == '#') {
    ++p;
    const bool hex = p < e && *p == 'x';
    if (hex) ++p;
    const char* digits = p;
    std::uint32_t v = 0;
    for (; p < e && *p != ';'; ++p) {
      const char c = *p;
      std::uint32_t d;
      if (c >= '0' && c <= '9') {
        d = static_cast<std::uint32_t>(c - '0');
      } else if (hex && c >= 'a' && c <= 'f') {
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (hex && c >= 'A' && c <= 'F') {
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return nullptr;
      }
      v = v * (hex ? 16u : 10u) + d;
      if (v > 0x10FFFF) return nullptr;
    }
    if (p == e || p == digits || !valid_xml_char(v)) return nullptr;
    cp = v;
    return p + 1;
  }
  if (starts_with(p, e, "lt;")) {
    cp = '<';
    return p + 3;
  }
  if (starts_with(p, e, "gt;")) {
    cp = '>';
    return p + 3;
  }
  if (starts_with(p, e, "amp;")) {
    cp = '&';
    return p + 4;
  }
  if (starts_with(p, e, "quot;")) {
    cp = '"';
    return p + 5;
  }
  if (starts_with(p, e, "apos;")) {
    cp = '\'';
    return p + 5;
  }
  return nullptr;
}


// Appends [p, e) to out with references decoded. Returns nullptr on success, else the bad '&'.
// The UTF-8 of a reference is never longer than the reference, so out grows by at most e - p.
const char* decode_append(const char* p, const char* e, std::string& out) {
  for (;;) {
    const char* a = static_cast<const char*>(std::memchr(p, '&', static_cast<std::size_t>(e - p)));
    if (a == nullptr) {
      out.append(p, static_cast<std::size_t>(e - p));
      return nullptr;
    }
    out.append(p, static_cast<std::size_t>(a - p));
    std::uint32_t cp = 0;
    const char* next = parse_reference(a, e, cp);
    if (next == nullptr) return a;
    append_utf8(out, cp);
    p = next;
  }
}

// Checks the references of [p, e) without decoding. Returns nullptr when all are valid, else the bad '&'.
const char* check_references(const char* p, const char* e) {
  for (;;) {
    const char* a = static_cast<const char*>(std::memchr(p, '&', static_cast<std::size_t>(e - p)));
    if (a == nullptr) return nullptr;
    std::uint32_t cp = 0;
    p = parse_reference(a, e, cp);
    if (p == nullptr) return a;
  }
}

// ---- what an element is for the event ---------------------------------------------------------------------

enum Kind : std::uint8_t {
  kOther = 0,
  kEvent,
  kSystem,
  kProvider,
  kEventID,
  kVersion,
  kLevel,
  kComputer,
  kChannel,
  kTimeCreated,
  kSecurity,
  kEventData,
  kData,
  kRenderingInfo,
  kMessage,
  kDataItem,
  kNoParent = 255,
};

// Kinds whose direct character data is the value we keep.
inline bool collects_text(std::uint8_t k) { return (k >= kEventID && k <= kChannel) || k == kData || k == kMessage; }

inline std::uint32_t bit(std::uint8_t k) { return 1u << k; }

void clear_view(XmlEventView& out) {
  out.provider = out.event_id = out.version = out.level = out.computer = out.channel = {};
  out.system_time = out.user_id = out.rendered_message = out.dataitem_time = {};
  out.has_dataitem = out.has_event_data = false;
  out.data.clear();  // keeps its capacity
}

}  // namespace

const char* describe(XmlError e) {
  switch (e) {
    case XmlError::kNone: return "no error";
    case XmlError::kTooLarge: return "XML larger than 1 MiB";
    case XmlError::kEmpty: return "no XML element";
    case XmlError::kTruncated: return "truncated XML";
    case XmlError::kMalformed: return "malformed XML";
    case XmlError::kNotAnEvent: return "root element is not <Event>";
  }
  return "unknown XML error";
}

bool XmlEventParser::parse_event(std::string_view xml, XmlEventView& out, std::string& reason) {
  return parse(xml, out, reason, Mode::kEvent);
}

bool XmlEventParser::parse_event_data(std::string_view xml, XmlEventView& out, std::string& reason) {
  return parse(xml, out, reason, Mode::kEventData);
}

bool XmlEventParser::fail(XmlError e, std::string_view what, std::size_t offset, std::string& reason) {
  error_ = e;
  reason.assign(what);
  reason += " at byte ";
  reason += std::to_string(offset);
  return false;
}

bool XmlEventParser::parse(std::string_view xml, XmlEventView& out, std::string& reason, Mode mode) {
  error_ = XmlError::kNone;
  clear_view(out);
  std::size_t depth = 0;  // open elements: stack_[0, depth) (stack_ only grows, so no per-event allocation)
  segments_.clear();
  scratch_.clear();
  if (xml.size() > kMaxInputBytes) return fail(XmlError::kTooLarge, "input larger than 1 MiB", kMaxInputBytes, reason);
  // Everything decoded into scratch_ is at most as long as the input bytes it comes from, and every input byte is
  // decoded at most once: with this reservation scratch_ never reallocates during the parse, so views stay valid.
  if (scratch_.capacity() < xml.size()) scratch_.reserve(xml.size());

  const bool by_local_name = mode == Mode::kEvent;
  const char* const b = xml.data();
  const char* const e = b + xml.size();
  const char* p = b;
  if (xml.size() >= 3 && std::memcmp(b, "\xEF\xBB\xBF", 3) == 0) p += 3;

  auto at = [b](const char* q) { return static_cast<std::size_t>(q - b); };
  auto bad = [&](XmlError err, std::string_view what, const char* q) {
    clear_view(out);  // no half-filled views after a failure
    return fail(err, what, at(q), reason);
  };

  bool root_done = false;
  std::uint32_t seen = 0;            // kinds already met (first occurrence wins)
  bool event_data_repeated = false;  // a second EventData under the same parent
  std::size_t collect_depth = 0;     // stack depth of the element whose text is collected, 0 = none
  std::uint8_t collect_kind = kOther;
  bool collect_child = false;  // that element has child elements (whitespace-only text is then structural)
  std::size_t data_index = 0;

  for (;;) {
    // Character data up to the next '<'.
    const char* t = p;
    bool amp = false;
    p = simd::find_any3(p, e, '<', '&', '<');
    if (p < e && *p == '&') {
      amp = true;
      p = static_cast<const char*>(std::memchr(p, '<', static_cast<std::size_t>(e - p)));
      if (p == nullptr) p = e;
    }
    if (p > t) {
      if (depth == 0) {
        if (!all_space(t, p)) return bad(XmlError::kMalformed, "text outside the root element", t);
      } else if (collect_depth == depth) {
        segments_.push_back({t, static_cast<std::uint32_t>(p - t), static_cast<std::uint8_t>(amp ? 1 : 0)});
      } else if (amp) {
        if (const char* r = check_references(t, p)) return bad(XmlError::kMalformed, "invalid entity reference", r);
      }
    }
    if (p == e) break;
    const char* lt = p++;
    if (p == e) return bad(XmlError::kTruncated, "end of input after '<'", lt);

    if (*p == '/') {  // closing tag
      const char* n = ++p;
      p = scan_name(p, e);
      if (p == n) return bad(p == e ? XmlError::kTruncated : XmlError::kMalformed, "invalid closing tag", lt);
      const std::string_view qname(n, static_cast<std::size_t>(p - n));
      p = skip_space(p, e);
      if (p == e) return bad(XmlError::kTruncated, "unterminated closing tag", lt);
      if (*p != '>') return bad(XmlError::kMalformed, "invalid closing tag", lt);
      ++p;
      if (depth == 0 || stack_[depth - 1].qname != qname)
        return bad(XmlError::kMalformed, "closing tag does not match the open element", lt);
      if (collect_depth == depth) {
        // Build the element's value from its direct text pieces.
        std::size_t kept = 0;
        const Segment* only = nullptr;
        for (Segment& s : segments_) {
          if (collect_child && s.type == 0 && all_space(s.begin, s.begin + s.size)) {
            s.type = 3;  // structural whitespace between child elements
            continue;
          }
          ++kept;
          only = &s;
        }
        std::string_view value;
        if (kept == 1 && only->type != 1) {
          value = std::string_view(only->begin, only->size);
        } else if (kept > 0) {
          const std::size_t from = scratch_.size();
          for (const Segment& s : segments_) {
            if (s.type == 3) continue;
            if (s.type == 1) {
              if (const char* r = decode_append(s.begin, s.begin + s.size, scratch_))
                return bad(XmlError::kMalformed, "invalid entity reference", r);
            } else {
              scratch_.append(s.begin, s.size);
            }
          }
          value = std::string_view(scratch_.data() + from, scratch_.size() - from);
        }
        switch (collect_kind) {
          case kEventID: out.event_id = value; break;
          case kVersion: out.version = value; break;
          case kLevel: out.level = value; break;
          case kComputer: out.computer = value; break;
          case kChannel: out.channel = value; break;
          case kMessage: out.rendered_message = value; break;
          case kData: out.data[data_index].second = value; break;
          default: break;
        }
        collect_depth = 0;
      }
      if (--depth == 0) root_done = true;
      continue;
    }

    if (*p == '!') {
      if (starts_with(p, e, "!--")) {
        const char* c = find_str(p + 3, e, "-->");
        if (c == nullptr) return bad(XmlError::kTruncated, "unterminated comment", lt);
        p = c + 3;
        continue;
      }
      if (starts_with(p, e, "![CDATA[")) {
        if (depth == 0) return bad(XmlError::kMalformed, "CDATA section outside the root element", lt);
        const char* body = p + 8;
        const char* c = find_str(body, e, "]]>");
        if (c == nullptr) return bad(XmlError::kTruncated, "unterminated CDATA section", lt);
        if (collect_depth == depth) segments_.push_back({body, static_cast<std::uint32_t>(c - body), std::uint8_t{2}});
        p = c + 3;
        continue;
      }
      const bool prefix =
          std::string_view("!--").starts_with(std::string_view(p, static_cast<std::size_t>(e - p))) ||
          std::string_view("![CDATA[").starts_with(std::string_view(p, static_cast<std::size_t>(e - p)));
      return bad(prefix ? XmlError::kTruncated : XmlError::kMalformed,
                 "unsupported markup declaration (DOCTYPE/DTD not accepted)", lt);
    }

    if (*p == '?') {  // processing instruction, including the <?xml ...?> declaration: skipped
      const char* c = find_str(p + 1, e, "?>");
      if (c == nullptr) return bad(XmlError::kTruncated, "unterminated processing instruction", lt);
      p = c + 2;
      continue;
    }

    // Start tag.
    if (root_done) return bad(XmlError::kMalformed, "content after the root element", lt);
    const char* n = p;
    p = scan_name(p, e);
    if (p == n) return bad(p == e ? XmlError::kTruncated : XmlError::kMalformed, "invalid element name", lt);
    const std::string_view qname(n, static_cast<std::size_t>(p - n));
    const std::string_view name = by_local_name ? local_name(qname) : qname;
    const std::uint8_t parent = depth == 0 ? std::uint8_t{kNoParent} : stack_[depth - 1].kind;
    std::uint8_t kind = kOther;
    switch (parent) {
      case kNoParent:
        if (mode == Mode::kEvent) {
          if (name != "Event") return bad(XmlError::kNotAnEvent, "root element is not <Event>", lt);
          kind = kEvent;
        } else if (name == "DataItem") {
          kind = kDataItem;
          out.has_dataitem = true;
        } else if (name == "EventData") {
          kind = kEventData;
        }
        break;
      case kEvent:
        if (name == "System")
          kind = kSystem;
        else if (name == "EventData")
          kind = kEventData;
        else if (name == "RenderingInfo")
          kind = kRenderingInfo;
        break;
      case kDataItem:
        if (name == "EventData") kind = kEventData;
        break;
      case kSystem:
        switch (name.size()) {
          case 5:
            if (name == "Level") kind = kLevel;
            break;
          case 7:
            if (name == "EventID")
              kind = kEventID;
            else if (name == "Version")
              kind = kVersion;
            else if (name == "Channel")
              kind = kChannel;
            break;
          case 8:
            if (name == "Provider")
              kind = kProvider;
            else if (name == "Computer")
              kind = kComputer;
            else if (name == "Security")
              kind = kSecurity;
            break;
          case 11:
            if (name == "TimeCreated") kind = kTimeCreated;
            break;
          default: break;
        }
        break;
      case kEventData:
        if (name == "Data") kind = kData;
        break;
      case kRenderingInfo:
        if (name == "Message") kind = kMessage;
        break;
      default: break;
    }
    if (kind != kOther && kind != kData) {
      if (seen & bit(kind)) {
        if (kind == kEventData) event_data_repeated = true;
        kind = kOther;  // first occurrence wins
      } else {
        seen |= bit(kind);
        if (kind == kEventData) out.has_event_data = true;
      }
    }
    if (collect_depth != 0) collect_child = true;

    // Attributes.
    std::string_view data_name;
    bool target_set = false;
    for (;;) {
      const char* before = p;
      p = skip_space(p, e);
      if (p == e) return bad(XmlError::kTruncated, "unterminated start tag", lt);
      if (*p == '>' || *p == '/') break;
      if (p == before) return bad(XmlError::kMalformed, "missing blank before attribute", p);
      const char* an = p;
      p = scan_name(p, e);
      if (p == an) return bad(p == e ? XmlError::kTruncated : XmlError::kMalformed, "invalid attribute name", an);
      const std::string_view aqname(an, static_cast<std::size_t>(p - an));
      p = skip_space(p, e);
      if (p == e) return bad(XmlError::kTruncated, "unterminated start tag", lt);
      if (*p != '=') return bad(XmlError::kMalformed, "attribute without '='", p);
      p = skip_space(p + 1, e);
      if (p == e) return bad(XmlError::kTruncated, "unterminated start tag", lt);
      const char quote = *p;
      if (quote != '"' && quote != '\'') return bad(XmlError::kMalformed, "unquoted attribute value", p);
      const char* v = ++p;
      bool vamp = false;
      for (;;) {
        p = simd::find_any3(p, e, quote, '&', '<');
        if (p == e) return bad(XmlError::kTruncated, "unterminated attribute value", v - 1);
        if (*p == '<') return bad(XmlError::kMalformed, "'<' in attribute value", p);
        if (*p == '&') {
          vamp = true;
          ++p;
          continue;
        }
        break;
      }
      const char* ve = p++;
      // Is this attribute one we keep?
      std::string_view* dest = nullptr;
      if (kind != kOther && !target_set && !is_xmlns(aqname)) {
        const std::string_view an_local = by_local_name ? local_name(aqname) : aqname;
        switch (kind) {
          case kProvider:
            if (an_local == "Name") dest = &out.provider;
            break;
          case kTimeCreated:
            if (an_local == "SystemTime") dest = &out.system_time;
            break;
          case kSecurity:
            if (an_local == "UserID" || an_local == "UserId") dest = &out.user_id;
            break;
          case kDataItem:
            if (an_local == "time") dest = &out.dataitem_time;
            break;
          case kData:
            if (an_local == "Name") dest = &data_name;
            break;
          default: break;
        }
      }
      if (dest != nullptr) {
        target_set = true;
        if (!vamp) {
          *dest = std::string_view(v, static_cast<std::size_t>(ve - v));
        } else {
          const std::size_t from = scratch_.size();
          if (const char* r = decode_append(v, ve, scratch_))
            return bad(XmlError::kMalformed, "invalid entity reference", r);
          *dest = std::string_view(scratch_.data() + from, scratch_.size() - from);
        }
      } else if (vamp) {
        if (const char* r = check_references(v, ve)) return bad(XmlError::kMalformed, "invalid entity reference", r);
      }
    }
    bool self_closing = false;
    if (*p == '/') {
      if (p + 1 == e) return bad(XmlError::kTruncated, "unterminated start tag", lt);
      if (p[1] != '>') return bad(XmlError::kMalformed, "'/' not followed by '>' in start tag", p);
      self_closing = true;
      p += 2;
    } else {
      ++p;  // '>'
    }
    if (kind == kData) {
      data_index = out.data.size();
      out.data.emplace_back(data_name, std::string_view());
    }
    if (self_closing) {
      if (depth == 0) root_done = true;  // a self-closing root element
      continue;                          // collected kinds keep their empty value
    }
    if (depth == stack_.size())
      stack_.push_back({qname, kind});
    else
      stack_[depth] = {qname, kind};
    ++depth;
    if (collect_depth == 0 && collects_text(kind)) {
      collect_depth = depth;
      collect_kind = kind;
      collect_child = false;
      segments_.clear();
    }
  }

  if (depth != 0) return bad(XmlError::kTruncated, "end of input with open elements", e);
  if (!root_done) return bad(XmlError::kEmpty, "no XML element", e);
  if (event_data_repeated) out.data.clear();
  return true;
}

// ---- streams of raw events -------------------------------------------------------------------------------------

namespace {

inline bool event_tag_delim(char c) { return c == '>' || c == '/' || is_space(c); }

// data[i..] starts with "<Event" followed by a delimiter (or by the end of the data when `allow_end`).
inline bool event_start_at(std::string_view data, std::size_t i, bool allow_end) {
  if (data.compare(i, 6, "<Event") != 0 || i + 6 > data.size()) return false;
  if (i + 6 == data.size()) return allow_end;
  return event_tag_delim(data[i + 6]);
}

// End of the start tag beginning at `i` (the index of its '>'), honouring quoted attribute values; npos if none.
// `ran_out` (when given) tells a tag cut by the end of the data from a malformed one.
std::size_t start_tag_end(std::string_view data, std::size_t i, bool* ran_out = nullptr) {
  for (std::size_t p = i + 1; p < data.size(); ++p) {
    const char c = data[p];
    if (c == '"' || c == '\'') {
      p = data.find(c, p + 1);
      if (p == std::string_view::npos) break;
    } else if (c == '>') {
      return p;
    } else if (c == '<') {
      return std::string_view::npos;
    }
  }
  if (ran_out) *ran_out = true;
  return std::string_view::npos;
}

// event_end over `data`; `ran_out` is set when it fails because the data ends (not because another
// event starts or the start tag is malformed).
std::uint64_t scan_event_end(std::string_view data, std::size_t start, bool& ran_out) {
  const std::size_t n = data.size();
  if (start >= n || !event_start_at(data, start, false)) return 0;
  std::size_t q = start_tag_end(data, start, &ran_out);
  if (q == std::string_view::npos) return 0;
  if (data[q - 1] == '/') return q + 1;  // <Event .../>
  ++q;
  auto out_of_data = [&] {
    ran_out = true;
    return std::uint64_t{0};
  };
  for (;;) {
    q = data.find('<', q);
    if (q == std::string_view::npos || q + 1 >= n) return out_of_data();
    const char c = data[q + 1];
    if (c == '!') {
      if (data.compare(q, 4, "<!--") == 0) {
        q = data.find("-->", q + 4);
        if (q == std::string_view::npos) return out_of_data();
        q += 3;
        continue;
      }
      if (data.compare(q, 9, "<![CDATA[") == 0) {
        q = data.find("]]>", q + 9);
        if (q == std::string_view::npos) return out_of_data();
        q += 3;
        continue;
      }
    } else if (c == '/') {
      if (data.compare(q + 2, 5, "Event") == 0) {
        std::size_t k = q + 7;
        while (k < n && is_space(data[k])) ++k;
        if (k < n && data[k] == '>') {
          return k + 1;
        }
      }
    } else if (c == 'E') {
      // Events never nest: another <Event start tag means this one was cut off.
      if (event_start_at(data, q, true)) return 0;
    } else if (c == '?') {
      q = data.find("?>", q + 2);
      if (q == std::string_view::npos) return out_of_data();
      q += 2;
      continue;
    }
    ++q;
  }
}

}  // namespace

std::uint64_t next_event_start(std::string_view data, std::uint64_t pos) {
  const std::size_t n = data.size();
  while (pos < n) {
    const std::size_t i = data.find('<', static_cast<std::size_t>(pos));
    if (i == std::string_view::npos) return n;
    // Comments, CDATA and processing instructions may mention "<Event": skip them whole, as event_end
    // does (were one skipped by event_end only, each event before an unterminated one would search
    // the rest of the data for its end: quadratic time).
    if (data.compare(i, 4, "<!--") == 0) {
      const std::size_t e = data.find("-->", i + 4);
      if (e == std::string_view::npos) return n;
      pos = e + 3;
      continue;
    }
    if (data.compare(i, 9, "<![CDATA[") == 0) {
      const std::size_t e = data.find("]]>", i + 9);
      if (e == std::string_view::npos) return n;
      pos = e + 3;
      continue;
    }
    if (data.compare(i, 2, "<?") == 0) {
      const std::size_t e = data.find("?>", i + 2);
      if (e == std::string_view::npos) return n;
      pos = e + 2;
      continue;
    }
    // "<Event" at the very end may be a start tag cut by the end of the data: report it (event_end then says 0).
    if (event_start_at(data, i, /*allow_end=*/true)) return i;
    pos = i + 1;
  }
  return n;
}

namespace {
// Names of the elements a Windows event is made of: met between events, they are the remains of
// an event whose start tag was damaged ("<Evnt", "</Event>", "<System>").
bool event_element_name(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "System", "Provider", "EventID", "Version", "Level", "Task", "Opcode", "Keywords", "TimeCreated",
      "EventRecordID", "Correlation", "Execution", "Channel", "Computer", "Security", "EventData", "Data",
      "UserData", "RenderingInfo", "Message"};
  if (name.size() >= 2 && name[0] == 'E' && name[1] == 'v' && name != "Events") return true;  // Event, Evnt, EventX
  for (std::string_view n : kNames) {
    if (name == n) return true;
  }
  return false;
}
}  // namespace

std::uint64_t first_stray_between_events(std::string_view data, std::uint64_t from, std::uint64_t to) {
  to = std::min<std::uint64_t>(to, data.size());
  const std::string_view gap = data.substr(0, static_cast<std::size_t>(to));
  std::size_t i = static_cast<std::size_t>(from);
  while (i < gap.size()) {
    const char c = gap[i];
    if (c == '\0') return i;
    if (c != '<') {
      ++i;
      continue;
    }
    auto skip_to = [&](std::size_t open, std::string_view close) {
      const std::size_t e = gap.find(close, i + open);
      return e == std::string_view::npos ? gap.size() : e + close.size();
    };
    if (gap.compare(i, 4, "<!--") == 0) {
      i = skip_to(4, "-->");
    } else if (gap.compare(i, 9, "<![CDATA[") == 0) {
      i = skip_to(9, "]]>");
    } else if (gap.compare(i, 2, "<?") == 0) {
      i = skip_to(2, "?>");
    } else {
      // Text between events may hold other tags (a wrapper element, another program's syslog
      // line: "<info>"); only the elements of an event are strays.
      std::size_t n = i + 1 + (i + 1 < gap.size() && gap[i + 1] == '/' ? 1 : 0);
      const std::size_t name_begin = n;
      while (n < gap.size() && (std::isalnum(static_cast<unsigned char>(gap[n])) || gap[n] == '_' || gap[n] == ':')) ++n;
      if (event_element_name(gap.substr(name_begin, n - name_begin))) return i;
      i = n;
    }
  }
  return to;
}

EventExtent find_event_end(std::string_view data, std::uint64_t start, std::uint64_t max_record_bytes) {
  if (start >= data.size()) return {};
  // Only the bound's worth of bytes is read: an event that has not ended within it is too large.
  const std::uint64_t max = clamp_max_record_bytes(max_record_bytes);
  const std::string_view head = data.substr(0, start + std::min<std::uint64_t>(data.size() - start, max));
  bool ran_out = false;
  const std::uint64_t end = scan_event_end(head, static_cast<std::size_t>(start), ran_out);
  if (end == 0 && ran_out && head.size() < data.size()) return {0, ParseError::kRecordTooLarge};
  return {end, ParseError::kNone};
}

std::uint64_t event_end(std::string_view data, std::uint64_t start, std::uint64_t max_record_bytes) {
  return find_event_end(data, start, max_record_bytes).end;
}

bool seek_event_start(std::string_view data, std::uint64_t data_offset, EventSeek& seek) {
  const std::size_t n = data.size();
  std::size_t i = static_cast<std::size_t>(seek.pos - data_offset);
  for (;;) {
    if (seek.skip != EventSeek::Skip::kNone) {
      const std::string_view end = seek.skip == EventSeek::Skip::kComment ? "-->" : seek.skip == EventSeek::Skip::kCdata ? "]]>" : "?>";
      const std::size_t e = data.find(end, i);
      if (e == std::string_view::npos) {  // keep the bytes a terminator cut by the data's end may start with
        seek.pos = data_offset + std::max(i, n - std::min(n, end.size() - 1));
        return false;
      }
      i = e + end.size();
      seek.skip = EventSeek::Skip::kNone;
      continue;
    }
    const std::size_t q = data.find('<', i);
    if (q == std::string_view::npos) {
      seek.pos = data_offset + n;
      return false;
    }
    // As next_event_start: comments, CDATA and processing instructions are skipped whole; a tag
    // whose kind the data's end hides waits for more.
    auto starts = [&](std::string_view lit) {  // 1: data[q..] starts with lit, 0: it does not, -1: cannot tell
      const std::size_t k = std::min(lit.size(), n - q);
      if (data.compare(q, k, lit.substr(0, k)) != 0) return 0;
      return k < lit.size() ? -1 : 1;
    };
    int m = starts("<!--");
    if (m == 1) {
      seek.skip = EventSeek::Skip::kComment;
      i = q + 4;
      continue;
    }
    int c = starts("<![CDATA[");
    if (c == 1) {
      seek.skip = EventSeek::Skip::kCdata;
      i = q + 9;
      continue;
    }
    int p = starts("<?");
    if (p == 1) {
      seek.skip = EventSeek::Skip::kPi;
      i = q + 2;
      continue;
    }
    const int e = starts("<Event");
    if (m < 0 || c < 0 || p < 0 || e < 0 || (e == 1 && q + 6 == n)) {
      seek.pos = data_offset + q;
      return false;
    }
    if (e == 1 && event_tag_delim(data[q + 6])) {
      seek.pos = data_offset + q;
      return true;
    }
    i = q + 1;
  }
}

std::uint64_t event_end_so_far(std::string_view data, std::uint64_t start, bool& need_more) {
  bool ran_out = false;
  const std::uint64_t end = scan_event_end(data, static_cast<std::size_t>(start), ran_out);
  const std::size_t n = data.size();
  need_more = ran_out || (end == 0 && n >= start + 6 && data.compare(n - 6, 6, "<Event") == 0) || n < start + 7;
  return end;
}

bool looks_like_event_xml(std::string_view data) {
  std::size_t p = 0;
  if (data.size() >= 3 && data.compare(0, 3, "\xEF\xBB\xBF") == 0) p = 3;
  const std::size_t first_line = p;
  bool wrapper_seen = false;
  for (;;) {
    while (p < data.size() && is_space(data[p])) ++p;
    if (data.compare(p, 2, "<?") == 0) {
      p = data.find("?>", p + 2);
      if (p == std::string_view::npos) break;
      p += 2;
      continue;
    }
    if (data.compare(p, 4, "<!--") == 0) {
      p = data.find("-->", p + 4);
      if (p == std::string_view::npos) break;
      p += 3;
      continue;
    }
    if (!wrapper_seen && data.compare(p, 7, "<Events") == 0 && p + 7 < data.size() && event_tag_delim(data[p + 7])) {
      p = start_tag_end(data, p);
      if (p == std::string_view::npos) break;
      ++p;
      wrapper_seen = true;
      continue;
    }
    if (p < data.size() && event_start_at(data, p, false)) return true;
    break;
  }
  std::size_t eol = data.find('\n', first_line);
  if (eol == std::string_view::npos) eol = data.size();
  const std::string_view line = data.substr(first_line, eol - first_line);
  return line.find("<Event><System><Provider Name=\"Linux-Sysmon\"") != std::string_view::npos ||
         line.find("<Event><System><Provider Name='Linux-Sysmon'") != std::string_view::npos;
}

}  // namespace rareconn::parsers
