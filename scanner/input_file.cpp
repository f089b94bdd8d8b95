// Opening an input's content for one task (see input_file.hpp).
#include "scanner/input_file.hpp"

#include <algorithm>

#include "parsers/simd_scan.hpp"

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

std::vector<std::uint64_t> lines_of_offsets(const InputFile& f, const std::vector<std::uint64_t>& offsets) {
  std::vector<std::uint64_t> lines(offsets.size(), 0);
  if (offsets.empty() || f.format == parsers::InputFormat::kEvtx) return lines;
  FileContent holder;
  std::string_view d;
  std::string error;
  if (!open_content(f, holder, d, error)) return lines;
  // One pass up to the last offset, counting LFs; a mapped file is read in copies (cheaper than
  // faulting its pages in on this project's VMs, see phase_parse.cpp).
  constexpr std::uint64_t kPiece = std::uint64_t{1} << 20;
  std::vector<char> copy;
  std::uint64_t at = 0, newlines = 0;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const std::uint64_t target = offsets[i];
    if (target > d.size() || target > f.content_size() || target < at) continue;  // unknown, or not ascending
    while (at < target) {
      const std::uint64_t end = std::min(target, at + kPiece);
      const char* p = d.data() + at;
      if (holder.mapped()) {
        if (!holder.copy_range(at, end, copy)) return lines;
        p = copy.data();
      }
      newlines += parsers::simd::count_byte(p, p + (end - at), '\n');
      at = end;
    }
    lines[i] = 1 + newlines;
  }
  return lines;
}

}  // namespace rareconn::scanner
