// The run summary: a human-readable funnel on stderr and the same facts as JSON (--stats FILE).
// Formatting only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/funnel.hpp"
#include "core/window_aggregator.hpp"

namespace rareconn::scanner {

struct MalformedRecord {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t line = 0;  // 1-based physical line of the record's first byte
  std::string reason;
  std::uint64_t evtx_chunk = ~std::uint64_t{0};   // EVTX: the chunk index, when known
  std::uint64_t evtx_record = ~std::uint64_t{0};  // EVTX: the record id, when known
};

struct ScanReport {
  std::string hunt;
  std::vector<std::string> files;
  std::uint64_t bytes = 0;
  core::FunnelReport funnel;
  std::string time_column;  // the hunt's, as its query names it
  std::vector<std::pair<std::string, std::uint64_t>> notes;  // extra counts: (label, count)
  core::WindowCounts counts;
  std::optional<core::Ticks> now;
  bool now_given = false;
  core::Ticks lookback = 0, recent = 0;
  std::int64_t threshold = 0;
  bool all_servers = true;
  std::size_t server_count = 0;
  std::size_t allow_needles = 0;
  std::uint64_t findings = 0;
  std::uint64_t malformed = 0;
  std::vector<MalformedRecord> first_malformed;
  double elapsed_s = 0;
  unsigned threads = 0;
};

void print_summary(std::FILE* out, const ScanReport& r);
// The summary as one JSON object and a newline (--stats FILE).
std::string stats_json(const ScanReport& r);

}  // namespace rareconn::scanner
