// The daily state's manifest (scan --state DIR): the result-shaping options of the state and one
// entry per input file it has seen (path, content hash, size, the partial holding its aggregate,
// its newest event time, or pruned). Versioned and checksummed like partials; plain data and its
// bytes, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/result_options.hpp"

namespace rareconn::scanner {

inline constexpr std::uint64_t kStateVersion = 2;  // 2: options record --assume

struct StateEntry {
  std::string path;
  std::uint64_t content_hash = 0;  // XXH3-64 of the file's bytes as stored (compressed or not)
  std::uint64_t size = 0;
  std::string part;                // file name under DIR/parts/; empty when pruned
  std::int64_t newest = INT64_MIN; // newest event time of the file (INT64_MIN: none)
  std::uint64_t run = 0;           // the run that read it (1, 2, ...)
  bool compacted = false;          // its recent rows dropped once it left the recent window
  // What stat() said when it was read: a file whose size, modification time, device and inode are
  // still these is not read again (not even hashed); otherwise its content hash decides.
  std::int64_t mtime_ns = 0;
  std::uint64_t device = 0, inode = 0;
};

struct StateManifest {
  ResultOptions options;
  std::uint64_t runs = 0;
  std::vector<StateEntry> entries;  // sorted by path
};

std::string encode_manifest(const StateManifest& m);
// False with `error` when the bytes are not a manifest, of another version, or damaged.
bool decode_manifest(std::string_view bytes, StateManifest& out, std::string& error);

}  // namespace rareconn::scanner
