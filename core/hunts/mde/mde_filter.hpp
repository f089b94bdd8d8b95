// The Defender (MDE) hunt's filters: the fields it reads, its filters (servers, ActionType,
// RemoteIPType, link-local), its group key and the funnel of counts. Feeds the window engine.
// Knows nothing of formats, files or threads: it sees one record's projected field values.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/has_any.hpp"
#include "core/hunts/filter_common.hpp"

namespace rareconn::hunts {

// Slots of the projected record, in this order (kMdeProcessFileName only with the process pivot).
enum MdeSlot : std::size_t {
  kMdeTime = 0,
  kMdeDeviceName,
  kMdeActionType,
  kMdeRemoteIPType,
  kMdeRemoteIP,
  kMdeRemoteUrl,
  kMdeTable,  // the row's table where the export names it (Streaming API "category", Sentinel "Type")
  kMdeProcessFileName,
  kMdeSlotCount
};

// Column names per slot; alternatives in priority order (Timestamp, else TimeGenerated, also as
// the Sentinel portal names it: "TimeGenerated [UTC]" / "[Local Time]").
std::vector<std::vector<std::string>> mde_field_names();

// A table name as exports write it ("DeviceNetworkEvents", the Streaming API's
// "AdvancedHunting-DeviceNetworkEvents", any case) names DeviceNetworkEvents. Rows naming another
// table (an export of several tables) are not the hunt's rows.
bool mde_is_network_table(std::string_view table);

struct MdeOptions {
  ServerSet servers;  // default: every device
  KeyBy by = KeyBy::kIp;
  bool per_server = false;
};

// The columns the query names, as sets of slots of which one must be present: a table without
// one of them is refused, as Kusto refuses to resolve a column that does not exist.
std::vector<std::vector<std::size_t>> mde_required_slots(const MdeOptions& options);

// DeviceNetworkEvents columns of type datetime (kql-semantics §7.1, §7.3): printed as Kusto prints
// a datetime when their text parses as one.
const std::vector<std::string>& mde_datetime_columns();

// Output column names of the key (left side of the join), in Kusto's order.
std::vector<std::string> mde_key_columns(const MdeOptions& options);

// The funnel's steps (records left after each filter). Time windows are counted by the window engine.
enum MdeStep : std::size_t { kMdeAfterServers, kMdeAfterAction, kMdeAfterIpType, kMdeAfterLinkLocal };
inline constexpr FunnelStepName kMdeFunnelSteps[] = {
    {"after_servers", "DeviceName in (Servers)"},
    {"after_action_type", "ActionType == \"ConnectionSuccess\""},
    {"after_remote_ip_type", "RemoteIPType !in (\"Private\", \"Loopback\")"},
    {"after_link_local", "RemoteIP !startswith \"169.254.\""},
};
static_assert(std::size(kMdeFunnelSteps) <= core::kMaxFunnelSteps);

// One per thread.
class MdeRecordFilter {
 public:
  MdeRecordFilter(const MdeOptions& options, WindowPartial& partial) : options_(options), partial_(partial) {}
  // `time`: the event time when the caller decoded it (a portal column with a zone); else the
  // time field is parsed here as ISO 8601.
  RecordStatus process(const std::string_view* fields, EventRef ref, std::optional<Ticks> time = std::nullopt);
  const Funnel& funnel() const { return funnel_; }
  Funnel& funnel() { return funnel_; }

 private:
  const MdeOptions& options_;
  WindowPartial& partial_;
  Funnel funnel_;
  core::DatetimeParser datetime_;
  std::string key_;
};

// The seed's allow-list: a key is dropped when its URL set `has_any` of the needles.
class AllowList final : public core::RareKeyFilter {
 public:
  explicit AllowList(std::vector<std::string> needles) : size_(needles.size()), matcher_(needles) {}
  bool drops(const core::RareKey& key) const override { return matcher_(key.set_json); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  core::HasAnyMatcher matcher_;
};

// Kusto `startswith` (ASCII case-insensitive prefix).
bool starts_with_nocase(std::string_view s, std::string_view prefix);

}  // namespace rareconn::hunts
