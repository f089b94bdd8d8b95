// Cuts each mapped input file into chunks that start exactly at record boundaries, in parallel:
// CSV by quote parity (count quotes per slice, prefix-sum the parities, then every slice knows
// whether it starts inside a quoted field), JSON lines at LFs. The only place formats meet threads.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "parsers/record_view.hpp"

namespace rareconn::scanner {

struct Chunk {
  std::uint32_t file;
  std::uint64_t begin;  // a record start
  std::uint64_t end;    // records starting before `end` belong to this chunk
};

// What a plan cost, for tests that pin its complexity: bytes examined by record-boundary searches.
struct PlanCost {
  std::uint64_t boundary_bytes = 0;
};

// CSV: data records start at `data_start` (after the header).
void plan_csv_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                     std::uint64_t chunk_size, std::vector<Chunk>& out, PlanCost* cost = nullptr);
// JSON lines: every LF is a boundary.
void plan_line_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                      std::uint64_t chunk_size, std::vector<Chunk>& out);

// Raw event XML streams: chunks start at event start tags found by walking the events in order.
// The walk and the parse of the events must use the same max_record_bytes.
void plan_xml_chunks(std::uint32_t file, std::string_view data, std::uint64_t chunk_size, std::vector<Chunk>& out,
                     std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes);
// The start of the event after the one at `start` (after its start tag when it is cut off or
// longer than max_record_bytes).
std::uint64_t next_xml_event(std::string_view data, std::uint64_t start,
                             std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes);

}  // namespace rareconn::scanner
