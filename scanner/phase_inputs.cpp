// Phase 1: the inputs. Discovers the files (directories walked), then sniffs them in parallel, a
// bounded number at a time: each is opened, its first bytes read (the whole file only when its
// format needs it: JSON, a CSV header longer than those bytes), its format detected, gzip and zstd
// ones decompressed, and closed again. Its size and identity are kept; the parse opens it again.
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <unordered_map>

#include <sys/stat.h>

#include "parsers/csv_reader.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/decompress.hpp"
#include "scanner/input_discovery.hpp"
#include "scanner/scan_phases.hpp"
#include "scanner/stream_decoder.hpp"

namespace rareconn::scanner {

namespace {

// Column names that any registered hunt reads.
std::vector<std::string> export_columns() {
  std::vector<std::string> known;
  for (const HuntEntry& e : hunt_registry()) {
    const std::unique_ptr<hunts::Hunt> hunt = e.make(hunts::RunOptions{});
    for (const auto& field : hunt->projection().fields) {
      known.insert(known.end(), field.names.begin(), field.names.end());
    }
  }
  return known;
}

// "a Defender or Sentinel Event export"
std::string export_names() {
  std::string out;
  for (const HuntEntry& e : hunt_registry()) {
    if (!out.empty()) out += " or ";
    out += e.make(hunts::RunOptions{})->export_name();
  }
  return "a " + out + " export";
}

// Column names that any registered hunt reads, listed once.
const std::vector<std::string>& known_columns() {
  static const std::vector<std::string> known = export_columns();
  return known;
}

// Does a CSV header name at least one column that a hunt reads?
bool is_export_header(const parsers::CsvHeader& h) {
  const std::vector<std::string>& known = known_columns();
  for (const std::string& c : h.columns) {
    if (std::find(known.begin(), known.end(), c) != known.end()) return true;
  }
  return false;
}

// Does the start of a JSON file name, as a key, at least one field that a hunt reads?
bool is_export_json(std::string_view d) {
  const std::string_view head = d.substr(0, 1 << 16);
  for (const std::string& c : known_columns()) {
    if (head.find("\"" + c + "\"") != std::string_view::npos) return true;
  }
  return false;
}

// Standard input ("-") and a FIFO named as a path are not mapped: they are read once, in order.
bool is_stream_path(const std::string& path) {
  if (path == "-") return true;
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace

// Reads a stream (standard input or a FIFO; gzip and zstd sniffed from the first bytes and
// decompressed through the streaming decoder) whole into `out`, taking its bytes from `budget`:
// the formats and hunts that are not streamed block by block.

bool read_stream_rest(StreamSource& src, const std::string& path, std::string& out, DecompressBudget& budget,
                      std::string& error) {
  const std::string name = input_name(path);
  const std::size_t cap = std::size_t{1} << 20;
  for (;;) {
    if (out.size() + cap > out.capacity()) {
      const std::uint64_t grow = std::max<std::uint64_t>(out.size(), std::uint64_t{1} << 20);
      if (!budget.take(grow)) {
        error = "cannot read " + name + ": its content exceeds the memory bound of " + std::to_string(budget.limit()) +
                " bytes (--max-decompressed-size)";
        return false;
      }
      out.reserve(out.size() + grow);
    }
    const std::size_t old = out.size();
    const std::size_t room = out.capacity() - old;
    out.resize(out.capacity());
    std::size_t got = 0;
    if (!src.read(out.data() + old, room, got, error)) {
      out.resize(old);
      error = "cannot read " + name + ": " + error;
      return false;
    }
    out.resize(old + got);
    if (got == 0) return true;
  }
}

namespace {

// A gzip or zstd file (or a stream) of CSV, JSON lines, event XML or EVTX is streamed block by
// block (never whole in memory) when its first decompressed bytes say so exactly: a CSV header
// that reads, JSON whose first value is one line, event XML, an EVTX file header that reads. `head`
// gets those bytes. Anything else (JSON documents) is decompressed whole.
bool streamable(const ScanOptions& opt, std::string_view h) {
  if (h.empty()) return false;
  const bool whole = h.size() < kStreamHead;  // the stream is all in its head
  parsers::InputFormat format = parsers::detect_format(h);
  if (opt.input_format == "csv") format = parsers::InputFormat::kCsv;
  if (opt.input_format == "json") format = parsers::InputFormat::kJson;
  if (opt.input_format == "evtx") format = parsers::InputFormat::kEvtx;
  if (opt.input_format == "xml") format = parsers::InputFormat::kXml;
  if (format == parsers::InputFormat::kXml) return true;  // cut at the events of the readers' walk
  if (format == parsers::InputFormat::kEvtx) {
    parsers::EvtxFileHeader header;
    std::string why;
    return parsers::evtx_read_header(h, header, why);  // unreadable: the whole read says why
  }
  if (format == parsers::InputFormat::kCsv) {
    const parsers::CsvHeader header = parsers::parse_csv_header(h, opt.max_record_bytes);
    if (header.error != parsers::ParseError::kNone || (opt.input_format == "auto" && !is_export_header(header))) return false;
  } else if (format == parsers::InputFormat::kJson) {
    if (opt.input_format == "auto" && !is_export_json(h)) return false;
    if (!parsers::json_is_line_delimited(h)) return false;
    if (!whole) {
      // The first value must end on its first line (a pretty-printed document is read whole).
      const std::size_t lf = h.find('\n');
      if (lf == std::string_view::npos) return false;
      std::string_view line = h.substr(0, lf);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      if (line.empty() || line.back() != '}') return false;
    }
  } else {
    return false;
  }
  return true;
}

// A gzip or zstd file: its head, when it is to be streamed.
bool streamable_file(const ScanOptions& opt, const std::string& path, std::string& head) {
  std::string error;
  std::unique_ptr<StreamSource> src = open_stream_source(path, StreamSourceOptions{}, error);
  std::string_view h;
  if (!src || !src->peek(kStreamHead, h, error) || !streamable(opt, h)) return false;  // the whole read says why
  head.assign(h);
  return true;
}

}  // namespace

bool ScanRun::is_named(const InputFile& f) const {
  return !opt.inputs_found_in_directory && std::binary_search(named.begin(), named.end(), f.path) &&
         !std::binary_search(opt.found_inputs.begin(), opt.found_inputs.end(), f.path);
}

PhaseResult open_outputs(ScanRun& run) {
  // Temporary files renamed into place only when the run succeeds.
  std::string error;
  if (!run.out.open(run.opt.output, error) || (!run.opt.stats_file.empty() && !run.stats_out.open(run.opt.stats_file, error))) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  return std::nullopt;
}

namespace {

constexpr std::size_t kHeadBytes = std::size_t{1} << 16;  // first bytes read to sniff a plain file

// One copy of each distinct CSV header, shared by the files that have it; used by all threads.
class HeaderPool {
 public:
  // The header at the start of `d`, parsed once per distinct first line: a first line without
  // quotes ends at its LF, and the same bytes always parse to the same header.
  std::shared_ptr<const parsers::CsvHeader> parse(std::string_view d, std::uint64_t max_record_bytes) {
    const std::size_t lf = d.find('\n');
    const bool plain_line = lf != std::string_view::npos && d.substr(0, lf).find('"') == std::string_view::npos;
    std::string line;
    if (plain_line) {
      line.assign(d.substr(0, lf + 1));
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto it = by_line_.find(line); it != by_line_.end()) return it->second;
    }
    std::shared_ptr<const parsers::CsvHeader> h = intern(parsers::parse_csv_header(d, max_record_bytes));
    if (plain_line) {
      std::lock_guard<std::mutex> lock(mutex_);
      by_line_.emplace(std::move(line), h);
    }
    return h;
  }

  std::shared_ptr<const parsers::CsvHeader> intern(parsers::CsvHeader&& h) {
    std::string key;  // every field, lengths first: equal keys are equal headers
    auto put = [&](std::uint64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(h.data_offset);
    put(static_cast<std::uint64_t>(h.error));
    for (const std::string& c : h.columns) {
      put(c.size());
      key += c;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<const parsers::CsvHeader>& slot = pool_[std::move(key)];
    if (!slot) slot = std::make_shared<const parsers::CsvHeader>(std::move(h));
    return slot;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const parsers::CsvHeader>> pool_, by_line_;
};

// What sniffing one file decided; reported in file order after the parallel sniff.
struct Sniffed {
  enum Kind { kOk, kSkipped, kVanished, kFatal, kWhole } kind = kOk;
  std::string message;  // the warning (skipped, vanished) or the error (fatal)
};

Sniffed skip(std::string message) { return {Sniffed::kSkipped, std::move(message)}; }
Sniffed fatal(std::string message) { return {Sniffed::kFatal, std::move(message)}; }

// Detects the format of `f` from `d` (its content, or only its first bytes when `partial`) and
// reads what later phases need (CSV header, JSON shape, EVTX header). kWhole: ask again with the
// whole content.
Sniffed detect(const ScanRun& run, InputFile& f, std::string_view d, bool partial, HeaderPool& headers) {
  const ScanOptions& opt = run.opt;
  const bool named = run.is_named(f);
  if (opt.input_format == "csv") f.format = parsers::InputFormat::kCsv;
  else if (opt.input_format == "json") f.format = parsers::InputFormat::kJson;
  else if (opt.input_format == "xml") f.format = parsers::InputFormat::kXml;
  else if (opt.input_format == "evtx") f.format = parsers::InputFormat::kEvtx;
  else f.format = parsers::detect_format(d);
  if (d.empty()) return {};
  const std::string not_export = "'" + f.path + "': not a CSV, JSON, event XML or EVTX file";
  switch (f.format) {
    case parsers::InputFormat::kUnknown:
      if (partial) return {Sniffed::kWhole, {}};  // the first line may go on past the first bytes
      // Found in a directory: other files (notes, tools' outputs) are skipped, and said so.
      if (!named) return skip(not_export);
      return fatal("cannot tell the format of '" + f.path + "' from its content (expected a CSV header, JSON, "
                   "event XML or EVTX); use --input-format");
    case parsers::InputFormat::kCsv: {
      std::shared_ptr<const parsers::CsvHeader> h = headers.parse(d, opt.max_record_bytes);
      if (partial && (h->error != parsers::ParseError::kNone || h->data_offset >= d.size())) {
        return {Sniffed::kWhole, {}};  // the header may end past the first bytes
      }
      f.csv_header = std::move(h);
      if (f.header().error == parsers::ParseError::kNone && opt.input_format == "auto" && !is_export_header(f.header())) {
        // A text whose first line merely holds a comma (notes, a README) is not an export.
        f.format = parsers::InputFormat::kUnknown;
        if (!named) return skip(not_export);
        return fatal("'" + f.path + "' has a comma-separated first line but none of the columns of " + export_names() +
                     "; use --input-format csv to read it anyway");
      }
      if (f.header().error != parsers::ParseError::kNone) {
        const std::string why = parsers::describe(f.header().error, opt.max_record_bytes);
        // found in a directory: not an export, as a file of no known format
        if (!named) return skip("'" + f.path + "': its CSV header cannot be read (" + why + ")");
        return fatal("'" + f.path + "': the CSV header cannot be read (" + why + ")");
      }
      return {};
    }
    case parsers::InputFormat::kJson:
      if (partial) return {Sniffed::kWhole, {}};  // its first value decides its shape
      if (opt.input_format == "auto" && !is_export_json(d)) {
        f.format = parsers::InputFormat::kUnknown;  // some other JSON (a package.json, a tool's config)
        if (!named) return skip("'" + f.path + "': JSON without the fields of " + export_names());
        return fatal("'" + f.path + "' is JSON without the fields of " + export_names() +
                     "; use --input-format json to read it anyway");
      }
      f.json_lines = parsers::json_is_line_delimited(d);
      return {};
    case parsers::InputFormat::kEvtx: {
      parsers::EvtxFileHeader h;
      std::string why;
      if (!parsers::evtx_read_header(d, h, why)) {
        if (partial) return {Sniffed::kWhole, {}};
        return fatal("'" + f.path + "': not a readable EVTX file (" + why + ")");
      }
      f.evtx_chunks_in_header = h.chunk_count_in_header;
      f.evtx_dirty = h.dirty || !h.checksum_ok;
      return {};
    }
    case parsers::InputFormat::kXml:
      return {};
  }
  return {};
}

// Opens, sniffs and closes one file that is not a stream. Gzip and zstd files are decompressed
// (or, for CSV, JSON lines, event XML and EVTX, only their first bytes: they are streamed in blocks by the parse).
Sniffed sniff_file(const ScanRun& run, InputFile& f, DecompressBudget& budget,
                   const std::vector<std::unique_ptr<hunts::Hunt>>& probes, HeaderPool& headers) {
  const ScanOptions& opt = run.opt;
  std::string head, error;
  if (!open_first(f.path, kHeadBytes, f.id, head, error)) {
    // Found in a directory, then gone or unreadable by the time it is opened (rotation): said
    // and counted, and the rest of the tree is read.
    return {run.is_named(f) ? Sniffed::kFatal : Sniffed::kVanished, error};
  }
  const Compression c = detect_compression(head);
  Sniffed s;
  if (c != Compression::kNone) {
    if (streamable_file(opt, f.path, f.decompressed)) {
      f.compressed = f.block_streamed = true;
    } else {
      MappedFile map;
      if (!map.open(f.path, error)) return {run.is_named(f) ? Sniffed::kFatal : Sniffed::kVanished, error};
      if (!decompress(map.bytes(), c, f.decompressed, error, &budget)) {
        return fatal("cannot decompress '" + f.path + "': " + std::string(compression_name(c)) + ": " + error);
      }
      if (const std::optional<std::uint64_t> at = map.shrank_at()) f.shrank.note(*at);
      f.compressed = true;
    }
    s = detect(run, f, f.in_memory(), false, headers);
  } else {
    s = detect(run, f, head, head.size() < f.id.size, headers);
    if (s.kind == Sniffed::kWhole) {
      FileContent whole;
      std::string_view d;
      if (!open_content(f, whole, d, error)) return {run.is_named(f) ? Sniffed::kFatal : Sniffed::kVanished, error};
      s = detect(run, f, d, false, headers);
      if (s.kind == Sniffed::kOk && f.has_content() && opt.hunt == "auto") f.hunt_seen = detect_hunt(f, d, probes);
      return s;
    }
  }
  if (s.kind == Sniffed::kOk && f.has_content() && opt.hunt == "auto") f.hunt_seen = detect_hunt(f, c != Compression::kNone ? f.in_memory() : std::string_view(head), probes);
  return s;
}

}  // namespace

PhaseResult phase_inputs(ScanRun& run) {
  const ScanOptions& opt = run.opt;
  ScanReport& report = run.report;
  std::string error;
  std::vector<std::string> paths, not_files, unlisted;
  if (!discover_inputs(opt.inputs, paths, run.named, not_files, unlisted, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
  for (const std::string& why : unlisted) std::fprintf(stderr, "rareconn: warning: skipping %s\n", why.c_str());
  if (!unlisted.empty()) report.notes.push_back({"directories_skipped_unreadable", unlisted.size()});
  if (paths.empty()) {
    std::fprintf(stderr, "rareconn: no input files found in the given directories\n");
    return kExitInput;
  }
  std::vector<InputFile>& files = run.files;
  files = std::vector<InputFile>(paths.size());
  for (const std::string& why : not_files) std::fprintf(stderr, "rareconn: warning: skipping %s\n", why.c_str());
  if (!not_files.empty()) report.notes.push_back({"directory_entries_skipped_not_files", not_files.size()});
  std::uint64_t vanished_files = 0, streamed_files = 0;
  DecompressBudget budget(opt.max_decompressed_bytes ? opt.max_decompressed_bytes : default_decompress_budget());
  std::vector<std::unique_ptr<hunts::Hunt>> probes;
  for (const HuntEntry& e : hunt_registry()) probes.push_back(e.make(hunts::RunOptions{}));
  std::vector<Sniffed> sniffed(paths.size());
  HeaderPool headers;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files[i].path = paths[i];
    if (!run.is_named(files[i]) || !is_stream_path(files[i].path)) continue;
    // Standard input or a named FIFO: read whole through the streaming decoder (gzip and zstd
    // decompressed as they arrive), then scanned as a decompressed file.
    std::unique_ptr<StreamSource> src = open_stream_source(files[i].path, StreamSourceOptions{}, error);
    std::string_view head;
    if (!src) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
    if (!src->peek(kStreamHead, head, error)) {
      std::fprintf(stderr, "rareconn: cannot read %s: %s\n", input_name(files[i].path).c_str(), error.c_str());
      return kExitInput;
    }
    files[i].compressed = true;  // in_memory() is the string read
    files[i].streamed = true;
    ++streamed_files;
    // CSV, JSON lines, event XML or EVTX as the only input: streamed block by block, cut where the
    // parser's records start (EVTX: at its chunks), so never read twice. With other inputs it is
    // read whole: another file's rescan would read it again.
    if (paths.size() == 1 && streamable(opt, head)) {
      files[i].decompressed.assign(head);
      files[i].block_streamed = true;
      files[i].source = std::move(src);
    } else if (!read_stream_rest(*src, files[i].path, files[i].decompressed, budget, error)) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitInput;
    }
    sniffed[i] = detect(run, files[i], files[i].in_memory(), false, headers);
    if (sniffed[i].kind == Sniffed::kOk && files[i].has_content() && opt.hunt == "auto") {
      files[i].hunt_seen = detect_hunt(files[i], files[i].in_memory(), probes);
    }
  }
  // The other files, in parallel: at most one open per thread at a time.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, files.size(), 16), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      if (!files[i].streamed) sniffed[i] = sniff_file(run, files[i], budget, probes, headers);
    }
  });
  // Said in file order, whatever order the threads sniffed in.
  std::uint64_t skipped_files = 0, compressed_files = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    InputFile& f = files[i];
    switch (sniffed[i].kind) {
      case Sniffed::kFatal:
        std::fprintf(stderr, "rareconn: %s\n", sniffed[i].message.c_str());
        return kExitInput;
      case Sniffed::kVanished:
        std::fprintf(stderr, "rareconn: warning: skipping %s\n", sniffed[i].message.c_str());
        f.skipped = true;
        ++vanished_files;
        continue;
      case Sniffed::kSkipped:
        std::fprintf(stderr, "rareconn: warning: skipping %s\n", sniffed[i].message.c_str());
        compressed_files += f.compressed && !f.streamed;
        if (!f.block_streamed) report.bytes += f.content_size();  // counted as before it was skipped
        f.skipped = true;
        ++skipped_files;
        continue;
      case Sniffed::kOk:
      case Sniffed::kWhole:
        break;
    }
    compressed_files += f.compressed && !f.streamed;
    if (!f.block_streamed) report.bytes += f.content_size();  // streamed: counted as read
  }
  if (vanished_files) report.notes.push_back({"files_skipped_unreadable", vanished_files});
  if (streamed_files) report.notes.push_back({"streamed_inputs", streamed_files});
  if (compressed_files) report.notes.push_back({"compressed_files", compressed_files});
  report.files = paths;
  if (skipped_files) report.notes.push_back({"files_skipped_unknown_format", skipped_files});
  return std::nullopt;
}

}  // namespace rareconn::scanner
