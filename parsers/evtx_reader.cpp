// Native EVTX reader: file header, chunk validation (CRC32), record walk with resync, BinXML templates compiled once per chunk
// into field programs and evaluated per record. Must not know about hunts, windows or threads; all state lives in the decoder.
#include "parsers/evtx_reader.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "parsers/evtx_values.hpp"

namespace rareconn::parsers {
namespace {

using namespace evtx;

inline std::uint16_t rd16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
inline std::uint32_t rd32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // little-endian hosts only (x86-64, aarch64)
}
inline std::uint64_t rd64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

constexpr char kFileSignature[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', '\0'};
constexpr char kChunkSignature[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', '\0'};
constexpr std::uint32_t kRecordMagic = 0x00002a2a;
constexpr std::uint32_t kChunkHeaderSize = 512;
constexpr std::uint32_t kRecordHeaderSize = 24;
constexpr int kMaxElementDepth = 64;
constexpr int kMaxNesting = 8;
constexpr std::size_t kMaxDataFields = 4000;
constexpr std::uint16_t kNoTarget = 0xFFFF;
// Work bounds on hostile chunks. Template definitions compiled per chunk, in bytes: real chunks
// compile a few KiB (each definition once); without a bound, records naming a different offset
// each would compile up to the whole chunk each. Fragments decoded per record: a template naming
// one nested BinXML substitution k times, nested kMaxNesting deep, would decode k^8 fragments.
constexpr std::uint64_t kCompileBudgetPerChunk = 16 * kEvtxChunkSize;
constexpr std::uint32_t kMaxFragmentsPerRecord = 256;

// Where an element sits, as far as the decoded fields care.
enum State : std::uint8_t {
  S_ROOT, S_EVENT, S_SYSTEM, S_PROVIDER, S_EVENTID, S_LEVEL, S_TIME, S_COMPUTER, S_CHANNEL, S_SECURITY,
  S_VERSION, S_EVENTDATA, S_DATA, S_OTHER
};
// System fields; EventData entries use tags kFirstDataTag + 2*i (name) and + 1 (value).
enum Field : std::uint8_t { F_PROVIDER, F_EVENTID, F_LEVEL, F_TIME, F_COMPUTER, F_CHANNEL, F_USERID, F_VERSION, F_COUNT };
constexpr std::uint16_t kFirstDataTag = F_COUNT;

struct Name {
  const std::uint8_t* chars = nullptr;  // UTF-16LE
  std::uint16_t units = 0;
};

bool name_is(const Name& n, std::string_view ascii) {
  if (n.units != ascii.size()) return false;
  for (std::size_t i = 0; i < ascii.size(); ++i)
    if (rd16(n.chars + 2 * i) != static_cast<unsigned char>(ascii[i])) return false;
  return true;
}

State child_state(std::uint8_t parent, const Name& n) {
  switch (parent) {
    case S_ROOT: return name_is(n, "Event") ? S_EVENT : S_OTHER;
    case S_EVENT:
      if (name_is(n, "System")) return S_SYSTEM;
      if (name_is(n, "EventData")) return S_EVENTDATA;
      return S_OTHER;
    case S_SYSTEM:
      switch (n.units) {
        case 5: return name_is(n, "Level") ? S_LEVEL : S_OTHER;
        case 7:
          if (name_is(n, "EventID")) return S_EVENTID;
          if (name_is(n, "Channel")) return S_CHANNEL;
          if (name_is(n, "Version")) return S_VERSION;
          return S_OTHER;
        case 8:
          if (name_is(n, "Provider")) return S_PROVIDER;
          if (name_is(n, "Computer")) return S_COMPUTER;
          if (name_is(n, "Security")) return S_SECURITY;
          return S_OTHER;
        case 11: return name_is(n, "TimeCreated") ? S_TIME : S_OTHER;
        default: return S_OTHER;
      }
    case S_EVENTDATA: return name_is(n, "Data") ? S_DATA : S_OTHER;
    default: return S_OTHER;
  }
}

struct Part {
  std::uint16_t tag;
  std::uint8_t is_subst;
  std::uint32_t a;  // literal: offset in lits; substitution: index
  std::uint32_t b;  // literal: length
};
struct DataField {
  std::uint32_t nb = 0, ne = 0, vb = 0, ve = 0;  // part ranges of name and value
  std::uint8_t wanted = 1;                        // 0 no, 1 yes, 2 decide from the rendered name
};
struct NestedSlot {
  std::uint16_t subst;
  std::uint8_t state;
};

// A template definition (or a template-less fragment) compiled for one starting state: which parts
// (literal text or substitution index) make up each decoded field.
struct Template {
  const char* error = nullptr;
  TextBuf lits;
  std::vector<Part> parts;
  std::uint32_t sys_b[F_COUNT] = {}, sys_e[F_COUNT] = {};
  std::vector<DataField> data;
  std::vector<NestedSlot> nested;  // element-content substitutions that may hold nested BinXML
  void reset() {
    error = nullptr;
    lits.clear();
    parts.clear();
    std::fill(std::begin(sys_b), std::end(sys_b), 0U);
    std::fill(std::begin(sys_e), std::end(sys_e), 0U);
    data.clear();
    nested.clear();
  }
};

struct SubVal {
  std::uint32_t pos;  // chunk-relative
  std::uint16_t size;
  std::uint8_t type;
};

// Bounds-checked reader over the chunk; positions are chunk-relative, `end` bounds the current structure.
struct Cursor {
  const std::uint8_t* base;
  std::uint32_t pos, end;
  bool ok = true;
  bool need(std::uint32_t n) {
    if (!ok || end - pos < n) return ok = false;
    return true;
  }
  std::uint8_t u8() { return need(1) ? base[pos++] : 0; }
  std::uint16_t u16() {
    if (!need(2)) return 0;
    pos += 2;
    return rd16(base + pos - 2);
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    pos += 4;
    return rd32(base + pos - 4);
  }
  void skip(std::uint32_t n) {
    if (need(n)) pos += n;
  }
};

struct Span {
  std::uint32_t off = 0, len = 0;
};
struct DataSpan {
  std::uint32_t noff, nlen, voff, vlen;
};

std::int64_t parse_int(std::string_view s) {
  if (s.empty()) return -1;
  std::int64_t v = 0;
  std::size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (i = 2; i < s.size(); ++i) {
      const char c = s[i];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return -1;
      v = v * 16 + d;
      if (v > 0xFFFFFFFFLL) return -1;
    }
    return v;
  }
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return -1;
  }
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
    if (v > 0xFFFFFFFFLL) return -1;
  }
  return neg ? -v : v;
}

}  // namespace

