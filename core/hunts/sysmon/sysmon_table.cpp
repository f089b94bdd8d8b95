// Sysmon output table: schema (pivot columns, Sysmon fields in their emitted order, other fields
// sorted), Kusto's renaming, and the RuleName parse.
#include "core/hunts/sysmon/sysmon_table.hpp"

#include <algorithm>
#include <set>

#include "core/hunts/sysmon/sysmon_filter.hpp"

namespace rareconn::hunts {

namespace {
bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

FindingsTable build_sysmon_table(const std::vector<SysmonRow>& rows, const std::vector<core::Finding>& findings,
                                 const std::vector<core::RareKey>& rare, std::vector<std::string> key_columns,
                                 bool greedy_rule_parse) {
  // Pivot columns: the Sysmon Event ID 3 fields always (the pivot sees every event of the window,
  // not only the findings), then any other Data names of the findings, sorted.
  std::vector<std::string> fields = sysmon_eid3_fields();
  std::set<std::string> extra;
  for (const SysmonRow& r : rows) {
    for (const auto& [k, v] : r.data) {
      if (std::find(fields.begin(), fields.end(), k) == fields.end()) extra.insert(k);
    }
  }
  fields.insert(fields.end(), extra.begin(), extra.end());
  std::vector<std::string> right = sysmon_pivot_columns();
  right.insert(right.end(), fields.begin(), fields.end());
  right.push_back("TechniqueId");
  right.push_back("TechniqueName");
  FindingsTable table;
  table.columns = std::move(key_columns);
  table.columns.push_back("count_");
  const std::size_t nleft = table.columns.size();
  for (std::string& n : unique_right_names(table.columns, right)) table.columns.push_back(std::move(n));
  const std::size_t npivot = sysmon_pivot_columns().size();
  table.resize(findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const SysmonRow& r = rows[i];
    const core::RareKey& k = rare[findings[i].rare];
    std::vector<parsers::Cell> row(table.columns.size());
    const std::vector<std::string_view> parts = k.parts();
    for (std::size_t j = 0; j < parts.size(); ++j) row[j] = parsers::Cell{std::string(parts[j]), false};
    row[nleft - 1] = parsers::Cell{std::to_string(k.count), true};
    std::size_t c = nleft;
    row[c++] = parsers::Cell{core::format_datetime(r.time), false};
    for (std::size_t j = 0; j + 1 < npivot; ++j, ++c) {
      const std::string& v = j < r.columns.size() ? r.columns[j] : std::string();
      const std::string& name = sysmon_pivot_columns()[j + 1];
      row[c] = parsers::Cell{v, (name == "EventID" || name == "EventLevel") && all_digits(v)};
    }
    for (const std::string& f : fields) row[c++] = parsers::Cell{std::string(r.field(f)), false};
    const Technique t = parse_rule_name(r.field("RuleName"), greedy_rule_parse);
    row[c++] = parsers::Cell{std::string(t.id), false};
    row[c++] = parsers::Cell{std::string(t.name), false};
    table.set_row(i, row);
  }
  return table;
}

}  // namespace rareconn::hunts
