// The framing of gzip and zstd, the one place that recognises them: magic bytes, the whole units
// (a zstd frame, a run of BGZF members) found in buffered bytes without decoding them, and the
// decoding of one such whole unit. Pure functions on memory: no reading, no threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rareconn::scanner {

enum class Compression { kNone, kGzip, kZstd };

// From the first bytes: gzip (1f 8b), a zstd frame (28 b5 2f fd) or a zstd skippable frame
// (5? 2a 4d 18, which pzstd writes first). Never from a name.
Compression detect_compression(std::string_view head);
const char* compression_name(Compression c);

// A unit that can be decoded alone, with its output size bounded before decoding.
struct WholeUnit {
  enum Kind { kNone, kSkip, kZstdFrame, kBgzfMembers } kind = kNone;
  std::size_t bytes = 0;          // compressed bytes of the unit (kSkip: bytes to pass over)
  std::size_t output_bound = 0;   // decompressed bytes at most (kBgzfMembers: exactly)
};

// The unit at the start of `in`, when it lies whole in `in`: a skippable zstd frame, one zstd
// frame whose output is at most `max_output` bytes (walked block by block), or consecutive BGZF
// members (gzip members whose extra field "BC" gives their size, as bgzip and samtools write),
// up to about `group_bytes` compressed. kNone: not whole here, or not one of these (a plain gzip
// member's end is only known by inflating it): the caller decodes it serially.
WholeUnit find_whole_unit(Compression c, std::string_view in, std::size_t max_output, std::size_t group_bytes);

// Decodes a unit found by find_whole_unit into out[0, unit.output_bound): `got` bytes made. On
// failure false with `error` (a sentence without a location).
bool decode_whole_unit(const WholeUnit& unit, std::string_view in, char* out, std::size_t& got, std::string& error);

}  // namespace rareconn::scanner
