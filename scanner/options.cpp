// Command-line parsing for `rareconn scan` (SPEC §2). Errors are sentences that name the option.
// Must not run the scan.
#include "scanner/options.hpp"

#include <algorithm>

#include "scanner/hunt_registry.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <fstream>
#include <sstream>

namespace rareconn::scanner {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, ',')) {
    const auto b = cur.find_first_not_of(" \t");
    const auto e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
  }
  return out;
}

bool parse_uint(const std::string& s, std::uint64_t& v) {
  const char* b = s.data();
  const char* e = b + s.size();
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e && !s.empty();
}

// A byte count with an optional binary suffix: 512, 64K, 16M, 8G, 1T (KiB, MiB, ...).
bool parse_byte_size(const std::string& s, std::uint64_t& v) {
  std::string digits = s;
  unsigned shift = 0;
  if (!digits.empty()) {
    const char u = static_cast<char>(digits.back() | 0x20);
    shift = u == 'k' ? 10 : u == 'm' ? 20 : u == 'g' ? 30 : u == 't' ? 40 : 0;
    if (shift) digits.pop_back();
  }
  if (!parse_uint(digits, v)) return false;
  if (shift && v > (~std::uint64_t{0} >> shift)) return false;
  v <<= shift;
  return true;
}

}  // namespace

const char* scan_usage() {
  return R"(usage: rareconn scan [options] INPUT...
Hunts rare outbound connections in exported security logs (files or directories), with the
exact semantics of the published Kusto queries (Defender DeviceNetworkEvents; Sysmon Event ID 3
in the Sentinel Event table).

  --hunt auto|mde|sysmon        which hunt (default auto: from the input content)
  --input-format auto|csv|json|xml|evtx
                                override content detection
  --servers a,b,c               DeviceName values to monitor (default: every device)
  --servers-file F              the same, one per line
  --server-match exact|nocase|hostname
                                exact = Kusto `in` (default); hostname = part before the
                                first dot, case-insensitive
  --now TIME|latest             the query's now() (default latest: newest event time read)
  --lookback 30d --recent 5d    windows (Kusto timespans: d h m s ms)
  --threshold 50                a key is rare when count_ < threshold
  --allow NEEDLE,...            allow-list needles added to the seed's ten (Kusto has_any)
  --allow-file F                the same, one per line
  --no-default-allow            drop the seed's ten needles
  --by ip|ip+process            group key: RemoteIP, or RemoteIP + InitiatingProcessFileName
  --per-server                  baseline per DeviceName instead of fleet-wide
  --threads N                   worker threads (default: all cores)
  -o FILE                       write findings to FILE (default stdout)
  --format csv|jsonl|table|count
                                findings format (default csv); count: their number alone
                                (Kusto's `| count`), their records not read again
  --strict                      a malformed record is an error (exit 3), not a skip
  --max-record-size SIZE        a longer record is malformed and skipped (default 16M)
  --max-decompressed-size SIZE  memory bound for decompressed .gz/.zst inputs (default: half
                                of physical memory)
  --stats FILE                  write the summary as JSON
  --files-from F                the input files listed in F (one per line), read as files found in
                                a directory: one that is not the hunt's table is skipped, not an
                                error (a shard of a directory's files, see README "Distributed runs")
  --state DIR                   daily runs: read only new and changed inputs, report as a full scan
                                of every input DIR has seen (see README "Daily runs")
  --progress auto|always|never  progress on stderr (auto: when stderr is a terminal)
  --fail-on-findings            exit 1 when there are findings
  --assume U-N=VALUE            the other reading of an unconfirmed Kusto point (kql-semantics
                                §9; README "Unconfirmed points"): U-4=drop-empty (make_set
                                drops ""), U-5=no-match ("" keys do not join), U-9=reject (more
                                than 7 fractional digits: a bad time), U-12=timestamp-required
                                (no TimeGenerated fallback), U-15=greedy (= --rule-parse greedy)
 Sysmon hunt:
  --pivot event|kusto           one row per event (default), or Kusto's pivot merge of events
                                sharing the 13 pivot columns
  --time-source dataitem|column Event exports: TimeGenerated from EventData's DataItem time
                                (default, 100 ns) or from the TimeGenerated column
  --input-timezone ZONE         zone of exports written in local time (UTC, +05:30, Europe/Paris)
  --rule-parse lazy|greedy      RuleName parse of TechniqueId (default lazy)
  --linux-sysmon                also accept Sysmon for Linux events (not in the seed's query)
exit status: 0 success, 1 findings with --fail-on-findings, 2 usage error, 3 input error
)";
}

namespace {
// kql-semantics.md §9's switchable points: the default reading first, then the other.
struct Assumption {
  const char* point;
  const char* fallback;  // the default
  const char* other;
  bool ScanOptions::*flag;
  bool flag_when_other;
};
constexpr Assumption kAssumptions[] = {
    {"U-4", "keep-empty", "drop-empty", &ScanOptions::set_drops_empty, true},
    {"U-5", "match", "no-match", &ScanOptions::empty_key_joins, false},
    {"U-9", "truncate", "reject", &ScanOptions::excess_fraction_rejected, true},
    {"U-12", "fallback", "timestamp-required", &ScanOptions::timestamp_required, true},
    {"U-15", "lazy", "greedy", &ScanOptions::rule_parse_greedy, true},
};
}  // namespace

bool apply_assumption(std::string_view text, ScanOptions& o, std::string& error) {
  const std::size_t eq = text.find('=');
  const std::string_view point = text.substr(0, eq), v = eq == std::string_view::npos ? "" : text.substr(eq + 1);
  std::string known;
  for (const Assumption& a : kAssumptions) {
    known += std::string(known.empty() ? "" : ", ") + a.point + "=" + a.fallback + "|" + a.other;
    if (point != a.point) continue;
    if (v != a.fallback && v != a.other) {
      error = "--assume " + std::string(a.point) + " takes " + a.fallback + " (the default) or " + a.other;
      return false;
    }
    o.*a.flag = (v == a.other) == a.flag_when_other;
    return true;
  }
  error = "--assume: '" + std::string(text) + "' is not a switchable point (" + known +
          "; the other unconfirmed points have no second reading to switch to, README \"Unconfirmed points\")";
  return false;
}

std::string assumptions_text(const ScanOptions& o) {
  std::string out;
  for (const Assumption& a : kAssumptions) {
    if (o.*a.flag != a.flag_when_other) continue;
    if (!out.empty()) out += ',';
    out += std::string(a.point) + "=" + a.other;
  }
  return out;
}

bool read_list_file(const std::string& path, std::vector<std::string>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read list file '" + path + "'";
    return false;
  }
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    first = false;
    const auto b = line.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r\n");
    std::string v = line.substr(b, e - b + 1);
    if (v[0] == '#') continue;
    out.push_back(std::move(v));
  }
  return true;
}

