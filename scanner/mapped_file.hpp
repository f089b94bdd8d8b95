// A read-only memory mapping of one input file (RAII), with errors as messages, not exceptions.
// The mapping is guarded (fault_guard.hpp): a file truncated while mapped is a recorded fault,
// never a SIGBUS. Knows nothing of formats or hunts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rareconn::scanner {

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& o) noexcept { *this = std::move(o); }
  MappedFile& operator=(MappedFile&& o) noexcept;
  ~MappedFile();

  // Maps `path`; on failure returns false and sets `error` to a sentence naming the file.
  bool open(const std::string& path, std::string& error);
  // Maps the first `size` bytes of the open file `fd` (the caller keeps and closes fd). With
  // `keep_fd`, a duplicate of fd is held so that release_range can drop cached pages.
  // `random`: a few records will be read here and there (no readahead), not the whole file in order.
  bool map(int fd, std::size_t size, const std::string& path, std::string& error, bool keep_fd = false,
           bool random = false);
  std::string_view bytes() const { return {static_cast<const char*>(addr_), size_}; }

  // Gives back the whole pages inside [begin, end) (MADV_DONTNEED: read from the file again if
  // touched; a truncation is still caught by the guard); with `drop_cache` and a kept descriptor,
  // also asks the kernel to drop the page cache's copy (POSIX_FADV_DONTNEED), so that a scan
  // larger than memory does not evict the machine's other cached files. `mapped_pages` false: the
  // range was read by copy, not through the mapping, and only the page cache's copy is dropped
  // (a MADV_DONTNEED flushes TLBs on every CPU, dear on a virtual machine).
  void release_range(std::uint64_t begin, std::uint64_t end, bool drop_cache, bool mapped_pages = true);

  // If the file shrank while mapped (SIGBUS caught by the fault guard): the offset of the first
  // byte that could not be read. The bytes from there on read as NULs.
  std::optional<std::uint64_t> shrank_at() const;

 private:
  void release();
  void* addr_ = nullptr;
  std::size_t size_ = 0;
  int guard_slot_ = -1;
  int fd_ = -1;  // kept for release_range(drop_cache) only
};

}  // namespace rareconn::scanner
