// Cuts each mapped input file into chunks that start exactly at record boundaries, in parallel:
// CSV by quote parity (count quotes per slice, prefix-sum the parities, then every slice knows
// whether it starts inside a quoted field) or, first, by guesses that the parse checks, JSON lines at LFs, whole JSON documents at the row
// starts of their row array (quote parity, then nesting depth). The only place formats meet threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "parsers/json_cut.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::scanner {

struct Chunk {
  std::uint32_t file;
  std::uint64_t begin;  // a record start
  std::uint64_t end;    // records starting before `end` belong to this chunk
  // A whole JSON document cut at rows of its array `rows` (kNone: not cut). The first chunk walks
  // the document from `begin` and, at the row starting at `end`, goes on at the row starting at
  // `resume`; the others (resume 0) hold the rows in [begin, end). The parse checks every cut; a
  // wrong one (a malformed document) has the file parsed again whole.
  parsers::json::RowContainer rows = parsers::json::RowContainer::kNone;
  std::uint64_t resume = 0;
};

// What a plan cost, for tests that pin its complexity: bytes examined by record-boundary searches.
struct PlanCost {
  std::uint64_t boundary_bytes = 0;
};

// Bytes [begin, end) of the data, read another way than through `data` (a mapped file's pread
// copy: a page fault of the mapping costs more than reading the bytes on some VMs); the view is
// valid until the next call on the same thread. An empty view: read `data` instead.
using ProbeRead = std::function<std::string_view(std::uint64_t begin, std::uint64_t end)>;

// CSV: data records start at `data_start` (after the header).
void plan_csv_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                     std::uint64_t chunk_size, std::vector<Chunk>& out, PlanCost* cost = nullptr);
// CSV cut by guesses, without reading the data: each slice is cut at a line start near its
// beginning from which one record has the header's `columns` fields (parsers::guess_record_start).
// A cut inside a quoted field that contains line breaks is possible: the parse must check that each
// chunk's records end where the next chunk begins, and plan the file with plan_csv_chunks when
// they do not. It saves plan_csv_chunks' pass over every byte before the parse.
// With `probe`, the bytes each guess reads are read by it (the same guesses).
void guess_csv_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start, std::uint64_t chunk_size,
                      std::size_t columns, std::vector<Chunk>& out, const ProbeRead& probe = {});

// JSON lines: every LF is a boundary. With `probe`, the first bytes of each slice are read by it.
void plan_line_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                      std::uint64_t chunk_size, std::vector<Chunk>& out, const ProbeRead& probe = {});

// A whole JSON document (not JSON lines): cut at the rows of its top-level array or "records" /
// "Results" array, in parallel, about every chunk_size bytes; one chunk when it has no such array.
void plan_json_document_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
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