bool parse_scan_options(int argc, char** argv, ScanOptions& o, std::string& error) {
  auto need = [&](int& i, const std::string& name, std::string& value) {
    if (i + 1 >= argc) {
      error = "option " + name + " needs a value";
      return false;
    }
    value = argv[++i];
    return true;
  };
  std::string now_text;  // --now as given (checked against U-9 once every --assume is read)
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    std::string v;
    std::optional<std::string> inline_value;  // --option=value
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      inline_value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
    }
    auto value = [&](std::string& out) {
      if (inline_value) {
        out = *inline_value;
        return true;
      }
      return need(i, a, out);
    };
    if (a == "--hunt") {
      if (!value(v)) return false;
      if (v != "auto" && !find_hunt(v)) {
        error = "--hunt must be auto";
        const auto& registry = hunt_registry();
        for (std::size_t i = 0; i < registry.size(); ++i) error += (i + 1 == registry.size() ? " or " : ", ") + registry[i].name;
        return false;
      }
      o.hunt = v;
    } else if (a == "--input-format") {
      if (!value(v)) return false;
      if (v != "auto" && v != "csv" && v != "json" && v != "xml" && v != "evtx") {
        return error = "--input-format must be auto, csv, json, xml or evtx", false;
      }
      o.input_format = v;
    } else if (a == "--pivot") {
      if (!value(v)) return false;
      if (v != "event" && v != "kusto") return error = "--pivot must be event or kusto", false;
      o.pivot_kusto = v == "kusto";
    } else if (a == "--time-source") {
      if (!value(v)) return false;
      if (v != "dataitem" && v != "column") return error = "--time-source must be dataitem or column", false;
      o.time_from_column = v == "column";
    } else if (a == "--input-timezone") {
      if (!value(v)) return false;
      o.input_timezone = v;
    } else if (a == "--rule-parse") {
      if (!value(v)) return false;
      if (v != "lazy" && v != "greedy") return error = "--rule-parse must be lazy or greedy", false;
      o.rule_parse_greedy = v == "greedy";
    } else if (a == "--assume") {
      if (!value(v)) return false;
      if (!apply_assumption(v, o, error)) return false;
    } else if (a == "--linux-sysmon") {
      o.linux_sysmon = true;
    } else if (a == "--servers") {
      if (!value(v)) return false;
      for (auto& s : split_commas(v)) o.servers.push_back(s);
      o.servers_given = true;
    } else if (a == "--servers-file") {
      if (!value(v)) return false;
      if (!read_list_file(v, o.servers, error)) return false;
      o.servers_given = true;
    } else if (a == "--server-match") {
      if (!value(v)) return false;
      if (v == "exact") o.server_match = core::ServerMatch::kExact;
      else if (v == "nocase") o.server_match = core::ServerMatch::kNocase;
      else if (v == "hostname") o.server_match = core::ServerMatch::kHostname;
      else return error = "--server-match must be exact, nocase or hostname", false;
    } else if (a == "--now") {
      if (!value(v)) return false;
      if (v == "latest") {
        o.now.reset();
        now_text.clear();
      } else {
        auto t = core::parse_datetime(v, false);
        if (!t) return error = "--now: '" + v + "' is not an ISO 8601 time (e.g. 2024-05-31T12:00:00Z) or 'latest'", false;
        o.now = *t;
        now_text = v;
      }
    } else if (a == "--lookback" || a == "--recent") {
      if (!value(v)) return false;
      auto t = core::parse_timespan(v);
      if (!t || *t <= 0) return error = a + ": '" + v + "' is not a positive timespan (e.g. 30d, 12h, 90m)", false;
      (a == "--lookback" ? o.lookback : o.recent) = *t;
    } else if (a == "--threshold") {
      if (!value(v)) return false;
      std::uint64_t n;
      if (!parse_uint(v, n) || n > static_cast<std::uint64_t>(INT64_MAX)) {
        return error = "--threshold: '" + v + "' is not an integer from 0 to 9223372036854775807", false;
      }
      o.threshold = static_cast<std::int64_t>(n);
    } else if (a == "--allow") {
      if (!value(v)) return false;
      for (auto& s : split_commas(v)) o.allow.push_back(s);
    } else if (a == "--allow-file") {
      if (!value(v)) return false;
      if (!read_list_file(v, o.allow, error)) return false;
    } else if (a == "--no-default-allow") {
      o.default_allow = false;
    } else if (a == "--by") {
      if (!value(v)) return false;
      if (v == "ip") o.by = core::KeyBy::kIp;
      else if (v == "ip+process") o.by = core::KeyBy::kIpProcess;
      else return error = "--by must be ip or ip+process", false;
    } else if (a == "--per-server") {
      o.per_server = true;
    } else if (a == "--threads") {
      if (!value(v)) return false;
      std::uint64_t n;
      if (!parse_uint(v, n) || n == 0 || n > 1024) return error = "--threads: '" + v + "' is not a thread count (1-1024)", false;
      o.threads = static_cast<unsigned>(n);
    } else if (a == "--chunk-size") {
      if (!value(v)) return false;
      std::uint64_t n;
      if (!parse_uint(v, n) || n == 0) return error = "--chunk-size: '" + v + "' is not a positive byte count", false;
      o.chunk_size = n;
    } else if (a == "--max-record-size" || a == "--max-decompressed-size") {
      if (!value(v)) return false;
      std::uint64_t n;
      if (!parse_byte_size(v, n) || n == 0) return error = a + ": '" + v + "' is not a byte count (e.g. 16M)", false;
      if (a == "--max-record-size") {
        if (n > parsers::kMaxRecordBytesLimit) return error = a + ": at most 4G - 1 bytes", false;
        o.max_record_bytes = n;
      } else {
        o.max_decompressed_bytes = n;
      }
    } else if (a == "-o" || a == "--output") {
      if (!value(v)) return false;
      o.output = v;
    } else if (a == "--format") {
      if (!value(v)) return false;
      if (v == "csv") o.format = OutputFormat::kCsv;
      else if (v == "jsonl") o.format = OutputFormat::kJsonl;
      else if (v == "table") o.format = OutputFormat::kTable;
      else if (v == "count") o.format = OutputFormat::kCount;
      else return error = "--format must be csv, jsonl, table or count", false;
    } else if (a == "--strict") {
      o.strict = true;
    } else if (a == "--stats") {
      if (!value(v)) return false;
      o.stats_file = v;
    } else if (a == "--progress") {
      if (!value(v)) return false;
      if (v == "auto") o.progress = Progress::kAuto;
      else if (v == "always") o.progress = Progress::kAlways;
      else if (v == "never") o.progress = Progress::kNever;
      else return error = "--progress must be auto, always or never", false;
    } else if (a == "--files-from") {
      if (!value(v)) return false;
      std::vector<std::string> listed;
      if (!read_list_file(v, listed, error)) return false;
      o.inputs.insert(o.inputs.end(), listed.begin(), listed.end());
      o.found_inputs.insert(o.found_inputs.end(), listed.begin(), listed.end());
    } else if (a == "--state") {
      if (!value(v)) return false;
      o.state_dir = v;
    } else if (a == "--fail-on-findings") {
      o.fail_on_findings = true;
    } else if (a == "--") {
      for (++i; i < argc; ++i) o.inputs.push_back(argv[i]);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      error = "unknown option '" + a + "' (see rareconn scan --help)";
      return false;
    } else {
      o.inputs.push_back(a);
    }
  }
  // U-9 reads --now as it reads the data's times, wherever --assume stands on the line.
  if (!now_text.empty() && o.excess_fraction_rejected && !core::parse_datetime(now_text, true)) {
    error = "--now: '" + now_text + "' has more than 7 fractional digits, which --assume U-9=reject rejects as it "
            "does in the data (give at most 7 digits, or U-9=truncate, the default, to truncate them)";
    return false;
  }
  std::sort(o.found_inputs.begin(), o.found_inputs.end());
  if (o.inputs.empty() && !o.found_inputs.empty()) {
    error = "--files-from: the list is empty";
    return false;
  }
  if (o.inputs.empty()) {
    error = "no INPUT given (files or directories to scan)";
    return false;
  }
  return true;
}

}  // namespace rareconn::scanner
