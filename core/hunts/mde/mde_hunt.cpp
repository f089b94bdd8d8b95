// The Defender hunt's run: options, schema and output (see the header).
#include "core/hunts/mde/mde_hunt.hpp"

#include <algorithm>

namespace rareconn::hunts {

static_assert(kMdeProcessFileName + 1 == kMdeSlotCount, "the process file name is the projection's optional last slot");

namespace {
std::vector<std::string> allow_needles_of(const RunOptions& o) {
  std::vector<std::string> needles = o.default_allow ? core::default_allow_needles() : std::vector<std::string>{};
  needles.insert(needles.end(), o.allow.begin(), o.allow.end());
  return needles;
}
}  // namespace

MdeHunt::MdeHunt(const RunOptions& o) : zone_(o.zone), window_(o.window), allow_(allow_needles_of(o)) {
  mde_.servers = o.servers;
  mde_.by = o.by;
  mde_.per_server = o.per_server;
  window_.track_set = true;                 // make_set(RemoteUrl)
  window_.recent_within_lookback = false;   // the recent side has only its own filter
  // Only the fields this run reads: InitiatingProcessFileName (the last slot) is read for the
  // (RemoteIP, process) pivot alone; left out, it costs a JSON walk nothing but a skip.
  std::vector<std::vector<std::string>> names = mde_field_names();
  if (mde_.by != KeyBy::kIpProcess) names.pop_back();
  for (auto& n : names) projection_.fields.push_back({std::move(n)});
  projection_.fields[kMdeTable].from_envelope = true;  // the Streaming API's "category"
  // U-12: if Sentinel's DeviceNetworkEvents has Timestamp too, the query reads it alone.
  if (o.timestamp_required) projection_.fields[kMdeTime].names = {"Timestamp"};
}

std::optional<std::string> MdeHunt::needs_zone(const std::vector<std::string>& header) const {
  const bool has_timestamp = std::find(header.begin(), header.end(), "Timestamp") != header.end();
  if (only_local_time_generated(header) && !has_timestamp) return local_time_header_message("");
  return std::nullopt;
}

FindingsTable MdeHunt::findings_table(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare,
                                      const RunServices& services, Notes&) {
  TabularSchema schema;
  schema.key_columns = mde_key_columns(mde_);
  schema.set_column = "set_RemoteUrl";
  schema.time_columns = mde_field_names()[kMdeTime];
  schema.datetime_columns = mde_datetime_columns();
  return tabular_findings_table(findings, rare, services, schema);
}

const std::vector<std::vector<std::string>>& MdeHunt::preferred_columns() const {
  static const std::vector<std::vector<std::string>> cols = {
      {"Timestamp", "TimeGenerated"}, {"DeviceName1", "DeviceName"},
      {"RemoteIP"}, {"InitiatingProcessFileName1", "InitiatingProcessFileName"},
      {"count_"}, {"RemotePort"}, {"Protocol"}, {"RemoteUrl"}, {"set_RemoteUrl"}};
  return cols;
}

}  // namespace rareconn::hunts
