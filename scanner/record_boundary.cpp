// The boundary rules. Each call costs O(bytes): CSV counts the quotes once (parsers' SIMD count)
// and scans forward to the first boundary and backward to the last, about one record each.
#include "scanner/record_boundary.hpp"

#include <cstring>

#include "parsers/csv_reader.hpp"

namespace rareconn::scanner {

RecordBoundary::Cuts LineBoundary::feed(std::string_view bytes) {
  Cuts cuts;
  if (bytes.empty()) return cuts;
  const char* first = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
  if (first == nullptr) return cuts;
  const char* last = static_cast<const char*>(memrchr(bytes.data(), '\n', bytes.size()));
  cuts.first = static_cast<std::size_t>(first - bytes.data()) + 1;
  cuts.last = static_cast<std::size_t>(last - bytes.data()) + 1;
  return cuts;
}

RecordBoundary::Cuts CsvBoundary::feed(std::string_view bytes) {
  Cuts cuts;
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  bool q = in_quotes_;
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] == '"') {
      q = !q;
    } else if (p[i] == '\n' && !q) {
      cuts.first = i + 1;
      break;
    }
  }
  if (cuts.first == npos) {  // no boundary: the scan saw every quote
    in_quotes_ = q;
    return cuts;
  }
  const bool at_end = in_quotes_ != ((parsers::count_quotes(p, p + n) & 1) != 0);
  in_quotes_ = at_end;
  // Backwards from the end: `q` is the parity after byte i; an LF leaves it unchanged.
  q = at_end;
  for (std::size_t i = n; i-- >= cuts.first;) {
    if (p[i] == '"') {
      q = !q;
    } else if (p[i] == '\n' && !q) {
      cuts.last = i + 1;
      break;
    }
  }
  return cuts;
}

RecordBoundary::Cuts FixedBoundary::feed(std::string_view bytes) {
  Cuts cuts;
  const std::uint64_t end = fed_ + bytes.size();
  if (next_ <= end) {
    cuts.first = static_cast<std::size_t>(next_ - fed_);
    const std::uint64_t last = next_ + (end - next_) / period_ * period_;
    cuts.last = static_cast<std::size_t>(last - fed_);
    next_ = last + period_;
  }
  fed_ = end;
  return cuts;
}

}  // namespace rareconn::scanner
