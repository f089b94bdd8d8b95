// The hunt registry: a new hunt is one folder under hunts/ and one line below.
#include "scanner/hunt_registry.hpp"

#include "core/hunts/mde/mde_hunt.hpp"
#include "core/hunts/sysmon/sysmon_hunt.hpp"
#include "scanner/chunk_scan.hpp"

namespace rareconn::scanner {

namespace {

template <class H>
HuntEntry register_hunt() {
  HuntEntry e;
  e.name = std::string(H(hunts::RunOptions{}).name());
  e.input_kinds = kInputKinds<typename H::Worker>;
  e.make = [](const hunts::RunOptions& o) -> std::unique_ptr<hunts::Hunt> { return std::make_unique<H>(o); };
  e.scanner = [](const hunts::Hunt& h, core::WindowPartial& p) -> std::unique_ptr<ChunkScanner> {
    return std::make_unique<HuntChunkScanner<H>>(static_cast<const H&>(h), p);
  };
  return e;
}

}  // namespace

const std::vector<HuntEntry>& hunt_registry() {
  static const std::vector<HuntEntry> registry = {
      register_hunt<hunts::MdeHunt>(),
      register_hunt<hunts::SysmonHunt>(),
  };
  return registry;
}

const HuntEntry* find_hunt(std::string_view name) {
  for (const HuntEntry& e : hunt_registry()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string hunt_names(std::string_view separator) {
  std::string out;
  for (const HuntEntry& e : hunt_registry()) {
    if (!out.empty()) out += separator;
    out += e.name;
  }
  return out;
}

}  // namespace rareconn::scanner
