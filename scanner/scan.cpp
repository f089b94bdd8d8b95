// The scan driver (see scan.hpp for the thread diagram). Owns every thread of the program.
#include "scanner/scan.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_set>

#include "core/has_any.hpp"
#include "core/mde_hunt.hpp"
#include "core/sysmon_hunt.hpp"
#include "core/window_aggregator.hpp"
#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/atomic_output.hpp"
#include "scanner/chunker.hpp"
#include "scanner/column_time.hpp"
#include "scanner/decompress.hpp"
#include "scanner/findings_table.hpp"
#include "scanner/findings_writer.hpp"
#include "scanner/input_discovery.hpp"
#include "scanner/input_file.hpp"
#include "scanner/progress.hpp"
#include "scanner/scan_worker.hpp"
#include "scanner/summary.hpp"
#include "scanner/sysmon_mapping.hpp"
#include "scanner/sysmon_pivot.hpp"
#include "scanner/sysmon_rows.hpp"
#include "scanner/sysmon_table.hpp"
#include "scanner/table_fit.hpp"

namespace rareconn::scanner {

namespace {

constexpr int kExitOk = 0, kExitFindings = 1, kExitUsage = 2, kExitInput = 3;
constexpr std::uint64_t kEvtxChunk = 65536;

// Column names that either hunt reads.
std::vector<std::string> export_columns() {
  std::vector<std::string> known;
  for (const auto& names : core::mde_field_names()) known.insert(known.end(), names.begin(), names.end());
  for (const auto& field : sysmon_projection().fields) known.insert(known.end(), field.names.begin(), field.names.end());
  return known;
}

// Does a CSV header name at least one column that either hunt reads?
bool is_export_header(const parsers::CsvHeader& h) {
  const std::vector<std::string> known = export_columns();
  for (const std::string& c : h.columns) {
    if (std::find(known.begin(), known.end(), c) != known.end()) return true;
  }
  return false;
}

// Does the start of a JSON file name, as a key, at least one field that either hunt reads?
bool is_export_json(std::string_view d) {
  const std::string_view head = d.substr(0, 1 << 16);
  for (const std::string& c : export_columns()) {
    if (head.find("\"" + c + "\"") != std::string_view::npos) return true;
  }
  return false;
}

const char* report_hunt_name(bool is_mde) { return is_mde ? "mde" : "sysmon"; }

// A mapped input that shrank while read (SIGBUS turned into a fault by the guard) makes the run's
// result unknowable: an input error naming the file and how far it could be read.
bool read_faults_ok(const std::vector<InputFile>& files) {
  bool ok = true;
  for (const InputFile& f : files) {
    const std::optional<std::uint64_t> at = f.map.shrank_at();
    if (!at) continue;
    struct stat st;
    const long long now_size = stat(f.path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
    std::fprintf(stderr, "rareconn: '%s' shrank while it was read (truncated or rewritten by another program): "
                 "bytes from %llu of %llu could not be read%s%lld bytes now); scan it again once it is complete\n",
                 f.path.c_str(), static_cast<unsigned long long>(*at), static_cast<unsigned long long>(f.map.bytes().size()),
                 now_size >= 0 ? " (" : "", now_size);
    ok = false;
  }
  return ok;
}

// A file that grew during the scan was read up to its size when opened; the summary says so.
void note_grown_files(const std::vector<InputFile>& files, ScanReport& report) {
  std::uint64_t grown = 0;
  for (const InputFile& f : files) {
    struct stat st;
    if (f.skipped || stat(f.path.c_str(), &st) != 0) continue;
    if (static_cast<std::uint64_t>(st.st_size) > f.map.bytes().size()) {
      std::fprintf(stderr, "rareconn: warning: '%s' grew while it was read: its first %llu bytes were read\n",
                   f.path.c_str(), static_cast<unsigned long long>(f.map.bytes().size()));
      ++grown;
    }
  }
  if (grown) report.notes.push_back({"files_grown_during_scan_read_to_size_at_open", grown});
}

std::uint64_t line_of(std::string_view data, std::uint64_t offset) {
  return 1 + static_cast<std::uint64_t>(std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

int run_scan(const ScanOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  PhaseTimer timer;
  std::string error;

  // 0. The outputs are opened first (a wrong path should not wait for a long scan), as temporary
  // files renamed into place only when the run succeeds.
  AtomicOutput out, stats_out;
  if (!out.open(opt.output, error) || (!opt.stats_file.empty() && !stats_out.open(opt.stats_file, error))) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }

  // 1. Inputs: discover, map, detect.
  std::vector<std::string> paths, named, not_files;
  if (!discover_inputs(opt.inputs, paths, named, not_files, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  if (paths.empty()) {
    std::fprintf(stderr, "rareconn: no input files found in the given directories\n");
    return kExitInput;
  }
  std::vector<InputFile> files(paths.size());
  ScanReport report;
  for (const std::string& why : not_files) std::fprintf(stderr, "rareconn: warning: skipping %s\n", why.c_str());
  if (!not_files.empty()) report.notes.push_back({"directory_entries_skipped_not_files", not_files.size()});
  const unsigned threads = opt.threads ? opt.threads : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  auto is_named = [&](const InputFile& f) { return std::find(named.begin(), named.end(), f.path) != named.end(); };
  std::uint64_t vanished_files = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files[i].path = paths[i];
    if (!files[i].map.open(files[i].path, error)) {
      if (is_named(files[i])) {
        std::fprintf(stderr, "rareconn: %s\n", error.c_str());
        return kExitInput;
      }
      // Found in a directory, then gone or unreadable by the time it is opened (rotation): said
      // and counted, and the rest of the tree is read.
      std::fprintf(stderr, "rareconn: warning: skipping %s\n", error.c_str());
      files[i].skipped = true;
      ++vanished_files;
    }
  }
  if (vanished_files) report.notes.push_back({"files_skipped_unreadable", vanished_files});
  // gzip and zstd files are decompressed into memory, in parallel.
  std::vector<std::string> decompress_errors(files.size());
  DecompressBudget budget(opt.max_decompressed_bytes ? opt.max_decompressed_bytes : default_decompress_budget());
  tbb::parallel_for(std::size_t{0}, files.size(), [&](std::size_t i) {
    const Compression c = detect_compression(files[i].map.bytes());
    if (c == Compression::kNone) return;
    files[i].compressed = decompress(files[i].map.bytes(), c, files[i].decompressed, decompress_errors[i], &budget);
    if (!files[i].compressed) decompress_errors[i] = std::string(compression_name(c)) + ": " + decompress_errors[i];
  });
  std::uint64_t compressed_files = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!decompress_errors[i].empty()) {
      std::fprintf(stderr, "rareconn: cannot decompress '%s': %s\n", files[i].path.c_str(), decompress_errors[i].c_str());
      return kExitInput;
    }
    compressed_files += files[i].compressed;
  }
  if (compressed_files) report.notes.push_back({"compressed_files", compressed_files});
  std::uint64_t skipped_files = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    InputFile& f = files[i];
    const std::string_view d = f.bytes();
    report.bytes += d.size();
    if (opt.input_format == "csv") f.format = parsers::InputFormat::kCsv;
    else if (opt.input_format == "json") f.format = parsers::InputFormat::kJson;
    else if (opt.input_format == "xml") f.format = parsers::InputFormat::kXml;
    else if (opt.input_format == "evtx") f.format = parsers::InputFormat::kEvtx;
    else f.format = parsers::detect_format(d);
    if (d.empty()) continue;
    switch (f.format) {
      case parsers::InputFormat::kUnknown:
        if (std::find(named.begin(), named.end(), f.path) == named.end()) {
          // Found in a directory: other files (notes, tools' outputs) are skipped, and said so.
          std::fprintf(stderr, "rareconn: warning: skipping '%s': not a CSV, JSON, event XML or EVTX file\n", f.path.c_str());
          f.skipped = true;
          ++skipped_files;
          break;
        }
        std::fprintf(stderr, "rareconn: cannot tell the format of '%s' from its content (expected a CSV header, JSON, "
                     "event XML or EVTX); use --input-format\n", f.path.c_str());
        return kExitInput;
      case parsers::InputFormat::kCsv:
        f.header = parsers::parse_csv_header(d);
        if (f.header.error == parsers::ParseError::kNone && opt.input_format == "auto" && !is_export_header(f.header)) {
          // A text whose first line merely holds a comma (notes, a README) is not an export.
          f.format = parsers::InputFormat::kUnknown;
          if (std::find(named.begin(), named.end(), f.path) == named.end()) {
            std::fprintf(stderr, "rareconn: warning: skipping '%s': not a CSV, JSON, event XML or EVTX file\n", f.path.c_str());
            f.skipped = true;
            ++skipped_files;
            break;
          }
          std::fprintf(stderr, "rareconn: '%s' has a comma-separated first line but none of the columns of a Defender or "
                       "Sentinel Event export; use --input-format csv to read it anyway\n", f.path.c_str());
          return kExitInput;
        }
        if (f.header.error != parsers::ParseError::kNone) {
          std::fprintf(stderr, "rareconn: '%s': the CSV header cannot be read (%s)\n", f.path.c_str(),
                       parsers::describe(f.header.error));
          return kExitInput;
        }
        break;
      case parsers::InputFormat::kJson:
        if (opt.input_format == "auto" && !is_export_json(d)) {
          f.format = parsers::InputFormat::kUnknown;  // some other JSON (a package.json, a tool's config)
          if (std::find(named.begin(), named.end(), f.path) == named.end()) {
            std::fprintf(stderr, "rareconn: warning: skipping '%s': JSON without the fields of a Defender or Sentinel Event export\n",
                         f.path.c_str());
            f.skipped = true;
            ++skipped_files;
            break;
          }
          std::fprintf(stderr, "rareconn: '%s' is JSON without the fields of a Defender or Sentinel Event export; use "
                       "--input-format json to read it anyway\n", f.path.c_str());
          return kExitInput;
        }
        f.json_lines = parsers::json_is_line_delimited(d);
        break;
      case parsers::InputFormat::kEvtx: {
        parsers::EvtxFileHeader h;
        std::string why;
        if (!parsers::evtx_read_header(d, h, why)) {
          std::fprintf(stderr, "rareconn: '%s': not a readable EVTX file (%s)\n", f.path.c_str(), why.c_str());
          return kExitInput;
        }
        f.evtx_chunks_in_header = h.chunk_count_in_header;
        f.evtx_dirty = h.dirty || !h.checksum_ok;
        break;
      }
      case parsers::InputFormat::kXml:
        break;
    }
  }
  report.files = paths;
  if (skipped_files) report.notes.push_back({"files_skipped_unknown_format", skipped_files});

  // 2. The hunt: named, or the one every non-empty input belongs to.
  Plan plan;
  plan.max_record_bytes = opt.max_record_bytes;
  if (opt.hunt == "auto") {
    std::optional<Hunt> seen;
    for (const InputFile& f : files) {
      if (f.bytes().empty()) continue;
      const Hunt h = hunt_of(f);
      if (seen && *seen != h) {
        std::fprintf(stderr, "rareconn: the inputs hold both Defender (DeviceNetworkEvents) and Sysmon (Event) data; "
                     "choose one with --hunt mde|sysmon\n");
        return kExitUsage;
      }
      seen = h;
    }
    plan.hunt = seen.value_or(Hunt::kMde);
  } else {
    plan.hunt = opt.hunt == "sysmon" ? Hunt::kSysmon : Hunt::kMde;
  }
  const bool is_mde = plan.hunt == Hunt::kMde;
  if (!opt.input_timezone.empty()) {
    plan.zone = InputZone::parse(opt.input_timezone, error);
    if (!plan.zone) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitUsage;
    }
  }
  for (const InputFile& f : files) {
    // A local-time column is only usable with its zone: say so instead of guessing.
    const bool local_only = f.format == parsers::InputFormat::kCsv && has_column(f, "TimeGenerated [Local Time]") &&
                            !has_column(f, "TimeGenerated [UTC]") && !has_column(f, "TimeGenerated") &&
                            (is_mde ? !has_column(f, "Timestamp") : opt.time_from_column);
    if (local_only && !plan.zone) {
      std::fprintf(stderr, "rareconn: '%s' writes TimeGenerated in the exporter's local time; give its zone with "
                   "--input-timezone (e.g. +05:30 or Asia/Kolkata)%s\n", f.path.c_str(),
                   is_mde ? "" : ", or use --time-source dataitem");
      return kExitUsage;
    }
  }
  if (is_mde) {
    if (opt.servers_given) plan.mde.servers = core::ServerSet(opt.servers, opt.server_match);
    plan.mde.by = opt.by;
    plan.mde.per_server = opt.per_server;
    for (auto& names : core::mde_field_names()) plan.projection.fields.push_back({names});
  } else {
    if (opt.servers_given) plan.sysmon.servers = core::ServerSet(opt.servers, opt.server_match);
    plan.sysmon.by = opt.by;
    plan.sysmon.per_server = opt.per_server;
    plan.sysmon.linux_sysmon = opt.linux_sysmon;
    plan.kusto_pivot = opt.pivot_kusto;
    plan.projection = sysmon_projection();
    plan.time.source = opt.time_from_column ? TimeSource::kColumn : TimeSource::kDataItem;
    plan.time.zone = plan.zone;
  }
  // Inputs that do not hold the hunt's table: named, an input error; found in a directory,
  // skipped and counted. JSON files are checked after the scan (a field may first appear late).
  const RequiredSlots required = is_mde ? core::mde_required_slots(plan.mde) : sysmon_required_slots();
  const char* table_name = is_mde ? "DeviceNetworkEvents" : "Sysmon Event";
  std::uint64_t mismatched_files = 0;
  auto refuse = [&](InputFile& f, const std::string& why) {
    if (is_named(f)) {
      std::fprintf(stderr, "rareconn: '%s' cannot be read by the %s hunt: %s\n", f.path.c_str(), report_hunt_name(is_mde),
                   why.c_str());
      return false;
    }
    std::fprintf(stderr, "rareconn: warning: skipping '%s': %s\n", f.path.c_str(), why.c_str());
    f.skipped = true;
    ++mismatched_files;
    return true;
  };
  for (InputFile& f : files) {
    if (f.skipped || f.bytes().empty()) continue;
    std::string why;
    if (is_mde && (f.format == parsers::InputFormat::kEvtx || f.format == parsers::InputFormat::kXml)) {
      why = std::string(f.format == parsers::InputFormat::kEvtx ? "an EVTX file" : "event XML") +
            " holds Windows events, not DeviceNetworkEvents rows (use --hunt sysmon)";
    } else if (f.format == parsers::InputFormat::kCsv) {
      const std::vector<std::string> missing = missing_columns(plan.projection, required, [&](std::size_t slot) {
        for (const std::string& n : plan.projection.fields[slot].names) {
          if (has_column(f, n)) return true;
        }
        return false;
      });
      if (!missing.empty()) {
        why = "its header lacks the " + std::string(table_name) + " column" + (missing.size() > 1 ? "s " : " ") +
              join_names(missing) + " that the query reads";
      }
    }
    if (!why.empty() && !refuse(f, why)) return kExitInput;
  }
  auto fitting_files = [&] {
    return std::count_if(files.begin(), files.end(), [](const InputFile& f) { return !f.skipped && !f.bytes().empty(); });
  };
  if (fitting_files() == 0) {
    std::fprintf(stderr, "rareconn: no input holds data the %s hunt reads (a %s table)\n", report_hunt_name(is_mde),
                 table_name);
    return kExitInput;
  }

