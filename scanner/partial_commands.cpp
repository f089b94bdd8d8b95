// The partial, merge, report and inspect commands (see the header). A partial is built after the
// scan's gather phase; saved partials are loaded into the same ScanRun the scan's merge and
// output phases finish, so that `report` writes what `scan` writes.
#include "scanner/partial_commands.hpp"

#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "scanner/file_bytes.hpp"
#include "scanner/partial_file.hpp"
#include "scanner/scan_phases.hpp"
#include "scanner/state_manifest.hpp"

namespace rareconn::scanner {

namespace {

// Where a partial keeps a record read again: the record and its terminator, or for EVTX the
// 64 KiB chunk holding it (a record's templates live in its chunk), as (offset, length) in `d`.
std::pair<std::uint64_t, std::uint64_t> kept_range(const InputFile& f, const core::EventRef& ref) {
  if (f.format == parsers::InputFormat::kEvtx) {
    return {parsers::evtx_chunk_start(ref.offset), kEvtxChunk};
  }
  return {ref.offset, std::uint64_t{ref.length} + 2};
}

// The bytes of the records read again (recent rows, the hunt's kept records), by file and offset,
// copied into `buffer` (views into it). A plain file is opened again for them; false (said) when
// it can no longer be opened.
bool collect_kept(ScanRun& run, const std::vector<core::EventRef>& refs, std::string& buffer,
                  std::vector<std::vector<std::pair<std::uint64_t, std::string_view>>>& out) {
  std::vector<std::map<std::uint64_t, std::uint64_t>> wanted(run.files.size());  // offset -> length
  for (const core::EventRef& r : refs) {
    const auto [at, length] = kept_range(run.files[r.file], r);
    wanted[r.file].emplace(at, length);
  }
  std::vector<std::vector<std::pair<std::uint64_t, std::pair<std::size_t, std::size_t>>>> where(run.files.size());
  for (std::size_t i = 0; i < run.files.size(); ++i) {
    if (wanted[i].empty()) continue;
    const InputFile& f = run.files[i];
    FileContent holder;
    std::string_view d;
    std::string error;
    if (!f.block_streamed && !open_content(f, holder, d, error)) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return false;
    }
    for (const auto& [at, length] : wanted[i]) {
      std::string_view bytes;
      if (f.block_streamed) bytes = f.kept_record(at);
      else if (at < d.size()) bytes = d.substr(at, std::min<std::uint64_t>(length, d.size() - at));
      if (bytes.empty()) continue;
      where[i].push_back({at, {buffer.size(), bytes.size()}});
      buffer.append(bytes);
    }
  }
  out.assign(run.files.size(), {});
  for (std::size_t i = 0; i < run.files.size(); ++i) {
    for (const auto& [at, span] : where[i]) out[i].emplace_back(at, std::string_view(buffer).substr(span.first, span.second));
  }
  return true;
}

// The partial of a run whose window states are in run.partials (a scan's workers, or loaded).
std::optional<Partial> build_partial(ScanRun& run, const std::string& hunt_name) {
  Partial p;
  p.options = result_options(run.opt, hunt_name);
  core::WindowPartial combined(*run.shared);
  for (core::WindowPartial* w : run.partials) combined.absorb(*w);
  combined.prune_for_saving();
  if (run.opt.now || run.shared->any_time()) run.hunt->prune_state(run.opt.now ? *run.opt.now : run.shared->newest());
  std::vector<core::EventRef> refs;
  combined.for_each_recent([&](const core::EventRef& r) { refs.push_back(r); });
  run.hunt->kept_refs(refs);
  auto buffer = std::make_shared<std::string>();
  std::vector<std::vector<std::pair<std::uint64_t, std::string_view>>> kept;
  if (!collect_kept(run, refs, *buffer, kept)) return std::nullopt;
  p.storage = buffer;
  for (std::size_t i = 0; i < run.files.size(); ++i) {
    const InputFile& f = run.files[i];
    PartialInput in;
    in.path = f.path;
    in.format = static_cast<std::uint8_t>(f.format);
    in.skipped = f.skipped;
    if (f.format == parsers::InputFormat::kCsv) in.header = f.header().columns;
    in.kept = std::move(kept[i]);
    p.inputs.push_back(std::move(in));
  }
  p.bytes = run.report.bytes;
  p.funnel = run.funnel;
  p.malformed = run.report.malformed;
  p.first_malformed = run.report.first_malformed;
  for (const auto& note : run.report.notes) {
    // How much a streamed run kept in memory is not a count of the input.
    if (note.first != "streamed_recent_record_bytes_kept") p.notes.push_back(note);
  }
  p.evtx_unused_slots = run.evtx_unused_slots;
  p.evtx_truncated_chunks = run.evtx_truncated_chunks;
  core::ByteWriter w;
  combined.save(w);
  p.window = std::move(w.bytes());
  core::ByteWriter h;
  run.hunt->save_state(h);
  p.hunt_state = std::move(h.bytes());
  return p;
}

PhaseResult write_partial(ScanRun& run, const std::string& hunt_name) {
  if (run.opt.strict && run.report.malformed > 0) {
    const MalformedRecord& m = run.report.first_malformed.front();
    std::fprintf(stderr, "rareconn: malformed record in %s at byte %llu: %s (--strict)\n", m.path.c_str(),
                 static_cast<unsigned long long>(m.offset), m.reason.c_str());
    return kExitInput;
  }
  const std::optional<Partial> partial = build_partial(run, hunt_name);
  if (!partial) return kExitInput;
  const std::string bytes = encode_partial(*partial);
  std::string error;
  bool broken_pipe = false;
  if (std::fwrite(bytes.data(), 1, bytes.size(), run.out.stream()) != bytes.size() || !run.out.commit(error, broken_pipe)) {
    if (error.empty()) error = std::string("cannot write the partial: ") + std::strerror(errno);
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  return kExitOk;
}


// Reads and checks saved partials: exit 3 for an unreadable, foreign or damaged one, exit 2 when
// their options differ (the option named).

std::optional<int> read_partials(std::vector<std::string>& paths, std::vector<Partial>& parts) {
  parts.resize(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    FileBytes file;
    std::string error;
    if (!map_whole_file(paths[i], file, error)) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
    if (!decode_partial(file.bytes, std::move(file.owner), parts[i], error)) {
      std::fprintf(stderr, "rareconn: '%s' is not usable: %s\n", paths[i].c_str(), error.c_str());
      return kExitInput;
    }
    if (i > 0) {
      const std::string diff = result_options_difference(parts[0].options, parts[i].options);
      if (!diff.empty()) {
        std::fprintf(stderr, "rareconn: '%s' and '%s' were made with different options: %s; they cannot be merged\n",
                     paths[0].c_str(), paths[i].c_str(), diff.c_str());
        return kExitUsage;
      }
    }
  }
  // Partials of files that all were skipped name no hunt: the others' decides.
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (result_option(parts[0].options, "hunt") == kAnyHunt && result_option(parts[i].options, "hunt") != kAnyHunt) {
      std::swap(parts[0], parts[i]);
      std::swap(paths[0], paths[i]);
    }
  }
  return std::nullopt;
}

std::string hunt_of(const std::vector<Partial>& parts) { return result_option(parts[0].options, "hunt"); }

// Loads checked partials into `run` (whose options came from them) as a scan's gather phase leaves
// it: the files (their kept records only), the window state, the hunt's state and the summary.
PhaseResult load_partials(ScanRun& run, std::vector<Partial>& parts, const std::vector<std::string>& paths) {
  if (const PhaseResult stop = make_hunt(run)) return stop;
  struct Source {
    std::size_t part, input;
  };
  std::vector<Source> order;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (std::size_t j = 0; j < parts[i].inputs.size(); ++j) order.push_back({i, j});
  }
  std::sort(order.begin(), order.end(), [&](const Source& a, const Source& b) {
    return parts[a.part].inputs[a.input].path < parts[b.part].inputs[b.input].path;
  });
  std::vector<std::vector<std::uint32_t>> file_map(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) file_map[i].resize(parts[i].inputs.size());
  run.files = std::vector<InputFile>(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    PartialInput& in = parts[order[k].part].inputs[order[k].input];
    if (k > 0) {
      const Source& prev = order[k - 1];
      if (parts[prev.part].inputs[prev.input].path == in.path) {
        std::fprintf(stderr, "rareconn: '%s' is in two partials ('%s' and '%s'): each input must be in one\n",
                     in.path.c_str(), paths[prev.part].c_str(), paths[order[k].part].c_str());
        return kExitUsage;
      }
    }
    file_map[order[k].part][order[k].input] = static_cast<std::uint32_t>(k);
    InputFile& f = run.files[k];
    f.path = in.path;
    f.format = static_cast<parsers::InputFormat>(in.format);
    f.skipped = in.skipped;
    if (f.format == parsers::InputFormat::kCsv) {
      auto header = std::make_shared<parsers::CsvHeader>();
      header->columns = in.header;
      f.csv_header = std::move(header);
    }
    f.block_streamed = true;  // its bytes are not here: the records the partial kept
    f.compressed = true;      // in memory: `decompressed` (empty)
    f.kept = in.kept;
    run.report.files.push_back(in.path);
  }
  run.shared.emplace(run.hunt->window_config());
  run.loaded = std::make_unique<core::WindowPartial>(*run.shared);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Partial& p = parts[i];
    core::ByteReader wr(p.window), hr(p.hunt_state);
    // An empty hunt state: a hunt that keeps none, or a partial of skipped files only.
    const bool hunt_ok = p.hunt_state.empty() || (run.hunt->load_state(hr, file_map[i]) && hr.done());
    if (!run.loaded->load(wr, file_map[i]) || !wr.done() || !hunt_ok) {
      std::fprintf(stderr, "rareconn: '%s' is not usable: damaged: its window state does not parse\n", paths[i].c_str());
      return kExitInput;
    }
    run.funnel.add(p.funnel);
    run.report.bytes += p.bytes;
    run.report.malformed += p.malformed;
    run.report.first_malformed.insert(run.report.first_malformed.end(), p.first_malformed.begin(), p.first_malformed.end());
    add_notes(run.report.notes, p.notes);
    run.evtx_unused_slots += p.evtx_unused_slots;
    run.evtx_truncated_chunks += p.evtx_truncated_chunks;
  }
  auto& located = run.report.first_malformed;
  std::sort(located.begin(), located.end(), [](const MalformedRecord& a, const MalformedRecord& b) {
    return a.path != b.path ? a.path < b.path : a.offset < b.offset;
  });
  if (located.size() > kKeptErrors) located.resize(kKeptErrors);
  run.partials = {run.loaded.get()};
  return std::nullopt;
}

