// EVTX building blocks: BinXML value rendering to UTF-8 text (Windows/evtxexport style), CRC32, FILETIME/ISO 8601 time.
// Must not know about hunts, windows or threads; pure functions and a caller-owned buffer only, no globals or shared mutable state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace rareconn::parsers::evtx {

// Kusto ticks (100 ns since 0001-01-01 UTC) = FILETIME (100 ns since 1601-01-01 UTC) + this.
inline constexpr std::int64_t kFiletimeToKustoTicks = 504911232000000000LL;

// BinXML value types (the 0x80 bit marks an array of the base type).
enum ValueType : std::uint8_t {
  kNull = 0x00, kString = 0x01, kAnsiString = 0x02, kInt8 = 0x03, kUInt8 = 0x04, kInt16 = 0x05,
  kUInt16 = 0x06, kInt32 = 0x07, kUInt32 = 0x08, kInt64 = 0x09, kUInt64 = 0x0a, kReal32 = 0x0b,
  kReal64 = 0x0c, kBool = 0x0d, kBinary = 0x0e, kGuid = 0x0f, kSizeT = 0x10, kFileTime = 0x11,
  kSysTime = 0x12, kSid = 0x13, kHexInt32 = 0x14, kHexInt64 = 0x15, kEvtHandle = 0x20,
  kBinXml = 0x21, kEvtXml = 0x23, kArrayFlag = 0x80
};

// CRC32 (IEEE 802.3, reflected 0xEDB88320) update: crc32(crc32(0, a), b) == crc32(0, a ++ b).
std::uint32_t crc32(std::uint32_t crc, const void* data, std::size_t size);

// A growable byte buffer that keeps its storage between uses (no allocation once warm).
class TextBuf {
 public:
  TextBuf() = default;
  explicit TextBuf(std::size_t capacity) { grow(capacity); }
  std::size_t size() const { return size_; }
  const char* data() const { return data_.get(); }
  void clear() { size_ = 0; }
  void truncate(std::size_t n) { if (n < size_) size_ = n; }
  // Room for n more bytes at the end; write there, then commit() what was written.
  char* tail(std::size_t n) {
    if (n > cap_ - size_) grow(size_ + n);
    return data_.get() + size_;
  }
  void commit(std::size_t n) { size_ += n; }
  void append(const char* p, std::size_t n) {
    if (n == 0) return;
    std::memcpy(tail(n), p, n);
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  void push(char c) { *tail(1) = c; ++size_; }
  std::string_view view(std::size_t off, std::size_t len) const { return {data_.get() + off, len}; }

 private:
  void grow(std::size_t need);
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, cap_ = 0;
};

// Appends `units` UTF-16LE code units as UTF-8 (unpaired surrogates become U+FFFD). With strip_nul,
// trailing NUL units are dropped first.
void append_utf16(TextBuf& out, const std::uint8_t* p, std::size_t units, bool strip_nul);
// Appends one code point as UTF-8 (invalid ones become U+FFFD).
void append_code_point(TextBuf& out, std::uint32_t cp);

// Appends the text rendering of a substitution/value of `type` held in `size` bytes at p:
// strings UTF-16LE -> UTF-8 (trailing NUL stripped); integers decimal; HexInt32/64 and SizeT 0x + lower-case hex
// (no padding, as Windows shows them); booleans true/false; GUID {XXXXXXXX-...} upper-case;
// FILETIME/SYSTEMTIME ISO 8601 with 7 fraction digits and Z; SID S-1-5-18; binary upper-case hex; NULL
// and BinXml/handles empty; arrays element renderings joined with ", ". Returns false for an unknown type
// (nothing appended).
bool render_value(TextBuf& out, std::uint8_t type, const std::uint8_t* p, std::size_t size);

// Size in bytes of one value of a fixed-size base type (0 when variable-size or unknown).
std::size_t fixed_value_size(std::uint8_t type);

// Kusto ticks -> "2019-02-16T10:01:46.8840384Z" (28 chars). Writes into out (>= 32 bytes), returns length.
std::size_t format_ticks_iso(std::int64_t kusto_ticks, char* out);
// FILETIME / SYSTEMTIME (16 bytes) -> Kusto ticks. False when invalid.
bool filetime_to_ticks(std::uint64_t filetime, std::int64_t& ticks);
bool systemtime_to_ticks(const std::uint8_t* p, std::int64_t& ticks);
// Parses "YYYY-MM-DDTHH:MM:SS[.fffffff][Z]" (also a space instead of T) into Kusto ticks.
bool parse_iso_ticks(std::string_view s, std::int64_t& ticks);

}  // namespace rareconn::parsers::evtx
