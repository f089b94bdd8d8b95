// Group keys made of several string parts (RemoteIP; RemoteIP + process; DeviceName + ...):
// an unambiguous byte encoding (per part: its length as a LEB128 varint, one byte below 128, then
// its bytes) and its xxHash.
// Knows nothing of formats or threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <xxhash.h>

namespace rareconn::core {

// --by: the group key is the remote address, or the address and the initiating process.
enum class KeyBy { kIp, kIpProcess };

inline void append_key_part(std::string& key, std::string_view part) {
  std::size_t n = part.size();
  while (n >= 0x80) {
    key.push_back(static_cast<char>(n | 0x80));
    n >>= 7;
  }
  key.push_back(static_cast<char>(n));
  key.append(part);
}

// The parts of an encoded key, as views into it.
inline std::vector<std::string_view> key_part_views(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t p = 0;
  while (p < key.size()) {
    std::size_t n = 0;
    for (int shift = 0; p < key.size(); shift += 7) {
      const auto b = static_cast<unsigned char>(key[p++]);
      n |= std::size_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) break;
    }
    parts.emplace_back(key.substr(p, n));
    p += n;
  }
  return parts;
}

inline std::uint64_t hash_bytes(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

// Transparent xxHash functor for robin-map keyed by string / string_view.
struct XxHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return static_cast<std::size_t>(hash_bytes(s)); }
};

}  // namespace rareconn::core
