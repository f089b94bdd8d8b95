// The Defender hunt (DeviceNetworkEvents) behind the hunt interface: the rows it reads (the portal's
// time columns included), its filters, its allow-list on the URL set of a rare key, and its output
// (the key, set_RemoteUrl, count_, then every column of the recent row).
#pragma once

#include <optional>
#include <string>

#include "core/hunts/column_time.hpp"
#include "core/hunts/hunt.hpp"
#include "core/hunts/mde/mde_filter.hpp"

namespace rareconn::hunts {

class MdeWorker;

class MdeHunt final : public Hunt {
 public:
  using Worker = MdeWorker;
  explicit MdeHunt(const RunOptions& options);

  std::string_view name() const override { return "mde"; }
  std::string_view table_name() const override { return "DeviceNetworkEvents"; }
  std::string_view data_name() const override { return "Defender (DeviceNetworkEvents)"; }
  std::string_view export_name() const override { return "Defender"; }
  bool reads_again_only_recent() const override { return true; }
  int affinity(const InputFacts& input) const override { return input.kind == kTabularRows ? 1 : 0; }

  const parsers::Projection& projection() const override { return projection_; }
  RequiredSlots required_slots() const override { return mde_required_slots(mde_); }
  std::string column_name(std::size_t slot) const override {
    if (slot == kMdeTime) return projection_.fields[kMdeTime].names.size() > 1 ? "Timestamp or TimeGenerated" : "Timestamp";
    return Hunt::column_name(slot);
  }
  std::string_view time_column() const override { return "Timestamp"; }
  std::optional<std::string> needs_zone(const std::vector<std::string>& header) const override;

  const core::WindowConfig& window_config() const override { return window_; }
  std::span<const core::FunnelStepName> funnel_steps() const override { return kMdeFunnelSteps; }
  std::size_t server_count() const override { return mde_.servers.size(); }
  const core::RareKeyFilter* key_filter() const override { return &allow_; }
  std::size_t allow_needles() const override { return allow_.size(); }

  FindingsTable findings_table(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare,
                               const RunServices& services, Notes& notes) override;
  const std::vector<std::vector<std::string>>& preferred_columns() const override;

  const MdeOptions& options() const { return mde_; }
  const LocalTimeZone* zone() const { return zone_; }

 private:
  MdeOptions mde_;
  const LocalTimeZone* zone_;
  core::WindowConfig window_;
  parsers::Projection projection_;
  AllowList allow_;
};

// One thread's MDE state. Hot path, inlined into the scanner's chunk loop.
class MdeWorker final : public HuntWorker {
 public:
  MdeWorker(const MdeHunt& hunt, core::WindowPartial& partial) : filter_(hunt.options(), partial), zone_(hunt.zone()) {}
  const core::Funnel& funnel() const override { return filter_.funnel(); }

  RecordOutcome row(const parsers::RecordView& rv, core::EventRef ref) {
    const std::string_view table = rv.values[kMdeTable];
    if (!table.empty() && table != "AdvancedHunting-DeviceNetworkEvents" && !mde_is_network_table(table)) [[unlikely]] {
      return {RecordOutcome::kOtherTable, table};
    }
    std::optional<core::Ticks> time;
    const std::string_view column = rv.matched_names[kMdeTime];
    if (column.find('[') != std::string_view::npos) {
      // A portal column ("TimeGenerated [UTC]"): its text and zone are the export's, not ISO's.
      const ColumnTimeResult r = decode_column_time(rv.values[kMdeTime], column, zone_);
      switch (r.status) {
        case ColumnTime::kNull:
          filter_.funnel().count_null_time();
          return {};
        case ColumnTime::kNeedsZone:
          reason_ = local_time_reason(column);
          return {RecordOutcome::kMalformed, reason_};
        case ColumnTime::kBad:
          filter_.funnel().count_bad_time();
          return {RecordOutcome::kBadTime, rv.values[kMdeTime]};
        case ColumnTime::kOk:
          time = r.ticks;
          break;
      }
    }
    if (filter_.process(rv.values, ref, time) == core::RecordStatus::kBadTime) {
      return {RecordOutcome::kBadTime, rv.values[kMdeTime]};
    }
    return {};
  }

 private:
  MdeRecordFilter filter_;
  const LocalTimeZone* zone_;
  std::string reason_;
};

}  // namespace rareconn::hunts
