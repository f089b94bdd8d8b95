// One input file as the scanner holds it: its path, its mapping, its detected format and, for
// CSV, its header. Shared by the scan driver and the findings table builder.
#pragma once

#include <string>

#include "parsers/csv_reader.hpp"
#include "parsers/format_detect.hpp"
#include "scanner/mapped_file.hpp"

namespace rareconn::scanner {

struct InputFile {
  std::string path;
  MappedFile map;
  std::string decompressed;   // the content of a gzip or zstd file
  bool compressed = false;    // bytes() is `decompressed`
  bool streamed = false;      // standard input or a named FIFO, read whole into `decompressed`
  bool skipped = false;       // found in a directory, of no known format: not scanned
  std::string_view bytes() const {
    return skipped ? std::string_view() : compressed ? std::string_view(decompressed) : map.bytes();
  }
  parsers::InputFormat format = parsers::InputFormat::kUnknown;
  parsers::CsvHeader header;
  bool json_lines = true;
  std::uint64_t evtx_chunks_in_header = 0;  // EVTX: the header's chunk count
  bool evtx_dirty = false;                  // EVTX: the header says the file was not closed cleanly
};

}  // namespace rareconn::scanner
