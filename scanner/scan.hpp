// Runs one `rareconn scan`: discovers and maps the inputs, plans chunks, parses them in parallel
// (oneTBB) into per-thread partial aggregates, merges, probes the recent partition, sorts the
// findings and hands them to the writer and the summary.
//
// Threads:  main ─► plan chunks (parallel per slice) ─► parallel_for over chunks
//                   each worker: thread-local {parsers, MdeRecordFilter, WindowPartial, errors}
//           main ─► parallel_for over merge partitions ─► finish_merge
//                ─► parallel_for over probe slices ─► parallel_sort ─► decode + write (main)
// Workers never share mutable state except the atomic "newest time" used for pruning.
#pragma once

#include <string>

#include "scanner/options.hpp"

namespace rareconn::scanner {

// Returns the process exit status (SPEC §2); messages go to stderr.
int run_scan(const ScanOptions& options);

}  // namespace rareconn::scanner
