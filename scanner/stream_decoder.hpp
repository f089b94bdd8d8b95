// Streaming decompression of one input read from a file descriptor (a file, standard input, a
// FIFO): gzip through ISA-L's igzip inflater (member after member, zero padding after the last
// allowed), zstd through libzstd's streaming API (frame after frame), plain bytes as they are. The
// compression is sniffed from the first bytes, never from a name. Holds an input buffer and the
// decoder's window only: must never read or decompress an input whole into memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "scanner/decompress.hpp"  // Compression, detect_compression
#include "scanner/source.hpp"

namespace rareconn::scanner {

struct StreamSourceOptions {
  std::size_t input_buffer_bytes = std::size_t{256} << 10;  // raw bytes read per read(2)
  // The largest zstd window accepted (log2 bytes; zstd levels up to 19 need at most 23, --ultra
  // up to 27): a frame asking for more is an error naming the bound, not memory taken.
  unsigned zstd_window_log_max = 25;
};

class StreamSource : public ByteSource {
 public:
  Compression compression() const { return compression_; }
  // Compressed bytes consumed so far (the raw input's offset), for messages and progress.
  virtual std::uint64_t raw_offset() const = 0;

 protected:
  Compression compression_ = Compression::kNone;
};

// Reads `fd` (closed with the source when `owns_fd`). Sniffs the compression from the first
// bytes, so it may block until they arrive. nullptr with `error` set on a read failure.
std::unique_ptr<StreamSource> open_stream_source(int fd, bool owns_fd, const StreamSourceOptions& options,
                                                 std::string& error);
// `path` "-" is standard input. `error` names the path.
std::unique_ptr<StreamSource> open_stream_source(const std::string& path, const StreamSourceOptions& options,
                                                 std::string& error);

}  // namespace rareconn::scanner
