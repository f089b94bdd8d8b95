// A whole file's bytes, read-only, for the small files of partials and states and for hashing
// inputs: memory-mapped (no copy through read()), kept alive by a shared owner that views into
// them can hold.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace rareconn::scanner {

struct FileBytes {
  std::string_view bytes;
  std::shared_ptr<const void> owner;  // unmaps when the last holder goes
};

// False with `error` (naming the file) when it cannot be opened, is not a regular file, or
// cannot be mapped.
bool map_whole_file(const std::string& path, FileBytes& out, std::string& error);

}  // namespace rareconn::scanner
