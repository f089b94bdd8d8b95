// `rareconn partial`, `merge`, `report` and `inspect` (SPEC §7): a scan's aggregate saved instead
// of finished, partials combined in any order and grouping, and findings finished from them
// without reading any input again. Built from the scan's own phases (scan_phases.hpp).
#pragma once

#include <string>
#include <vector>

#include "scanner/options.hpp"

namespace rareconn::scanner {

// rareconn partial [scan options] -o PART INPUT...
int run_partial(const ScanOptions& options);
// rareconn merge -o PART PART...
int run_merge(const std::string& output, const std::vector<std::string>& parts);
// rareconn report [output options] PART...   (`options.inputs` are the partials)
int run_report(const ScanOptions& options);
// rareconn inspect FILE...
int run_inspect(const std::vector<std::string>& files);

}  // namespace rareconn::scanner
