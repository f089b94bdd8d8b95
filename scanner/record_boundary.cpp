// The boundary rules. Each call costs O(bytes): lines search for their first and last LF; CSV and
// event XML are the parsers' stream cutters (csv_cut.hpp, event_xml_cut.hpp); fixed chunks are
// arithmetic.
#include "scanner/record_boundary.hpp"

#include <cstring>

namespace rareconn::scanner {

RecordBoundary::Cuts LineBoundary::find(std::string_view bytes, std::uint64_t offset) {
  Cuts cuts;
  if (bytes.empty()) return cuts;
  const char* first = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
  if (first == nullptr) return cuts;
  const char* last = static_cast<const char*>(memrchr(bytes.data(), '\n', bytes.size()));
  cuts.first = offset + static_cast<std::uint64_t>(first - bytes.data()) + 1;
  cuts.last = offset + static_cast<std::uint64_t>(last - bytes.data()) + 1;
  return cuts;
}

RecordBoundary::Cuts CsvBoundary::find(std::string_view bytes, std::uint64_t offset) {
  const parsers::CsvRecordCutter::Cuts c = cutter_.feed(bytes);
  if (c.first == parsers::CsvRecordCutter::npos) return Cuts{};
  return Cuts{offset + c.first, offset + c.last};
}

RecordBoundary::Cuts FixedBoundary::find(std::string_view bytes, std::uint64_t offset) {
  Cuts cuts;
  const std::uint64_t end = offset + bytes.size();
  if (next_ <= end) {
    cuts.first = next_;
    cuts.last = next_ + (end - next_) / period_ * period_;
    next_ = cuts.last + period_;
  }
  return cuts;
}

RecordBoundary::Cuts XmlBoundary::find(std::string_view bytes, std::uint64_t /*offset*/) {
  const parsers::XmlEventCutter::Cuts c = cutter_.feed(bytes);
  return Cuts{c.first, c.last};  // already stream offsets
}

}  // namespace rareconn::scanner
