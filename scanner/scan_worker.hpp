// The parallel scan's unit of work: the per-thread Worker (parsers, the hunt's filter, the partial
// aggregate, the errors seen) and scan_chunk, which decodes one chunk of one file into it.
// Called from the scan driver's oneTBB loop; a Worker is never shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mde_hunt.hpp"
#include "core/sysmon_hunt.hpp"
#include "core/window_aggregator.hpp"
#include "parsers/csv_reader.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/chunker.hpp"
#include "scanner/input_file.hpp"
#include "scanner/input_zone.hpp"
#include "scanner/sysmon_mapping.hpp"

namespace rareconn::scanner {

inline constexpr std::size_t kKeptErrors = 10;   // malformed records located in the summary

enum class Hunt { kMde, kSysmon };

struct ErrorSite {
  std::uint32_t file;
  std::uint64_t offset;
  std::string reason;
  bool operator<(const ErrorSite& o) const { return file != o.file ? file < o.file : offset < o.offset; }
};

// What one run needs to know, shared read-only by every worker.
struct Plan {
  Hunt hunt = Hunt::kMde;
  std::optional<InputZone> zone;  // --input-timezone
  core::MdeOptions mde;
  core::SysmonOptions sysmon;
  SysmonTimeConfig time;
  parsers::Projection projection;
  bool kusto_pivot = false;
};

// Everything one thread owns during the parallel scan.
struct Worker {
  Worker(core::WindowShared& shared, const Plan& plan, std::size_t file_count)
      : partial(shared), json(plan.projection), csv(file_count) {
    if (plan.hunt == Hunt::kMde) {
      mde.emplace(plan.mde, partial);
    } else {
      sysmon.emplace(plan.sysmon, partial, plan.kusto_pivot);
      mapper = std::make_unique<SysmonMapper>(plan.time);
      parsers::EvtxChunkOptions eo;
      eo.fields = {"DestinationIp", "Image"};
      evtx = std::make_unique<parsers::EvtxChunkDecoder>(eo);
      eo.verify_checksums = false;  // for the last, truncated chunk of a file: read what is complete
      evtx_unverified = std::make_unique<parsers::EvtxChunkDecoder>(eo);
    }
  }
  core::WindowPartial partial;
  std::optional<core::MdeRecordFilter> mde;
  std::optional<core::SysmonRecordFilter> sysmon;
  std::unique_ptr<SysmonMapper> mapper;
  std::unique_ptr<parsers::EvtxChunkDecoder> evtx, evtx_unverified;
  std::uint64_t evtx_truncated_chunks = 0;
  parsers::JsonRecordParser json;
  std::vector<std::unique_ptr<parsers::CsvRecordParser>> csv;
  core::SysmonEvent event;
  std::string reason;
  std::uint64_t malformed = 0;
  std::uint64_t evtx_unused_slots = 0;
  std::vector<ErrorSite> errors;  // the earliest few by (file, offset)

  void note_error(std::uint32_t file, std::uint64_t offset, std::string why);
};

bool has_column(const InputFile& f, std::string_view name);

// Which hunt a file's content belongs to.
Hunt hunt_of(const InputFile& f);

// Decodes one chunk into the worker. Returns where a CSV chunk's last record ended (the start of
// the next record), 0 for other formats.
std::uint64_t scan_chunk(Worker& w, const Plan& plan, const Chunk& c, const std::vector<InputFile>& files);

// At most 60 characters of `s`, control characters shown as '?' (for error messages).
std::string printable(std::string_view s);

}  // namespace rareconn::scanner
