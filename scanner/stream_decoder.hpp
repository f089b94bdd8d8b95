// Streaming decompression of one input read from a file descriptor (a file, standard input, a
// FIFO) or from memory (a mapped file): gzip through ISA-L's igzip inflater (member after member,
// zero padding after the last allowed), zstd through libzstd's streaming API (frame after frame),
// plain bytes as they are. Units whose end is known without inflating them (zstd frames as pzstd
// or concatenation writes them, BGZF members) are decoded in parallel, a few ahead, and delivered
// in order. The compression is sniffed from the first bytes (compressed_units.hpp), never from a
// name. Holds an input buffer, the decoder's window and the units ahead only: must never read or
// decompress an input whole into memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "scanner/compressed_units.hpp"
#include "scanner/source.hpp"

namespace rareconn::scanner {

struct StreamSourceOptions {
  // Raw bytes buffered: a zstd frame or a run of BGZF members that fits is decoded ahead, in
  // parallel; a larger unit is inflated serially as it arrives.
  std::size_t input_buffer_bytes = std::size_t{4} << 20;
  std::size_t ahead_units = 2;                            // units decoded ahead at once, at most (0: none)
  std::size_t max_unit_output = std::size_t{8} << 20;     // larger units are inflated serially (pzstd
                                                          // writes 8 MiB frames up to level 9 or so)
  std::size_t group_bytes = std::size_t{1} << 20;         // BGZF members grouped per unit (compressed)
  // The largest zstd window accepted (log2 bytes; zstd levels up to 19 need at most 23, --ultra
  // up to 27): a frame asking for more is an error naming the bound, not memory taken.
  unsigned zstd_window_log_max = 25;
};

class StreamSource : public ByteSource {
 public:
  Compression compression() const { return compression_; }
  // Compressed bytes consumed so far (the raw input's offset), for messages and progress.
  virtual std::uint64_t raw_offset() const = 0;
  // Whether units (BGZF members, small zstd frames) have been decoded ahead in parallel so far:
  // after a peek, whether this stream's decoding spreads over threads by itself.
  virtual bool decodes_units_ahead() const { return false; }

 protected:
  Compression compression_ = Compression::kNone;
};

// Reads `fd` (closed with the source when `owns_fd`). Sniffs the compression from the first
// bytes, so it may block until they arrive. nullptr with `error` set on a read failure.
std::unique_ptr<StreamSource> open_stream_source(int fd, bool owns_fd, const StreamSourceOptions& options,
                                                 std::string& error);
// A file already in memory (mapped), decoded without copying its compressed bytes. Never fails
// to open: damage is reported by read().
std::unique_ptr<StreamSource> open_memory_source(std::string_view bytes, const StreamSourceOptions& options);
// `path` "-" is standard input. `error` names the path.
std::unique_ptr<StreamSource> open_stream_source(const std::string& path, const StreamSourceOptions& options,
                                                 std::string& error);

}  // namespace rareconn::scanner
