// MDE hunt: the seed's filters in the seed's order, exactly as kql-semantics.md §2 states them.
// Must not depend on formats, files or threads.
#include "core/hunts/mde/mde_filter.hpp"

#include "core/has_any.hpp"
#include "core/key_codec.hpp"

namespace rareconn::hunts {

using core::append_key_part;
using core::kusto_fold;
using core::trim_blanks;

std::vector<std::vector<std::string>> mde_field_names() {
  return {
      {"Timestamp", "TimeGenerated", "TimeGenerated [UTC]", "TimeGenerated [Local Time]"},
      {"DeviceName"},
      {"ActionType"},
      {"RemoteIPType"},
      {"RemoteIP"},
      {"RemoteUrl"},
      {"category", "Type"},
      {"InitiatingProcessFileName"},
  };
}

bool mde_is_network_table(std::string_view table) {
  auto same = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (kusto_fold(static_cast<unsigned char>(a[i])) != kusto_fold(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
  };
  constexpr std::string_view kPrefix = "AdvancedHunting-";
  if (table.size() > kPrefix.size() && same(table.substr(0, kPrefix.size()), kPrefix)) table.remove_prefix(kPrefix.size());
  return same(table, "DeviceNetworkEvents");
}

std::vector<std::vector<std::size_t>> mde_required_slots(const MdeOptions& options) {
  std::vector<std::vector<std::size_t>> req = {{kMdeTime}, {kMdeDeviceName}, {kMdeActionType}, {kMdeRemoteIPType},
                                               {kMdeRemoteIP}, {kMdeRemoteUrl}};
  if (options.by == KeyBy::kIpProcess) req.push_back({kMdeProcessFileName});
  return req;
}

const std::vector<std::string>& mde_datetime_columns() {
  static const std::vector<std::string> cols = {"Timestamp", "TimeGenerated", "InitiatingProcessCreationTime",
                                                "InitiatingProcessParentCreationTime"};
  return cols;
}

std::vector<std::string> mde_key_columns(const MdeOptions& options) {
  std::vector<std::string> cols;
  if (options.per_server) cols.push_back("DeviceName");
  cols.push_back("RemoteIP");
  if (options.by == KeyBy::kIpProcess) cols.push_back("InitiatingProcessFileName");
  return cols;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (kusto_fold(static_cast<unsigned char>(s[i])) != kusto_fold(static_cast<unsigned char>(prefix[i]))) return false;
  }
  return true;
}

RecordStatus MdeRecordFilter::process(const std::string_view* f, EventRef ref, std::optional<Ticks> time) {
  ++funnel_.records;
  std::optional<Ticks> t = time;
  if (!t) {
    const std::string_view time_text = trim_blanks(f[kMdeTime]);
    if (time_text.empty()) {
      ++funnel_.null_time;
      return RecordStatus::kOk;
    }
    t = datetime_.parse(time_text);
    if (!t) {
      ++funnel_.bad_time;
      return RecordStatus::kBadTime;
    }
  }
  partial_.observe(*t);
  if (!options_.servers.contains(f[kMdeDeviceName])) return RecordStatus::kOk;
  funnel_.pass(kMdeAfterServers);
  if (f[kMdeActionType] != "ConnectionSuccess") return RecordStatus::kOk;
  funnel_.pass(kMdeAfterAction);
  const std::string_view ip_type = f[kMdeRemoteIPType];
  if (ip_type == "Private" || ip_type == "Loopback") return RecordStatus::kOk;
  funnel_.pass(kMdeAfterIpType);
  if (starts_with_nocase(f[kMdeRemoteIP], "169.254.")) return RecordStatus::kOk;
  funnel_.pass(kMdeAfterLinkLocal);
  key_.clear();
  if (options_.per_server) append_key_part(key_, f[kMdeDeviceName]);
  append_key_part(key_, f[kMdeRemoteIP]);
  if (options_.by == KeyBy::kIpProcess) append_key_part(key_, f[kMdeProcessFileName]);
  partial_.add(key_, f[kMdeRemoteUrl], *t, ref);
  return RecordStatus::kOk;
}

}  // namespace rareconn::hunts
