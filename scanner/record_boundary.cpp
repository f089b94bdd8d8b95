// The boundary rules. Each call costs O(bytes): lines search for their first and last LF; CSV is
// the parsers' stream cutter (one SIMD pass, csv_cut.hpp); fixed chunks are arithmetic.
#include "scanner/record_boundary.hpp"

#include <cstring>

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
  const parsers::CsvRecordCutter::Cuts c = cutter_.feed(bytes);
  return Cuts{c.first, c.last};
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
