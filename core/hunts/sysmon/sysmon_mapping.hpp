// Maps every input that carries Sysmon events (Event table exports as CSV or JSON lines, flat
// Security-Datasets JSON, Windows events from raw <Event> XML or EVTX) to what the Sysmon hunt reads (SysmonEvent)
// and, for output, to a full `Event` row with its EventData fields (SysmonRow). The mapping rules
// are kql-semantics.md §7.4-7.5; where an input lacks an Event column the rule is written here.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hunts/column_time.hpp"
#include "core/hunts/hunt.hpp"
#include "core/hunts/sysmon/sysmon_filter.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/record_view.hpp"

namespace rareconn::hunts {

enum class TimeSource { kDataItem, kColumn };

struct SysmonTimeConfig {
  TimeSource source = TimeSource::kDataItem;
  const LocalTimeZone* zone = nullptr;  // --input-timezone, for columns written in local time
};

// Slots of the projection used for Event exports and flat JSON (alternative names per slot).
enum SysmonSlot : std::size_t {
  kSysTime = 0, kSysComputer, kSysSource, kSysEventId, kSysEventData, kSysDestinationIp, kSysImage,
  kSysEventLog, kSysEventLevel, kSysEventLevelName, kSysUserName, kSysRendered, kSysMG, kSysMGName,
  kSysType, kSysResourceId, kSysSlotCount
};
parsers::Projection sysmon_projection();
// The Event columns the query names that a tabular export must have (sets of slots of which one
// must be present): TimeGenerated, Computer, Source, EventID, and EventData (or, flattened, the
// DestinationIp field).
std::vector<std::vector<std::size_t>> sysmon_required_slots();

// The Event columns of the seed's pivot, in the pivot's order, and the Sysmon Event ID 3 fields.
const std::vector<std::string>& sysmon_pivot_columns();
const std::vector<std::string>& sysmon_eid3_fields();

// One full Event row: the 13 pivot columns (TimeGenerated as ticks) and the EventData fields.
struct SysmonRow {
  core::Ticks time = 0;
  std::vector<std::string> columns;  // sysmon_pivot_columns() minus TimeGenerated, in order
  std::vector<std::pair<std::string, std::string>> data;
  std::string_view field(std::string_view name) const;  // EventData value or ""
};

// Event columns that raw XML and EVTX do not carry, as rareconn fills them (README "Choices").
std::string_view event_level_name(std::string_view level);
std::string_view user_name_of_sid(std::string_view sid);  // the well-known names, else the SID itself

class SysmonMapper {  // one per thread: owns the EventData XML parser
 public:
  explicit SysmonMapper(const SysmonTimeConfig& time) : time_(time) {}

  // Hot path: fill `e` (views valid until the next call) and the hash of the 13 pivot columns.
  // A false return means the record is malformed (`reason` says why).
  bool map_export(const parsers::RecordView& rv, SysmonEvent& e, std::uint64_t& pivot_hash, std::string& reason);
  static void map_event(const parsers::WindowsEventView& w, SysmonEvent& e, std::uint64_t& pivot_hash);

  // Output path: a full row.
  static bool export_row(const RowCells& named, core::Ticks time, SysmonRow& row, parsers::XmlEventParser& parser,
                         parsers::XmlEventView& scratch);
  static void row_from_event(const parsers::WindowsEventView& w, core::Ticks time, SysmonRow& row);

 private:
  // TimeGenerated of an export row: the DataItem time, or the column honouring its zone.
  // False when the time cannot be known (a local-time column without --input-timezone).
  bool export_time(const parsers::RecordView& rv, const parsers::XmlEventView* xml, SysmonEvent& e,
                   std::string& reason);
  const SysmonTimeConfig& time_;
  parsers::XmlEventParser xml_parser_;
  parsers::XmlEventView xml_view_;
};

// Hash of the 13 pivot values (time as ticks), for counting what Kusto's pivot would merge.
std::uint64_t pivot_hash_of(core::Ticks time, std::initializer_list<std::string_view> columns);

}  // namespace rareconn::hunts
