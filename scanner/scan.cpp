// The scan driver (see scan.hpp for the thread diagram). Owns every thread of the program.
#include "scanner/scan.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "core/has_any.hpp"
#include "core/mde_hunt.hpp"
#include "core/window_aggregator.hpp"
#include "parsers/csv_reader.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/chunker.hpp"
#include "scanner/findings_table.hpp"
#include "scanner/findings_writer.hpp"
#include "scanner/input_file.hpp"
#include "scanner/input_discovery.hpp"
#include "scanner/mapped_file.hpp"
#include "scanner/summary.hpp"

namespace rareconn::scanner {

namespace {

constexpr int kExitOk = 0, kExitFindings = 1, kExitUsage = 2, kExitInput = 3;
constexpr std::size_t kKeptErrors = 10;

struct ErrorSite {
  std::uint32_t file;
  std::uint64_t offset;
  std::string reason;
  bool operator<(const ErrorSite& o) const { return file != o.file ? file < o.file : offset < o.offset; }
};

// Everything one thread owns during the parallel scan.
struct Worker {
  Worker(core::WindowShared& shared, const core::MdeOptions& mde, const parsers::Projection& projection,
         std::size_t file_count)
      : partial(shared), filter(mde, partial), json(projection), csv(file_count) {}
  core::WindowPartial partial;
  core::MdeRecordFilter filter;
  parsers::JsonRecordParser json;
  std::vector<std::unique_ptr<parsers::CsvRecordParser>> csv;
  std::uint64_t malformed = 0;
  std::vector<ErrorSite> errors;  // the earliest few by (file, offset)

