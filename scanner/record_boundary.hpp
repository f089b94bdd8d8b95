// Record boundaries in a stream read once, in order: the rule the block stream asks where records
// start, fed every byte exactly once, so a rule may carry state from block to block (CSV quote
// parity and field state, the XML walk). Four rules: LF-terminated lines (JSON lines), CSV with
// quoted newlines, Windows event XML, fixed-size chunks (EVTX). Must not decode records: only say
// where they start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/csv_cut.hpp"
#include "parsers/event_xml_cut.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::scanner {

class RecordBoundary {
 public:
  static constexpr std::uint64_t npos = ~std::uint64_t{0};
  // The first and the last record start found by a call, as stream offsets: after the last start
  // reported before and at most the stream bytes fed so far (a start may lie in bytes fed before
  // the call when it takes the following bytes to see it: an XML start tag). npos: none.
  struct Cuts {
    std::uint64_t first = npos;
    std::uint64_t last = npos;
  };
  virtual ~RecordBoundary() = default;
  // `bytes` follow the bytes of the previous call in the stream (the first call starts the
  // stream, which starts a record).
  Cuts feed(std::string_view bytes) {
    const Cuts c = find(bytes, fed_);
    fed_ += bytes.size();
    return c;
  }

 protected:
  // The cuts found with `bytes`, which start `offset` bytes into the stream.
  virtual Cuts find(std::string_view bytes, std::uint64_t offset) = 0;

 private:
  std::uint64_t fed_ = 0;
};

// A record starts after every LF.
class LineBoundary final : public RecordBoundary {
 protected:
  Cuts find(std::string_view bytes, std::uint64_t offset) override;
};

// CSV: the record starts of CsvRecordParser over the whole stream (parsers/csv_cut.hpp): after
// every LF outside a quoted field by the parser's lenient quoting rules (a quote opens a field only
// at its start), the first after the header, and the parser's resume point after a record longer
// than `max_record_bytes`. A stream of no header has data_start 0.
class CsvBoundary final : public RecordBoundary {
 public:
  explicit CsvBoundary(std::uint64_t data_start = 0, std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes)
      : cutter_(data_start, max_record_bytes) {}
  std::uint64_t walked_bytes() const { return cutter_.walked_bytes(); }

 protected:
  Cuts find(std::string_view bytes, std::uint64_t offset) override;

 private:
  parsers::CsvRecordCutter cutter_;
};

// Records start at `first` and then every `period` bytes of the stream (EVTX: a 4096-byte file
// header, then 65536-byte chunks). period > 0.
class FixedBoundary final : public RecordBoundary {
 public:
  FixedBoundary(std::uint64_t first, std::uint64_t period) : next_(first > 0 ? first : period), period_(period) {}

 protected:
  Cuts find(std::string_view bytes, std::uint64_t offset) override;

 private:
  std::uint64_t next_;  // the next record start to report (the stream's start is none)
  std::uint64_t period_;
};

// Windows event XML: the event starts of the walk every reader of an XML stream makes (parsers::
// XmlEventCutter, the walk of parsers/event_xml.hpp), and the end of each whole event (the text
// after it, up to the next event, is a record of no event).
class XmlBoundary final : public RecordBoundary {
 public:
  explicit XmlBoundary(std::uint64_t max_record_bytes) : cutter_(max_record_bytes) {}

 protected:
  Cuts find(std::string_view bytes, std::uint64_t offset) override;

 private:
  parsers::XmlEventCutter cutter_;
};

}  // namespace rareconn::scanner
