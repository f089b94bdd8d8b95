// Sysmon input mapping (see the header). Hot-path functions avoid allocation; output-path
// functions build owned rows.
#include "core/hunts/sysmon/sysmon_mapping.hpp"

#include <xxhash.h>

#include "core/kusto_time.hpp"

namespace rareconn::hunts {

namespace {

const std::vector<std::vector<std::string>>& slot_names() {
  static const std::vector<std::vector<std::string>> names = {
      {"TimeGenerated", "TimeGenerated [UTC]", "TimeGenerated [Local Time]", "@timestamp", "TimeCreated"},
      {"Computer", "Hostname", "computer_name"},
      {"Source", "SourceName", "source_name"},
      {"EventID", "event_id"},
      {"EventData"},
      {"DestinationIp"},
      {"Image"},
      {"EventLog", "Channel", "log_name"},
      {"EventLevel"},
      {"EventLevelName"},
      {"UserName"},
      {"RenderedDescription"},
      {"MG"},
      {"ManagementGroupName"},
      {"Type"},
      {"_ResourceId"},
  };
  return names;
}

constexpr std::string_view kSysmonProvider = "Microsoft-Windows-Sysmon";
constexpr std::string_view kNetworkConnection = "Network connection detected";

// The RenderedDescription of a raw event after the seed's cut: the rendered message when the
// input carries one, else the Sysmon Event ID 3 message title.
std::string_view rendered_for(std::string_view rendered, std::string_view provider, std::string_view event_id) {
  if (!rendered.empty()) return rendered_description_cut(rendered);
  if (provider == kSysmonProvider && event_id == "3") return kNetworkConnection;
  return std::string_view();
}

std::string_view data_value(std::span<const std::pair<std::string_view, std::string_view>> data, std::string_view name) {
  for (const auto& [k, v] : data) {
    if (k == name) return v;
  }
  return std::string_view();
}

}  // namespace

parsers::Projection sysmon_projection() {
  parsers::Projection p;
  for (const auto& names : slot_names()) p.fields.push_back({names});
  p.flatten = {"event_data"};  // Winlogbeat
  return p;
}

std::vector<std::vector<std::size_t>> sysmon_required_slots() {
  return {{kSysTime}, {kSysComputer}, {kSysSource}, {kSysEventId}, {kSysEventData, kSysDestinationIp}};
}

const std::vector<std::string>& sysmon_pivot_columns() {
  static const std::vector<std::string> cols = {"TimeGenerated", "Source", "EventLog", "Computer", "EventLevel",
                                                "EventLevelName", "EventID", "UserName", "RenderedDescription", "MG",
                                                "ManagementGroupName", "Type", "_ResourceId"};
  return cols;
}

const std::vector<std::string>& sysmon_eid3_fields() {
  static const std::vector<std::string> f = {
      "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "Protocol", "Initiated", "SourceIsIpv6",
      "SourceIp", "SourceHostname", "SourcePort", "SourcePortName", "DestinationIsIpv6", "DestinationIp",
      "DestinationHostname", "DestinationPort", "DestinationPortName"};
  return f;
}

std::string_view SysmonRow::field(std::string_view name) const {
  for (const auto& [k, v] : data) {
    if (k == name) return v;
  }
  return std::string_view();
}

std::string_view event_level_name(std::string_view level) {
  if (level == "1") return "Critical";
  if (level == "2") return "Error";
  if (level == "3") return "Warning";
  if (level == "0" || level == "4") return "Information";
  if (level == "5") return "Verbose";
  return "";
}

std::string_view user_name_of_sid(std::string_view sid) {
  if (sid == "S-1-5-18") return "NT AUTHORITY\\SYSTEM";
  if (sid == "S-1-5-19") return "NT AUTHORITY\\LOCAL SERVICE";
  if (sid == "S-1-5-20") return "NT AUTHORITY\\NETWORK SERVICE";
  return sid;
}

std::uint64_t pivot_hash_of(core::Ticks time, std::initializer_list<std::string_view> columns) {
  // Chained xxHash over (length, bytes) of each part: no buffer is built per event.
  std::uint64_t h = XXH3_64bits(&time, sizeof time);
  for (std::string_view c : columns) {
    const std::uint64_t n = c.size();
    h = XXH3_64bits_withSeed(&n, sizeof n, h);
    h = XXH3_64bits_withSeed(c.data(), c.size(), h);
  }
  return h;
}

bool SysmonMapper::export_time(const parsers::RecordView& rv, const parsers::XmlEventView* xml, SysmonEvent& e,
                               std::string& reason) {
  if (time_.source == TimeSource::kDataItem && xml != nullptr && !xml->dataitem_time.empty()) {
    e.time = core::parse_datetime(xml->dataitem_time);
    if (!e.time) e.time_text = xml->dataitem_time;  // bad: the core counts it
    return true;
  }
  const ColumnTimeResult r = decode_column_time(rv.values[kSysTime], rv.matched_names[kSysTime], time_.zone);
  switch (r.status) {
    case ColumnTime::kOk:
      e.time = r.ticks;
      return true;
    case ColumnTime::kNull:
      e.time_text = std::string_view();
      return true;
    case ColumnTime::kBad:
      e.time_text = rv.values[kSysTime];  // the core counts it as a bad time
      return true;
    case ColumnTime::kNeedsZone:
      if (!e.has_event_data && !rv.matched_names[kSysEventData].empty()) {
        // A null EventData (damaged, or no DataItem): Kusto drops the row whatever its time, and
        // no zone would change that. Its time is unknown: it counts as a row without one.
        e.time_text = std::string_view();
        return true;
      }
      reason = local_time_reason(rv.matched_names[kSysTime]);
      return false;
  }
  return true;
}

bool SysmonMapper::map_export(const parsers::RecordView& rv, SysmonEvent& e, std::uint64_t& pivot_hash,
                              std::string& reason) {
  const std::string_view* v = rv.values;
  e = SysmonEvent{};
  e.computer = v[kSysComputer];
  e.source = v[kSysSource];
  e.event_id = v[kSysEventId];
  const parsers::XmlEventView* xml = nullptr;
  if (!rv.matched_names[kSysEventData].empty()) {
    // parse_xml(EventData).DataItem.EventData.Data: null unless the DataItem wrapper holds EventData.
    std::string why;
    if (!v[kSysEventData].empty() && xml_parser_.parse_event_data(v[kSysEventData], xml_view_, why)) {
      xml = &xml_view_;
      // An EventData without Data (or repeated) is Kusto's null too (empty mv-expand).
      e.has_event_data = xml_view_.has_dataitem && xml_view_.has_event_data && !xml_view_.data.empty();
      e.destination_ip = data_value(xml_view_.data, "DestinationIp");
      e.image = data_value(xml_view_.data, "Image");
    } else {
      e.has_event_data = false;
    }
  } else if (!rv.matched_names[kSysDestinationIp].empty()) {
    e.destination_ip = v[kSysDestinationIp];  // flat JSON: EventData fields at the top level
    e.image = v[kSysImage];
  } else {
    e.has_event_data = false;
  }
  if (!export_time(rv, xml, e, reason)) return false;
  pivot_hash = pivot_hash_of(e.time.value_or(0),
                             {v[kSysSource], v[kSysEventLog], v[kSysComputer], v[kSysEventLevel], v[kSysEventLevelName],
                              v[kSysEventId], v[kSysUserName], rendered_description_cut(v[kSysRendered]), v[kSysMG],
                              v[kSysMGName], v[kSysType], v[kSysResourceId]});
  return true;
}

void SysmonMapper::map_event(const parsers::WindowsEventView& w, SysmonEvent& e, std::uint64_t& pivot_hash) {
  e = SysmonEvent{};
  e.computer = w.computer;
  e.source = w.provider;
  e.event_id = w.event_id;
  e.has_event_data = w.has_event_data;
  e.destination_ip = data_value(w.data, "DestinationIp");
  e.image = data_value(w.data, "Image");
  if (w.has_time) {
    e.time = w.time_ticks;
  } else {
    e.time = core::parse_datetime(w.time_text);
    if (!e.time) e.time_text = w.time_text;  // bad or empty: the filter counts it
  }
  pivot_hash = pivot_hash_of(e.time.value_or(0), {w.provider, w.channel, w.computer, w.level, event_level_name(w.level),
                                                  w.event_id, user_name_of_sid(w.user),
                                                  rendered_for(w.rendered_message, w.provider, w.event_id), "", "",
                                                  "Event", ""});
}

bool SysmonMapper::export_row(const RowCells& named, core::Ticks time, SysmonRow& row, parsers::XmlEventParser& parser,
                              parsers::XmlEventView& scratch) {
  const auto& names = slot_names();
  auto get = [&](std::size_t slot) -> std::string_view {
    for (const std::string& n : names[slot]) {
      std::optional<std::string_view> found;
      named.for_each([&](const std::string& k, const std::string& v) {
        if (!found && k == n) found = v;
      });
      if (found) return *found;
    }
    return std::string_view();
  };
  row = SysmonRow{};
  row.time = time;
  row.columns = {std::string(get(kSysSource)), std::string(get(kSysEventLog)), std::string(get(kSysComputer)),
                 std::string(get(kSysEventLevel)), std::string(get(kSysEventLevelName)), std::string(get(kSysEventId)),
                 std::string(get(kSysUserName)), std::string(rendered_description_cut(get(kSysRendered))),
                 std::string(get(kSysMG)), std::string(get(kSysMGName)), std::string(get(kSysType)),
                 std::string(get(kSysResourceId))};
  const std::string_view event_data = get(kSysEventData);
  if (!event_data.empty()) {
    std::string why;
    if (!parser.parse_event_data(event_data, scratch, why)) return false;
    for (const auto& [k, v] : scratch.data) row.data.emplace_back(k, v);
    return true;
  }
  for (const std::string& f : sysmon_eid3_fields()) {  // flat JSON
    named.for_each([&](const std::string& k, const std::string& v) {
      if (k == f) row.data.emplace_back(k, v);
    });
  }
  return true;
}

void SysmonMapper::row_from_event(const parsers::WindowsEventView& w, core::Ticks time, SysmonRow& row) {
  row = SysmonRow{};
  row.time = time;
  row.columns = {std::string(w.provider), std::string(w.channel), std::string(w.computer), std::string(w.level),
                 std::string(event_level_name(w.level)), std::string(w.event_id), std::string(user_name_of_sid(w.user)),
                 std::string(rendered_for(w.rendered_message, w.provider, w.event_id)), "", "", "Event", ""};
  for (const auto& [k, v] : w.data) row.data.emplace_back(k, v);
}

}  // namespace rareconn::hunts
