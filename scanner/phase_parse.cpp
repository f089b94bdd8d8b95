// Phase 4: the parallel parse. Chunks go to oneTBB workers, each with its own parsers and the
// hunt's per-thread state. CSV chunks are cut by quote parity, exact for well-formed quoting; a
// file whose records turn out not to end where the next chunk begins (a stray quote) is scanned
// again, whole, as one chunk. JSON files must hold the hunt's fields in at least one record; one
// that does not is refused (or skipped) and the rest scanned again without it.
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "scanner/scan_phases.hpp"
#include "scanner/table_fit.hpp"

namespace rareconn::scanner {

PhaseResult phase_parse(ScanRun& run) {
  const ScanOptions& opt = run.opt;
  std::vector<InputFile>& files = run.files;
  const std::uint64_t chunk_size = opt.chunk_size ? opt.chunk_size
                                                  : std::clamp<std::uint64_t>(run.report.bytes / (run.threads * 16ull),
                                                                              1ull << 18, 8ull << 20);
  const std::string table_name(run.hunt->table_name());
  std::vector<char> whole_file(files.size(), 0);
  std::uint64_t rescanned_files = 0;
  for (int attempt = 0;; ++attempt) {
    run.shared.emplace(run.hunt->window_config());
    run.workers.clear();
    const std::vector<Chunk> chunks = plan_chunks(run, whole_file, chunk_size);
    if (attempt == 0) run.timer.mark("plan");
    std::vector<std::uint64_t> stop(chunks.size(), 0);
    std::atomic<std::uint64_t> bytes_done{0};
    {
      const bool show = opt.progress == Progress::kAlways || (opt.progress == Progress::kAuto && isatty(2));
      ProgressLine progress(show, run.report.bytes, bytes_done);
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
        std::unique_ptr<Worker>& wp = run.workers.local();
        if (!wp) wp = std::make_unique<Worker>(*run.shared, run.plan, files.size());
        for (std::size_t ci = r.begin(); ci != r.end(); ++ci) {
          const Chunk& c = chunks[ci];
          try {
            stop[ci] = wp->hunt->scan(*wp, run.plan, c, files);
          } catch (const std::exception& e) {  // out of memory, or a defect: this file's result is unknown
            ScanError err;
            err.kind = ErrorKind::kReadFailure;
            err.file = c.file;
            err.offset = files[c.file].format == parsers::InputFormat::kEvtx ? c.begin * kEvtxChunk : c.begin;
            err.reason = std::string("decoding the chunk starting here failed: ") + e.what();
            wp->note_error(std::move(err));
          }
          bytes_done.fetch_add(files[c.file].format == parsers::InputFormat::kEvtx ? kEvtxChunk : c.end - c.begin,
                               std::memory_order_relaxed);
        }
      });
    }
    bool again = false;
    for (std::size_t ci = 0; ci + 1 < chunks.size(); ++ci) {
      const Chunk& c = chunks[ci];
      if (files[c.file].format == parsers::InputFormat::kCsv && chunks[ci + 1].file == c.file &&
          stop[ci] != chunks[ci + 1].begin && !whole_file[c.file]) {
        whole_file[c.file] = 1;
        ++rescanned_files;
        again = true;
      }
    }
    if (!again) {
      // JSON files must hold the fields the hunt reads in at least one record.
      std::vector<std::uint64_t> seen(files.size(), 0);
      for (auto& wp : run.workers) {
        if (!wp) continue;
        for (std::size_t i = 0; i < files.size(); ++i) seen[i] |= wp->json_slots_seen[i];
      }
      for (std::size_t i = 0; i < files.size(); ++i) {
        InputFile& f = files[i];
        if (f.skipped || f.format != parsers::InputFormat::kJson || !(seen[i] & kJsonHadRecord)) continue;
        const std::vector<std::string> missing =
            missing_columns(*run.hunt, [&](std::size_t slot) { return (seen[i] >> slot & 1) != 0; });
        if (missing.empty()) continue;
        const std::string why = "no record holds the " + table_name + " field" + (missing.size() > 1 ? "s " : " ") +
                                join_names(missing) + " that the query reads";
        if (!run.refuse(f, why)) return kExitInput;
        again = true;  // scanned again without it
      }
      if (again && run.fitting_files() == 0) {
        std::fprintf(stderr, "rareconn: no input holds data the %s hunt reads (a %s table)\n", run.entry->name.c_str(),
                     table_name.c_str());
        return kExitInput;
      }
    }
    if (!again) break;
  }
  if (run.mismatched_files) run.report.notes.push_back({"files_skipped_missing_columns", run.mismatched_files});
  if (rescanned_files) run.report.notes.push_back({"csv_files_rescanned_whole_for_stray_quotes", rescanned_files});
  run.timer.mark("parse");
  return std::nullopt;
}

}  // namespace rareconn::scanner
