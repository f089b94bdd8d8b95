// Inputs that are not mapped whole: the interface every streamed source (a gzip or zstd file, a
// pipe, standard input) offers to the block stream, which cuts its bytes into blocks of whole
// records (block_stream.hpp). How the pieces fit:
//
//   open_stream_source(path or fd)      raw bytes, compression sniffed from the magic bytes
//     -> ByteSource::peek()             the first decompressed bytes: the caller picks the format
//     -> run_block_stream(source, rule) a bounded pool of blocks; decompression of the next block
//                                       overlaps the parsing of this one (oneTBB pipeline)
//     -> parse(Block) / commit(Block)   the caller's parsers, then its in-order merge
//
// Must not know formats or hunts: which bytes end a record is the caller's RecordBoundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rareconn::scanner {

// A stream of bytes read once, in order. Errors are values: a sentence without the input's name.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Copies the next bytes into out[0, cap); `got` is how many. got == 0 with true means the end
  // of the stream (cap > 0). false: the stream is damaged or unreadable here (`error` says why);
  // the bytes returned before stay valid.
  virtual bool read(char* out, std::size_t cap, std::size_t& got, std::string& error) = 0;
  // The first up to `n` bytes of the stream without consuming them (read() returns them again):
  // fewer only when the stream is shorter. Only before the first read().
  virtual bool peek(std::size_t n, std::string_view& head, std::string& error) = 0;
  // Bytes of memory the source holds while it runs (input buffer, decoder state and window):
  // the block stream takes them from its memory budget.
  virtual std::uint64_t memory_bytes() const = 0;
};

}  // namespace rareconn::scanner
