// Phase 1: the inputs. Discovers the files (directories walked), maps them, decompresses gzip and
// zstd ones in parallel, and detects each one's format from its content.
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdio>

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

// Does a CSV header name at least one column that a hunt reads?
bool is_export_header(const parsers::CsvHeader& h) {
  const std::vector<std::string> known = export_columns();
  for (const std::string& c : h.columns) {
    if (std::find(known.begin(), known.end(), c) != known.end()) return true;
  }
  return false;
}

// Does the start of a JSON file name, as a key, at least one field that a hunt reads?
bool is_export_json(std::string_view d) {
  const std::string_view head = d.substr(0, 1 << 16);
  for (const std::string& c : export_columns()) {
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

// Reads a stream (standard input or a FIFO; gzip and zstd sniffed from the first bytes and
// decompressed through the streaming decoder) whole into `out`, taking its bytes from `budget`.
// For now a stream is read whole, as a compressed file is decompressed whole (issue 7: blocks).
}  // namespace

bool read_stream_rest(StreamSource& src, const std::string& path, std::string& out, DecompressBudget& budget,
                      std::string& error) {
  const std::string name = path == "-" ? std::string("standard input") : "'" + path + "'";
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

// A gzip or zstd file of CSV or JSON lines is streamed block by block (never whole in memory)
// when its first decompressed bytes say so exactly: a CSV header that reads, or JSON whose first
// value is one line. `head` gets those bytes. Anything else is decompressed whole.
bool streamable(const ScanOptions& opt, std::string_view h, bool csv_allowed) {
  if (opt.input_format == "xml" || opt.input_format == "evtx" || h.empty()) return false;
  const bool whole = h.size() < kStreamHead;  // the stream is all in its head
  parsers::InputFormat format = parsers::detect_format(h);
  if (opt.input_format == "csv") format = parsers::InputFormat::kCsv;
  if (opt.input_format == "json") format = parsers::InputFormat::kJson;
  if (format == parsers::InputFormat::kCsv) {
    if (!csv_allowed) return false;
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
  if (!src || !src->peek(kStreamHead, h, error) || !streamable(opt, h, true)) return false;  // the whole read says why
  head.assign(h);
  return true;
}

}  // namespace

bool ScanRun::is_named(const InputFile& f) const {
  return !opt.inputs_found_in_directory && std::find(named.begin(), named.end(), f.path) != named.end() &&
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

PhaseResult phase_inputs(ScanRun& run) {
  const ScanOptions& opt = run.opt;
  ScanReport& report = run.report;
  std::string error;
  std::vector<std::string> paths, not_files;
  if (!discover_inputs(opt.inputs, paths, run.named, not_files, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kExitInput;
  }
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
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files[i].path = paths[i];
    if (run.is_named(files[i]) && is_stream_path(files[i].path)) {
      // Standard input or a named FIFO: read whole through the streaming decoder (gzip and zstd
      // decompressed as they arrive), then scanned as a decompressed file.
      std::unique_ptr<StreamSource> src = open_stream_source(files[i].path, StreamSourceOptions{}, error);
      std::string_view head;
      if (!src || !src->peek(kStreamHead, head, error)) {
        std::fprintf(stderr, "rareconn: %s\n", error.c_str());
        return kExitInput;
      }
      files[i].compressed = true;  // bytes() is the string read
      files[i].streamed = true;
      ++streamed_files;
      // JSON lines as the only input: streamed block by block (it is never read twice: a CSV
      // stray quote or another file's rescan would need that, so CSV and several inputs are read
      // whole).
      if (paths.size() == 1 && streamable(opt, head, false)) {
        files[i].decompressed.assign(head);
        files[i].block_streamed = true;
        files[i].source = std::move(src);
        continue;
      }
      if (!read_stream_rest(*src, files[i].path, files[i].decompressed, budget, error)) {
        std::fprintf(stderr, "rareconn: %s\n", error.c_str());
        return kExitInput;
      }
      continue;
    }
    if (!files[i].map.open(files[i].path, error)) {
      if (run.is_named(files[i])) {
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
  if (streamed_files) report.notes.push_back({"streamed_inputs", streamed_files});
  // gzip and zstd files are decompressed into memory, in parallel.
  std::vector<std::string> decompress_errors(files.size());
  tbb::parallel_for(std::size_t{0}, files.size(), [&](std::size_t i) {
    if (files[i].streamed) return;
    const Compression c = detect_compression(files[i].map.bytes());
    if (c == Compression::kNone) return;
    if (streamable_file(opt, files[i].path, files[i].decompressed)) {
      files[i].compressed = files[i].block_streamed = true;
      return;
    }
    files[i].compressed = decompress(files[i].map.bytes(), c, files[i].decompressed, decompress_errors[i], &budget);
    if (!files[i].compressed) decompress_errors[i] = std::string(compression_name(c)) + ": " + decompress_errors[i];
  });
  std::uint64_t compressed_files = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!decompress_errors[i].empty()) {
      std::fprintf(stderr, "rareconn: cannot decompress '%s': %s\n", files[i].path.c_str(), decompress_errors[i].c_str());
      return kExitInput;
    }
    compressed_files += files[i].compressed && !files[i].streamed;
  }
  if (compressed_files) report.notes.push_back({"compressed_files", compressed_files});
  std::uint64_t skipped_files = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    InputFile& f = files[i];
    const std::string_view d = f.bytes();
    if (!f.block_streamed) report.bytes += d.size();  // streamed: counted as read
    if (opt.input_format == "csv") f.format = parsers::InputFormat::kCsv;
    else if (opt.input_format == "json") f.format = parsers::InputFormat::kJson;
    else if (opt.input_format == "xml") f.format = parsers::InputFormat::kXml;
    else if (opt.input_format == "evtx") f.format = parsers::InputFormat::kEvtx;
    else f.format = parsers::detect_format(d);
    if (d.empty()) continue;
    switch (f.format) {
      case parsers::InputFormat::kUnknown:
        if (!run.is_named(f)) {
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
        f.header = parsers::parse_csv_header(d, opt.max_record_bytes);
        if (f.header.error == parsers::ParseError::kNone && opt.input_format == "auto" && !is_export_header(f.header)) {
          // A text whose first line merely holds a comma (notes, a README) is not an export.
          f.format = parsers::InputFormat::kUnknown;
          if (!run.is_named(f)) {
            std::fprintf(stderr, "rareconn: warning: skipping '%s': not a CSV, JSON, event XML or EVTX file\n", f.path.c_str());
            f.skipped = true;
            ++skipped_files;
            break;
          }
          std::fprintf(stderr, "rareconn: '%s' has a comma-separated first line but none of the columns of %s; "
                       "use --input-format csv to read it anyway\n", f.path.c_str(), export_names().c_str());
          return kExitInput;
        }
        if (f.header.error != parsers::ParseError::kNone) {
          const std::string why = parsers::describe(f.header.error, opt.max_record_bytes);
          if (!run.is_named(f)) {  // found in a directory: not an export, as a file of no known format
            std::fprintf(stderr, "rareconn: warning: skipping '%s': its CSV header cannot be read (%s)\n", f.path.c_str(),
                         why.c_str());
            f.skipped = true;
            ++skipped_files;
            break;
          }
          std::fprintf(stderr, "rareconn: '%s': the CSV header cannot be read (%s)\n", f.path.c_str(), why.c_str());
          return kExitInput;
        }
        break;
      case parsers::InputFormat::kJson:
        if (opt.input_format == "auto" && !is_export_json(d)) {
          f.format = parsers::InputFormat::kUnknown;  // some other JSON (a package.json, a tool's config)
          if (!run.is_named(f)) {
            std::fprintf(stderr, "rareconn: warning: skipping '%s': JSON without the fields of %s\n", f.path.c_str(),
                         export_names().c_str());
            f.skipped = true;
            ++skipped_files;
            break;
          }
          std::fprintf(stderr, "rareconn: '%s' is JSON without the fields of %s; use --input-format json to read it "
                       "anyway\n", f.path.c_str(), export_names().c_str());
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
  return std::nullopt;
}

}  // namespace rareconn::scanner