namespace evtx_detail {

struct DecoderImpl {
  EvtxChunkOptions opt;
  EvtxDecodeStats stats;

  const std::uint8_t* chunk = nullptr;
  std::uint32_t chunk_size = 0;

  std::deque<Template> pool;  // stable addresses: nested decoding may compile while an outer template is in use
  std::size_t used = 0;
  std::unordered_map<std::uint32_t, std::uint32_t> cache;  // (definition offset << 4 | state) -> pool index
  std::uint64_t compiled_bytes = 0;                         // definition bytes compiled in this chunk
  std::uint32_t fragments = 0;                              // fragments decoded for this record

  std::vector<SubVal> subs;  // substitution values, a stack across nesting levels
  TextBuf out{1 << 16};
  Span sys[F_COUNT];
  std::int32_t event_id = -1, level = -1;
  std::uint32_t version = 0;
  std::int64_t ticks = 0;
  bool has_time = false;
  bool filtered = false;
  std::vector<DataSpan> dspans;
  EvtxEvent ev;
  const char* err = nullptr;

  bool fail(const char* why) {
    if (!err) err = why;
    return false;
  }

  Template& alloc() {
    if (used == pool.size()) pool.emplace_back();
    Template& t = pool[used++];
    t.reset();
    return t;
  }

  bool read_name(Cursor& c, Name& n) const {
    const std::uint32_t off = c.u32();
    if (!c.ok) return false;
    if (off == c.pos) {  // defined inline: next offset, hash, count, chars, NUL
      if (!c.need(8)) return false;
      const std::uint16_t units = rd16(chunk + c.pos + 6);
      if (!c.need(8 + 2U * units + 2)) return false;
      n = {chunk + c.pos + 8, units};
      c.pos += 8 + 2U * units + 2;
      return true;
    }
    if (off > chunk_size || chunk_size - off < 8) return false;
    const std::uint16_t units = rd16(chunk + off + 6);
    if (chunk_size - off - 8 < 2U * units) return false;
    n = {chunk + off + 8, units};
    return true;
  }

