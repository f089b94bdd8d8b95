// The scan driver (see scan.hpp for the thread diagram). Owns every thread of the program.
#include "scanner/scan.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
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

std::uint64_t line_of(std::string_view data, std::uint64_t offset) {
  return 1 + static_cast<std::uint64_t>(std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

int run_scan(const ScanOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  PhaseTimer timer;
  std::string error;

  // 0. The output file is opened first: a wrong path should not wait for a long scan.
  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out_file(nullptr, &std::fclose);
  if (!opt.output.empty() && opt.output != "-") {
    out_file.reset(std::fopen(opt.output.c_str(), "wb"));
    if (!out_file) {
      std::fprintf(stderr, "rareconn: cannot write '%s': %s\n", opt.output.c_str(), std::strerror(errno));
      return kExitInput;
    }
    out = out_file.get();
  }

  // 1. Inputs: discover, map, detect.
  std::vector<std::string> paths, named;
  if (!discover_inputs(opt.inputs, paths, named, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  if (paths.empty()) {
    std::fprintf(stderr, "rareconn: no input files found in the given directories\n");
    return kExitInput;
  }
  std::vector<InputFile> files(paths.size());
  ScanReport report;
  const unsigned threads = opt.threads ? opt.threads : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files[i].path = paths[i];
    if (!files[i].map.open(files[i].path, error)) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
  }
  // gzip and zstd files are decompressed into memory, in parallel.
  std::vector<std::string> decompress_errors(files.size());
  tbb::parallel_for(std::size_t{0}, files.size(), [&](std::size_t i) {
    const Compression c = detect_compression(files[i].map.bytes());
    if (c == Compression::kNone) return;
    files[i].compressed = decompress(files[i].map.bytes(), c, files[i].decompressed, decompress_errors[i]);
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
    for (const InputFile& f : files) {
      if (f.format == parsers::InputFormat::kCsv && !has_column(f, "Timestamp") && !has_column(f, "TimeGenerated") &&
          !has_column(f, "TimeGenerated [UTC]") && !has_column(f, "TimeGenerated [Local Time]")) {
        std::fprintf(stderr, "rareconn: warning: '%s' has no Timestamp or TimeGenerated column: its rows have no time\n",
                     f.path.c_str());
      }
    }
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
          plan_xml_chunks(fi, d, chunk_size, chunks);
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
          stop[ci] = scan_chunk(*wp, plan, chunks[ci], files);
          const Chunk& c = chunks[ci];
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
    if (!again) break;
  }
  if (rescanned_files) report.notes.push_back({"csv_files_rescanned_whole_for_stray_quotes", rescanned_files});
  core::WindowShared& shared = *shared_storage;
  timer.mark("parse");

  // 5. Gather the workers' counts and errors.
  std::vector<core::WindowPartial*> partials;
  std::vector<ErrorSite> errors;
  core::MdeFunnel mde_funnel;
  core::SysmonFunnel sysmon_funnel;
  std::vector<core::PivotCandidate> candidates;
  std::uint64_t unused_slots = 0, truncated_chunks = 0;
  for (auto& wp : workers) {
    if (!wp) continue;
    partials.push_back(&wp->partial);
    if (wp->mde) mde_funnel.add(wp->mde->funnel());
    if (wp->sysmon) {
      sysmon_funnel.add(wp->sysmon->funnel());
      candidates.insert(candidates.end(), wp->sysmon->candidates().begin(), wp->sysmon->candidates().end());
    }
    report.malformed += wp->malformed;
    unused_slots += wp->evtx_unused_slots;
    truncated_chunks += wp->evtx_truncated_chunks;
    errors.insert(errors.end(), wp->errors.begin(), wp->errors.end());
  }
  std::sort(errors.begin(), errors.end());
  if (errors.size() > kKeptErrors) errors.resize(kKeptErrors);
  for (const ErrorSite& e : errors) {
    const InputFile& f = files[e.file];
    const bool binary = f.format == parsers::InputFormat::kEvtx;
    report.first_malformed.push_back({f.path, e.offset, binary ? 0 : line_of(f.bytes(), e.offset), e.reason});
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
    sysmon_funnel.after_private = pivot_filter->funnel().after_private;  // counted on the merged rows
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
  report.funnel = is_mde ? mde_funnel.steps() : sysmon_funnel.steps();
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
  bool ok = opt.format == OutputFormat::kCsv     ? write_csv(out, table)
            : opt.format == OutputFormat::kJsonl ? write_jsonl(out, table)
                                                 : write_table(out, table);
  ok = (std::fflush(out) == 0) && ok;
  if (out_file) ok = (std::fclose(out_file.release()) == 0) && ok;
  if (!ok) {
    std::fprintf(stderr, "rareconn: writing the findings failed\n");
    return kExitInput;
  }
  timer.mark("write");
  report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  print_summary(stderr, report);
  if (!opt.stats_file.empty() && !write_stats_json(opt.stats_file, report, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  if (opt.fail_on_findings && !findings.empty()) return kExitFindings;
  return kExitOk;
}

}  // namespace rareconn::scanner
