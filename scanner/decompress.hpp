// Whole-input decompression of a mapped gzip or zstd file (formats read whole: EVTX, event XML, JSON
// documents), through the one stream decoder (stream_decoder.hpp), into memory taken from a shared
// budget. Must not recognise or decode a compression itself: that is compressed_units/stream_decoder.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/compressed_units.hpp"  // Compression, detect_compression, compression_name

namespace rareconn::scanner {

// A bound on the decompressed bytes held in memory, shared by the files decompressed in parallel:
// a small archive that expands without end (a "zip bomb", or months of logs in one file) is an
// error naming the bound (--max-decompressed-size), not a machine out of memory. Inputs streamed
// in blocks do not take from it: their memory is the block pool's (block_stream.hpp).
class DecompressBudget {
 public:
  explicit DecompressBudget(std::uint64_t bytes) : left_(bytes), limit_(bytes) {}
  bool take(std::uint64_t n);  // false when fewer than n bytes are left
  void give(std::uint64_t n) { left_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t limit() const { return limit_; }
  std::uint64_t left() const { return left_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> left_;
  std::uint64_t limit_;
};

// Half of the machine's physical memory: the default bound.
std::uint64_t default_decompress_budget();

// Decodes `data` whole into `out` (`c` kNone: copied as it is; otherwise the magic bytes decide).
// On failure false with `error` set (a sentence, without the file name).
bool decompress(std::string_view data, Compression c, std::string& out, std::string& error,
                DecompressBudget* budget = nullptr);

}  // namespace rareconn::scanner
