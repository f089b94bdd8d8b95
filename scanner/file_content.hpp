// The bytes of one plain input file for as long as one task needs them, so that a collection of
// any number of files holds only a bounded number open or mapped at once. A file is opened when a
// task needs it and released when the task ends: small files are read into a buffer the task
// reuses (pread), larger ones are memory-mapped (MappedFile, guarded against truncation). The
// first open records the file's identity and size; later opens read that file again up to that
// size (a file that grew is read up to its size at the first open) and refuse a replaced one.
// Knows nothing of formats or hunts.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bulk_bytes.hpp"

#include "scanner/mapped_file.hpp"

namespace rareconn::scanner {

// What the first open of a file saw.
struct FileIdentity {
  std::uint64_t size = 0;  // bytes at the first open: what every later open reads
  std::uint64_t device = 0, inode = 0;
  std::int64_t mtime_ns = 0;  // modification time at the first open
};

// The lowest offset at which a file was found shorter than at its first open (truncated while it
// was read), shared by the tasks that read it; copies carry the value.
class ShrinkMark {
 public:
  ShrinkMark() = default;
  ShrinkMark(const ShrinkMark& o) : at_(o.at_.load()) {}
  ShrinkMark& operator=(const ShrinkMark& o) {
    at_.store(o.at_.load());
    return *this;
  }
  void note(std::uint64_t offset) {
    std::uint64_t cur = at_.load(std::memory_order_relaxed);
    while (offset < cur && !at_.compare_exchange_weak(cur, offset, std::memory_order_relaxed)) {
    }
  }
  std::optional<std::uint64_t> at() const {
    const std::uint64_t v = at_.load(std::memory_order_relaxed);
    return v == kNone ? std::nullopt : std::optional<std::uint64_t>(v);
  }

 private:
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  std::atomic<std::uint64_t> at_{kNone};
};

// Files up to this size are read into a buffer rather than mapped (bench/RESULTS.md: reading is
// faster for small files): 1 MiB, or RARECONN_TEST_READ_LIMIT (for tests and the bench; 0 maps all).
std::uint64_t read_limit();

// The first open: the identity and size, and up to `head_bytes` of the file's first bytes into
// `head`. On failure returns false with `error` a sentence naming the file.
bool open_first(const std::string& path, std::size_t head_bytes, FileIdentity& id, std::string& head, std::string& error);

class FileContent {
 public:
  // Holds the first id.size bytes of `path`: read when up to `read_limit` bytes, else
  // mapped. False with `error` naming the file when it cannot be opened or is no longer the file
  // first opened, or has its size at the first open but a newer modification time (rewritten in
  // place: a file that grew was appended to, and is read up to that size). A file found shorter is
  // noted in `shrank` (its missing bytes read as NULs).
  // `cache_releasable`: a mapped file keeps its descriptor so that release_range can drop the
  // page cache's copy (for a bounded number of large files only). `random`: a mapped file will be
  // read at a few places (records read again), not in order.
  bool open(const std::string& path, const FileIdentity& id, ShrinkMark& shrank, std::string& error,
            std::uint64_t read_limit, bool cache_releasable = false, bool random = false);
  std::string_view bytes() const { return mapped_ ? map_.bytes() : std::string_view(buf_.data(), size_); }
  // Mapped files: gives back the pages of [begin, end) (consumed by the parse), and with
  // `drop_cache` also the page cache's copy of them. They are read from the file again if touched.
  void release_range(std::uint64_t begin, std::uint64_t end, bool drop_cache, bool mapped_pages = true) {
    map_.release_range(begin, end, drop_cache, mapped_pages);
  }
  bool mapped() const { return mapped_; }
  // Mapped files: copies bytes [begin, end) of the file into `out` (grown when too small) with
  // pread. A parse of the copy, made a cache-sized piece at a time, avoids setting up the
  // mapping's page tables, which costs more than the copy on some virtual machines (README,
  // "Speed"). Bytes past a truncation read as NULs and are noted as the mapping would note them.
  // False when the file cannot be read (then the mapping is read instead).
  bool copy_range(std::uint64_t begin, std::uint64_t end, std::vector<char>& out) const;
  // The same into a reused buffer of huge pages (a worker's chunk copies).
  bool copy_range(std::uint64_t begin, std::uint64_t end, core::HugeBuffer& out) const;
  // Ends the hold (a mapping's truncation fault goes to the mark given to open()).
  void close();
  ~FileContent() { close(); }

 private:
  bool copyable(std::uint64_t begin, std::uint64_t end) const;        // a mapped file, a range of it
  bool copy_to(std::uint64_t begin, std::size_t n, char* out) const;  // pread, NULs past a truncation
  MappedFile map_;
  std::vector<char> buf_;  // kept between opens: a task reuses it
  std::size_t size_ = 0;
  bool mapped_ = false;
  int fd_ = -1;       // a mapped file's descriptor, for copy_range
  std::string path_;  // a mapped file's path, for copy_range's messages
  ShrinkMark* shrank_ = nullptr;
};

}  // namespace rareconn::scanner