  // Template-less fragments (records without a template, nested BinXML) may omit the 2-byte dependency
  // identifier of element starts; pick the layout whose name offset is plausible.
  bool element_has_dep_id(std::uint32_t token_pos, std::uint32_t end) const {
    auto plausible = [&](std::uint32_t field) {
      if (field + 4 > end) return false;
      const std::uint32_t off = rd32(chunk + field);
      return off == field + 4 || (off < token_pos && off + 8 <= chunk_size);
    };
    return !plausible(token_pos + 5) && plausible(token_pos + 7);
  }

  void add_literal(Template& t, std::uint16_t target, std::size_t before) {
    if (target == kNoTarget) {
      t.lits.truncate(before);
      return;
    }
    t.parts.push_back({target, 0, static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(t.lits.size() - before)});
  }

  // Compiles the BinXML tokens in [pos, end) into t. dep_mode: 1 element starts carry the dependency id
  // (template definitions), 2 detect.
  bool compile(std::uint32_t pos, std::uint32_t end, std::uint8_t base_state, int dep_mode, Template& t) {
    Cursor c{chunk, pos, end};
    std::uint8_t stack[kMaxElementDepth];
    int depth = 0;
    int cur_data = -1;
    std::uint16_t target = kNoTarget;
    bool in_attr = false;
    bool saw_element = false;
    auto state = [&]() -> std::uint8_t { return depth ? stack[depth - 1] : base_state; };
    auto content_target = [&]() -> std::uint16_t {
      switch (state()) {
        case S_EVENTID: return F_EVENTID;
        case S_LEVEL: return F_LEVEL;
        case S_COMPUTER: return F_COMPUTER;
        case S_CHANNEL: return F_CHANNEL;
        case S_VERSION: return F_VERSION;
        case S_DATA: return cur_data >= 0 ? static_cast<std::uint16_t>(kFirstDataTag + 2 * cur_data + 1) : kNoTarget;
        default: return kNoTarget;
      }
    };
    auto bad = [&](const char* why) {
      t.error = why;
      return false;
    };
    for (;;) {
      if (c.pos >= c.end) {
        if (depth == 0 && saw_element) break;
        return bad("BinXML: fragment ends inside an element");
      }
      const std::uint8_t tok = c.u8();
      switch (tok & 0xBF) {
        case 0x00:  // end of fragment
          if (depth != 0) return bad("BinXML: unbalanced elements");
          goto done;
        case 0x0f:  // fragment header
          c.skip(3);
          break;
        case 0x01: {  // open start element
          if (dep_mode == 2) dep_mode = element_has_dep_id(c.pos - 1, c.end) ? 1 : 0;
          if (dep_mode == 1) c.skip(2);
          c.skip(4);  // data size
          Name n;
          if (!read_name(c, n)) return bad("BinXML: bad element name");
          if (tok & 0x40) c.skip(4);  // attribute list size
          if (depth >= kMaxElementDepth) return bad("BinXML: elements nested too deep");
          const State st = child_state(state(), n);
          stack[depth++] = st;
          if (st == S_DATA) {
            if (t.data.size() >= kMaxDataFields) return bad("BinXML: too many Data elements");
            t.data.emplace_back();
            cur_data = static_cast<int>(t.data.size()) - 1;
          }
          target = kNoTarget;
          in_attr = false;
          saw_element = true;
          break;
        }
        case 0x02:  // close start element
          target = content_target();
          in_attr = false;
          break;
        case 0x03:    // close empty element
        case 0x04: {  // end element
          if (depth == 0) return bad("BinXML: unbalanced elements");
          if (stack[--depth] == S_DATA) cur_data = -1;
          target = content_target();
          in_attr = false;
          break;
        }
        case 0x06: {  // attribute
          Name n;
          if (!read_name(c, n)) return bad("BinXML: bad attribute name");
          const std::uint8_t st = state();
          target = kNoTarget;
          if (st == S_PROVIDER && name_is(n, "Name")) target = F_PROVIDER;
          else if (st == S_TIME && name_is(n, "SystemTime")) target = F_TIME;
          else if (st == S_SECURITY && name_is(n, "UserID")) target = F_USERID;
          else if (st == S_DATA && cur_data >= 0 && name_is(n, "Name"))
            target = static_cast<std::uint16_t>(kFirstDataTag + 2 * cur_data);
          in_attr = true;
          break;
        }
        case 0x05: {  // value text
          const std::uint8_t vt = c.u8();
          const std::size_t before = t.lits.size();
          if (vt == kString) {
            const std::uint16_t units = c.u16();
            if (!c.need(2U * units)) return bad("BinXML: truncated value");
            append_utf16(t.lits, chunk + c.pos, units, true);
            c.pos += 2U * units;
          } else {
            const auto size = static_cast<std::uint32_t>(fixed_value_size(vt));
            if (size == 0) return bad("BinXML: unsupported value type");
            if (!c.need(size)) return bad("BinXML: truncated value");
            render_value(t.lits, vt, chunk + c.pos, size);
            c.pos += size;
          }
          add_literal(t, target, before);
          break;
        }
        case 0x07: {  // CDATA section
          const std::uint16_t units = c.u16();
          if (!c.need(2U * units)) return bad("BinXML: truncated CDATA");
          const std::size_t before = t.lits.size();
          append_utf16(t.lits, chunk + c.pos, units, false);
          c.pos += 2U * units;
          add_literal(t, target, before);
          break;
        }
        case 0x08: {  // character reference
          const std::uint16_t cp = c.u16();
          const std::size_t before = t.lits.size();
          append_code_point(t.lits, cp);
          add_literal(t, target, before);
          break;
        }
        case 0x09: {  // entity reference
          Name n;
          if (!read_name(c, n)) return bad("BinXML: bad entity name");
          const std::size_t before = t.lits.size();
          if (name_is(n, "amp")) t.lits.push('&');
          else if (name_is(n, "lt")) t.lits.push('<');
          else if (name_is(n, "gt")) t.lits.push('>');
          else if (name_is(n, "quot")) t.lits.push('"');
          else if (name_is(n, "apos")) t.lits.push('\'');
          else {
            t.lits.push('&');
            append_utf16(t.lits, n.chars, n.units, false);
            t.lits.push(';');
          }
          add_literal(t, target, before);
          break;
        }
        case 0x0a: {  // processing instruction target
          Name n;
          if (!read_name(c, n)) return bad("BinXML: bad PI target");
          break;
        }
        case 0x0b: {  // processing instruction data
          const std::uint16_t units = c.u16();
          c.skip(2U * units);
          break;
        }
        case 0x0d:    // normal substitution
        case 0x0e: {  // optional substitution
          const std::uint16_t idx = c.u16();
          c.u8();  // declared type; the instance's descriptor is authoritative
          if (!c.ok) break;
          if (target != kNoTarget) {
            t.parts.push_back({target, 1, idx, 0});
          } else if (!in_attr) {
            const std::uint8_t st = state();
            if (st == S_ROOT || st == S_EVENT || st == S_EVENTDATA) t.nested.push_back({idx, st});
          }
          break;
        }
        case 0x0c:
          return bad("BinXML: template instance inside a template");
        default:
          return bad("BinXML: unknown token");
      }
      if (!c.ok) return bad("BinXML: truncated token");
    }
  done:
    finalize(t);
    return true;
  }

