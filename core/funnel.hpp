// A hunt's funnel: the records left after each filter, as labelled steps, so the summary can
// print any hunt's filters in its own order. Plain data; knows nothing of formats or threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rareconn::core {

struct FunnelStep {
  std::string key;    // JSON key in --stats (snake case)
  std::string label;  // human label, the filter as the query writes it
  std::uint64_t count = 0;
};

struct Funnel {
  std::uint64_t records = 0;    // records decoded
  std::uint64_t null_time = 0;  // empty time: null in Kusto, dropped by the time filter
  std::uint64_t bad_time = 0;   // non-empty time that does not parse: malformed
  std::vector<FunnelStep> steps;
};

}  // namespace rareconn::core