// The scan options a set of partials was made with, and the command line's output options.
std::optional<int> options_of(const Partial& first, const std::string& path, const ScanOptions& given,
                              ScanOptions& opt) {
  opt = given;
  std::string error;
  if (!apply_result_options(first.options, opt, error)) {
    std::fprintf(stderr, "rareconn: '%s' is not usable: %s\n", path.c_str(), error.c_str());
    return kExitInput;
  }
  if (opt.hunt == kAnyHunt) opt.hunt = "auto";  // only skipped files: any hunt reads them the same
  return std::nullopt;
}

unsigned thread_count(const ScanOptions& opt) {
  return opt.threads ? opt.threads : static_cast<unsigned>(tbb::info::default_concurrency());
}

}  // namespace


int run_partial(const ScanOptions& opt) {
  if (opt.output.empty()) {
    std::fprintf(stderr, "rareconn: partial: -o PART is required (where the partial is written)\n");
    return kExitUsage;
  }
  return partial_of_file(opt);
}

int compact_partial(const std::string& path, core::Ticks now_floor) {
  std::vector<std::string> paths{path};
  std::vector<Partial> parts;
  if (const auto stop = read_partials(paths, parts)) return *stop;
  ScanOptions given;
  given.output = path;
  ScanOptions opt;
  if (const auto stop = options_of(parts[0], path, given, opt)) return *stop;
  ScanRun run(opt);
  run.threads = thread_count(opt);
  if (const PhaseResult stop = open_outputs(run)) return *stop;
  if (const PhaseResult stop = load_partials(run, parts, paths)) return *stop;
  run.shared->raise_newest(now_floor);
  return *write_partial(run, result_option(parts[0].options, "hunt"));
}