  void finalize(Template& t) const {
    std::stable_sort(t.parts.begin(), t.parts.end(), [](const Part& x, const Part& y) { return x.tag < y.tag; });
    const auto n = static_cast<std::uint32_t>(t.parts.size());
    for (std::uint32_t i = 0; i < n;) {
      std::uint32_t j = i;
      const std::uint16_t tag = t.parts[i].tag;
      while (j < n && t.parts[j].tag == tag) ++j;
      if (tag < kFirstDataTag) {
        t.sys_b[tag] = i;
        t.sys_e[tag] = j;
      } else {
        DataField& d = t.data[(tag - kFirstDataTag) / 2];
        if ((tag - kFirstDataTag) % 2 == 0) {
          d.nb = i;
          d.ne = j;
        } else {
          d.vb = i;
          d.ve = j;
        }
      }
      i = j;
    }
    if (opt.fields.empty()) return;
    std::string name;
    for (DataField& d : t.data) {
      name.clear();
      bool literal = true;
      for (std::uint32_t i = d.nb; i < d.ne; ++i) {
        const Part& p = t.parts[i];
        if (p.is_subst) literal = false;
        else if (p.b) name.append(t.lits.data() + p.a, p.b);
      }
      if (!literal) {
        d.wanted = 2;
        continue;
      }
      d.wanted = std::find(opt.fields.begin(), opt.fields.end(), name) != opt.fields.end() ? 1 : 0;
    }
  }

