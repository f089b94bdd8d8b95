// Summary rendering (text and JSON). Must not compute anything the scan did not report.
#include "scanner/summary.hpp"

#include <algorithm>
#include <cinttypes>
#include <fstream>

#include "core/json_text.hpp"

namespace rareconn::scanner {

namespace {

std::string grouped(std::uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

std::string span_text(core::Ticks t) {
  const core::Ticks d = core::kTicksPerDay, h = core::kTicksPerHour, m = core::kTicksPerMinute,
                    s = core::kTicksPerSecond;
  if (t % d == 0) return std::to_string(t / d) + "d";
  if (t % h == 0) return std::to_string(t / h) + "h";
  if (t % m == 0) return std::to_string(t / m) + "m";
  if (t % s == 0) return std::to_string(t / s) + "s";
  return std::to_string(t) + " ticks";
}

}  // namespace

void print_summary(std::FILE* out, const ScanReport& r) {
  const double gb = static_cast<double>(r.bytes) / 1e9;
  std::fprintf(out, "rareconn: %s hunt, %zu file%s, %s bytes, %s records in %.3f s (%.2f GB/s, %u thread%s)\n",
               r.hunt.c_str(), r.files.size(), r.files.size() == 1 ? "" : "s", grouped(r.bytes).c_str(),
               grouped(r.funnel.records).c_str(), r.elapsed_s, r.elapsed_s > 0 ? gb / r.elapsed_s : 0.0,
               r.threads, r.threads == 1 ? "" : "s");
  if (r.now) {
    std::fprintf(out, "  now        %s (%s)\n", core::format_datetime(*r.now).c_str(),
                 r.now_given ? "given by --now" : "newest event time read");
    std::fprintf(out, "  lookback   %s: %s > %s\n", span_text(r.lookback).c_str(), r.time_column.c_str(),
                 core::format_datetime(*r.now - r.lookback).c_str());
    std::fprintf(out, "  recent     %s: %s > %s\n", span_text(r.recent).c_str(), r.time_column.c_str(),
                 core::format_datetime(*r.now - r.recent).c_str());
  } else {
    std::fprintf(out, "  now        none: no record had a time, so no window holds any event\n");
  }
  if (r.all_servers) {
    std::fprintf(out, "  servers    every device (no --servers given)\n");
  } else {
    std::fprintf(out, "  servers    %zu name%s\n", r.server_count, r.server_count == 1 ? "" : "s");
  }
  const core::FunnelReport& f = r.funnel;
  std::fprintf(out, "  funnel (the filters of both windows, then each window)\n");
  std::fprintf(out, "    %-44s %15s\n", "records read", grouped(f.records).c_str());
  std::fprintf(out, "    %-44s %15s\n", "with a time (empty time is null: dropped)", grouped(f.records - f.null_time - f.bad_time).c_str());
  for (const core::FunnelStep& s : f.steps) std::fprintf(out, "    %-44s %15s\n", s.label.c_str(), grouped(s.count).c_str());
  std::fprintf(out, "    %-44s %15s\n", ("lookback window (> now-" + span_text(r.lookback) + ")").c_str(), grouped(r.counts.baseline_events).c_str());
  std::fprintf(out, "    %-44s %15s\n", ("recent window (> now-" + span_text(r.recent) + ")").c_str(), grouped(r.counts.recent_events).c_str());
  std::fprintf(out, "  keys       %s distinct, %s with count_ < %" PRId64 ", %s dropped by the allow-list (%zu needles), %s rare\n",
               grouped(r.counts.distinct_keys).c_str(), grouped(r.counts.keys_under_threshold).c_str(), r.threshold,
               grouped(r.counts.keys_allow_dropped).c_str(), r.allow_needles, grouped(r.counts.rare_keys).c_str());
  std::fprintf(out, "  findings   %s\n", grouped(r.findings).c_str());
  for (const auto& [label, n] : r.notes) std::fprintf(out, "  note       %s: %s\n", label.c_str(), grouped(n).c_str());
  if (r.malformed > 0) {
    // A damaged EVTX chunk is one error for all its records (their number is a note).
    const bool chunks = std::any_of(r.notes.begin(), r.notes.end(),
                                    [](const auto& n) { return n.first == "evtx_damaged_chunks_skipped"; });
    std::fprintf(out, "  malformed  %s %s skipped (--strict makes this an error); first:\n", grouped(r.malformed).c_str(),
                 chunks ? (r.malformed == 1 ? "damaged record or EVTX chunk" : "damaged records or EVTX chunks")
                        : r.malformed == 1 ? "record" : "records");
    for (const MalformedRecord& m : r.first_malformed) {
      if (m.line) {
        std::fprintf(out, "    %s:%" PRIu64 " (byte %" PRIu64 "): %s\n", m.path.c_str(), m.line, m.offset, m.reason.c_str());
      } else {
        std::fprintf(out, "    %s (byte %" PRIu64 "): %s\n", m.path.c_str(), m.offset, m.reason.c_str());
      }
    }
  }
}

std::string stats_json(const ScanReport& r) {
  std::string j = "{";
  auto key = [&](const char* k) {
    if (j.size() > 1) j.push_back(',');
    core::append_json_string(j, k);
    j.push_back(':');
  };
  auto num = [&](const char* k, std::uint64_t v) { key(k); j += std::to_string(v); };
  auto str = [&](const char* k, const std::string& v) { key(k); core::append_json_string(j, v); };
  str("hunt", r.hunt);
  key("files");
  j.push_back('[');
  for (std::size_t i = 0; i < r.files.size(); ++i) {
    if (i) j.push_back(',');
    core::append_json_string(j, r.files[i]);
  }
  j.push_back(']');
  num("bytes", r.bytes);
  num("records", r.funnel.records);
  num("null_time", r.funnel.null_time);
  num("bad_time", r.funnel.bad_time);
  for (const core::FunnelStep& step : r.funnel.steps) num(step.key.c_str(), step.count);
  num("lookback_window_events", r.counts.baseline_events);
  num("recent_window_events", r.counts.recent_events);
  num("distinct_keys", r.counts.distinct_keys);
  num("keys_under_threshold", r.counts.keys_under_threshold);
  num("keys_dropped_by_allow_list", r.counts.keys_allow_dropped);
  num("rare_keys", r.counts.rare_keys);
  num("findings", r.findings);
  key("now");
  if (r.now) core::append_json_string(j, core::format_datetime(*r.now)); else j += "null";
  str("now_source", r.now_given ? "given" : "newest event");
  num("lookback_ticks", static_cast<std::uint64_t>(r.lookback));
  num("recent_ticks", static_cast<std::uint64_t>(r.recent));
  num("threshold", static_cast<std::uint64_t>(r.threshold));
  key("servers");
  if (r.all_servers) j += "\"all\""; else j += std::to_string(r.server_count);
  for (const auto& [label, n] : r.notes) num(label.c_str(), n);
  num("malformed", r.malformed);
  key("first_malformed");
  j.push_back('[');
  for (std::size_t i = 0; i < r.first_malformed.size(); ++i) {
    const MalformedRecord& m = r.first_malformed[i];
    if (i) j.push_back(',');
    j += "{\"file\":";
    core::append_json_string(j, m.path);
    j += ",\"line\":" + std::to_string(m.line) + ",\"offset\":" + std::to_string(m.offset);
    if (m.evtx_chunk != ~std::uint64_t{0}) j += ",\"evtx_chunk\":" + std::to_string(m.evtx_chunk);
    if (m.evtx_record != ~std::uint64_t{0}) j += ",\"evtx_record_id\":" + std::to_string(m.evtx_record);
    j += ",\"reason\":";
    core::append_json_string(j, m.reason);
    j.push_back('}');
  }
  j.push_back(']');
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", r.elapsed_s);
  key("elapsed_s");
  j += buf;
  std::snprintf(buf, sizeof buf, "%.1f", r.elapsed_s > 0 ? static_cast<double>(r.bytes) / r.elapsed_s / 1e6 : 0.0);
  key("throughput_mb_s");
  j += buf;
  num("threads", r.threads);
  j += "}\n";
  return j;
}

}  // namespace rareconn::scanner
