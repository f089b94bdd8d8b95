// The hunts rareconn runs, one registration line each (scanner/hunt_registry.cpp), as DuckDB
// registers a table function: `--hunt NAME`, auto-detection and the per-thread chunk scanners all
// come from here, so the rest of the scanner names no hunt.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/hunts/hunt.hpp"
#include "scanner/scan_worker.hpp"

namespace rareconn::scanner {

struct HuntEntry {
  std::string name;        // --hunt NAME
  unsigned input_kinds;    // hunts::InputKind bits: what the hunt's worker reads
  std::unique_ptr<hunts::Hunt> (*make)(const hunts::RunOptions& options);
  std::unique_ptr<ChunkScanner> (*scanner)(const hunts::Hunt& hunt, core::WindowPartial& partial);
};

// In registration order; the first is the default when no input tells.
const std::vector<HuntEntry>& hunt_registry();

// By name; null when no hunt has it.
const HuntEntry* find_hunt(std::string_view name);

// "mde|sysmon" (for messages).
std::string hunt_names(std::string_view separator);

}  // namespace rareconn::scanner