  std::vector<std::string> needles;
  if (is_mde) {
    needles = opt.default_allow ? core::default_allow_needles() : std::vector<std::string>{};
    needles.insert(needles.end(), opt.allow.begin(), opt.allow.end());
  }
  const core::HasAnyMatcher allow(needles);
  core::WindowConfig wc;
  wc.now = opt.now;
  wc.lookback = opt.lookback;
  wc.recent = opt.recent;
  wc.threshold = opt.threshold;
  wc.track_set = is_mde;
  wc.recent_within_lookback = !is_mde;
  // 3 + 4. Chunks, then the parallel parse + filter + partial aggregation. CSV chunks are cut by
  // quote parity, which is exact for well-formed quoting; a file whose records turn out not to end
  // where the next chunk begins (a stray quote) is scanned again, whole, as one chunk.
  const std::uint64_t chunk_size =
      opt.chunk_size ? opt.chunk_size : std::clamp<std::uint64_t>(report.bytes / (threads * 16ull), 1ull << 18, 8ull << 20);
  std::optional<core::WindowShared> shared_storage;
  tbb::enumerable_thread_specific<std::unique_ptr<Worker>> workers;
  std::vector<char> whole_file(files.size(), 0);
  std::uint64_t rescanned_files = 0;
  for (int attempt = 0;; ++attempt) {
    shared_storage.emplace(wc);
    workers.clear();
    std::vector<Chunk> chunks;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string_view d = files[i].bytes();
      if (d.empty()) continue;
      const auto fi = static_cast<std::uint32_t>(i);
      switch (files[i].format) {
        case parsers::InputFormat::kCsv:
          plan_csv_chunks(fi, d, files[i].header.data_offset, whole_file[i] ? d.size() : chunk_size, chunks);
          break;
        case parsers::InputFormat::kJson:
          if (files[i].json_lines) plan_line_chunks(fi, d, parsers::bom_length(d), chunk_size, chunks);
          else chunks.push_back({fi, parsers::bom_length(d), d.size()});
          break;
        case parsers::InputFormat::kXml:
          plan_xml_chunks(fi, d, chunk_size, chunks, plan.max_record_bytes);
          break;
        case parsers::InputFormat::kEvtx:
          for (std::size_t k = 0; k < parsers::evtx_chunk_slots(d); ++k) chunks.push_back({fi, k, k + 1});
          break;
        case parsers::InputFormat::kUnknown:
          break;
      }
    }
    if (attempt == 0) timer.mark("plan");
    std::vector<std::uint64_t> stop(chunks.size(), 0);
    std::atomic<std::uint64_t> bytes_done{0};
    {
      const bool show = opt.progress == Progress::kAlways || (opt.progress == Progress::kAuto && isatty(2));
      ProgressLine progress(show, report.bytes, bytes_done);
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
        std::unique_ptr<Worker>& wp = workers.local();
        if (!wp) wp = std::make_unique<Worker>(*shared_storage, plan, files.size());
        for (std::size_t ci = r.begin(); ci != r.end(); ++ci) {
          const Chunk& c = chunks[ci];
          try {
            stop[ci] = scan_chunk(*wp, plan, c, files);
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
      for (auto& wp : workers) {
        if (!wp) continue;
        for (std::size_t i = 0; i < files.size(); ++i) seen[i] |= wp->json_slots_seen[i];
      }
      for (std::size_t i = 0; i < files.size(); ++i) {
        InputFile& f = files[i];
        if (f.skipped || f.format != parsers::InputFormat::kJson || !(seen[i] & kJsonHadRecord)) continue;
        const std::vector<std::string> missing =
            missing_columns(plan.projection, required, [&](std::size_t slot) { return (seen[i] >> slot & 1) != 0; });
        if (missing.empty()) continue;
        const std::string why = "no record holds the " + std::string(table_name) + " field" +
                                (missing.size() > 1 ? "s " : " ") + join_names(missing) + " that the query reads";
        if (!refuse(f, why)) return kExitInput;
        again = true;  // scanned again without it
      }
      if (again && fitting_files() == 0) {
        std::fprintf(stderr, "rareconn: no input holds data the %s hunt reads (a %s table)\n", report_hunt_name(is_mde),
                     table_name);
        return kExitInput;
      }
    }
    if (!again) break;
  }
  if (mismatched_files) report.notes.push_back({"files_skipped_missing_columns", mismatched_files});
  if (rescanned_files) report.notes.push_back({"csv_files_rescanned_whole_for_stray_quotes", rescanned_files});
  core::WindowShared& shared = *shared_storage;
  timer.mark("parse");

  // 5. Gather the workers' counts and errors.
  std::vector<core::WindowPartial*> partials;
  std::vector<ScanError> errors, failures;
  core::Funnel funnel;
  std::vector<core::PivotCandidate> candidates;
  std::uint64_t unused_slots = 0, truncated_chunks = 0;
  for (auto& wp : workers) {
    if (!wp) continue;
    partials.push_back(&wp->partial);
    if (wp->mde) funnel.add(wp->mde->funnel());
    if (wp->sysmon) {
      funnel.add(wp->sysmon->funnel());
      candidates.insert(candidates.end(), wp->sysmon->candidates().begin(), wp->sysmon->candidates().end());
    }
    report.malformed += wp->malformed;
    unused_slots += wp->evtx_unused_slots;
    truncated_chunks += wp->evtx_truncated_chunks;
    errors.insert(errors.end(), wp->errors.begin(), wp->errors.end());
    failures.insert(failures.end(), wp->failures.begin(), wp->failures.end());
  }
  if (!read_faults_ok(files)) return kExitInput;
  if (!failures.empty()) {
    std::sort(failures.begin(), failures.end());
    for (const ScanError& e : failures) {
      std::fprintf(stderr, "rareconn: '%s' at byte %llu: %s\n", files[e.file].path.c_str(),
                   static_cast<unsigned long long>(e.offset), e.reason.c_str());
    }
    return kExitInput;
  }
  note_grown_files(files, report);
  std::sort(errors.begin(), errors.end());
  if (errors.size() > kKeptErrors) errors.resize(kKeptErrors);
  for (const ScanError& e : errors) {
    const InputFile& f = files[e.file];
    const bool binary = f.format == parsers::InputFormat::kEvtx;
    MalformedRecord m{f.path, e.offset, binary ? 0 : line_of(f.bytes(), e.offset), e.reason};
    m.evtx_chunk = e.evtx_chunk;
    m.evtx_record = e.evtx_record;
    report.first_malformed.push_back(std::move(m));
  }
  std::optional<core::Ticks> now = opt.now;
  if (!now && shared.any_time()) now = shared.newest();
  if (now) {
    std::erase_if(candidates, [&](const core::PivotCandidate& c) { return c.time <= *now - opt.lookback; });
  }

  // 6. Merge the partial aggregates, decide the rare keys, probe the recent partition. Under
  // --pivot kusto the merged pivot rows go through a second, small pass of the same engine.
  std::optional<core::WindowShared> pivot_shared;
  std::optional<core::WindowPartial> pivot_partial;
  std::optional<core::SysmonRecordFilter> pivot_filter;
  PivotRows pivot;
  if (!is_mde && plan.kusto_pivot) {
    pivot = kusto_pivot(files, candidates, plan.time);
    core::WindowConfig pc = wc;
    pc.now = now;
    pivot_shared.emplace(pc);
    pivot_partial.emplace(*pivot_shared);
    pivot_filter.emplace(plan.sysmon, *pivot_partial, false);
    if (now) {
      for (std::size_t g = 0; g < pivot.rows.size(); ++g) {
        const SysmonRow& row = pivot.rows[g];
        core::SysmonEvent e;
        e.time = row.time;
        e.source = row.columns[0];
        e.computer = row.columns[2];
        e.event_id = row.columns[5];
        e.destination_ip = row.field("DestinationIp");
        e.image = row.field("Image");
        pivot_filter->process(e, core::EventRef{g, 0, 0});
      }
    }
    partials = {&*pivot_partial};
    funnel.passed[core::kSysAfterPrivate] = pivot_filter->funnel().passed[core::kSysAfterPrivate];  // counted on the merged rows
    report.notes.push_back({"kusto_pivot_rows", pivot.rows.size()});
    report.notes.push_back({"events_merged_by_kusto_pivot", pivot.events - pivot.rows.size() - pivot.undecodable});
    if (pivot.undecodable) report.notes.push_back({"pivot_candidates_not_decodable", pivot.undecodable});
  } else if (!is_mde) {
    std::unordered_set<std::uint64_t> distinct;
    for (const auto& c : candidates) distinct.insert(c.pivot_hash);
    report.notes.push_back({"events_kusto_pivot_would_merge", candidates.size() - distinct.size()});
  }
  if (unused_slots) report.notes.push_back({"evtx_unused_chunk_slots", unused_slots});
  if (truncated_chunks) report.notes.push_back({"evtx_truncated_chunks_read_unverified", truncated_chunks});
  core::WindowMerger merger(pivot_shared ? *pivot_shared : shared, partials, is_mde ? &allow : nullptr);
  tbb::parallel_for(std::size_t{0}, merger.partition_count(), [&](std::size_t p) { merger.merge_partition(p); });
  merger.finish_merge();
  std::vector<std::vector<core::Finding>> per_task(merger.probe_task_count());
  std::vector<std::uint64_t> recent_per_task(merger.probe_task_count(), 0);
  tbb::parallel_for(std::size_t{0}, merger.probe_task_count(),
                    [&](std::size_t t) { merger.probe(t, per_task[t], recent_per_task[t]); });
  std::vector<core::Finding> findings;
  for (std::size_t t = 0; t < per_task.size(); ++t) {
    findings.insert(findings.end(), per_task[t].begin(), per_task[t].end());
    merger.add_recent_events(recent_per_task[t]);
  }
  tbb::parallel_sort(findings.begin(), findings.end(), [](const core::Finding& a, const core::Finding& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.file != b.file) return a.file < b.file;
    return a.offset < b.offset;
  });
  timer.mark("merge+join");

