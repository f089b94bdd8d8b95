// Group keys made of several string parts (RemoteIP; RemoteIP + process; DeviceName + ...):
// an unambiguous byte encoding (4-byte little-endian length + bytes per part) and its xxHash.
// Knows nothing of formats or threads.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <xxhash.h>

namespace rareconn::core {

// --by: the group key is the remote address, or the address and the initiating process.
enum class KeyBy { kIp, kIpProcess };

inline void append_key_part(std::string& key, std::string_view part) {
  const std::uint32_t n = static_cast<std::uint32_t>(part.size());
  char len[4];
  std::memcpy(len, &n, 4);
  key.append(len, 4);
  key.append(part);
}

// The parts of an encoded key, as views into it.
inline std::vector<std::string_view> key_part_views(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t p = 0;
  while (p + 4 <= key.size()) {
    std::uint32_t n;
    std::memcpy(&n, key.data() + p, 4);
    p += 4;
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
