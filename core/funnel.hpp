// A hunt's funnel: records decoded, empty and bad times, then the records left after each of the
// hunt's filters as named counters, in the order its query applies them. One type for every hunt;
// plain data that merges by addition. Knows nothing of formats or threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rareconn::core {

inline constexpr std::size_t kMaxFunnelSteps = 8;

// What a hunt's filter made of one record: counted in the funnel, or a time that does not parse.
enum class RecordStatus { kOk, kBadTime };

// A filter's name: its --stats key (snake case) and its label, the filter as the query writes it.
struct FunnelStepName {
  const char* key;
  const char* label;
};

struct Funnel {
  std::uint64_t records = 0;    // records decoded
  std::uint64_t null_time = 0;  // empty time: null in Kusto, dropped by the time filter
  std::uint64_t bad_time = 0;   // non-empty time that does not parse: malformed
  std::array<std::uint64_t, kMaxFunnelSteps> passed{};  // records left after step i

  void pass(std::size_t step) { ++passed[step]; }
  void count_null_time() { ++records, ++null_time; }
  void count_bad_time() { ++records, ++bad_time; }
  void add(const Funnel& o) {
    records += o.records;
    null_time += o.null_time;
    bad_time += o.bad_time;
    for (std::size_t i = 0; i < kMaxFunnelSteps; ++i) passed[i] += o.passed[i];
  }
};

// The funnel as the summary prints it.
struct FunnelStep {
  std::string key;
  std::string label;
  std::uint64_t count = 0;
};
struct FunnelReport {
  std::uint64_t records = 0, null_time = 0, bad_time = 0;
  std::vector<FunnelStep> steps;
};

inline FunnelReport funnel_report(const Funnel& f, std::span<const FunnelStepName> names) {
  FunnelReport r{f.records, f.null_time, f.bad_time, {}};
  for (std::size_t i = 0; i < names.size(); ++i) r.steps.push_back({names[i].key, names[i].label, f.passed[i]});
  return r;
}

}  // namespace rareconn::core