  report.hunt = is_mde ? "mde" : "sysmon";
  report.time_column = is_mde ? "Timestamp" : "TimeGenerated";
  report.funnel = core::funnel_report(funnel, is_mde ? std::span<const core::FunnelStepName>(core::kMdeFunnelSteps)
                                                        : std::span<const core::FunnelStepName>(core::kSysmonFunnelSteps));
  report.counts = merger.counts();
  report.now = now;
  report.now_given = opt.now.has_value();
  report.lookback = opt.lookback;
  report.recent = is_mde ? opt.recent : std::min(opt.recent, opt.lookback);
  report.threshold = opt.threshold;
  report.all_servers = !opt.servers_given;
  report.server_count = is_mde ? plan.mde.servers.size() : plan.sysmon.servers.size();
  report.allow_needles = needles.size();
  report.findings = findings.size();
  report.threads = threads;

  if (opt.strict && report.malformed > 0) {
    report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_summary(stderr, report);
    const MalformedRecord& m = report.first_malformed.front();
    std::fprintf(stderr, "rareconn: malformed record in %s at %s%llu (byte %llu): %s (--strict)\n", m.path.c_str(),
                 m.line ? "line " : "byte ", static_cast<unsigned long long>(m.line ? m.line : m.offset),
                 static_cast<unsigned long long>(m.offset), m.reason.c_str());
    return kExitInput;
  }

