// Phase 3: chunks. Each input is cut at record boundaries its format defines: CSV by quote parity,
// JSON lines at line ends, whole JSON documents at the rows of their array, event XML by one walk of its events, EVTX by its 64 KiB chunks.
#include "parsers/evtx_reader.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/scan_phases.hpp"

namespace rareconn::scanner {

std::vector<Chunk> plan_chunks(const ScanRun& run, const std::vector<char>& whole_file, std::uint64_t chunk_size) {
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < run.files.size(); ++i) {
    const InputFile& f = run.files[i];
    const std::string_view d = f.bytes();
    if (d.empty() || f.block_streamed) continue;  // streamed: block by block in the parse phase
    const auto fi = static_cast<std::uint32_t>(i);
    switch (f.format) {
      case parsers::InputFormat::kCsv:
        plan_csv_chunks(fi, d, f.header.data_offset, whole_file[i] ? d.size() : chunk_size, chunks);
        break;
      case parsers::InputFormat::kJson:
        if (f.json_lines) plan_line_chunks(fi, d, parsers::bom_length(d), chunk_size, chunks);
        else if (whole_file[i]) chunks.push_back({fi, parsers::bom_length(d), d.size()});
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
  return chunks;
}

}  // namespace rareconn::scanner