  const Template* get_template(std::uint32_t def, std::uint8_t state) {
    // The offset comes from the file: check it before it makes a cache key (def << 4 wraps for
    // offsets of 2^28 and more, which then found the template of another, valid offset).
    static const Template outside = [] {
      Template t;
      t.error = "BinXML: template definition outside the chunk";
      return t;
    }();
    if (def < kChunkHeaderSize || def > chunk_size || chunk_size - def < 24) return &outside;
    const std::uint32_t key = (def << 4) | state;  // def < 65536: no overflow
    auto it = cache.find(key);
    if (it != cache.end()) return &pool[it->second];
    const auto idx = static_cast<std::uint32_t>(used);
    Template& t = alloc();
    cache.emplace(key, idx);
    const std::uint32_t size = rd32(chunk + def + 20);
    if (size > chunk_size - def - 24) {
      t.error = outside.error;
      return &t;
    }
    if (size > kCompileBudgetPerChunk - compiled_bytes) {
      t.error = "BinXML: template definitions beyond the chunk's budget";
      return &t;
    }
    compiled_bytes += size;
    compile(def + 24, def + 24 + size, state, 1, t);
    return &t;
  }

  void render_parts(const Template& t, std::uint32_t b, std::uint32_t e, std::size_t sb, std::uint32_t n) {
    for (std::uint32_t i = b; i < e; ++i) {
      const Part& p = t.parts[i];
      if (!p.is_subst) {
        out.append(t.lits.data() + p.a, p.b);
      } else if (p.a < n) {
        const SubVal& s = subs[sb + p.a];
        render_value(out, s.type, chunk + s.pos, s.size);
      }
    }
  }

  Span render_span(const Template& t, std::uint32_t b, std::uint32_t e, std::size_t sb, std::uint32_t n) {
    const auto off = static_cast<std::uint32_t>(out.size());
    render_parts(t, b, e, sb, n);
    return {off, static_cast<std::uint32_t>(out.size() - off)};
  }

  std::int64_t render_int(const Template& t, Field f, std::size_t sb, std::uint32_t n) {
    const std::size_t mark = out.size();
    const Span s = render_span(t, t.sys_b[f], t.sys_e[f], sb, n);
    const std::int64_t v = parse_int(out.view(s.off, s.len));
    out.truncate(mark);
    return v;
  }

