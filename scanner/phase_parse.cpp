// Phase 4: the parallel parse. Chunks go to oneTBB workers, each with its own parsers and the
// hunt's per-thread state. CSV chunks are cut by quote parity, exact for well-formed quoting; a
// file whose records turn out not to end where the next chunk begins (a stray quote) is scanned
// again, whole, as one chunk. JSON files must hold the hunt's fields in at least one record, and
// JSON or CSV files a row of the hunt's table when they hold rows; one that does not is refused
// (or skipped) and the rest scanned again without it.
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "parsers/event_xml.hpp"
#include "parsers/format_detect.hpp"
#include "scanner/block_stream.hpp"
#include "scanner/decompress.hpp"
#include "scanner/record_boundary.hpp"
#include "scanner/stream_decoder.hpp"

#include "scanner/scan_phases.hpp"
#include "scanner/table_fit.hpp"

namespace rareconn::scanner {

namespace {

// Decompresses a block-streamed file whole after all (its hunt reads records again that the
// recent partition does not hold, or, never expected, its CSV records disagree with the cuts).
bool read_whole(ScanRun& run, InputFile& f) {
  DecompressBudget budget(run.opt.max_decompressed_bytes ? run.opt.max_decompressed_bytes : default_decompress_budget());
  std::string error;
  f.decompressed.clear();
  if (f.streamed) {  // standard input or a FIFO, not read yet (peeked bytes are read again)
    if (!f.source || !read_stream_rest(*f.source, f.path, f.decompressed, budget, error)) {
      std::fprintf(stderr, "rareconn: %s\n", f.source ? error.c_str() : ("cannot read '" + f.path + "' twice").c_str());
      return false;
    }
    f.source.reset();
    f.block_streamed = false;
    f.kept.clear();
    run.report.bytes += f.decompressed.size();
    return true;
  }
  MappedFile map;
  if (!map.open(f.path, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return false;
  }
  const Compression c = detect_compression(map.bytes());
  if (!decompress(map.bytes(), c, f.decompressed, error, &budget)) {
    std::fprintf(stderr, "rareconn: cannot decompress '%s': %s: %s\n", f.path.c_str(), compression_name(c), error.c_str());
    return false;
  }
  f.block_streamed = false;
  f.kept.clear();
  run.report.bytes += f.decompressed.size();
  return true;
}

struct SinkContext {
  Worker* w;
  std::string_view data;  // the block's bytes
  std::uint64_t base;     // the stream offset of data[0]
  bool evtx = false;      // records are kept as their chunk
};

// The recent partition's sink during a streamed block: the record and its terminator are copied,
// or for EVTX the chunk holding it, once. When a worker's copies pass a bound, those now surely out
// of the recent window (before `now` - recent, `now` being --now or at least the newest time seen
// so far) are dropped.
std::uint64_t keep_bytes_floor();
void keep_recent(void* context, const core::EventRef& ref, core::Ticks time) {
  auto& s = *static_cast<SinkContext*>(context);
  Worker& w = *s.w;
  std::uint64_t offset = ref.offset, length = std::uint64_t{ref.length} + 2;
  if (s.evtx) {
    offset = parsers::evtx_chunk_start(ref.offset);
    length = kEvtxChunk;
    // A block's chunks are parsed in order by one worker: the chunk may be the last one kept.
    if (!w.kept.empty() && w.kept.back().file == ref.file && w.kept.back().offset == offset) {
      w.kept.back().time = std::max(w.kept.back().time, time);
      return;
    }
  }
  const std::uint64_t at = offset - s.base;
  if (offset < s.base || at > s.data.size()) return;
  const std::string_view bytes = s.data.substr(at, std::min<std::uint64_t>(length, s.data.size() - at));
  w.kept.push_back({ref.file, offset, w.keep(bytes), time, s.evtx ? static_cast<std::uint32_t>(kEvtxChunk) : 1u});
  w.kept_live += bytes.size();
  if (w.kept_compact_at == 0) [[unlikely]] w.kept_compact_at = keep_bytes_floor();
  if (w.kept_live > w.kept_compact_at) [[unlikely]] {
    const core::WindowShared& shared = w.partial.shared();
    const core::WindowConfig& cfg = shared.config();
    if (cfg.now || shared.any_time()) w.compact_kept((cfg.now ? *cfg.now : shared.newest()) - cfg.recent);
  }
}

// Bytes of copies a worker holds before it first drops those out of the window: 32 MiB, or
// RARECONN_TEST_KEEP_BYTES (for tests: drops after every record).
std::uint64_t keep_bytes_floor() {
  static const std::uint64_t floor = [] {
    const char* v = std::getenv("RARECONN_TEST_KEEP_BYTES");
    const long long n = v ? std::atoll(v) : 0;
    return n > 0 ? static_cast<std::uint64_t>(n) : std::uint64_t{32} << 20;
  }();
  return floor;
}

// Block size of streamed inputs: `normal`, or RARECONN_TEST_BLOCK_BYTES (for tests: cuts every
// few bytes).
std::size_t stream_block_bytes(std::size_t normal) {
  if (const char* v = std::getenv("RARECONN_TEST_BLOCK_BYTES")) {
    const long long n = std::atoll(v);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return normal;
}


// Files read by one task each, at most this many mapped at once in the batches of larger files.
constexpr std::size_t kMappedAtOnce = 16;

// What a CSV record may hold beyond --max-record-size and still not be too large for the parser:
// its CR LF, and for the header a UTF-8 byte-order mark. Streamed blocks carry records this much
// longer, so that the parser, not the block stream, decides which are too large.
constexpr std::size_t kCsvRecordSlack = 8;

// Total input bytes above which the page cache's copy of consumed ranges is dropped (a scan of
// more than a quarter of memory would otherwise evict the machine's other cached files), or
// RARECONN_TEST_DROP_CACHE_BYTES (for tests and the cold-read bench).
std::uint64_t drop_cache_floor() {
  if (const char* v = std::getenv("RARECONN_TEST_DROP_CACHE_BYTES")) {
    const long long n = std::atoll(v);
    if (n > 0) return static_cast<std::uint64_t>(n);
  }
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 4 : UINT64_MAX;
}

// Adds `n` to the summary's note `name`.
void add_note(ScanReport& report, const char* name, std::uint64_t n) {
  for (auto& note : report.notes) {
    if (note.first == name) {
      note.second += n;
      return;
    }
  }
  report.notes.push_back({name, n});
}

// Mapped files of at least this size give back the pages of each chunk once it is parsed.
constexpr std::uint64_t kReleaseMin = std::uint64_t{64} << 20;

// Chunks of CSV and JSON lines files are parsed from a copy of their bytes (FileContent::copy_range)
// rather than from the mapping: where page faults are dear (this project's 2-core VMs: touching a
// mapped 1 GB file takes 0.54 s, copying it with pread 0.13 s) the copy is cheaper, and the copy is
// in the cache when the parse reads it. Their records never run past the next chunk's start when
// the plan is right; `kCopyMargin` bytes after the chunk are copied too, so that a record that does
// (a wrong guess or a stray quote) ends past the chunk's end in the copy as in the mapping, and the
// plan check sees it (tests/e2e_copy_parse.sh fails with no margin). Event XML, EVTX and the chunks
// of a cut JSON document read the mapping. Such files are cut into chunks of at most kCopyChunk
// bytes unless --chunk-size says otherwise (a copy that stays in the core's cache; 2 MiB measured
// 7 % faster than 8 MiB on both formats). 128 KiB under 2 MiB: a chunk, the rest of its last line
// and the margin fit in one 2 MiB huge page of the worker's buffer (core::HugeBuffer), one page
// fault instead of 512 (1 GB, 2 threads: faults 3,400 -> 2,300, parse phase 0.273 -> 0.258 s on
// JSON lines and 0.263 -> 0.247 s on CSV, medians of 10 and 8 runs).
constexpr std::uint64_t kCopyMargin = std::uint64_t{64} << 10;
constexpr std::uint64_t kCopyChunk = (std::uint64_t{2} << 20) - (std::uint64_t{128} << 10);
bool copies_chunks(const InputFile& f) {
  return f.format == parsers::InputFormat::kCsv || (f.format == parsers::InputFormat::kJson && f.json_lines);
}
bool parse_from_copy(const InputFile& f, const Chunk& c) {
  return c.rows == parsers::json::RowContainer::kNone && copies_chunks(f);
}

// What the parse of plain and in-memory files tells the driver.
struct PlainScan {
  std::vector<std::string> open_errors;  // per file: the reopen failed (message), empty otherwise
  bool again = false;                    // a file's records disagreed with its chunks
  std::uint64_t rescanned = 0;           // CSV files (a stray quote)
  std::uint64_t json_rescanned = 0;      // JSON documents (a wrong cut: a malformed document)
};

// Scans one chunk of `d` (stream offset `base`) into the thread's worker; an exception becomes a
// read failure of the file, located at the chunk's first byte.
std::uint64_t scan_one(ScanRun& run, Worker& w, const Chunk& c, std::string_view d, std::uint64_t base = 0) {
  try {
    const std::uint64_t stop = w.hunt->scan(w, run.plan, c, run.files, d, base);
    w.partial.publish_newest();
    return stop;
  } catch (const std::exception& e) {  // out of memory, or a defect: this file's result is unknown
    ScanError err;
    err.kind = ErrorKind::kReadFailure;
    err.file = c.file;
    err.offset = base + (run.files[c.file].format == parsers::InputFormat::kEvtx ? kEvtxHeader + c.begin * kEvtxChunk : c.begin);
    err.reason = std::string("decoding the chunk starting here failed: ") + e.what();
    w.note_error(std::move(err));
    return 0;
  }
}

// A streamed EVTX block: whole 64 KiB chunks (the first block also holds the file header). The
// decoder reads chunks by their index in a file, so a later block is parsed after a blank file
// header (`alone`, the thread's buffer), `base` bytes into the file; a recent record keeps its chunk.
void scan_evtx_block(ScanRun& run, Worker& w, std::uint32_t file, const Block& b, std::string& alone) {
  std::string_view d = b.data;
  std::uint64_t base = 0;
  if (b.offset != 0) {
    alone.assign(kEvtxHeader, '\0');
    alone.append(b.data);
    d = alone;
    base = b.offset - kEvtxHeader;
  }
  SinkContext sink{&w, d, base, true};
  w.partial.set_recent_sink(keep_recent, &sink);
  for (std::uint64_t k = 0; k < parsers::evtx_chunk_slots(d); ++k) scan_one(run, w, Chunk{file, k, k + 1}, d, base);
  w.partial.set_recent_sink(nullptr, nullptr);
}

Worker& local_worker(ScanRun& run) {
  std::unique_ptr<Worker>& wp = run.workers.local();
  if (!wp) wp = std::make_unique<Worker>(*run.shared, run.plan, run.files.size());
  return *wp;
}

// Did chunk `a`'s records end where chunk `b` of the same CSV file begins?
bool chunks_disagree(const ScanRun& run, const Chunk& a, std::uint64_t a_stop, const Chunk& b) {
  return run.files[a.file].format == parsers::InputFormat::kCsv && b.file == a.file && a_stop != b.begin;
}

// The records a chunk parsed do not end where the plan cut it: a CSV chunk that stops elsewhere
// than where the next chunk of its file begins (a stray quote), a chunk of a JSON document's rows
// that stops before its end (a wrong cut: a malformed document). `next`: the next chunk, if any.
bool chunk_disagrees(const ScanRun& run, const Chunk& a, std::uint64_t a_stop, const Chunk* next) {
  if (a.rows != parsers::json::RowContainer::kNone) return a_stop != a.end;
  return next != nullptr && chunks_disagree(run, a, a_stop, *next);
}

// Plain files (and inputs held in memory), opened lazily: a file no larger than a chunk is read
// and parsed whole by one task (so at most one such file per thread is open), larger ones are
// mapped a few at a time and their chunks parsed by all threads. Nothing stays open afterwards.
PlainScan scan_plain_files(ScanRun& run, std::vector<char>& whole_file, std::uint64_t chunk_size,
                           std::atomic<std::uint64_t>& bytes_done) {
  std::vector<InputFile>& files = run.files;
  PlainScan out;
  out.open_errors.resize(files.size());
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const InputFile& f = files[i];
    if (!f.has_content() || f.block_streamed || f.format == parsers::InputFormat::kUnknown) continue;
    (!f.compressed && f.id.size <= chunk_size ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  const bool drop_cache = run.report.bytes >= drop_cache_floor();
  // Small files: one task each, the thread's buffer reused from file to file.
  tbb::enumerable_thread_specific<FileContent> holders;
  std::atomic<bool> again{false};
  // CSV files larger than a chunk are cut by guesses first; a file whose guessed cuts turn out
  // wrong is cut by quote parity, and the plain files are parsed again from fresh workers (before
  // any streamed input has been read into them).
  std::vector<char> parity_cut(files.size(), 0);
  auto parse_round = [&] {  // true: a guessed cut was wrong
    bool guess_failed = false;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, small.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
      Worker& w = local_worker(run);
      FileContent& holder = holders.local();
      std::vector<Chunk> chunks;
      // Isolated: a thread waiting inside never takes another file's task, which would reuse the
      // thread's buffer while this file is still read from it.
      tbb::this_task_arena::isolate([&] {
        for (std::size_t k = r.begin(); k != r.end(); ++k) {
          const std::uint32_t i = small[k];
          std::string_view d;
          if (!open_content(files[i], holder, d, out.open_errors[i], read_limit(), drop_cache)) continue;
          chunks.clear();
          plan_file_chunks(run, i, d, whole_file[i] != 0, parity_cut[i] == 0, chunk_size, chunks, &holder);
          for (std::size_t ci = 0; ci < chunks.size(); ++ci) {
            const std::uint64_t stop = scan_one(run, w, chunks[ci], d);
            if (chunk_disagrees(run, chunks[ci], stop, ci + 1 < chunks.size() ? &chunks[ci + 1] : nullptr) && !whole_file[i]) {
              whole_file[i] = 1;
              again.store(true, std::memory_order_relaxed);
            }
          }
          holder.close();
          if (files[i].format == parsers::InputFormat::kCsv && i < w.csv.size()) w.csv[i].reset();  // done with this file
          bytes_done.fetch_add(d.size(), std::memory_order_relaxed);
        }
      });
    });
    // Larger files: a batch of a few mapped at once, their chunks parsed in parallel.
    for (std::size_t first = 0; first < large.size(); first += kMappedAtOnce) {
      const std::size_t n = std::min(kMappedAtOnce, large.size() - first);
      std::vector<std::unique_ptr<FileContent>> held(n);
      std::vector<std::string_view> content(n);
      std::vector<Chunk> chunks;
      std::vector<std::size_t> chunk_slot;
      for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t i = large[first + k];
        held[k] = std::make_unique<FileContent>();
        if (!open_content(files[i], *held[k], content[k], out.open_errors[i], read_limit(), drop_cache)) continue;
        const std::uint64_t size = run.opt.chunk_size == 0 && copies_chunks(files[i]) ? std::min(chunk_size, kCopyChunk) : chunk_size;
        plan_file_chunks(run, i, content[k], whole_file[i] != 0, parity_cut[i] == 0, size, chunks, held[k].get());
        chunk_slot.resize(chunks.size(), k);
      }
      std::vector<std::uint64_t> stop(chunks.size(), 0);
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
        Worker& w = local_worker(run);
        for (std::size_t ci = r.begin(); ci != r.end(); ++ci) {
          const Chunk& c = chunks[ci];
          // A file that shrank while read ends the run (phase_merge): its other chunks are not
          // parsed (they would be zeros or faults, read at a tenth of the usual speed).
          if (files[c.file].shrank.at()) continue;
          FileContent& h = *held[chunk_slot[ci]];
          const std::string_view whole = content[chunk_slot[ci]];
          const std::uint64_t copy_end = std::min<std::uint64_t>(c.end + kCopyMargin, whole.size());
          const bool copied = h.mapped() && parse_from_copy(files[c.file], c) && h.copy_range(c.begin, copy_end, w.chunk_copy);
          if (copied) {
            Chunk in_copy = c;
            in_copy.begin = 0;
            in_copy.end = c.end - c.begin;
            const std::uint64_t s = scan_one(run, w, in_copy, std::string_view(w.chunk_copy.data(), copy_end - c.begin), c.begin);
            stop[ci] = s == 0 ? 0 : c.begin + s;  // 0: the scan failed (as scan_one on the mapping)
          } else {
            stop[ci] = scan_one(run, w, c, whole);
          }
          const bool evtx = files[c.file].format == parsers::InputFormat::kEvtx;
          // The chunk's pages are given back (read again from the file if a finding needs them).
          if (!evtx && h.mapped() && files[c.file].id.size >= kReleaseMin) h.release_range(c.begin, c.end, drop_cache, !copied);
          bytes_done.fetch_add(evtx ? kEvtxChunk : c.end - c.begin, std::memory_order_relaxed);
        }
      });
      for (std::size_t ci = 0; ci < chunks.size(); ++ci) {
        const Chunk* next = ci + 1 < chunks.size() ? &chunks[ci + 1] : nullptr;
        const std::uint32_t fi = chunks[ci].file;
        if (!chunk_disagrees(run, chunks[ci], stop[ci], next) || whole_file[fi] || files[fi].shrank.at()) continue;
        if (files[fi].format == parsers::InputFormat::kCsv && !parity_cut[fi]) {
          parity_cut[fi] = 1;  // a wrong guess, not a stray quote: not reported
          guess_failed = true;
          continue;
        }
        whole_file[fi] = 1;
        ++(files[fi].format == parsers::InputFormat::kJson ? out.json_rescanned : out.rescanned);
        out.again = true;
      }
      if (guess_failed) break;
    }
    return guess_failed;
  };
  while (parse_round()) {
    run.workers.clear();
    run.shared.emplace(run.hunt->window_config());
    bytes_done.store(0, std::memory_order_relaxed);
    for (std::string& e : out.open_errors) e.clear();
  }
  for (std::uint32_t i : small) {
    if (whole_file[i] == 1 && again.load()) {
      ++(files[i].format == parsers::InputFormat::kJson ? out.json_rescanned : out.rescanned);
      out.again = true;
      whole_file[i] = 2;  // counted once
    }
  }
  return out;
}

}  // namespace

