// Opening an input's content for one task (see input_file.hpp).
#include "scanner/input_file.hpp"

#include <algorithm>

namespace rareconn::scanner {

bool open_content(const InputFile& f, FileContent& holder, std::string_view& bytes, std::string& error,
                  std::uint64_t limit, bool cache_releasable, bool random) {
  if (f.compressed || f.skipped || f.id.size == 0) {
    holder.close();
    bytes = f.in_memory();
    return true;
  }
  if (!holder.open(f.path, f.id, f.shrank, error, limit, cache_releasable, random)) return false;
  bytes = holder.bytes();
  return true;
}

std::uint64_t line_of_offset(const InputFile& f, std::uint64_t offset) {
  if (f.format == parsers::InputFormat::kEvtx || offset > f.content_size()) return 0;
  FileContent holder;
  std::string_view d;
  std::string error;
  if (!open_content(f, holder, d, error) || offset > d.size()) return 0;
  return 1 + static_cast<std::uint64_t>(std::count(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace rareconn::scanner