  bool evaluate(const Template& t, std::size_t sb, std::uint32_t n, int nest) {
    if (t.sys_b[F_EVENTID] != t.sys_e[F_EVENTID]) {
      const std::int64_t v = render_int(t, F_EVENTID, sb, n);
      event_id = v >= 0 && v <= 0xFFFF ? static_cast<std::int32_t>(v) : -1;
    }
    if (nest == 0 && opt.only_event_id >= 0 && event_id != opt.only_event_id) {
      filtered = true;
      return true;
    }
    for (const Field f : {F_PROVIDER, F_COMPUTER, F_CHANNEL, F_USERID})
      if (t.sys_b[f] != t.sys_e[f]) sys[f] = render_span(t, t.sys_b[f], t.sys_e[f], sb, n);
    if (t.sys_b[F_LEVEL] != t.sys_e[F_LEVEL]) {
      const std::int64_t v = render_int(t, F_LEVEL, sb, n);
      level = v >= 0 && v <= 0xFFFF ? static_cast<std::int32_t>(v) : -1;
    }
    if (t.sys_b[F_VERSION] != t.sys_e[F_VERSION]) {
      const std::int64_t v = render_int(t, F_VERSION, sb, n);
      version = v >= 0 ? static_cast<std::uint32_t>(v) : 0;
    }
    if (t.sys_b[F_TIME] != t.sys_e[F_TIME]) {
      const Part& p = t.parts[t.sys_b[F_TIME]];
      const SubVal* s = (p.is_subst && p.a < n && t.sys_e[F_TIME] - t.sys_b[F_TIME] == 1) ? &subs[sb + p.a] : nullptr;
      if (s && s->type == kFileTime && s->size == 8) {
        has_time = filetime_to_ticks(rd64(chunk + s->pos), ticks);
      } else if (s && s->type == kSysTime && s->size == 16) {
        has_time = systemtime_to_ticks(chunk + s->pos, ticks);
      } else {
        const std::size_t mark = out.size();
        const Span sp = render_span(t, t.sys_b[F_TIME], t.sys_e[F_TIME], sb, n);
        has_time = parse_iso_ticks(out.view(sp.off, sp.len), ticks);
        out.truncate(mark);
      }
    }
    for (const DataField& d : t.data) {
      if (d.wanted == 0) continue;
      const Span name = render_span(t, d.nb, d.ne, sb, n);
      if (d.wanted == 2 &&
          std::find(opt.fields.begin(), opt.fields.end(), out.view(name.off, name.len)) == opt.fields.end()) {
        out.truncate(name.off);
        continue;
      }
      const Span value = render_span(t, d.vb, d.ve, sb, n);
      dspans.push_back({name.off, name.len, value.off, value.len});
    }
    for (const NestedSlot& ns : t.nested) {
      if (ns.subst >= n) continue;
      const SubVal s = subs[sb + ns.subst];
      if (s.type != kBinXml || s.size == 0) continue;
      if (!decode_fragment(s.pos, s.pos + s.size, ns.state, nest + 1)) return false;
    }
    return true;
  }

  // Template instance; c is just past the 0x0c token.
  bool instance(Cursor& c, std::uint8_t state, int nest) {
    c.skip(1);  // unknown
    c.u32();    // template identifier
    const std::uint32_t def = c.u32();
    if (!c.ok) return fail("BinXML: truncated template instance");
    if (def == c.pos) {  // definition inline: skip it (next offset, GUID, data size, data)
      if (!c.need(24)) return fail("BinXML: truncated template definition");
      const std::uint32_t size = rd32(chunk + c.pos + 20);
      c.pos += 24;
      if (!c.need(size)) return fail("BinXML: truncated template definition");
      c.pos += size;
    }
    const Template* t = get_template(def, state);
    if (t->error) return fail(t->error);
    const std::uint32_t n = c.u32();
    if (!c.ok || n > (c.end - c.pos) / 4) return fail("BinXML: bad substitution count");
    const std::size_t sb = subs.size();
    std::uint32_t vpos = c.pos + 4 * n;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint8_t* d = chunk + c.pos + 4 * i;
      const std::uint16_t size = rd16(d);
      if (size > c.end - vpos) {
        subs.resize(sb);
        return fail("BinXML: substitution values beyond the record");
      }
      subs.push_back({vpos, size, d[2]});
      vpos += size;
    }
    c.pos = vpos;
    const bool ok = evaluate(*t, sb, n, nest);
    subs.resize(sb);
    return ok;
  }

  bool decode_fragment(std::uint32_t pos, std::uint32_t end, std::uint8_t state, int nest) {
    if (nest > kMaxNesting) return fail("BinXML: nested too deep");
    if (++fragments > kMaxFragmentsPerRecord) return fail("BinXML: too many nested fragments");
    Cursor c{chunk, pos, end};
    while (c.ok && c.pos < c.end && chunk[c.pos] == 0x0f) c.skip(4);  // (a failed skip does not advance)
    if (!c.ok) return fail("BinXML: truncated fragment header");
    if (c.pos >= c.end) return true;
    if (chunk[c.pos] == 0x0c) {
      ++c.pos;
      return instance(c, state, nest);
    }
    const std::size_t mark = used;
    Template& t = alloc();
    const bool ok = compile(c.pos, c.end, state, 2, t) && evaluate(t, subs.size(), 0, nest);
    if (t.error) fail(t.error);
    if (used == mark + 1) used = mark;  // release the scratch template when nothing was cached after it
    return ok;
  }

  void reset_record() {
    out.clear();
    for (Span& s : sys) s = {};
    event_id = level = -1;
    version = 0;
    ticks = 0;
    has_time = filtered = false;
    dspans.clear();
    err = nullptr;
    fragments = 0;
  }

