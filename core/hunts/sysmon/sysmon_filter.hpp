// The Sysmon hunt's filters (Sentinel `Event` table, Sysmon Event ID 3): its filters (window,
// Computer in servers, Source, EventID, the private-address regex), its key and its funnel, and
// the pure text rules of parse_sysmon_id3 (RenderedDescription cut, RuleName parse).
// Knows nothing of formats, files or threads: it sees one event already mapped to Event columns.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "core/hunts/filter_common.hpp"

namespace rareconn::hunts {

// The fields of one Event row the hunt reads (the scanner maps every input format to these).
struct SysmonEvent {
  std::string_view time_text;          // TimeGenerated as text, when `time` is not given directly
  std::optional<Ticks> time;           // TimeGenerated already decoded (EVTX), takes precedence
  std::string_view computer;
  std::string_view source;             // provider name
  std::string_view event_id;           // EventID as text ("3")
  std::string_view destination_ip;     // EventData DestinationIp ("" when absent)
  std::string_view image;              // EventData Image (for --by ip+process)
  bool has_event_data = true;          // false: EventData missing or not parseable
  std::uint64_t pivot_hash = 0;        // hash of the 13 columns Kusto's pivot groups by
};

// An event that reaches Kusto's pivot (after the time, server, Source and EventID filters).
struct PivotCandidate {
  Ticks time;
  EventRef ref;
  std::uint64_t pivot_hash;
};

struct SysmonOptions {
  ServerSet servers;
  KeyBy by = KeyBy::kIp;
  bool per_server = false;
  bool linux_sysmon = false;  // also accept Source == "Linux-Sysmon" (an extension, not Kusto parity)
};

std::vector<std::string> sysmon_key_columns(const SysmonOptions& options);

// The funnel's steps, in the seed's order.
enum SysmonStep : std::size_t {
  kSysAfterServers, kSysAfterSource, kSysAfterEventId, kSysAfterEventData, kSysAfterPrivate
};
inline constexpr FunnelStepName kSysmonFunnelSteps[] = {
    {"after_servers", "Computer in (Servers)"},
    {"after_source", "Source == \"Microsoft-Windows-Sysmon\""},
    {"after_event_id", "EventID == 3"},
    // EventData null: Kusto's pivot gets an empty key (U-7): reported, dropped
    {"after_event_data", "with EventData (null EventData: dropped)"},
    {"after_private_regex", "not (DestinationIp matches PrivateIPregex)"},
};
static_assert(std::size(kSysmonFunnelSteps) <= core::kMaxFunnelSteps);

// Kusto: DestinationIp matches regex @'^127\.|^10\.|^172\.1[6-9]\.|^172\.2[0-9]\.|^172\.3[0-1]\.|^192\.168\.'
bool matches_private_regex(std::string_view ip);

// `tostring(split(RenderedDescription, ":")[0])`
std::string_view rendered_description_cut(std::string_view rendered);

// `parse RuleName with * 'technique_id=' TechniqueId ',' * 'technique_name=' TechniqueName`
// Lazy (default, U-15 best reading): the id stops at the first ',' after 'technique_id=';
// greedy: at the last ',' before the 'technique_name=' that follows. No match: both empty.
struct Technique {
  std::string_view id, name;
};
Technique parse_rule_name(std::string_view rule_name, bool greedy);

// Is the event a candidate for the hunt before the time window (time, servers, source, id)?
// One per thread.
class SysmonRecordFilter {
 public:
  // kusto_pivot: events are only logged as pivot candidates (the merge happens after the scan);
  // otherwise they also go on to the regex and the window engine, one row per event.
  SysmonRecordFilter(const SysmonOptions& options, WindowPartial& partial, bool kusto_pivot = false)
      : options_(options), partial_(partial), kusto_pivot_(kusto_pivot) {}
  RecordStatus process(const SysmonEvent& e, EventRef ref);
  const Funnel& funnel() const { return funnel_; }
  // Candidates that may lie in the lookback window (older ones are dropped as `now` grows).
  const std::vector<PivotCandidate>& candidates() const { return candidates_; }

 private:
  void log_candidate(Ticks t, const SysmonEvent& e, EventRef ref);
  const SysmonOptions& options_;
  WindowPartial& partial_;
  bool kusto_pivot_ = false;
  std::vector<PivotCandidate> candidates_;
  std::size_t next_prune_ = 1 << 20;
  Funnel funnel_;
  core::DatetimeParser datetime_;
  std::string key_;
};

}  // namespace rareconn::hunts
