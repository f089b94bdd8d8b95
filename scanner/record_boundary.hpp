// Record boundaries in a stream read once, in order: the rule the block stream asks where records
// start, fed every byte exactly once, so a rule may carry state from block to block (CSV quote
// parity and field state). Three rules: LF-terminated lines (JSON lines), CSV with quoted newlines, fixed-size
// chunks (EVTX). Must not decode records: only say where they start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/csv_cut.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::scanner {

class RecordBoundary {
 public:
  static constexpr std::size_t npos = ~std::size_t{0};
  struct Cuts {
    std::size_t first = npos;  // the first and the last record start in the fed bytes: offsets c in
    std::size_t last = npos;   // (0, size] such that a record starts at bytes[c]; npos: none
  };
  virtual ~RecordBoundary() = default;
  // `bytes` follow the bytes of the previous call in the stream (the first call starts the
  // stream, which starts a record).
  virtual Cuts feed(std::string_view bytes) = 0;
};

// A record starts after every LF.
class LineBoundary final : public RecordBoundary {
 public:
  Cuts feed(std::string_view bytes) override;
};

// CSV: the record starts of CsvRecordParser over the whole stream (parsers/csv_cut.hpp): after
// every LF outside a quoted field by the parser's lenient quoting rules (a quote opens a field only
// at its start), the first after the header, and the parser's resume point after a record longer
// than `max_record_bytes`. A stream of no header has data_start 0.
class CsvBoundary final : public RecordBoundary {
 public:
  explicit CsvBoundary(std::uint64_t data_start = 0, std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes)
      : cutter_(data_start, max_record_bytes) {}
  Cuts feed(std::string_view bytes) override;
  std::uint64_t walked_bytes() const { return cutter_.walked_bytes(); }

 private:
  parsers::CsvRecordCutter cutter_;
};

// Records start at `first` and then every `period` bytes of the stream (EVTX: a 4096-byte file
// header, then 65536-byte chunks). period > 0.
class FixedBoundary final : public RecordBoundary {
 public:
  FixedBoundary(std::uint64_t first, std::uint64_t period) : next_(first > 0 ? first : period), period_(period) {}
  Cuts feed(std::string_view bytes) override;

 private:
  std::uint64_t fed_ = 0;  // bytes fed so far
  std::uint64_t next_;     // the next record start to report (the stream's start is none)
  std::uint64_t period_;
};

}  // namespace rareconn::scanner
