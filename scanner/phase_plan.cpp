// Phase 3: chunks. Each input is cut at record boundaries its format defines: CSV by guesses the
// parse checks, then (when a guess was wrong) by quote parity,
// JSON lines at line ends, whole JSON documents at the rows of their array, event XML by one walk of its events, EVTX by its 64 KiB chunks. Called
// by the parse for each file while it holds the file's content.
#include <algorithm>

#include "parsers/evtx_reader.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/scan_phases.hpp"

namespace rareconn::scanner {

void plan_file_chunks(const ScanRun& run, std::uint32_t fi, std::string_view d, bool whole, bool guess,
                      std::uint64_t chunk_size, std::vector<Chunk>& chunks, const FileContent* content) {
  // A mapped file's bytes near each cut, by pread: a page fault of the mapping cost about 50 us on
  // our VMs (one per 2 MiB slice: 28 ms of CPU for 1 GB of JSON lines), a 4 KiB pread a few.
  ProbeRead probe;
  if (content != nullptr && content->mapped()) {
    probe = [content](std::uint64_t begin, std::uint64_t end) {
      thread_local std::vector<char> copy;
      return content->copy_range(begin, end, copy) ? std::string_view(copy.data(), end - begin) : std::string_view();
    };
  }
  const InputFile& f = run.files[fi];
  if (d.empty() || f.block_streamed) return;  // streamed: block by block in the parse phase
  switch (f.format) {
    case parsers::InputFormat::kCsv:
      if (whole || d.size() - std::min<std::uint64_t>(f.header().data_offset, d.size()) <= chunk_size) {
        // One slice: the whole data is one chunk (what the slice plan gives, without its tasks).
        if (f.header().data_offset < d.size()) chunks.push_back({fi, f.header().data_offset, d.size()});
        break;
      }
      // Guessed cuts cost no pass over the data before the parse (measured: 14 % of a 1 GB scan's
      // CPU time went to counting quotes); the parse checks them and a wrong one (a line break in
      // a quoted field near a cut) has the file cut again by quote parity.
      if (guess) guess_csv_chunks(fi, d, f.header().data_offset, chunk_size, f.header().columns.size(), chunks, probe);
      else plan_csv_chunks(fi, d, f.header().data_offset, chunk_size, chunks);
      break;
    case parsers::InputFormat::kJson:
      if (f.json_lines) plan_line_chunks(fi, d, parsers::bom_length(d), chunk_size, chunks, probe);
      else if (whole) chunks.push_back({fi, parsers::bom_length(d), d.size()});
      else plan_json_document_chunks(fi, d, parsers::bom_length(d), chunk_size, chunks);
      break;
    case parsers::InputFormat::kXml:
      plan_xml_chunks(fi, d, chunk_size, chunks, run.plan.max_record_bytes);
      break;
    case parsers::InputFormat::kEvtx:
      for (std::size_t k = 0; k < parsers::evtx_chunk_slots(d); ++k) chunks.push_back({fi, k, k + 1});
      break;
    case parsers::InputFormat::kUnknown:
      break;
  }
}

}  // namespace rareconn::scanner