int run_merge(const std::string& output, const std::vector<std::string>& named) {
  std::vector<std::string> paths = named;
  std::vector<Partial> parts;
  if (const auto stop = read_partials(paths, parts)) return *stop;
  ScanOptions given;
  given.output = output;
  ScanOptions opt;
  if (const auto stop = options_of(parts[0], paths[0], given, opt)) return *stop;
  ScanRun run(opt);
  run.threads = thread_count(opt);
  if (const PhaseResult stop = open_outputs(run)) return *stop;
  if (const PhaseResult stop = load_partials(run, parts, paths)) return *stop;
  return *write_partial(run, hunt_of(parts));
}

int partial_of_file(const ScanOptions& opt) {
  ScanRun run(opt);
  run.threads = thread_count(opt);
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, run.threads);
  for (PhaseResult (*phase)(ScanRun&) : {open_outputs, phase_inputs, phase_hunt, phase_parse, phase_gather}) {
    if (const PhaseResult stop = phase(run)) {
      // Files found in a directory that do not hold the hunt's table (or are empty): a partial
      // that lists them as skipped, with the summary's counts of them, as a scan of their
      // directory would; with --hunt auto it names no hunt ("any"), so it merges with any.
      const bool all_skipped =
          !run.files.empty() && std::all_of(run.files.begin(), run.files.end(),
                                            [](const InputFile& f) { return f.skipped || !f.has_content(); });
      if (!(*stop == kExitInput && run.hunt && all_skipped)) return *stop;
      if (!opt.quiet_when_nothing_fits) {
        std::fprintf(stderr, "rareconn: no input here holds data the %s hunt reads: the partial lists %zu skipped "
                     "file%s\n", run.entry->name.c_str(), run.files.size(), run.files.size() == 1 ? "" : "s");
      }
      if (run.mismatched_files) run.report.notes.push_back({"files_skipped_missing_columns", run.mismatched_files});
      run.shared.emplace(run.hunt->window_config());
      run.workers.clear();
      run.partials.clear();
      run.funnel = core::Funnel{};
      return *write_partial(run, opt.hunt == "auto" ? std::string(kAnyHunt) : run.entry->name);
    }
  }
  return *write_partial(run, run.entry->name);
}

