// The Sysmon hunt (Sentinel `Event` table, Sysmon Event ID 3) behind the hunt interface: Event
// exports and Windows events mapped to what its filters read, the pivot candidates it keeps for
// Kusto's merge (--pivot kusto: a second pass of the window engine over the merged rows), and its
// output (the key, count_, the 13 pivot columns, the EventData fields, the RuleName parse).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/hunts/hunt.hpp"
#include "core/hunts/sysmon/sysmon_filter.hpp"
#include "core/hunts/sysmon/sysmon_mapping.hpp"
#include "core/hunts/sysmon/sysmon_pivot.hpp"

namespace rareconn::hunts {

class SysmonWorker;

class SysmonHunt final : public Hunt {
 public:
  using Worker = SysmonWorker;
  explicit SysmonHunt(const RunOptions& options);

  std::string_view name() const override { return "sysmon"; }
  std::string_view table_name() const override { return "Sysmon Event"; }
  std::string_view data_name() const override { return "Sysmon (Event)"; }
  std::string_view export_name() const override { return "Sentinel Event"; }
  int affinity(const InputFacts& input) const override;

  const parsers::Projection& projection() const override { return projection_; }
  RequiredSlots required_slots() const override { return sysmon_required_slots(); }
  std::vector<std::string> event_data_fields() const override { return {"DestinationIp", "Image"}; }
  std::string_view time_column() const override { return "TimeGenerated"; }
  std::optional<std::string> needs_zone(const std::vector<std::string>& header) const override;

  const core::WindowConfig& window_config() const override { return window_; }
  std::span<const core::FunnelStepName> funnel_steps() const override { return kSysmonFunnelSteps; }
  std::size_t server_count() const override { return sysmon_.servers.size(); }

  void merge(HuntWorker& worker) override;
  void before_merge(MergeInput& in, const RunServices& services, Notes& notes) override;
  void save_state(core::ByteWriter& w) const override;
  bool load_state(core::ByteReader& r, std::span<const std::uint32_t> file_map) override;
  void prune_state(core::Ticks now_floor) override;
  void kept_refs(std::vector<core::EventRef>& out) const override;
  // The default pivot reads again only the findings; Kusto's reads every pivot candidate again.
  bool reads_again_only_recent() const override { return !kusto_pivot_; }

  FindingsTable findings_table(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare,
                               const RunServices& services, Notes& notes) override;
  const std::vector<std::vector<std::string>>& preferred_columns() const override;

  const SysmonOptions& options() const { return sysmon_; }
  const SysmonTimeConfig& time_config() const { return time_; }
  bool kusto_pivot() const { return kusto_pivot_; }

 private:
  SysmonOptions sysmon_;
  SysmonTimeConfig time_;
  bool kusto_pivot_;
  bool greedy_rule_parse_;
  core::WindowConfig window_;
  parsers::Projection projection_;
  std::vector<PivotCandidate> candidates_;  // merged from the workers
  // --pivot kusto: the merged rows and the window state of their second pass.
  PivotRows pivot_;
  std::optional<core::WindowShared> pivot_shared_;
  std::optional<core::WindowPartial> pivot_partial_;
  std::optional<SysmonRecordFilter> pivot_filter_;
};

// One thread's Sysmon state. Hot path, inlined into the scanner's chunk loop.
class SysmonWorker final : public HuntWorker {
 public:
  SysmonWorker(const SysmonHunt& hunt, core::WindowPartial& partial)
      : filter_(hunt.options(), partial, hunt.kusto_pivot()), mapper_(hunt.time_config()) {}
  const core::Funnel& funnel() const override { return filter_.funnel(); }
  const std::vector<PivotCandidate>& candidates() const { return filter_.candidates(); }

  RecordOutcome row(const parsers::RecordView& rv, core::EventRef ref) {
    // A Sentinel export names its table in `Type`: the query reads the Event table only (a
    // SecurityEvent export has the same columns).
    const std::string_view table = rv.values[kSysType];
    if (!table.empty() && table != "Event") [[unlikely]] return {RecordOutcome::kOtherTable, table};
    if (!mapper_.map_export(rv, event_, event_.pivot_hash, reason_)) return {RecordOutcome::kMalformed, reason_};
    return process(ref);
  }
  RecordOutcome event(const parsers::WindowsEventView& w, core::EventRef ref) {
    SysmonMapper::map_event(w, event_, event_.pivot_hash);
    return process(ref);
  }

 private:
  RecordOutcome process(core::EventRef ref) {
    if (filter_.process(event_, ref) == core::RecordStatus::kBadTime) return {RecordOutcome::kBadTime, event_.time_text};
    return {};
  }
  SysmonRecordFilter filter_;
  SysmonMapper mapper_;
  SysmonEvent event_;
  std::string reason_;
};

}  // namespace rareconn::hunts
