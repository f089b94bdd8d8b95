// rareconn scan --state DIR: daily runs over a state of per-file partials (see state_command.cpp).
#pragma once

#include "scanner/options.hpp"

namespace rareconn::scanner {

// Returns the process exit status (SPEC §2); `options.state_dir` is the state.
int run_state_scan(const ScanOptions& options);

}  // namespace rareconn::scanner