  void decode(std::string_view file, std::size_t index, void* ev_ctx, EventFn on_event, void* er_ctx, ErrorFn on_error) {
    if (file.size() <= kEvtxFileHeaderSize) return;
    if (index >= (file.size() - kEvtxFileHeaderSize + kEvtxChunkSize - 1) / kEvtxChunkSize) return;
    const std::uint64_t base = kEvtxFileHeaderSize + static_cast<std::uint64_t>(index) * kEvtxChunkSize;
    const auto avail = static_cast<std::uint32_t>(std::min<std::uint64_t>(kEvtxChunkSize, file.size() - base));
    const auto* p = reinterpret_cast<const std::uint8_t*>(file.data()) + base;
    auto chunk_error = [&](EvtxDamage kind, const char* why) {
      ++stats.chunk_errors;
      on_error(er_ctx, base, 0, why, kind);
    };
    auto all_zero = [&](std::uint32_t from, std::uint32_t to) {
      for (std::uint32_t i = from; i < to; ++i)
        if (p[i]) return false;
      return true;
    };
    const bool sig_ok = avail >= 8 && std::memcmp(p, kChunkSignature, 8) == 0;
    if (avail < kEvtxChunkSize) {
      if (!sig_ok && all_zero(0, avail)) return;
      chunk_error(EvtxDamage::kTruncatedChunk, "truncated chunk");
      if (opt.verify_checksums || !sig_ok || avail < kChunkHeaderSize) return;
    } else if (!sig_ok) {
      if (!all_zero(0, avail)) chunk_error(EvtxDamage::kBadChunkSignature, "bad chunk signature");
      else on_error(er_ctx, base, 0, "chunk slot is all zeros", EvtxDamage::kEmptyChunk);
      return;
    }
    const std::uint32_t free_off = rd32(p + 48);
    if (opt.verify_checksums) {
      std::uint32_t crc = crc32(0, p, 120);
      crc = crc32(crc, p + 128, kChunkHeaderSize - 128);
      if (crc != rd32(p + 124)) return chunk_error(EvtxDamage::kChunkHeader, "chunk header CRC32 mismatch");
      if (free_off < kChunkHeaderSize || free_off > avail) return chunk_error(EvtxDamage::kChunkHeader, "bad chunk free space offset");
      if (crc32(0, p + kChunkHeaderSize, free_off - kChunkHeaderSize) != rd32(p + 52))
        return chunk_error(EvtxDamage::kChunkData, "chunk data CRC32 mismatch");
    }
    const std::uint32_t data_end = (free_off >= kChunkHeaderSize && free_off <= avail) ? free_off : avail;
    chunk = p;
    chunk_size = avail;
    used = 0;
    cache.clear();
    compiled_bytes = 0;
    ++stats.chunks;

    auto record_error = [&](std::uint32_t at, std::uint64_t rid, const char* why) {
      ++stats.record_errors;
      on_error(er_ctx, base + at, rid, why, EvtxDamage::kRecord);
    };
    auto record_ok = [&](std::uint32_t at) {
      if (data_end - at < kRecordHeaderSize + 4 || rd32(p + at) != kRecordMagic) return false;
      const std::uint32_t size = rd32(p + at + 4);
      return size >= kRecordHeaderSize + 4 && size <= data_end - at && rd32(p + at + size - 4) == size;
    };
    std::uint32_t pos = kChunkHeaderSize;
    while (data_end - pos >= kRecordHeaderSize + 4) {
      if (!record_ok(pos)) {
        const bool magic = rd32(p + pos) == kRecordMagic;
        if (!magic && all_zero(pos, data_end)) break;  // slack after the last record
        record_error(pos, magic ? rd64(p + pos + 8) : 0, magic ? "record size mismatch" : "bad record signature");
        std::uint32_t next = pos + 1;
        while (next < data_end) {  // resync on the next well-formed record
          const void* hit = std::memchr(p + next, '*', data_end - next);
          if (!hit) {
            next = data_end;
            break;
          }
          next = static_cast<std::uint32_t>(static_cast<const std::uint8_t*>(hit) - p);
          if (record_ok(next)) break;
          ++next;
        }
        pos = next;
        continue;
      }
      const std::uint32_t size = rd32(p + pos + 4);
      const std::uint64_t rid = rd64(p + pos + 8);
      reset_record();
      if (!decode_fragment(pos + kRecordHeaderSize, pos + size - 4, S_ROOT, 0)) {
        record_error(pos, rid, err ? err : "BinXML: cannot decode");
      } else if (filtered) {
        ++stats.records_filtered;
      } else {
        ev.record_id = rid;
        ev.offset = base + pos;
        ev.length = size;
        ev.time_ticks = has_time ? ticks : 0;
        ev.has_time = has_time;
        ev.provider = out.view(sys[F_PROVIDER].off, sys[F_PROVIDER].len);
        ev.event_id = event_id;
        ev.level = level;
        ev.computer = out.view(sys[F_COMPUTER].off, sys[F_COMPUTER].len);
        ev.channel = out.view(sys[F_CHANNEL].off, sys[F_CHANNEL].len);
        ev.user_sid = out.view(sys[F_USERID].off, sys[F_USERID].len);
        ev.version = version;
        ev.data.clear();
        for (const DataSpan& d : dspans) ev.data.emplace_back(out.view(d.noff, d.nlen), out.view(d.voff, d.vlen));
        ++stats.records;
        on_event(ev_ctx, ev);
      }
      pos += size;
    }
    chunk = nullptr;
  }
};

}  // namespace evtx_detail