  // 7. Decode the findings' records and build Kusto's output table.
  FindingsTable table;
  if (is_mde) {
    table = build_findings_table(files, findings, merger.rare_keys(), core::mde_key_columns(plan.mde), true,
                                 core::mde_datetime_columns());
  } else {
    std::vector<SysmonRow> rows(findings.size());
    if (plan.kusto_pivot) {
      for (std::size_t i = 0; i < findings.size(); ++i) rows[i] = pivot.rows[findings[i].offset];
    } else {
      std::vector<RowRef> refs;
      for (const core::Finding& f : findings) refs.push_back({f.file, f.offset, f.length, f.time});
      std::vector<char> ok;
      decode_sysmon_rows(files, refs, plan.time, rows, ok);
      const auto bad = static_cast<std::uint64_t>(std::count(ok.begin(), ok.end(), 0));
      if (bad) {  // cannot happen for records the scan decoded; said rather than hidden
        report.notes.push_back({"findings_not_decodable_again", bad});
        std::fprintf(stderr, "rareconn: warning: %llu findings could not be decoded again; their columns are empty\n",
                     static_cast<unsigned long long>(bad));
      }
    }
    table = build_sysmon_table(rows, findings, merger.rare_keys(), core::sysmon_key_columns(plan.sysmon),
                               opt.rule_parse_greedy);
  }
  timer.mark("decode");

  // 8. Write.
  if (!read_faults_ok(files)) return kExitInput;  // the findings' records were read again
  std::FILE* stream = out.stream();
  opt.format == OutputFormat::kCsv     ? write_csv(stream, table)
  : opt.format == OutputFormat::kJsonl ? write_jsonl(stream, table)
                                       : write_table(stream, table);
  bool broken_pipe = false;
  if (!out.commit(error, broken_pipe)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  timer.mark("write");
  report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  print_summary(stderr, report);
  if (!opt.stats_file.empty()) {
    const std::string json = stats_json(report);
    bool unused = false;
    if (std::fwrite(json.data(), 1, json.size(), stats_out.stream()) != json.size() || !stats_out.commit(error, unused)) {
      if (error.empty()) error = "cannot write '" + opt.stats_file + "': " + std::strerror(errno);
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
  }
  if (opt.fail_on_findings && !findings.empty()) return kExitFindings;
  return kExitOk;
}

}  // namespace rareconn::scanner