int run_report(const ScanOptions& given) {
  // Options that shape the result were fixed when the partials were made.
  const ResultOptions defaults = result_options(ScanOptions{}, "");
  const std::string diff = result_options_difference(defaults, result_options(given, ""));
  if (!diff.empty()) {
    std::fprintf(stderr, "rareconn: report takes the options that shape results from its partials; "
                 "give %s to `rareconn partial` instead\n", diff.substr(0, diff.find(' ')).c_str());
    return kExitUsage;
  }
  return report_partials(given);
}

int report_partials(const ScanOptions& given, const std::vector<std::pair<std::string, std::uint64_t>>& walk_notes) {
  std::vector<std::string> paths = given.inputs;
  std::vector<Partial> parts;
  if (const auto stop = read_partials(paths, parts)) return *stop;
  ScanOptions opt;
  if (const auto stop = options_of(parts[0], paths[0], given, opt)) return *stop;
  ScanRun run(opt);
  run.threads = thread_count(opt);
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, run.threads);
  if (const PhaseResult stop = open_outputs(run)) return *stop;
  if (const PhaseResult stop = load_partials(run, parts, paths)) return *stop;
  run.report.notes.insert(run.report.notes.begin(), walk_notes.begin(), walk_notes.end());
  if (run.fitting_files() == 0 && std::none_of(run.files.begin(), run.files.end(),
                                               [](const InputFile& f) { return !f.skipped; })) {
    std::fprintf(stderr, "rareconn: no input holds data the %s hunt reads (a %s table)\n", run.entry->name.c_str(),
                 std::string(run.hunt->table_name()).c_str());
    return kExitInput;
  }
  if (const PhaseResult stop = phase_merge(run)) return *stop;
  return *phase_output(run);
}

