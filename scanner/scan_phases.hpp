// The phases of one `rareconn scan` (scan.hpp has the thread diagram) and the state they hand on.
// run_scan calls them in order; each returns nullopt to go on, or the exit status to stop with.
// No phase names a hunt: the hunt is chosen from the registry and driven through hunts/hunt.hpp.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/window_aggregator.hpp"
#include "core/hunts/hunt.hpp"
#include "parsers/evtx_reader.hpp"
#include "scanner/atomic_output.hpp"
#include "scanner/decompress.hpp"
#include "scanner/chunker.hpp"
#include "scanner/hunt_registry.hpp"
#include "scanner/input_file.hpp"
#include "scanner/options.hpp"
#include "scanner/progress.hpp"
#include "scanner/record_reader.hpp"
#include "scanner/scan_worker.hpp"
#include "scanner/summary.hpp"

namespace rareconn::scanner {

inline constexpr int kExitOk = 0, kExitFindings = 1, kExitUsage = 2, kExitInput = 3;
// EVTX: a 4 KiB file header, then 64 KiB chunks (each holds its records and their templates).
inline constexpr std::uint64_t kEvtxHeader = parsers::kEvtxFileHeaderSize, kEvtxChunk = parsers::kEvtxChunkSize;
inline constexpr std::size_t kStreamHead = std::size_t{1} << 20;  // first bytes of a streamed input kept

using PhaseResult = std::optional<int>;

struct ScanRun {
  explicit ScanRun(const ScanOptions& o) : opt(o) {}
  const ScanOptions& opt;
  const std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  PhaseTimer timer;
  AtomicOutput out, stats_out;
  ScanReport report;
  unsigned threads = 1;

  // phase_inputs
  std::vector<std::string> named;  // inputs named on the command line (not found in a directory)
  std::vector<InputFile> files;
  // phase_hunt
  const HuntEntry* entry = nullptr;
  std::unique_ptr<hunts::Hunt> hunt;
  Plan plan;
  std::uint64_t mismatched_files = 0;
  // phase_parse
  std::optional<core::WindowShared> shared;
  tbb::enumerable_thread_specific<std::unique_ptr<Worker>> workers;
  // phase_gather (or the saved partials of `rareconn report`)
  std::vector<core::WindowPartial*> partials;
  core::Funnel funnel;
  std::uint64_t evtx_unused_slots = 0, evtx_truncated_chunks = 0;
  std::unique_ptr<core::WindowPartial> loaded;  // report: the saved partials' window state
  // phase_merge
  std::optional<RecordReader> reader;
  std::optional<core::WindowMerger> merger;
  std::vector<core::Finding> findings;

  bool is_named(const InputFile& f) const;
  // A file that does not hold the hunt's table: named, an input error (false); found in a
  // directory, skipped with a warning and counted (true).
  bool refuse(InputFile& f, const std::string& why);
  std::size_t fitting_files() const;
  double elapsed() const;
};

PhaseResult open_outputs(ScanRun& run);  // before anything long: a wrong path fails at once
PhaseResult phase_inputs(ScanRun& run);  // discover, map, decompress, detect formats
PhaseResult make_hunt(ScanRun& run);    // the hunt (named, or detected from run.files), its options and plan
PhaseResult phase_hunt(ScanRun& run);    // choose the hunt (named or detected), its options, which files fit
// The hunt whose table `f` looks like, from `content` (at least its first bytes).
const HuntEntry* detect_hunt(const InputFile& f, std::string_view content, const std::vector<std::unique_ptr<hunts::Hunt>>& probes);
// Chunks of file `file` (content `d`) appended to `out`; `whole`: a CSV file as one chunk;
// `guess`: a CSV file cut by guesses the parse checks (guess_csv_chunks), else by quote parity.
// `content`, when given, holds `d`: a mapped file's few bytes the plan looks at are read from it by
// pread rather than through the mapping.
void plan_file_chunks(const ScanRun& run, std::uint32_t file, std::string_view d, bool whole, bool guess,
                      std::uint64_t chunk_size, std::vector<Chunk>& out, const FileContent* content = nullptr);
PhaseResult phase_parse(ScanRun& run);   // chunks parsed in parallel into the workers; rescans
PhaseResult phase_gather(ScanRun& run);  // the workers' funnels, window states, hunt states and errors
PhaseResult phase_merge(ScanRun& run);   // `now`, the hunt's merge, rare keys, join, sort
PhaseResult phase_output(ScanRun& run);  // summary, the hunt's result table, written atomically

// False (said on stderr) when a mapped input shrank while it was read: the result is unknowable.
bool read_faults_ok(const std::vector<InputFile>& files);

// The rest of a stream (standard input, a FIFO) appended to `out`, its bytes taken from `budget`.
bool read_stream_rest(StreamSource& src, const std::string& path, std::string& out, DecompressBudget& budget,
                      std::string& error);

}  // namespace rareconn::scanner
