// Regression: damaged EVTX chunks crafted byte by byte. "The template cache key is computed before its
// range check" (an out-of-range template offset found the template of another offset), a fragment
// header cut by the end of a record (endless loop), a template naming one nested fragment many times
// (exponential work), and records naming many template offsets (unbounded compile work per chunk).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "parsers/evtx_reader.hpp"
#include "parsers/evtx_values.hpp"

using namespace rareconn::parsers;

namespace {

class Chunk {
 public:
  Chunk() : c_(kEvtxChunkSize, '\0') {}
  std::uint32_t pos() const { return pos_; }
  void bytes(const std::string& b) {
    std::memcpy(&c_[pos_], b.data(), b.size());
    pos_ += static_cast<std::uint32_t>(b.size());
  }
  // A record holding `binxml`; `binxml_at` gets the chunk offset where the BinXML starts.
  void record(std::uint64_t id, const std::string& binxml) {
    const auto size = static_cast<std::uint32_t>(24 + binxml.size() + 4);
    bytes(le(0x2a2a, 4) + le(size, 4) + le(id, 8) + le(0, 8) + binxml + le(size, 4));
  }
  std::string file() {
    std::string c = c_;
    std::memcpy(&c[0], "ElfChnk\0", 8);
    put(c, 40, 128);
    put(c, 48, pos_);
    put(c, 52, evtx::crc32(0, c.data() + 512, pos_ - 512));
    std::uint32_t h = evtx::crc32(0, c.data(), 120);
    h = evtx::crc32(h, c.data() + 128, 384);
    put(c, 124, h);
    std::string f(kEvtxFileHeaderSize, '\0');
    std::memcpy(&f[0], "ElfFile\0", 8);
    return f + c;
  }
  static std::string le(std::uint64_t v, int n) {
    std::string b;
    for (int i = 0; i < n; ++i) b.push_back(static_cast<char>(v >> (8 * i)));
    return b;
  }

 private:
  static void put(std::string& c, std::size_t at, std::uint32_t v) { std::memcpy(&c[at], &v, 4); }
  std::string c_;
  std::uint32_t pos_ = 512;
};

constexpr std::uint32_t kRecordHeader = 24;
const std::string kFragmentHeader("\x0f\x01\x01\x00", 4);

// Template instance token and header naming the definition at `def` (0x0c, unknown byte, id, offset).
std::string instance(std::uint32_t def) { return std::string("\x0c\x01", 2) + Chunk::le(0x1234, 4) + Chunk::le(def, 4); }

// An inline definition placed at chunk offset `at` whose body is `body`: next offset, GUID, size, body.
std::string definition(const std::string& body) { return Chunk::le(0, 4) + std::string(16, '\x07') + Chunk::le(body.size(), 4) + body; }

// <Event/> as a template body; the element name is defined inline at chunk offset `at` + 7.
std::string empty_event_body(std::uint32_t at) {
  std::string b("\x01\xff\xff", 3);
  b += Chunk::le(0, 4);
  b += Chunk::le(at + 11, 4);  // the name follows this offset field
  b += Chunk::le(0, 4) + Chunk::le(0, 2) + Chunk::le(5, 2);
  for (char ch : std::string("Event")) b += std::string(1, ch) + std::string(1, '\0');
  b += Chunk::le(0, 2);
  b += std::string("\x03\x00", 2);
  return b;
}

// Substitution values: count, descriptors (size, type, 0), then the values.
std::string values(const std::vector<std::pair<std::uint8_t, std::string>>& v) {
  std::string out = Chunk::le(v.size(), 4);
  for (const auto& [type, bytes] : v) out += Chunk::le(bytes.size(), 2) + std::string(1, static_cast<char>(type)) + std::string(1, '\0');
  for (const auto& [type, bytes] : v) out += bytes;
  return out;
}

struct Decoded {
  std::vector<std::uint64_t> events;
  std::vector<std::pair<std::uint64_t, std::string>> errors;
};

Decoded decode(const std::string& file) {
  EvtxChunkDecoder d;
  Decoded r;
  d.decode_chunk(file, 0, [&](const EvtxEvent& e) { r.events.push_back(e.record_id); },
                 [&](std::uint64_t, std::uint64_t rid, const char* why) { r.errors.push_back({rid, why}); });
  return r;
}

}  // namespace

