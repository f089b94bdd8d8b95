// One input file as the scanner holds it: its path, its mapping, its detected format and, for
// CSV, its header. Shared by the scan driver and the findings table builder.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "parsers/csv_reader.hpp"
#include "parsers/format_detect.hpp"
#include "scanner/mapped_file.hpp"
#include "scanner/stream_decoder.hpp"

namespace rareconn::scanner {

struct InputFile {
  std::string path;
  MappedFile map;
  std::string decompressed;   // the content of a gzip or zstd file
  bool compressed = false;    // bytes() is `decompressed`
  bool streamed = false;      // standard input or a named FIFO, read whole into `decompressed`
  bool skipped = false;       // found in a directory, of no known format: not scanned
  // Block-streamed (a gzip or zstd file of CSV or JSON lines): read block by block during the
  // parse, never whole; `decompressed` then holds only its first bytes (detection, header, line
  // numbers there), and `kept` the records that can still become findings, by stream offset.
  bool block_streamed = false;
  std::vector<std::pair<std::uint64_t, std::string_view>> kept;  // sorted by offset
  std::uint64_t stream_bytes = 0;  // block-streamed: decompressed bytes read
  std::shared_ptr<StreamSource> source;  // block-streamed standard input or FIFO: opened, not yet read
  std::string_view bytes() const {
    return skipped ? std::string_view() : compressed ? std::string_view(decompressed) : map.bytes();
  }
  // The bytes of the record at `offset` of a block-streamed file (it and its terminator); empty
  // when it was not kept.
  std::string_view kept_record(std::uint64_t offset) const {
    auto it = std::lower_bound(kept.begin(), kept.end(), offset,
                               [](const std::pair<std::uint64_t, std::string_view>& k, std::uint64_t o) { return k.first < o; });
    return it != kept.end() && it->first == offset ? it->second : std::string_view();
  }
  parsers::InputFormat format = parsers::InputFormat::kUnknown;
  parsers::CsvHeader header;
  bool json_lines = true;
  std::uint64_t evtx_chunks_in_header = 0;  // EVTX: the header's chunk count
  bool evtx_dirty = false;                  // EVTX: the header says the file was not closed cleanly
};

}  // namespace rareconn::scanner
