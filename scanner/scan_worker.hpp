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
#include "scanner/scan_error.hpp"
#include "scanner/sysmon_mapping.hpp"

namespace rareconn::scanner {

inline constexpr std::size_t kKeptErrors = 10;   // malformed records located in the summary
inline constexpr std::uint64_t kJsonHadRecord = std::uint64_t{1} << 63;  // in Worker::json_slots_seen

enum class Hunt { kMde, kSysmon };


// What one run needs to know, shared read-only by every worker.
struct Plan {
  Hunt hunt = Hunt::kMde;
  std::optional<InputZone> zone;  // --input-timezone
  core::MdeOptions mde;
  core::SysmonOptions sysmon;
  SysmonTimeConfig time;
  parsers::Projection projection;
  bool kusto_pivot = false;
  std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes;  // --max-record-size
};

// Everything one thread owns during the parallel scan.
struct Worker {
  Worker(core::WindowShared& shared, const Plan& plan, std::size_t file_count)
      : partial(shared), json(plan.projection, plan.max_record_bytes), csv(file_count), json_slots_seen(file_count, 0) {
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
  std::vector<ScanError> errors;  // the earliest few malformed records by (file, offset)
  std::vector<ScanError> failures;  // read failures (every one: each makes the run fail)
  std::vector<std::uint64_t> json_slots_seen;  // per file: bit i set when a record held field i

  void note_error(std::uint32_t file, std::uint64_t offset, std::string why);
  void note_error(ScanError e);
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
