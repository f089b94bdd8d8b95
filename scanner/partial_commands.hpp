// `rareconn partial`, `merge`, `report` and `inspect` (SPEC §7): a scan's aggregate saved instead
// of finished, partials combined in any order and grouping, and findings finished from them
// without reading any input again. Built from the scan's own phases (scan_phases.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scanner/options.hpp"

namespace rareconn::scanner {

// rareconn partial [scan options] -o PART INPUT...
int run_partial(const ScanOptions& options);
// rareconn merge -o PART PART...
int run_merge(const std::string& output, const std::vector<std::string>& parts);
// rareconn report [output options] PART...   (`options.inputs` are the partials)
int run_report(const ScanOptions& options);
// The report of the partials `options.inputs`, with the output options of `options` (its
// result-shaping options are not checked: they come from the partials). `walk_notes`: counts of
// this run's own reading of its inputs (the walk of `scan --state`), ahead of the partials' notes
// as a scan puts them.
int report_partials(const ScanOptions& options,
                    const std::vector<std::pair<std::string, std::uint64_t>>& walk_notes = {});
// The partial of one input file (`options.inputs`, written to `options.output`); with
// `options.inputs_found_in_directory`, a file that does not hold the hunt's table gives a partial
// that lists it as skipped.
int partial_of_file(const ScanOptions& options);
// Rewrites the partial at `path` without what no `now` at or after `now_floor` can use (the
// recent rows of a day that has left the recent window). Only for partials of `--now latest`.
int compact_partial(const std::string& path, std::int64_t now_floor);
// rareconn inspect FILE...
int run_inspect(const std::vector<std::string>& files);

}  // namespace rareconn::scanner
