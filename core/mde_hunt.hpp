// The Defender (MDE) hunt of the seed: the fields it reads, its filters (servers, ActionType,
// RemoteIPType, link-local), its group key and the funnel of counts. Feeds the window engine.
// Knows nothing of formats, files or threads: it sees one record's projected field values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/funnel.hpp"
#include "core/server_set.hpp"
#include "core/window_aggregator.hpp"

namespace rareconn::core {

enum class KeyBy { kIp, kIpProcess };

// Slots of the projected record, in this order.
enum MdeSlot : std::size_t {
  kMdeTime = 0,
  kMdeDeviceName,
  kMdeActionType,
  kMdeRemoteIPType,
  kMdeRemoteIP,
  kMdeRemoteUrl,
  kMdeProcessFileName,
  kMdeSlotCount
};

// Column names per slot; alternatives in priority order (Timestamp, else TimeGenerated, also as
// the Sentinel portal names it: "TimeGenerated [UTC]" / "[Local Time]").
std::vector<std::vector<std::string>> mde_field_names();

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

// Records left after each filter (the funnel). Time windows are counted by the window engine.
struct MdeFunnel {
  std::uint64_t records = 0;        // records decoded
  std::uint64_t null_time = 0;      // empty time: null in Kusto, dropped by `where Timestamp > ...`
  std::uint64_t bad_time = 0;       // non-empty time that does not parse: malformed
  std::uint64_t after_servers = 0;  // DeviceName in (Servers)
  std::uint64_t after_action = 0;   // ActionType == "ConnectionSuccess"
  std::uint64_t after_ip_type = 0;  // RemoteIPType !in ("Private", "Loopback")
  std::uint64_t after_link_local = 0;  // RemoteIP !startswith "169.254."
  void add(const MdeFunnel& o);
  Funnel steps() const;  // for the summary
  void count_null_time() { ++records, ++null_time; }
  void count_bad_time() { ++records, ++bad_time; }
};

enum class RecordStatus { kOk, kBadTime };

// One per thread.
class MdeRecordFilter {
 public:
  MdeRecordFilter(const MdeOptions& options, WindowPartial& partial) : options_(options), partial_(partial) {}
  // `time`: the event time when the caller decoded it (a portal column with a zone); else the
  // time field is parsed here as ISO 8601.
  RecordStatus process(const std::string_view* fields, EventRef ref, std::optional<Ticks> time = std::nullopt);
  const MdeFunnel& funnel() const { return funnel_; }
  MdeFunnel& funnel() { return funnel_; }

 private:
  const MdeOptions& options_;
  WindowPartial& partial_;
  MdeFunnel funnel_;
  DatetimeParser datetime_;
  std::string key_;
};

// Kusto `startswith` (ASCII case-insensitive prefix).
bool starts_with_nocase(std::string_view s, std::string_view prefix);

}  // namespace rareconn::core
