// The parallel scan's unit of work: the per-thread Worker (parsers, the hunt's per-thread state
// behind its chunk scanner, the partial aggregate, the errors seen). Called from the parse phase's
// oneTBB loop; a Worker is never shared between threads. Knows no hunt by name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/window_aggregator.hpp"
#include "core/hunts/hunt.hpp"
#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/chunker.hpp"
#include "scanner/event_view.hpp"
#include "scanner/input_file.hpp"
#include "scanner/input_zone.hpp"
#include "scanner/scan_error.hpp"

namespace rareconn::scanner {

inline constexpr std::size_t kKeptErrors = 10;   // malformed records located in the summary
// In Worker::json_slots_seen; a CSV file's entry holds these two bits only.
inline constexpr std::uint64_t kJsonHadRecord = std::uint64_t{1} << 63;  // a record (of any table)
inline constexpr std::uint64_t kJsonHadTableRecord = std::uint64_t{1} << 62;  // ... a row of the hunt's table
inline constexpr std::size_t kJsonTrackedSlots = 62;

struct HuntEntry;
struct Worker;

// What one run needs to know, shared read-only by every worker.
struct Plan {
  const HuntEntry* entry = nullptr;       // the hunt's registry line
  const hunts::Hunt* hunt = nullptr;
  std::optional<InputZone> zone;          // --input-timezone
  parsers::Projection projection;         // the hunt's
  std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes;  // --max-record-size
};

// A hunt's per-thread state behind the scanner's chunk loop, compiled once per hunt
// (scanner/chunk_scan.hpp): one virtual call per chunk, none per record.
class ChunkScanner {
 public:
  virtual ~ChunkScanner() = default;
  // Returns where a CSV chunk's last record ended (the start of the next record), 0 for other formats.
  // `d` holds the chunk's bytes; offsets in `c` are into `d`, offsets reported (records, errors)
  // are `base` + those: a mapped file is `d` whole with base 0, a streamed block its bytes with
  // base its stream offset.
  virtual std::uint64_t scan(Worker& w, const Plan& plan, const Chunk& c, const std::vector<InputFile>& files,
                             std::string_view d, std::uint64_t base) = 0;
  virtual hunts::HuntWorker& hunt_worker() = 0;
};

// Everything one thread owns during the parallel scan.
struct Worker {
  Worker(core::WindowShared& shared, const Plan& plan, std::size_t file_count);
  core::WindowPartial partial;
  std::unique_ptr<ChunkScanner> hunt;
  std::unique_ptr<parsers::EvtxChunkDecoder> evtx, evtx_unverified;  // when the hunt reads Windows events
  std::uint64_t evtx_truncated_chunks = 0;
  std::uint64_t evtx_damaged_chunks = 0;             // whole chunks lost (each one malformed "record")
  std::uint64_t evtx_records_in_damaged_chunks = 0;  // as the damaged chunks' headers list them
  parsers::XmlEventParser xml;
  parsers::XmlEventView xml_view;
  EventText event_text;
  parsers::JsonRecordParser json;
  std::vector<std::unique_ptr<parsers::CsvRecordParser>> csv;
  std::string reason;
  std::uint64_t malformed = 0;
  std::uint64_t evtx_unused_slots = 0;
  std::uint64_t other_table_records = 0;   // rows of other tables (hunts::RecordOutcome::kOtherTable)
  std::vector<std::string> other_table;    // per file: the least such table name seen, or empty
  void note_other_table(std::uint32_t file, std::string_view table);
  std::vector<ScanError> errors;  // the earliest few malformed records by (file, offset)
  std::vector<ScanError> failures;  // read failures (every one: each makes the run fail)
  core::HugeBuffer chunk_copy;  // the chunk being parsed, copied from its file (phase_parse.cpp)
  std::vector<std::uint64_t> json_slots_seen;  // per file: bit i set when a JSON record held field i
  // Block-streamed inputs: copies of the records that entered the recent partition (their
  // blocks are recycled), in pages owned by the worker. An EVTX record is kept as the chunk that
  // holds it (its templates live there): one copy for all its recent records, `span` its length
  // and `time` their newest time.
  struct Kept {
    std::uint32_t file;
    std::uint64_t offset;
    std::string_view bytes;
    core::Ticks time;
    std::uint32_t span = 1;  // recent records at [offset, offset + span) need this copy
  };
  std::vector<Kept> kept;
  std::uint64_t kept_live = 0;                         // bytes of `kept`
  std::uint64_t kept_compact_at = 0;                    // 0: not yet set (32 MiB)
  // Drops the copies of records at or before `cut` (out of the recent window whatever `now`
  // turns out to be) into fresh pages; the next compaction comes when the copies pass 1.5 times the survivors.
  void compact_kept(core::Ticks cut);
  std::vector<std::unique_ptr<char[]>> kept_pages;
  char* kept_cur = nullptr;
  std::size_t kept_page_left = 0;
  std::uint64_t kept_bytes = 0;
  std::string_view keep(std::string_view bytes);  // copies into the pages

  void note_error(std::uint32_t file, std::uint64_t offset, std::string why);
  void note_error(ScanError e);
};

bool has_column(const InputFile& f, std::string_view name);

// At most 60 characters of `s`, control characters shown as '?' (for error messages).
std::string printable(std::string_view s);

}  // namespace rareconn::scanner
