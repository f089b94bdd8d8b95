// Kusto pivot merge: decode the candidates, group them exactly by the 13 columns, merge fields.
#include "core/hunts/sysmon/sysmon_pivot.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/key_codec.hpp"

namespace rareconn::hunts {

PivotRows kusto_pivot(const RunServices& services, std::vector<PivotCandidate> candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const PivotCandidate& a, const PivotCandidate& b) {
    return a.ref.file != b.ref.file ? a.ref.file < b.ref.file : a.ref.offset < b.ref.offset;
  });
  std::vector<RowRef> refs;
  refs.reserve(candidates.size());
  for (const auto& c : candidates) refs.push_back({c.ref, c.time});
  std::vector<SysmonRow> rows;
  std::vector<char> ok;
  decode_sysmon_rows(services, refs, rows, ok);
  PivotRows out;
  out.events = candidates.size();
  std::unordered_map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!ok[i]) {
      ++out.undecodable;
      continue;
    }
    std::string key;
    core::append_key_part(key, std::string_view(reinterpret_cast<const char*>(&rows[i].time), sizeof(core::Ticks)));
    for (const std::string& c : rows[i].columns) core::append_key_part(key, c);
    auto [it, inserted] = group_of.emplace(std::move(key), out.rows.size());
    if (inserted) {
      out.rows.push_back(std::move(rows[i]));
      continue;
    }
    SysmonRow& merged = out.rows[it->second];
    for (auto& field : rows[i].data) {
      const std::string& name = field.first;
      std::string& value = field.second;
      auto m = std::find_if(merged.data.begin(), merged.data.end(), [&](const auto& kv) { return kv.first == name; });
      if (m == merged.data.end()) {
        merged.data.emplace_back(name, value);
      } else if (!value.empty() && (m->second.empty() || value < m->second)) {
        m->second = value;
      }
    }
  }
  return out;
}

}  // namespace rareconn::hunts
