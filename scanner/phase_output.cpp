// Phase 6: the output. Fills the summary, applies --strict, asks the hunt for its result table
// (its records read again in parallel), writes it atomically (or only its row count, --format
// count), then the summary and --stats.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "scanner/findings_writer.hpp"
#include "scanner/scan_phases.hpp"

namespace rareconn::scanner {

double ScanRun::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

PhaseResult phase_output(ScanRun& run) {
  const ScanOptions& opt = run.opt;
  ScanReport& report = run.report;
  hunts::Hunt& hunt = *run.hunt;
  const core::WindowConfig& window = hunt.window_config();
  report.hunt = run.entry->name;
  report.time_column = std::string(hunt.time_column());
  report.counts = run.merger->counts();
  report.now_given = opt.now.has_value();
  report.lookback = opt.lookback;
  report.recent = window.recent_within_lookback ? std::min(opt.recent, opt.lookback) : opt.recent;
  report.threshold = opt.threshold;
  report.all_servers = !opt.servers_given;
  report.server_count = hunt.server_count();
  report.allow_needles = hunt.allow_needles();
  report.findings = run.findings.size();
  report.threads = run.threads;

  if (opt.strict && report.malformed > 0) {
    report.elapsed_s = run.elapsed();
    print_summary(stderr, report);
    const MalformedRecord& m = report.first_malformed.front();
    std::fprintf(stderr, "rareconn: malformed record in %s at %s%llu (byte %llu): %s (--strict)\n", m.path.c_str(),
                 m.line ? "line " : "byte ", static_cast<unsigned long long>(m.line ? m.line : m.offset),
                 static_cast<unsigned long long>(m.offset), m.reason.c_str());
    return kExitInput;
  }

  std::FILE* stream = run.out.stream();
  if (opt.format == OutputFormat::kCount) {
    // The result table has one row per finding (FindingsTable::size()), so its row count is known
    // without reading the records again.
    std::fprintf(stream, "%zu\n", run.findings.size());
  } else {
    const FindingsTable table = hunt.findings_table(run.findings, run.merger->rare_keys(), *run.reader, report.notes);
    run.timer.mark("decode");
    if (!read_faults_ok(run.files)) return kExitInput;  // the findings' records were read again
    opt.format == OutputFormat::kCsv     ? write_csv(stream, table)
    : opt.format == OutputFormat::kJsonl ? write_jsonl(stream, table)
                                         : write_table(stream, table, hunt.preferred_columns());
  }
  std::string error;
  bool broken_pipe = false;
  if (!run.out.commit(error, broken_pipe)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  run.timer.mark("write");
  report.elapsed_s = run.elapsed();
  print_summary(stderr, report);
  if (!opt.stats_file.empty()) {
    const std::string json = stats_json(report);
    bool unused = false;
    if (std::fwrite(json.data(), 1, json.size(), run.stats_out.stream()) != json.size() || !run.stats_out.commit(error, unused)) {
      if (error.empty()) error = "cannot write '" + opt.stats_file + "': " + std::strerror(errno);
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
  }
  if (opt.fail_on_findings && !run.findings.empty()) return kExitFindings;
  return kExitOk;
}

}  // namespace rareconn::scanner