int run_inspect(const std::vector<std::string>& paths) {
  int status = kExitOk;
  for (const std::string& path : paths) {
    FileBytes file;
    std::string error;
    Partial p;
    const bool read = map_whole_file(path, file, error);
    const std::string_view bytes = file.bytes;
    if (read && bytes.substr(0, 8) == "RCSTATE\n") {
      StateManifest m;
      if (!decode_manifest(bytes, m, error)) {
        std::fprintf(stderr, "rareconn: '%s' is not usable: %s\n", path.c_str(), error.c_str());
        status = kExitInput;
        continue;
      }
      std::printf("%s: rareconn state manifest, format version %llu, %llu runs, %zu files\n", path.c_str(),
                  static_cast<unsigned long long>(kStateVersion), static_cast<unsigned long long>(m.runs), m.entries.size());
      std::printf("options:\n");
      for (const auto& [name, value] : m.options) std::printf("  --%s %s\n", name.c_str(), display_value(name, value).c_str());
      for (const StateEntry& e : m.entries) {
        std::printf("  %s: %llu bytes, hash %016llx, read by run %llu, newest event %s, %s\n", e.path.c_str(),
                    static_cast<unsigned long long>(e.size), static_cast<unsigned long long>(e.content_hash),
                    static_cast<unsigned long long>(e.run),
                    e.newest == core::WindowShared::kNoTime ? "(none)" : core::format_datetime(e.newest).c_str(),
                    e.part.empty() ? "pruned (before the windows)" : ("partial parts/" + e.part).c_str());
      }
      continue;
    }
    const std::size_t size = bytes.size();
    if (!read || !decode_partial(bytes, file.owner, p, error)) {
      std::fprintf(stderr, "rareconn: '%s' is not usable: %s\n", path.c_str(), error.c_str());
      status = kExitInput;
      continue;
    }
    std::printf("%s: rareconn partial, format version %llu, %zu bytes\n", path.c_str(),
                static_cast<unsigned long long>(kPartialVersion), size);
    std::printf("options:\n");
    for (const auto& [name, value] : p.options) std::printf("  --%s %s\n", name.c_str(), display_value(name, value).c_str());
    std::uint64_t kept = 0, kept_bytes = 0;
    for (const PartialInput& in : p.inputs) {
      kept += in.kept.size();
      for (const auto& k : in.kept) kept_bytes += k.second.size();
    }
    core::ByteReader r(p.window);
    const core::Ticks newest = r.svarint();
    std::printf("inputs: %zu (%llu bytes read), records: %llu, malformed: %llu\n", p.inputs.size(),
                static_cast<unsigned long long>(p.bytes), static_cast<unsigned long long>(p.funnel.records),
                static_cast<unsigned long long>(p.malformed));
    std::printf("newest event: %s\n", newest == core::WindowShared::kNoTime ? "(none)" : core::format_datetime(newest).c_str());
    std::printf("window state: %zu bytes; records kept for the findings: %llu (%llu bytes)\n", p.window.size(),
                static_cast<unsigned long long>(kept), static_cast<unsigned long long>(kept_bytes));
    for (const PartialInput& in : p.inputs) {
      std::printf("  %s%s: %zu records kept\n", in.path.c_str(), in.skipped ? " (skipped)" : "", in.kept.size());
    }
  }
  return status;
}

}  // namespace rareconn::scanner
