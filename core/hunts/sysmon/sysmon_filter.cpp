// Sysmon hunt: filters in the seed's order and the text rules of parse_sysmon_id3
// (kql-semantics §6). Must not depend on formats, files or threads.
#include "core/hunts/sysmon/sysmon_filter.hpp"

#include "core/key_codec.hpp"

#include <algorithm>

namespace rareconn::hunts {

using core::append_key_part;
using core::trim_blanks;
using core::WindowConfig;

std::vector<std::string> sysmon_key_columns(const SysmonOptions& options) {
  std::vector<std::string> cols;
  if (options.per_server) cols.push_back("Computer");
  cols.push_back("DestinationIp");
  if (options.by == KeyBy::kIpProcess) cols.push_back("Image");
  return cols;
}

bool matches_private_regex(std::string_view ip) {
  auto starts = [&](std::string_view p) { return ip.substr(0, p.size()) == p; };
  if (starts("127.") || starts("10.") || starts("192.168.")) return true;
  if (ip.size() >= 7 && starts("172.") && ip[6] == '.') {
    const char a = ip[4], b = ip[5];
    if (a == '1' && b >= '6' && b <= '9') return true;
    if (a == '2' && b >= '0' && b <= '9') return true;
    if (a == '3' && (b == '0' || b == '1')) return true;
  }
  return false;
}

std::string_view rendered_description_cut(std::string_view rendered) {
  const std::size_t colon = rendered.find(':');
  return colon == std::string_view::npos ? rendered : rendered.substr(0, colon);
}

Technique parse_rule_name(std::string_view s, bool greedy) {
  constexpr std::string_view kId = "technique_id=", kName = "technique_name=";
  const std::size_t id_at = s.find(kId);
  if (id_at == std::string_view::npos) return {};
  const std::size_t id_start = id_at + kId.size();
  if (!greedy) {
    const std::size_t comma = s.find(',', id_start);
    if (comma == std::string_view::npos) return {};
    const std::size_t name_at = s.find(kName, comma + 1);
    if (name_at == std::string_view::npos) return {};
    return {s.substr(id_start, comma - id_start), s.substr(name_at + kName.size())};
  }
  // Greedy: the id runs to the last ',' that is still followed by 'technique_name=' later on.
  const std::size_t name_at = s.rfind(kName);
  if (name_at == std::string_view::npos || name_at < id_start) return {};
  const std::size_t comma = s.rfind(',', name_at == 0 ? 0 : name_at - 1);
  if (comma == std::string_view::npos || comma < id_start) return {};
  const std::size_t name_after = s.find(kName, comma + 1);  // `.*?` before the name is lazy
  return {s.substr(id_start, comma - id_start), s.substr(name_after + kName.size())};
}

namespace {
// `EventID == 3` on an int column: the decimal value, whatever its leading zeros.
bool is_event_id_3(std::string_view text) {
  std::size_t i = 0;
  while (i + 1 < text.size() && text[i] == '0') ++i;
  return text.substr(i) == "3";
}
}  // namespace

void SysmonRecordFilter::log_candidate(Ticks t, const SysmonEvent& e, EventRef ref) {
  const WindowConfig& cfg = partial_.shared().config();
  const Ticks newest = cfg.now ? *cfg.now : partial_.newest_so_far();  // >= t: t was observed
  if (t <= newest - cfg.lookback) return;  // can never be in the lookback window
  candidates_.push_back({t, ref, e.pivot_hash});
  if (candidates_.size() > next_prune_) {
    const Ticks cut = (cfg.now ? *cfg.now : partial_.newest_so_far()) - cfg.lookback;
    std::erase_if(candidates_, [&](const PivotCandidate& c) { return c.time <= cut; });
    next_prune_ = std::max<std::size_t>(2 * candidates_.size(), 1 << 20);
  }
}

RecordStatus SysmonRecordFilter::process(const SysmonEvent& e, EventRef ref) {
  ++funnel_.records;
  Ticks t;
  if (e.time) {
    t = *e.time;
  } else {
    if (trim_blanks(e.time_text).empty()) {
      ++funnel_.null_time;
      return RecordStatus::kOk;
    }
    const std::optional<Ticks> parsed = datetime_.parse(trim_blanks(e.time_text));
    if (!parsed) {
      ++funnel_.bad_time;
      return RecordStatus::kBadTime;
    }
    t = *parsed;
  }
  partial_.observe(t);
  if (!options_.servers.contains(e.computer)) return RecordStatus::kOk;
  funnel_.pass(kSysAfterServers);
  if (e.source != "Microsoft-Windows-Sysmon" && !(options_.linux_sysmon && e.source == "Linux-Sysmon")) {
    return RecordStatus::kOk;
  }
  funnel_.pass(kSysAfterSource);
  if (!is_event_id_3(e.event_id)) return RecordStatus::kOk;
  funnel_.pass(kSysAfterEventId);
  if (!e.has_event_data) return RecordStatus::kOk;
  funnel_.pass(kSysAfterEventData);
  log_candidate(t, e, ref);
  if (kusto_pivot_) return RecordStatus::kOk;
  if (matches_private_regex(e.destination_ip)) return RecordStatus::kOk;
  funnel_.pass(kSysAfterPrivate);
  key_.clear();
  if (options_.per_server) append_key_part(key_, e.computer);
  append_key_part(key_, e.destination_ip);
  if (options_.by == KeyBy::kIpProcess) append_key_part(key_, e.image);
  partial_.add(key_, std::string_view(), t, ref);
  return RecordStatus::kOk;
}

}  // namespace rareconn::hunts
