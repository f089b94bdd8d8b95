// One input file as the scanner holds it between phases: its path, what its first open saw (size
// and identity; its content is opened again by the task that reads it, scanner/file_content.hpp),
// its detected format and, for CSV, its header; or, for a decompressed or streamed input, its
// content in memory. Shared by the scan driver and the findings table builder.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "parsers/csv_reader.hpp"
#include "parsers/format_detect.hpp"
#include "scanner/file_content.hpp"
#include "scanner/stream_decoder.hpp"

namespace rareconn::scanner {

struct HuntEntry;

struct InputFile {
  std::string path;
  FileIdentity id;            // size and identity at the first open (a compressed file: its own bytes)
  mutable ShrinkMark shrank;  // found shorter than at the first open while it was read
  mutable std::string reopen_error;  // its records could not be read again after the scan
  std::string decompressed;   // the content of a gzip or zstd file
  bool compressed = false;    // in_memory() is `decompressed`
  bool streamed = false;      // standard input or a named FIFO, read whole into `decompressed`
  bool skipped = false;       // found in a directory, of no known format: not scanned
  // Block-streamed (a gzip or zstd file of CSV or JSON lines): read block by block during the
  // parse, never whole; `decompressed` then holds only its first bytes (detection, header, line
  // numbers there), and `kept` the records that can still become findings, by stream offset.
  bool block_streamed = false;
  std::vector<std::pair<std::uint64_t, std::string_view>> kept;  // sorted by offset
  std::uint64_t stream_bytes = 0;  // block-streamed: decompressed bytes read
  std::shared_ptr<StreamSource> source;  // block-streamed standard input or FIFO: opened, not yet read
  // The content of an input held in memory (decompressed, streamed; a block-streamed one's first
  // bytes); empty for a plain file, which is opened when read (FileContent).
  std::string_view in_memory() const { return skipped ? std::string_view() : std::string_view(decompressed); }
  // Bytes of content (a plain file: its size at the first open).
  std::uint64_t content_size() const {
    return skipped ? 0 : compressed ? decompressed.size() : id.size;
  }
  bool has_content() const { return content_size() > 0; }
  // The bytes of the record at `offset` of a block-streamed file (it and its terminator); empty
  // when it was not kept.
  std::string_view kept_record(std::uint64_t offset) const {
    auto it = std::lower_bound(kept.begin(), kept.end(), offset,
                               [](const std::pair<std::uint64_t, std::string_view>& k, std::uint64_t o) { return k.first < o; });
    return it != kept.end() && it->first == offset ? it->second : std::string_view();
  }
  parsers::InputFormat format = parsers::InputFormat::kUnknown;
  // CSV: its header, shared by every file with the same header (a collection of thousands of
  // exports of one table holds one copy).
  std::shared_ptr<const parsers::CsvHeader> csv_header;
  const parsers::CsvHeader& header() const {
    static const parsers::CsvHeader none;
    return csv_header ? *csv_header : none;
  }
  bool json_lines = true;
  std::uint64_t evtx_chunks_in_header = 0;  // EVTX: the header's chunk count
  bool evtx_dirty = false;                  // EVTX: the header says the file was not closed cleanly
  const HuntEntry* hunt_seen = nullptr;     // the hunt whose table its first bytes look like
};

// An input as messages name it: 'path' in quotes, or "standard input" for "-".
inline std::string input_name(const std::string& path) { return path == "-" ? std::string("standard input") : "'" + path + "'"; }

// The content of `f` for one task: in memory, or the plain file opened into `holder`. False with
// `error` naming the file when it can no longer be opened.
bool open_content(const InputFile& f, FileContent& holder, std::string_view& bytes, std::string& error,
                  std::uint64_t limit = read_limit(), bool cache_releasable = false, bool random = false);

// The lines (1-based) of bytes `offsets` (ascending) of `f`, for messages, found in one pass over
// the file; 0 where a line cannot be known (a block-streamed file past its first bytes, a binary
// format, a file that can no longer be opened).
std::vector<std::uint64_t> lines_of_offsets(const InputFile& f, const std::vector<std::uint64_t>& offsets);

}  // namespace rareconn::scanner
