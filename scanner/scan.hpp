// Runs one `rareconn scan`: discovers, maps (or decompresses) and sniffs the inputs, chooses the
// hunt from the registry, plans chunks, parses them in parallel (oneTBB) into per-thread partial
// aggregates, merges, probes the recent partition, sorts the findings and hands the hunt's result
// table to the writer and the summary. Each phase is a file: scanner/phase_*.cpp.
//
// Threads:  main ─► decompress .gz/.zst files (parallel per file)                  phase_inputs
//                ─► choose the hunt (hunt_registry), check which inputs fit it      phase_hunt
//                ─► plan chunks (CSV quote parity: parallel per slice; XML: one walk of the events)
//                                                                                    phase_plan
//                ─► parallel_for over chunks; each worker (scan_worker.hpp) owns its parsers,
//                   the hunt's per-thread worker (chunk_scan.hpp), its WindowPartial and its errors
//                ─► CSV files whose chunks disagree with their records: scanned again, whole
//                                                                                    phase_parse
//           main ─► the hunt's merge [--pivot kusto: decode and merge the pivot candidates
//                   (records read again in parallel), second small pass]
//                ─► parallel_for over merge partitions ─► finish_merge
//                ─► parallel_for over probe slices ─► parallel_sort                 phase_merge
//                ─► parallel decode of the findings' records ─► rows formatted in parallel,
//                   written in order                                                 phase_output
// Workers never share mutable state except the atomic "newest time" used for pruning.
#pragma once

#include <string>

#include "scanner/options.hpp"

namespace rareconn::scanner {

// Returns the process exit status (SPEC §2); messages go to stderr.
int run_scan(const ScanOptions& options);

}  // namespace rareconn::scanner