TEST(RegressParsersEvtxDamagedChunk, TemplateOffsetIsCheckedBeforeItMakesACacheKey) {
  Chunk c;
  // Record 1: an instance with its definition inline (<Event/>), decoded fine.
  const std::uint32_t def = c.pos() + kRecordHeader + 4 + 10;
  c.record(1, kFragmentHeader + instance(def) + definition(empty_event_body(def + 24)) + values({}));
  // Record 2: the same offset plus 2^28, whose key (offset << 4) wrapped onto record 1's.
  c.record(2, kFragmentHeader + instance(def + (1u << 28)) + values({}));
  const Decoded r = decode(c.file());
  EXPECT_EQ(r.events, std::vector<std::uint64_t>{1});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], (std::pair<std::uint64_t, std::string>{2, "BinXML: template definition outside the chunk"}));
}

TEST(RegressParsersEvtxDamagedChunk, FragmentHeaderCutByTheRecordEndDoesNotLoop) {
  Chunk c;
  c.record(1, std::string("\x0f\x01", 2));
  const Decoded r = decode(c.file());
  EXPECT_TRUE(r.events.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].first, 1u);
}

TEST(RegressParsersEvtxDamagedChunk, OneNestedFragmentNamedManyTimesIsBounded) {
  // Template T: 16 substitutions of value 0 at the root, each a nested BinXML slot. Value 0 holds an
  // instance of T again, 8 levels deep: 16^8 fragments to decode without a bound.
  Chunk c;
  const std::uint32_t def = c.pos() + kRecordHeader + 4 + 10;
  std::string body;
  for (int i = 0; i < 16; ++i) body += std::string("\x0d\x00\x00\x21", 4);
  body += std::string("\x00", 1);
  std::string nested = values({{0x21, ""}});  // innermost: an empty value
  nested = instance(def) + nested;
  for (int level = 0; level < 7; ++level) nested = instance(def) + values({{0x21, nested}});
  c.record(1, kFragmentHeader + instance(def) + definition(body) + values({{0x21, nested}}));
  const Decoded r = decode(c.file());
  EXPECT_TRUE(r.events.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], (std::pair<std::uint64_t, std::string>{1, "BinXML: too many nested fragments"}));
}

TEST(RegressParsersEvtxDamagedChunk, TemplateCompileWorkPerChunkIsBounded) {
  // A region of 12-byte periods that reads, from any offset 12k, as a definition header whose size
  // field (at +20) is 2048, followed by character-reference tokens (08 lo hi). Each of ~1100 records
  // names a different offset: each was compiled anew, 2 KiB each, ~40 times the chunk in all.
  Chunk c;
  const std::uint32_t region = c.pos();
  const std::string period("\x08\x00\x00\x08\x00\x00\x08\x00\x00\x08\x00\x00", 12);
  for (int i = 0; i < 1000; ++i) c.bytes(period);
  std::uint64_t id = 1;
  for (; c.pos() + 64 < kEvtxChunkSize; ++id) {
    c.record(id, kFragmentHeader + instance(region + 12 * static_cast<std::uint32_t>(id % 800)) + values({}));
  }
  const Decoded r = decode(c.file());
  std::size_t budget = 0, record_errors = 0;
  for (const auto& e : r.errors) {
    budget += e.second == "BinXML: template definitions beyond the chunk's budget";
    record_errors += e.first != 0;  // (the region itself is reported once, as no record)
  }
  EXPECT_GT(budget, 0u);
  EXPECT_EQ(record_errors + r.events.size(), id - 1);
}