bool is_evtx(std::string_view data) {
  return data.size() >= 8 && std::memcmp(data.data(), kFileSignature, 8) == 0;
}

bool evtx_read_header(std::string_view data, EvtxFileHeader& h, std::string& reason) {
  if (data.size() < 8 || !is_evtx(data)) {
    reason = "not an EVTX file (no \"ElfFile\" signature)";
    return false;
  }
  if (data.size() < kEvtxFileHeaderSize) {
    reason = "EVTX file header truncated (" + std::to_string(data.size()) + " of 4096 bytes)";
    return false;
  }
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
  h.chunk_count_in_header = rd16(p + 42);
  h.minor = rd16(p + 36);
  h.major = rd16(p + 38);
  h.flags = rd32(p + 120);
  h.dirty = (h.flags & 1U) != 0;
  h.checksum_ok = evtx::crc32(0, p, 120) == rd32(p + 124);
  return true;
}

bool evtx_chunk_record_ids(std::string_view data, std::uint64_t chunk_offset, std::uint64_t& first, std::uint64_t& last) {
  if (chunk_offset > data.size() || data.size() - chunk_offset < 40) return false;
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data()) + chunk_offset;
  if (std::memcmp(p, kChunkSignature, 8) != 0) return false;
  first = rd64(p + 24);
  last = rd64(p + 32);
  return first != 0 && last >= first && last - first < kEvtxChunkSize / 28;
}

std::size_t evtx_chunk_slots(std::string_view data) {
  if (data.size() <= kEvtxFileHeaderSize) return 0;
  return (data.size() - kEvtxFileHeaderSize + kEvtxChunkSize - 1) / kEvtxChunkSize;
}

std::string evtx_format_ticks(std::int64_t ticks) {
  char buf[32];
  return std::string(buf, evtx::format_ticks_iso(ticks, buf));
}

EvtxChunkDecoder::EvtxChunkDecoder(EvtxChunkOptions options) : impl_(std::make_unique<evtx_detail::DecoderImpl>()) {
  impl_->opt = std::move(options);
}
EvtxChunkDecoder::~EvtxChunkDecoder() = default;
EvtxChunkDecoder::EvtxChunkDecoder(EvtxChunkDecoder&&) noexcept = default;
EvtxChunkDecoder& EvtxChunkDecoder::operator=(EvtxChunkDecoder&&) noexcept = default;

const EvtxDecodeStats& EvtxChunkDecoder::stats() const { return impl_->stats; }
const EvtxChunkOptions& EvtxChunkDecoder::options() const { return impl_->opt; }

void EvtxChunkDecoder::decode_chunk_erased(std::string_view file, std::size_t index, void* ev_ctx,
                                           evtx_detail::EventFn ev, void* er_ctx, evtx_detail::ErrorFn er) {
  impl_->decode(file, index, ev_ctx, ev, er_ctx, er);
}

}  // namespace rareconn::parsers