PhaseResult phase_parse(ScanRun& run) {
  const ScanOptions& opt = run.opt;
  std::vector<InputFile>& files = run.files;
  const std::uint64_t chunk_size = opt.chunk_size ? opt.chunk_size
                                                  : std::clamp<std::uint64_t>(run.report.bytes / (run.threads * 16ull),
                                                                              1ull << 18, 8ull << 20);
  const std::string table_name(run.hunt->table_name());
  std::vector<char> whole_file(files.size(), 0);
  std::uint64_t rescanned_files = 0, json_rescanned_files = 0, streamed_files = 0, vanished_files = 0;
  for (InputFile& f : files) {
    // Streamed inputs keep only the recent partition's records: a hunt that reads others again
    // gets them decompressed whole.
    if (f.block_streamed && !f.skipped && !run.hunt->reads_again_only_recent() && !read_whole(run, f)) return kExitInput;
  }
  for (int attempt = 0;; ++attempt) {
    run.shared.emplace(run.hunt->window_config());
    run.workers.clear();
    if (attempt == 0) run.timer.mark("plan");
    std::atomic<std::uint64_t> bytes_done{0};
    PlainScan plain;
    {
      const bool show = opt.progress == Progress::kAlways || (opt.progress == Progress::kAuto && isatty(2));
      ProgressLine progress(show, run.report.bytes, bytes_done);
      plain = scan_plain_files(run, whole_file, chunk_size, bytes_done);
    }
    // A file that could no longer be opened: found in a directory, skipped as when it is gone
    // before its first open; named, an input error.
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (plain.open_errors[i].empty()) continue;
      if (run.is_named(files[i])) {
        std::fprintf(stderr, "rareconn: %s\n", plain.open_errors[i].c_str());
        return kExitInput;
      }
      std::fprintf(stderr, "rareconn: warning: skipping %s\n", plain.open_errors[i].c_str());
      files[i].skipped = true;
      ++vanished_files;
    }
    bool again = plain.again;
    rescanned_files += plain.rescanned;
    json_rescanned_files += plain.json_rescanned;
    // Streamed inputs (gzip and zstd files of CSV or JSON lines), one after the other, each block
    // by block: blocks parsed in parallel by the same workers, offsets absolute in the stream.
    for (std::size_t i = 0; i < files.size(); ++i) {
      InputFile& f = files[i];
      if (!f.block_streamed || f.skipped || f.format == parsers::InputFormat::kUnknown) continue;
      const bool csv = f.format == parsers::InputFormat::kCsv;
      std::string error;
      std::shared_ptr<StreamSource> src;
      if (f.streamed) {  // standard input or a FIFO: read once
        src = std::move(f.source);
        if (!src) error = "cannot read '" + f.path + "' twice (scan it alone, or save it to a file)";
      } else {
        src = open_stream_source(f.path, StreamSourceOptions{}, error);
      }
      if (!src) {
        std::fprintf(stderr, "rareconn: %s\n", error.c_str());
        return kExitInput;
      }
      const bool evtx = f.format == parsers::InputFormat::kEvtx, xml = f.format == parsers::InputFormat::kXml;
      const std::uint64_t data_start = csv ? f.header().data_offset : parsers::bom_length(f.in_memory());
      LineBoundary lines;
      CsvBoundary records(data_start, opt.max_record_bytes);
      FixedBoundary chunks(kEvtxHeader, kEvtxChunk);
      XmlBoundary events(opt.max_record_bytes);
      RecordBoundary& rule = csv    ? static_cast<RecordBoundary&>(records)
                             : evtx ? static_cast<RecordBoundary&>(chunks)
                             : xml  ? static_cast<RecordBoundary&>(events)
                                    : static_cast<RecordBoundary&>(lines);
      BlockStreamOptions bo;
      // A compressed stream decoded serially (one gzip member, one large zstd frame): its decoding
      // is about half the work, and a reader of its own keeps it going while the other threads
      // parse. Streams whose units are decoded ahead in parallel already spread over the threads
      // (bench/RESULTS.md: a reader thread made those 4-15 % slower).
      std::string_view first;
      if (src->compression() != Compression::kNone && run.threads > 1 && src->peek(std::size_t{1} << 20, first, error) &&
          !src->decodes_units_ahead()) {
        bo.reader_thread = 1;
        bo.parse_threads = run.threads - 1;
      }
      // Such a stream reads blocks of 4 MiB: more bytes in flight in the same slots, so that the
      // reader goes on while a parse is slow for a moment (4 GB one gzip member: 3.53 -> 3.29 s;
      // one zstd frame: 3.08 -> 2.82 s); streams read in the pipeline gain nothing from them.
      bo.block_bytes = stream_block_bytes(bo.reader_thread ? std::size_t{4} << 20 : bo.block_bytes);
      // CSV blocks are cut where the parser's records start, its resume point after a record too
      // large included: the parser in the worker sees the same records (CR LF and the header's
      // byte-order mark may add to a record's text under the bound), and longer ones are skipped.
      // EVTX blocks hold whole chunks, whatever the record bound. An XML block after an event too
      // large reaches past its bound (event_xml_cut.hpp): up to twice the bound and two reads,
      // which the budget then holds twice over too.
      bo.max_record_bytes = evtx ? static_cast<std::size_t>(kEvtxChunk)
                            : xml ? static_cast<std::size_t>(2 * opt.max_record_bytes) + 2 * bo.block_bytes
                                  : static_cast<std::size_t>(opt.max_record_bytes) + (csv ? kCsvRecordSlack : 0);
      if (xml) bo.memory_bytes += 2 * (opt.max_record_bytes + bo.block_bytes);
      tbb::enumerable_thread_specific<std::string> evtx_buffers;
      const auto fi = static_cast<std::uint32_t>(i);
      std::mutex m;
      std::map<std::uint64_t, std::uint64_t> stops;  // block index -> where its last record ended
      std::vector<std::uint64_t> disagree;           // blocks whose CSV records did not end at the cut (a defect)
      std::uint64_t last_block = 0;
      const BlockStreamResult result = run_block_stream(
          *src, rule, bo,
          [&](const Block& b) {
            std::unique_ptr<Worker>& wp = run.workers.local();
            if (!wp) wp = std::make_unique<Worker>(*run.shared, run.plan, files.size());
            for (const SkippedRecord& s : b.skipped) {
              wp->note_error(fi, s.offset, (xml ? "event XML: " : "") +
                                               parsers::describe(parsers::ParseError::kRecordTooLarge, opt.max_record_bytes));
            }
            const std::uint64_t end = b.offset + b.data.size();
            std::uint64_t stop = end;
            // The block's first record: after a CSV header; the first event of the readers' walk.
            const std::uint64_t begin = xml ? b.offset + parsers::next_event_start(b.data, 0) : std::max(b.offset, data_start);
            if (evtx) {
              scan_evtx_block(run, *wp, fi, b, evtx_buffers.local());
            } else if (begin < end) {
              const Chunk c{fi, begin - b.offset, b.data.size()};
              SinkContext sink{wp.get(), b.data, b.offset};
              wp->partial.set_recent_sink(keep_recent, &sink);
              try {
                stop = b.offset + wp->hunt->scan(*wp, run.plan, c, files, b.data, b.offset);
              } catch (const std::exception& e) {
                ScanError err;
                err.kind = ErrorKind::kReadFailure;
                err.file = fi;
                err.offset = b.offset;
                err.reason = std::string("decoding the block starting here failed: ") + e.what();
                wp->note_error(std::move(err));
              }
              wp->partial.set_recent_sink(nullptr, nullptr);
            }
            std::lock_guard<std::mutex> lock(m);
            stops[b.index] = stop;
          },
          [&](const Block& b) {
            std::lock_guard<std::mutex> lock(m);
            const auto it = stops.find(b.index);
            if (csv && it != stops.end() && it->second != b.offset + b.data.size()) disagree.push_back(b.index);
            if (it != stops.end()) stops.erase(it);
            last_block = b.index;
          });
      if (!result.ok) {
        std::fprintf(stderr, "rareconn: cannot decompress %s: %s: %s (at decompressed byte %llu)\n", input_name(f.path).c_str(),
                     compression_name(src->compression()), result.error.c_str(),
                     static_cast<unsigned long long>(result.error_offset));
        return kExitInput;
      }
      if (!disagree.empty() && disagree.front() != last_block) {
        // The records do not end where the blocks were cut: never expected (the cuts are the
        // parser's record starts, csv_cut.hpp). A file is read whole and scanned again as one
        // chunk, as a mapped file would be; standard input cannot be read again.
        if (f.streamed) {
          std::fprintf(stderr, "rareconn: internal: the CSV records of %s do not end where its blocks were cut (a defect: "
                               "please report it; scanning the saved file instead reads it whole)\n",
                       input_name(f.path).c_str());
          return kExitInput;
        }
        if (!read_whole(run, f)) return kExitInput;
        whole_file[i] = 1;
        ++rescanned_files;
        again = true;
        continue;
      }
      if (attempt == 0) {
        run.report.bytes += result.stats.bytes;
        ++streamed_files;
      }
      f.stream_bytes = result.stats.bytes;
    }
    if (!again) {
      // JSON files must hold the fields the hunt reads in at least one record (a CSV file's header
      // was checked). Rows that all name another table (a Streaming API export of
      // DeviceProcessEvents, a Sentinel CSV with a `Type` column) are not the hunt's table either;
      // a file with no row at all (a CSV header alone) is not refused here.
      std::vector<std::uint64_t> seen(files.size(), 0);
      std::vector<std::string> other(files.size());
      for (auto& wp : run.workers) {
        if (!wp) continue;
        for (std::size_t i = 0; i < files.size(); ++i) {
          seen[i] |= wp->json_slots_seen[i];
          const std::string& t = wp->other_table[i];
          if (!t.empty() && (other[i].empty() || t < other[i])) other[i] = t;
        }
      }
      for (std::size_t i = 0; i < files.size(); ++i) {
        InputFile& f = files[i];
        const bool json = f.format == parsers::InputFormat::kJson;
        if (f.skipped || (!json && f.format != parsers::InputFormat::kCsv) || !(seen[i] & kJsonHadRecord)) continue;
        std::string why;
        if (!(seen[i] & kJsonHadTableRecord)) {
          why = "its records are rows of another table (" + other[i] + "), none of " + table_name;
        } else if (!json) {
          continue;
        } else {
          const std::vector<std::string> missing =
              missing_columns(*run.hunt, [&](std::size_t slot) { return (seen[i] >> slot & 1) != 0; });
          if (missing.empty()) continue;
          why = "no record holds the " + table_name + " field" + (missing.size() > 1 ? "s " : " ") +
                join_names(missing) + " that the query reads";
        }
        if (!run.refuse(f, why)) return kExitInput;
        again = true;  // scanned again without it
      }
      if (again && run.fitting_files() == 0) {
        if (!run.opt.quiet_when_nothing_fits) {
          std::fprintf(stderr, "rareconn: no input holds data the %s hunt reads (a %s table)\n", run.entry->name.c_str(),
                       table_name.c_str());
        }
        return kExitInput;
      }
    }
    if (!again) break;
  }
  // The records kept from streamed inputs, by offset, for the output phase.
  for (InputFile& f : files) f.kept.clear();
  std::uint64_t kept_bytes = 0;
  for (auto& wp : run.workers) {
    if (!wp) continue;
    for (const Worker::Kept& k : wp->kept) {
      if (files[k.file].block_streamed) files[k.file].kept.emplace_back(k.offset, k.bytes);
    }
    kept_bytes += wp->kept_live;
  }
  for (InputFile& f : files) std::sort(f.kept.begin(), f.kept.end());
  if (streamed_files) {
    run.report.notes.push_back({"inputs_streamed_in_blocks", streamed_files});
    run.report.notes.push_back({"streamed_recent_record_bytes_kept", kept_bytes});
  }
  if (vanished_files) add_note(run.report, "files_skipped_unreadable", vanished_files);
  if (run.mismatched_files) run.report.notes.push_back({"files_skipped_missing_columns", run.mismatched_files});
  if (rescanned_files) run.report.notes.push_back({"csv_files_rescanned_whole_for_stray_quotes", rescanned_files});
  if (json_rescanned_files) run.report.notes.push_back({"json_documents_rescanned_whole_after_a_wrong_cut", json_rescanned_files});
  run.timer.mark("parse");
  return std::nullopt;
}

}  // namespace rareconn::scanner
