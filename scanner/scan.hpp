// Runs one `rareconn scan`: discovers, maps (or decompresses) and sniffs the inputs, plans chunks,
// parses them in parallel (oneTBB) into per-thread partial aggregates, merges, probes the recent
// partition, sorts the findings and hands them to the writer and the summary.
//
// Threads:  main ─► decompress .gz/.zst files (parallel per file)
//                ─► plan chunks (CSV quote parity: parallel per slice; XML: one walk of the events)
//                ─► parallel_for over chunks; each worker (scan_worker.hpp) owns its parsers,
//                   its hunt filter (MDE or Sysmon), its WindowPartial and its errors
//                ─► CSV files whose chunks disagree with their records: scanned again, whole
//           main ─► [--pivot kusto: decode and merge the pivot candidates, second small pass]
//                ─► parallel_for over merge partitions ─► finish_merge
//                ─► parallel_for over probe slices ─► parallel_sort
//                ─► parallel decode of the findings' records ─► rows formatted in parallel, written in order
// Workers never share mutable state except the atomic "newest time" used for pruning.
#pragma once

#include <string>

#include "scanner/options.hpp"

namespace rareconn::scanner {

// Returns the process exit status (SPEC §2); messages go to stderr.
int run_scan(const ScanOptions& options);

}  // namespace rareconn::scanner
