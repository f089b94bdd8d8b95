// Result-shaping options as recorded values (see the header).
#include "scanner/result_options.hpp"

#include <algorithm>
#include <charconv>

namespace rareconn::scanner {

namespace {

std::string join_lines(std::vector<std::string> v, bool sort) {
  if (sort) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back('\n');
    out += v[i];
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

template <class T>
bool parse_int(const std::string& s, T& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

const char* match_name(core::ServerMatch m) {
  return m == core::ServerMatch::kExact ? "exact" : m == core::ServerMatch::kNocase ? "nocase" : "hostname";
}

}  // namespace

ResultOptions result_options(const ScanOptions& o, const std::string& hunt) {
  ResultOptions r;
  r.push_back({"hunt", hunt});
  r.push_back({"input-format", o.input_format});
  r.push_back({"servers", o.servers_given ? join_lines(o.servers, true) : "all"});
  r.push_back({"server-match", o.servers_given ? match_name(o.server_match) : "exact"});
  r.push_back({"now", o.now ? std::to_string(*o.now) : "latest"});
  r.push_back({"lookback", std::to_string(o.lookback)});
  r.push_back({"recent", std::to_string(o.recent)});
  r.push_back({"threshold", std::to_string(o.threshold)});
  r.push_back({"allow", join_lines(o.allow, true)});
  r.push_back({"default-allow", yes_no(o.default_allow)});
  r.push_back({"by", o.by == core::KeyBy::kIp ? "ip" : "ip+process"});
  r.push_back({"per-server", yes_no(o.per_server)});
  r.push_back({"pivot", o.pivot_kusto ? "kusto" : "event"});
  r.push_back({"time-source", o.time_from_column ? "column" : "dataitem"});
  r.push_back({"rule-parse", o.rule_parse_greedy ? "greedy" : "lazy"});
  r.push_back({"assume", assumptions_text(o)});
  r.push_back({"linux-sysmon", yes_no(o.linux_sysmon)});
  r.push_back({"input-timezone", o.input_timezone});
  r.push_back({"max-record-size", std::to_string(o.max_record_bytes)});
  return r;
}

bool apply_result_options(const ResultOptions& in, ScanOptions& o, std::string& error) {
  const ResultOptions expected = result_options(ScanOptions{}, "");
  if (in.size() != expected.size()) {
    error = "it records " + std::to_string(in.size()) + " options, this version expects " + std::to_string(expected.size());
    return false;
  }
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& [name, v] = in[i];
    bool ok = name == expected[i].first;
    if (!ok) {
    } else if (name == "hunt") {
      o.hunt = v;
    } else if (name == "input-format") {
      o.input_format = v;
    } else if (name == "servers") {
      o.servers_given = v != "all";
      o.servers = o.servers_given ? split_lines(v) : std::vector<std::string>{};
    } else if (name == "server-match") {
      o.server_match = v == "nocase" ? core::ServerMatch::kNocase
                       : v == "hostname" ? core::ServerMatch::kHostname : core::ServerMatch::kExact;
      ok = v == "exact" || v == "nocase" || v == "hostname";
    } else if (name == "now") {
      core::Ticks t = 0;
      if (v == "latest") o.now.reset();
      else if ((ok = parse_int(v, t))) o.now = t;
    } else if (name == "lookback") {
      ok = parse_int(v, o.lookback);
    } else if (name == "recent") {
      ok = parse_int(v, o.recent);
    } else if (name == "threshold") {
      ok = parse_int(v, o.threshold);
    } else if (name == "allow") {
      o.allow = split_lines(v);
    } else if (name == "default-allow") {
      o.default_allow = v == "yes";
    } else if (name == "by") {
      o.by = v == "ip" ? core::KeyBy::kIp : core::KeyBy::kIpProcess;
    } else if (name == "per-server") {
      o.per_server = v == "yes";
    } else if (name == "pivot") {
      o.pivot_kusto = v == "kusto";
    } else if (name == "time-source") {
      o.time_from_column = v == "column";
    } else if (name == "rule-parse") {
      o.rule_parse_greedy = v == "greedy";
    } else if (name == "assume") {
      std::string why;
      for (std::size_t b = 0; ok && b < v.size();) {
        const std::size_t e = std::min(v.find(',', b), v.size());
        ok = apply_assumption(std::string_view(v).substr(b, e - b), o, why);
        b = e + 1;
      }
    } else if (name == "linux-sysmon") {
      o.linux_sysmon = v == "yes";
    } else if (name == "input-timezone") {
      o.input_timezone = v;
    } else if (name == "max-record-size") {
      ok = parse_int(v, o.max_record_bytes);
    }
    if (!ok) {
      error = "its option '" + name + "' = '" + v + "' is not one this version knows";
      return false;
    }
  }
  return true;
}

std::string result_options_difference(const ResultOptions& a, const ResultOptions& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size() || i >= b.size()) return "the recorded options (different versions)";
    if (a[i].first == "hunt" && (a[i].second == kAnyHunt || b[i].second == kAnyHunt)) continue;
    if (a[i] != b[i]) {
      return "--" + a[i].first + " (" + display_value(a[i].first, a[i].second) + " vs " +
             display_value(b[i].first, b[i].second) + ")";
    }
  }
  return {};
}

std::string result_option(const ResultOptions& options, const std::string& name) {
  for (const auto& option : options) {
    if (option.first == name) return option.second;
  }
  return {};
}

std::string display_value(const std::string& name, const std::string& value) {
  if (name == "now" && value != "latest") {
    core::Ticks t = 0;
    if (parse_int(value, t)) return core::format_datetime(t);
  }
  if (name == "lookback" || name == "recent") {
    core::Ticks t = 0;
    if (parse_int(value, t)) {
      for (const auto& [unit, ticks] : {std::pair{"d", core::kTicksPerDay}, std::pair{"h", 60 * core::kTicksPerMinute},
                                        std::pair{"m", core::kTicksPerMinute}, std::pair{"s", core::kTicksPerSecond}}) {
        if (t % ticks == 0) return std::to_string(t / ticks) + unit;
      }
      return std::to_string(t / 10000) + "ms";
    }
  }
  std::string out = value;
  std::replace(out.begin(), out.end(), '\n', ',');
  if (out.empty()) return "(none)";
  return out;
}

}  // namespace rareconn::scanner