  void note_error(std::uint32_t file, std::uint64_t offset, std::string reason) {
    ++malformed;
    errors.push_back({file, offset, std::move(reason)});
    if (errors.size() > 8 * kKeptErrors) {
      std::sort(errors.begin(), errors.end());
      errors.resize(kKeptErrors);
    }
  }
};

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (s.size() > 60) out += "...";
  return out;
}

std::uint64_t line_of(std::string_view data, std::uint64_t offset) {
  return 1 + static_cast<std::uint64_t>(std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// A progress line on stderr while the parallel scan runs.
class ProgressLine {
 public:
  ProgressLine(bool on, std::uint64_t total, const std::atomic<std::uint64_t>& done) : done_(done) {
    if (!on || total == 0) return;
    thread_ = std::thread([this, total] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        cv_.wait_for(lock, std::chrono::milliseconds(250));
        const double pct = 100.0 * static_cast<double>(done_.load()) / static_cast<double>(total);
        std::fprintf(stderr, "\rrareconn: scanning %5.1f%% of %.2f GB", pct, static_cast<double>(total) / 1e9);
        std::fflush(stderr);
      }
      std::fprintf(stderr, "\r%60s\r", "");
    });
  }
  ~ProgressLine() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  const std::atomic<std::uint64_t>& done_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// RARECONN_TIMING=1 prints the time of each phase on stderr (for profiling, not for tests).
class PhaseTimer {
 public:
  PhaseTimer() : on_(std::getenv("RARECONN_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}
  void mark(const char* phase) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "timing: %-10s %8.4f s\n", phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

int run_scan(const ScanOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  PhaseTimer timer;
  std::string error;
  if (opt.hunt == "sysmon") {
    std::fprintf(stderr, "rareconn: the sysmon hunt is not implemented yet (only --hunt mde)\n");
    return kExitUsage;
  }

  // 1. Inputs: discover, map, detect.
  std::vector<std::string> paths;
  if (!discover_inputs(opt.inputs, paths, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  if (paths.empty()) {
    std::fprintf(stderr, "rareconn: no input files found in the given directories\n");
    return kExitInput;
  }
  std::vector<InputFile> files(paths.size());
  ScanReport report;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    InputFile& f = files[i];
    f.path = paths[i];
    if (!f.map.open(f.path, error)) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
    const std::string_view d = f.map.bytes();
    report.bytes += d.size();
    if (opt.input_format == "csv") f.format = parsers::InputFormat::kCsv;
    else if (opt.input_format == "json") f.format = parsers::InputFormat::kJson;
    else f.format = parsers::detect_format(d);
    if (d.empty()) continue;
    if (f.format == parsers::InputFormat::kUnknown) {
      std::fprintf(stderr, "rareconn: cannot tell the format of '%s' from its content (expected a CSV header or JSON); "
                   "use --input-format csv|json\n", f.path.c_str());
      return kExitInput;
    }
    if (f.format == parsers::InputFormat::kCsv) {
      f.header = parsers::parse_csv_header(d);
      if (f.header.error != parsers::ParseError::kNone) {
        std::fprintf(stderr, "rareconn: '%s': the CSV header cannot be read (%s)\n", f.path.c_str(), parsers::describe(f.header.error));
        return kExitInput;
      }
      const auto& c = f.header.columns;
      if (std::find(c.begin(), c.end(), "Timestamp") == c.end() && std::find(c.begin(), c.end(), "TimeGenerated") == c.end()) {
        std::fprintf(stderr, "rareconn: warning: '%s' has no Timestamp or TimeGenerated column: its rows have no time\n", f.path.c_str());
      }
    } else {
      f.json_lines = parsers::json_is_line_delimited(d);
    }
  }
  report.files = paths;

  // 2. The hunt.
  core::MdeOptions mde;
  if (opt.servers_given) mde.servers = core::ServerSet(opt.servers, opt.server_match);
  mde.by = opt.by;
  mde.per_server = opt.per_server;
  std::vector<std::string> needles = opt.default_allow ? core::default_allow_needles() : std::vector<std::string>{};
  needles.insert(needles.end(), opt.allow.begin(), opt.allow.end());
  const core::HasAnyMatcher allow(needles);
  core::WindowConfig wc;
  wc.now = opt.now;
  wc.lookback = opt.lookback;
  wc.recent = opt.recent;
  wc.threshold = opt.threshold;
  wc.track_set = true;
  core::WindowShared shared(wc);
  parsers::Projection projection;
  for (auto& names : core::mde_field_names()) projection.fields.push_back({names});

  // 3. Threads and chunks.
  const unsigned threads = opt.threads ? opt.threads : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  const std::uint64_t chunk_size = opt.chunk_size
                                       ? opt.chunk_size
                                       : std::clamp<std::uint64_t>(report.bytes / (threads * 16ull), 1ull << 18, 8ull << 20);
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string_view d = files[i].map.bytes();
    if (d.empty()) continue;
    const auto fi = static_cast<std::uint32_t>(i);
    if (files[i].format == parsers::InputFormat::kCsv) {
      plan_csv_chunks(fi, d, files[i].header.data_offset, chunk_size, chunks);
    } else if (files[i].json_lines) {
      plan_line_chunks(fi, d, parsers::bom_length(d), chunk_size, chunks);
    } else {
      chunks.push_back({fi, parsers::bom_length(d), d.size()});
    }
  }

  timer.mark("plan");
  // 4. Parallel parse + filter + partial aggregation.
  tbb::enumerable_thread_specific<std::unique_ptr<Worker>> workers;
  std::atomic<std::uint64_t> bytes_done{0};
  {
    const bool show = opt.progress == Progress::kAlways || (opt.progress == Progress::kAuto && isatty(2));
    ProgressLine progress(show, report.bytes, bytes_done);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
      std::unique_ptr<Worker>& wp = workers.local();
      if (!wp) wp = std::make_unique<Worker>(shared, mde, projection, files.size());
      Worker& w = *wp;
      for (std::size_t ci = r.begin(); ci != r.end(); ++ci) {
        const Chunk& c = chunks[ci];
        const InputFile& f = files[c.file];
        const std::string_view d = f.map.bytes();
        auto on_record = [&](const parsers::RecordView& rv) {
          if (w.filter.process(rv.values, core::EventRef{rv.offset, c.file, rv.length}) == core::RecordStatus::kBadTime) {
            w.note_error(c.file, rv.offset,
                         "time '" + printable(rv.values[core::kMdeTime]) + "' is not an ISO 8601 date-time");
          }
        };
        auto on_error = [&](std::uint64_t offset, parsers::ParseError e) { w.note_error(c.file, offset, parsers::describe(e)); };
        if (f.format == parsers::InputFormat::kCsv) {
          auto& p = w.csv[c.file];
          if (!p) p = std::make_unique<parsers::CsvRecordParser>(f.header, projection);
          p->parse(d, c.begin, c.end, on_record, on_error);
        } else {
          w.json.parse(d, c.begin, c.end, f.json_lines, on_record, on_error);
        }
        bytes_done.fetch_add(c.end - c.begin, std::memory_order_relaxed);
      }
    });
  }

  timer.mark("parse");
  // 5. Merge the partial aggregates, decide the rare keys, probe the recent partition.
  std::vector<core::WindowPartial*> partials;
  std::vector<ErrorSite> errors;
  core::MdeFunnel mde_funnel;
  for (auto& wp : workers) {
    if (!wp) continue;
    partials.push_back(&wp->partial);
    mde_funnel.add(wp->filter.funnel());
    report.malformed += wp->malformed;
    errors.insert(errors.end(), wp->errors.begin(), wp->errors.end());
  }
  std::sort(errors.begin(), errors.end());
  if (errors.size() > kKeptErrors) errors.resize(kKeptErrors);
  for (const ErrorSite& e : errors) {
    const std::string_view d = files[e.file].map.bytes();
    report.first_malformed.push_back({files[e.file].path, e.offset, line_of(d, e.offset), e.reason});
  }

  core::WindowMerger merger(shared, partials, &allow);
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
  report.hunt = "mde";
  report.funnel = mde_funnel.steps();
  report.counts = merger.counts();
  report.now = merger.now();
  report.now_given = opt.now.has_value();
  report.lookback = opt.lookback;
  report.recent = opt.recent;
  report.threshold = opt.threshold;
  report.all_servers = !opt.servers_given;
  report.server_count = mde.servers.size();
  report.allow_needles = needles.size();
  report.findings = findings.size();
  report.threads = threads;

  if (opt.strict && report.malformed > 0) {
    report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_summary(stderr, report);
    const MalformedRecord& m = report.first_malformed.front();
    std::fprintf(stderr, "rareconn: malformed record in %s at line %llu (byte %llu): %s (--strict)\n", m.path.c_str(),
                 static_cast<unsigned long long>(m.line), static_cast<unsigned long long>(m.offset), m.reason.c_str());
    return kExitInput;
  }

  // 6. Decode the findings' records and build Kusto's output table.
  const FindingsTable table = build_findings_table(files, findings, merger.rare_keys(), core::mde_key_columns(mde), true);
  timer.mark("decode");
  // 7. Write.
  std::FILE* out = stdout;
  if (!opt.output.empty() && opt.output != "-") {
    out = std::fopen(opt.output.c_str(), "wb");
    if (!out) {
      std::fprintf(stderr, "rareconn: cannot write '%s'\n", opt.output.c_str());
      return kExitInput;
    }
  }
  bool ok = opt.format == OutputFormat::kCsv     ? write_csv(out, table)
            : opt.format == OutputFormat::kJsonl ? write_jsonl(out, table)
                                                 : write_table(out, table);
  ok = (std::fflush(out) == 0) && ok;
  if (out != stdout) ok = (std::fclose(out) == 0) && ok;
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
