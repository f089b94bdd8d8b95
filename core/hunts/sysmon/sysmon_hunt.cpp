// The Sysmon hunt's run: options, detection, the pivot pass and output (see the header).
#include "core/hunts/sysmon/sysmon_hunt.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "core/hunts/sysmon/sysmon_table.hpp"

namespace rareconn::hunts {

SysmonHunt::SysmonHunt(const RunOptions& o)
    : kusto_pivot_(o.kusto_pivot), greedy_rule_parse_(o.rule_parse_greedy), window_(o.window),
      projection_(sysmon_projection()) {
  sysmon_.servers = o.servers;
  sysmon_.by = o.by;
  sysmon_.per_server = o.per_server;
  sysmon_.linux_sysmon = o.linux_sysmon;
  time_.source = o.time_from_column ? TimeSource::kColumn : TimeSource::kDataItem;
  time_.zone = o.zone;
  window_.track_set = false;
  window_.recent_within_lookback = true;  // the function filters on the lookback inside
}

int SysmonHunt::affinity(const InputFacts& in) const {
  if (in.kind == kWindowsEvents) return 2;
  const bool event_columns =
      in.has_field("EventData") || in.has_field("EventID") || (in.json && in.has_field("event_id"));  // Winlogbeat
  return event_columns && !in.has_field("RemoteIP") ? 2 : 0;
}

std::optional<std::string> SysmonHunt::needs_zone(const std::vector<std::string>& header) const {
  if (time_.source == TimeSource::kColumn && only_local_time_generated(header)) {
    return local_time_header_message(", or use --time-source dataitem");
  }
  return std::nullopt;
}

void SysmonHunt::merge(HuntWorker& worker) {
  const auto& c = static_cast<SysmonWorker&>(worker).candidates();
  candidates_.insert(candidates_.end(), c.begin(), c.end());
}

void SysmonHunt::before_merge(MergeInput& in, const RunServices& services, Notes& notes) {
  if (in.now) {
    std::erase_if(candidates_, [&](const PivotCandidate& c) { return c.time <= *in.now - window_.lookback; });
  }
  if (!kusto_pivot_) {
    std::unordered_set<std::uint64_t> distinct;
    for (const auto& c : candidates_) distinct.insert(c.pivot_hash);
    notes.push_back({"events_kusto_pivot_would_merge", candidates_.size() - distinct.size()});
    return;
  }
  // Kusto's pivot: the merged rows go through a second, small pass of the same engine.
  pivot_ = hunts::kusto_pivot(services, candidates_);
  core::WindowConfig pc = window_;
  pc.now = in.now;
  pivot_shared_.emplace(pc);
  pivot_partial_.emplace(*pivot_shared_);
  pivot_filter_.emplace(sysmon_, *pivot_partial_, false);
  if (in.now) {
    for (std::size_t g = 0; g < pivot_.rows.size(); ++g) {
      const SysmonRow& row = pivot_.rows[g];
      SysmonEvent e;
      e.time = row.time;
      e.source = row.columns[0];
      e.computer = row.columns[2];
      e.event_id = row.columns[5];
      e.destination_ip = row.field("DestinationIp");
      e.image = row.field("Image");
      pivot_filter_->process(e, core::EventRef{g, 0, 0});
    }
  }
  in.shared = &*pivot_shared_;
  in.partials = {&*pivot_partial_};
  in.funnel->passed[kSysAfterPrivate] = pivot_filter_->funnel().passed[kSysAfterPrivate];  // counted on the merged rows
  notes.push_back({"kusto_pivot_rows", pivot_.rows.size()});
  notes.push_back({"events_merged_by_kusto_pivot", pivot_.events - pivot_.rows.size() - pivot_.undecodable});
  if (pivot_.undecodable) notes.push_back({"pivot_candidates_not_decodable", pivot_.undecodable});
}

// The pivot candidates: every event that reached the pivot inside the lookback window (by file
// and offset); --pivot kusto reads them again, so partials carry their records.
void SysmonHunt::save_state(core::ByteWriter& w) const {
  std::vector<const PivotCandidate*> order;
  for (const PivotCandidate& c : candidates_) order.push_back(&c);
  std::sort(order.begin(), order.end(), [](const PivotCandidate* a, const PivotCandidate* b) {
    return a->ref.file != b->ref.file ? a->ref.file < b->ref.file : a->ref.offset < b->ref.offset;
  });
  w.varint(order.size());
  for (const PivotCandidate* c : order) {
    w.svarint(c->time);
    w.varint(c->ref.file);
    w.varint(c->ref.offset);
    w.varint(c->ref.length);
    w.u64(c->pivot_hash);
  }
}

bool SysmonHunt::load_state(core::ByteReader& r, std::span<const std::uint32_t> file_map) {
  const std::uint64_t n = r.count(12);
  candidates_.reserve(candidates_.size() + n);
  for (std::uint64_t i = 0; i < n && !r.bad(); ++i) {
    PivotCandidate c;
    c.time = r.svarint();
    const std::uint64_t file = r.varint();
    c.ref.offset = r.varint();
    const std::uint64_t length = r.varint();
    c.pivot_hash = r.u64();
    if (file >= file_map.size() || length > UINT32_MAX || c.time < 0 || c.time > core::kMaxDatetimeTicks) return false;
    c.ref.file = file_map[file];
    c.ref.length = static_cast<std::uint32_t>(length);
    candidates_.push_back(c);
  }
  return !r.bad();
}

void SysmonHunt::prune_state(core::Ticks now_floor) {
  const core::Ticks now = window_.now ? *window_.now : now_floor;
  std::erase_if(candidates_, [&](const PivotCandidate& c) { return c.time <= now - window_.lookback; });
}

void SysmonHunt::kept_refs(std::vector<core::EventRef>& out) const {
  if (!kusto_pivot_) return;  // the default pivot reads again only the findings (recent rows)
  for (const PivotCandidate& c : candidates_) out.push_back(c.ref);
}

FindingsTable SysmonHunt::findings_table(const std::vector<core::Finding>& findings,
                                         const std::vector<core::RareKey>& rare, const RunServices& services,
                                         Notes& notes) {
  std::vector<SysmonRow> rows(findings.size());
  if (kusto_pivot_) {
    for (std::size_t i = 0; i < findings.size(); ++i) rows[i] = pivot_.rows[findings[i].offset];
  } else {
    std::vector<RowRef> refs;
    refs.reserve(findings.size());
    for (const core::Finding& f : findings) refs.push_back({core::EventRef{f.offset, f.file, f.length}, f.time});
    std::vector<char> ok;
    decode_sysmon_rows(services, refs, rows, ok);
    const auto bad = static_cast<std::uint64_t>(std::count(ok.begin(), ok.end(), 0));
    if (bad) {  // cannot happen for records the scan decoded; said rather than hidden
      notes.push_back({"findings_not_decodable_again", bad});
      std::fprintf(stderr, "rareconn: warning: %llu findings could not be decoded again; their columns are empty\n",
                   static_cast<unsigned long long>(bad));
    }
  }
  return build_sysmon_table(rows, findings, rare, sysmon_key_columns(sysmon_), greedy_rule_parse_);
}

const std::vector<std::vector<std::string>>& SysmonHunt::preferred_columns() const {
  static const std::vector<std::vector<std::string>> cols = {
      {"TimeGenerated"}, {"Computer1", "Computer"}, {"DestinationIp"}, {"Image1", "Image"}, {"count_"},
      {"DestinationPort"}, {"Protocol"}, {"DestinationHostname"}, {"TechniqueId"}};
  return cols;
}

}  // namespace rareconn::hunts
