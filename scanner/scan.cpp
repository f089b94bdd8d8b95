// The scan driver (see scan.hpp for the thread diagram): the phases in order, each in its own
// file (scanner/phase_*.cpp), sharing one ScanRun.
#include "scanner/scan.hpp"

#include <tbb/global_control.h>
#include <tbb/info.h>

#include "scanner/scan_phases.hpp"

namespace rareconn::scanner {

int run_scan(const ScanOptions& opt) {
  ScanRun run(opt);
  run.threads = opt.threads ? opt.threads : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, run.threads);
  for (PhaseResult (*phase)(ScanRun&) : {open_outputs, phase_inputs, phase_hunt, phase_parse, phase_gather, phase_merge}) {
    if (const PhaseResult stop = phase(run)) return *stop;
  }
  return *phase_output(run);
}

}  // namespace rareconn::scanner
