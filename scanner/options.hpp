// The `rareconn scan` command line: the option set of SPEC §2 parsed into a ScanOptions value.
// Parsing only; it opens the list files (--servers-file, --allow-file) but runs nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/kusto_time.hpp"
#include "core/key_codec.hpp"
#include "core/server_set.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::scanner {

// kCount: the number of findings alone (Kusto's `| count`), without reading their records again.
enum class OutputFormat { kCsv, kJsonl, kTable, kCount };
enum class Progress { kAuto, kAlways, kNever };

struct ScanOptions;
// Applies one --assume value ("U-4=drop-empty"); false with `error` set for an unknown point or value.
bool apply_assumption(std::string_view text, ScanOptions& o, std::string& error);
// The non-default readings of `o`, as --assume values joined by commas ("" when all are defaults).
std::string assumptions_text(const ScanOptions& o);

struct ScanOptions {
  std::vector<std::string> inputs;
  std::string hunt = "auto";           // auto | mde | sysmon
  std::string input_format = "auto";   // auto | csv | json | xml | evtx
  bool pivot_kusto = false;            // --pivot kusto: Kusto's merge of events sharing the 13 pivot columns
  bool time_from_column = false;       // --time-source column (default dataitem)
  std::string input_timezone;          // --input-timezone ZONE
  bool rule_parse_greedy = false;      // --rule-parse greedy (default lazy, U-15)
  // --assume U-N=VALUE: the other reading of an UNCONFIRMED point of kql-semantics.md §9.
  bool set_drops_empty = false;        // U-4=drop-empty (default keep-empty)
  bool empty_key_joins = true;         // U-5=no-match (default match)
  bool excess_fraction_rejected = false;  // U-9=reject (default truncate)
  bool timestamp_required = false;     // U-12=timestamp-required (default fallback to TimeGenerated)
  bool linux_sysmon = false;           // --linux-sysmon: accept Provider Linux-Sysmon
  std::vector<std::string> servers;
  bool servers_given = false;
  core::ServerMatch server_match = core::ServerMatch::kExact;
  std::optional<core::Ticks> now;      // nullopt: latest
  core::Ticks lookback = 30 * core::kTicksPerDay;
  core::Ticks recent = 5 * core::kTicksPerDay;
  std::int64_t threshold = 50;
  std::vector<std::string> allow;      // added to the defaults unless --no-default-allow
  bool default_allow = true;
  core::KeyBy by = core::KeyBy::kIp;
  bool per_server = false;
  unsigned threads = 0;                // 0: all cores
  std::uint64_t chunk_size = 0;        // 0: automatic
  std::uint64_t max_record_bytes = parsers::kDefaultMaxRecordBytes;  // --max-record-size: longer is malformed
  std::uint64_t max_decompressed_bytes = 0;      // --max-decompressed-size; 0: half of physical memory
  std::string output;                  // empty: stdout
  OutputFormat format = OutputFormat::kCsv;
  bool strict = false;
  Progress progress = Progress::kAuto;
  std::string stats_file;
  bool fail_on_findings = false;
  std::string state_dir;               // --state DIR: daily runs (scanner/state_command.cpp)
  std::vector<std::string> found_inputs;  // --files-from: read as found in a directory (sorted)
  // Not a command-line option: the inputs are treated as found in a directory (a file that does
  // not hold the hunt's table is skipped with a warning, not an error). Used by --state, which
  // reads each file of a run on its own.
  bool inputs_found_in_directory = false;
  // Not a command-line option: a run that reads one file of a larger run (--state) says nothing
  // when that file does not hold the hunt's table; the larger run's walk has warned about it.
  bool quiet_when_nothing_fits = false;
};

// Parses argv after the `scan` word. On error returns false and sets `error` (exit status 2).
bool parse_scan_options(int argc, char** argv, ScanOptions& out, std::string& error);

// One entry per line; blanks trimmed; empty lines and '#' comments skipped; a UTF-8 BOM ignored.
bool read_list_file(const std::string& path, std::vector<std::string>& out, std::string& error);

const char* scan_usage();

}  // namespace rareconn::scanner
