// Bytes of saved state (partials, daily state): a writer of little-endian integers, LEB128 varints
// and length-prefixed strings, and a bounds-checked reader that never reads past its input (a
// damaged file sets `bad` and yields zeros). Knows nothing of what the state means.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace rareconn::core {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 8);
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  // Signed values that are often small or close to the previous one (zigzag).
  void svarint(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }
  std::string& bytes() { return out_; }
  std::size_t size() const { return out_.size(); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool bad() const { return bad_; }
  bool done() const { return pos_ == in_.size(); }
  std::size_t left() const { return in_.size() - pos_; }
  void fail() { bad_ = true, pos_ = in_.size(); }

  std::uint8_t u8() {
    if (left() < 1) return fail(), 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint64_t u64() {
    if (left() < 8) return fail(), 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(in_[pos_ + i])} << (8 * i);
    pos_ += 8;
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (left() < 1) return fail(), 0;
      const auto b = static_cast<std::uint8_t>(in_[pos_++]);
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    return fail(), 0;
  }
  std::int64_t svarint() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  // A count of items that each take at least `min_bytes`: a damaged count cannot make the caller
  // reserve more than the input could hold.
  std::uint64_t count(std::size_t min_bytes = 1) {
    const std::uint64_t n = varint();
    if (n > left() / (min_bytes ? min_bytes : 1)) return fail(), 0;
    return n;
  }
  std::string_view str() {
    const std::uint64_t n = varint();
    if (n > left()) return fail(), std::string_view();
    const std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view raw(std::size_t n) {
    if (n > left()) return fail(), std::string_view();
    const std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool bad_ = false;
};

}  // namespace rareconn::core
