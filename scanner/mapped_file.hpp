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
  std::string_view bytes() const { return {static_cast<const char*>(addr_), size_}; }

  // If the file shrank while mapped (SIGBUS caught by the fault guard): the offset of the first
  // byte that could not be read. The bytes from there on read as NULs.
  std::optional<std::uint64_t> shrank_at() const;

 private:
  void release();
  void* addr_ = nullptr;
  std::size_t size_ = 0;
  int guard_slot_ = -1;
};

}  // namespace rareconn::scanner
