// Transparent decompression of gzip (libdeflate, multi-member) and zstd (libzstd) inputs,
// detected by their magic bytes. The whole file is decompressed into memory; callers then treat
// the bytes exactly as an uncompressed file.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace rareconn::scanner {

enum class Compression { kNone, kGzip, kZstd };

Compression detect_compression(std::string_view data);
const char* compression_name(Compression c);

// On failure returns false with `error` set (a sentence, without the file name).
// A bound on the decompressed bytes held in memory, shared by the files decompressed in parallel:
// a small archive that expands without end (a "zip bomb", or months of logs in one file) is an
// error naming the bound, not a machine out of memory. Streaming decompression replaces this.
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

bool decompress(std::string_view data, Compression c, std::string& out, std::string& error,
                DecompressBudget* budget = nullptr);

}  // namespace rareconn::scanner
