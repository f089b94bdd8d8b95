// A read-only memory mapping of one input file (RAII), with errors as messages, not exceptions.
// Knows nothing of formats or hunts.
#pragma once

#include <cstdint>
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

 private:
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace rareconn::scanner
