// Phase 5: gather and merge. phase_gather collects the workers' funnels, hunt states and errors (a
// read failure or a file that shrank while read ends the run); phase_merge fixes `now`, lets the
// hunt prepare its merge, merges the partial aggregates (the workers', or those loaded from saved
// partials) in parallel partitions, decides the rare keys (threshold, the hunt's key filter),
// probes the recent partition in parallel slices, frees the partials' key state and sorts the
// findings.
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstdio>

#include "scanner/scan_phases.hpp"

namespace rareconn::scanner {

namespace {

// A file that grew during the scan was read up to its size when opened; the summary says so.
void note_grown_files(const std::vector<InputFile>& files, ScanReport& report) {
  std::uint64_t grown = 0;
  for (const InputFile& f : files) {
    struct stat st;
    if (f.skipped || stat(f.path.c_str(), &st) != 0) continue;
    if (static_cast<std::uint64_t>(st.st_size) > f.id.size && !f.streamed) {
      std::fprintf(stderr, "rareconn: warning: '%s' grew while it was read: its first %llu bytes were read\n",
                   f.path.c_str(), static_cast<unsigned long long>(f.id.size));
      ++grown;
    }
  }
  if (grown) report.notes.push_back({"files_grown_during_scan_read_to_size_at_open", grown});
}

}  // namespace

bool read_faults_ok(const std::vector<InputFile>& files) {
  bool ok = true;
  for (const InputFile& f : files) {
    if (!f.reopen_error.empty()) std::fprintf(stderr, "rareconn: %s\n", f.reopen_error.c_str()), ok = false;
    const std::optional<std::uint64_t> at = f.shrank.at();
    if (!at) continue;
    struct stat st;
    const long long now_size = stat(f.path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
    std::fprintf(stderr, "rareconn: '%s' shrank while it was read (truncated or rewritten by another program): "
                 "bytes from %llu of %llu could not be read%s%lld bytes now); scan it again once it is complete\n",
                 f.path.c_str(), static_cast<unsigned long long>(*at), static_cast<unsigned long long>(f.id.size),
                 now_size >= 0 ? " (" : "", now_size);
    ok = false;
  }
  return ok;
}

PhaseResult phase_gather(ScanRun& run) {
  const std::vector<InputFile>& files = run.files;
  ScanReport& report = run.report;
  hunts::Hunt& hunt = *run.hunt;
  std::vector<ScanError> errors, failures;
  std::uint64_t other_table_records = 0, evtx_lost = 0, evtx_chunks = 0;
  for (auto& wp : run.workers) {
    if (!wp) continue;
    wp->partial.publish_newest();  // the merge reads the shared newest time
    run.partials.push_back(&wp->partial);
    hunts::HuntWorker& hw = wp->hunt->hunt_worker();
    run.funnel.add(hw.funnel());
    hunt.merge(hw);
    report.malformed += wp->malformed;
    run.evtx_unused_slots += wp->evtx_unused_slots;
    run.evtx_truncated_chunks += wp->evtx_truncated_chunks;
    other_table_records += wp->other_table_records;
    evtx_lost += wp->evtx_records_in_damaged_chunks;
    evtx_chunks += wp->evtx_damaged_chunks;
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
  if (other_table_records) report.notes.push_back({"records_of_other_tables", other_table_records});
  if (evtx_chunks) report.notes.push_back({"evtx_damaged_chunks_skipped", evtx_chunks});
  if (evtx_lost) report.notes.push_back({"evtx_records_in_damaged_chunks_not_read", evtx_lost});
  std::sort(errors.begin(), errors.end());
  if (errors.size() > kKeptErrors) errors.resize(kKeptErrors);
  // The errors are in file and offset order: each file's lines are counted in one pass. (A
  // block-streamed file's lines are known only in its first bytes, kept for detection.)
  std::vector<std::uint64_t> offsets, lines;
  for (std::size_t first = 0; first < errors.size();) {
    const InputFile& f = files[errors[first].file];
    std::size_t last = first;
    offsets.clear();
    for (; last < errors.size() && errors[last].file == errors[first].file; ++last) offsets.push_back(errors[last].offset);
    lines = lines_of_offsets(f, offsets);
    for (std::size_t k = first; k < last; ++k) {
      const ScanError& e = errors[k];
      MalformedRecord m{f.path, e.offset, lines[k - first], e.reason};
      m.evtx_chunk = e.evtx_chunk;
      m.evtx_record = e.evtx_record;
      report.first_malformed.push_back(std::move(m));
    }
    first = last;
  }
  run.timer.mark("gather");
  return std::nullopt;
}

PhaseResult phase_merge(ScanRun& run) {
  ScanReport& report = run.report;
  hunts::Hunt& hunt = *run.hunt;
  hunts::MergeInput in;
  core::Funnel funnel = run.funnel;
  core::WindowShared& shared = *run.shared;
  in.partials = run.partials;
  in.shared = &shared;
  in.funnel = &funnel;
  in.now = run.opt.now;
  if (!in.now && shared.any_time()) in.now = shared.newest();
  run.reader.emplace(run.files, run.plan.projection);
  hunt.before_merge(in, *run.reader, report.notes);
  if (run.evtx_unused_slots) report.notes.push_back({"evtx_unused_chunk_slots", run.evtx_unused_slots});
  if (run.evtx_truncated_chunks) {
    report.notes.push_back({"evtx_truncated_chunks_read_unverified", run.evtx_truncated_chunks});
  }

  run.merger.emplace(*in.shared, in.partials, hunt.key_filter());
  core::WindowMerger& merger = *run.merger;
  tbb::parallel_for(std::size_t{0}, merger.partition_count(), [&](std::size_t p) { merger.merge_partition(p); });
  merger.finish_merge();
  // The probe in two passes: each task counts its findings, then writes them at its place in the
  // one array of findings (no vector per task, no copy into the whole).
  const std::size_t tasks = merger.probe_task_count();
  std::vector<std::size_t> first(tasks + 1, 0);
  std::vector<std::uint64_t> recent_per_task(tasks, 0);
  tbb::parallel_for(std::size_t{0}, tasks, [&](std::size_t t) { first[t + 1] = merger.probe_count(t, recent_per_task[t]); });
  for (std::size_t t = 0; t < tasks; ++t) {
    first[t + 1] += first[t];
    merger.add_recent_events(recent_per_task[t]);
  }
  std::vector<core::Finding>& findings = run.findings;
  findings.resize(first[tasks]);
  tbb::parallel_for(std::size_t{0}, tasks, [&](std::size_t t) { merger.probe_into(t, findings.data() + first[t]); });
  merger.release_partials();
#if defined(__GLIBC__)
  malloc_trim(0);  // the partials' pages back to the system before the findings' rows are built
#endif
  tbb::parallel_sort(findings.begin(), findings.end(), [](const core::Finding& a, const core::Finding& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.file != b.file) return a.file < b.file;
    return a.offset < b.offset;
  });
  report.funnel = core::funnel_report(funnel, hunt.funnel_steps());
  report.now = in.now;
  run.timer.mark("merge+join");
  return std::nullopt;
}

}  // namespace rareconn::scanner
