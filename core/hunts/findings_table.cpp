// Findings tables: Kusto's renaming, and the tabular builder (the union schema of the inputs, the
// event time written as Kusto prints a datetime). Rows are built in the scanner's threads.
#include "core/hunts/findings_table.hpp"

#include <unordered_map>
#include <unordered_set>

#include "core/hunts/hunt.hpp"

namespace rareconn::hunts {

std::vector<std::string> unique_right_names(const std::vector<std::string>& left, const std::vector<std::string>& right) {
  std::unordered_set<std::string> taken(left.begin(), left.end());
  taken.insert(right.begin(), right.end());
  const std::unordered_set<std::string> left_set(left.begin(), left.end());
  std::vector<std::string> out;
  for (const std::string& n : right) {
    if (!left_set.count(n)) {
      out.push_back(n);
      continue;
    }
    for (int k = 1;; ++k) {
      std::string candidate = n + std::to_string(k);
      if (!taken.count(candidate)) {
        taken.insert(candidate);
        out.push_back(std::move(candidate));
        break;
      }
    }
  }
  return out;
}

namespace {

// The event time column of a record: the first of the schema's time names present.
int time_column(const std::vector<std::string>& names, const std::vector<std::string>& time_names) {
  int best = -1;
  std::size_t best_rank = time_names.size();
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::size_t rank = 0;
    while (rank < time_names.size() && time_names[rank] != names[i]) ++rank;
    if (rank < best_rank) best = static_cast<int>(i), best_rank = rank;
  }
  return best;
}

// Every column of each finding's record.
class CellsOf final : public RecordVisitor {
 public:
  explicit CellsOf(std::size_t n) : rows(n) {}
  void row(std::size_t i, RowCells& r) override { rows[i] = std::move(r); }
  void event(std::size_t, const parsers::WindowsEventView&) override {}
  std::vector<RowCells> rows;
};

}  // namespace

FindingsTable tabular_findings_table(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare,
                                     const RunServices& services, const TabularSchema& schema) {
  // 1. Decode the findings' records again: CSV records to values by column position, JSON
  // records to named cells.
  std::vector<core::EventRef> refs;
  refs.reserve(findings.size());
  for (const core::Finding& f : findings) refs.push_back({f.offset, f.file, f.length});
  CellsOf decoded(findings.size());
  services.read_again(refs, decoded);
  // 2. Schema: the CSV headers in input order, then JSON keys in the order the findings show them.
  const std::vector<const std::vector<std::string>*> headers = services.headers();
  std::vector<std::string> right;
  std::unordered_map<std::string, std::size_t> right_index;
  auto add_right = [&](const std::string& name) {
    if (right_index.emplace(name, right.size()).second) right.push_back(name);
  };
  std::vector<std::vector<std::size_t>> csv_map(headers.size());
  std::vector<int> csv_time(headers.size(), -1);
  for (const auto* h : headers) {
    if (!h) continue;
    for (const std::string& c : *h) add_right(c);
  }
  for (std::size_t fi = 0; fi < headers.size(); ++fi) {
    if (!headers[fi]) continue;
    for (const std::string& c : *headers[fi]) csv_map[fi].push_back(right_index[c]);
    csv_time[fi] = time_column(*headers[fi], schema.time_columns);
  }
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (headers[findings[i].file]) continue;
    for (const auto& c : decoded.rows[i].cells) add_right(c.name);
  }
  FindingsTable table;
  table.columns = schema.key_columns;
  if (!schema.set_column.empty()) table.columns.push_back(schema.set_column);
  table.columns.push_back("count_");
  const std::size_t nleft = table.columns.size();
  for (std::string& n : unique_right_names(table.columns, right)) table.columns.push_back(std::move(n));
  std::vector<std::size_t> datetime_at;  // table positions of the datetime columns present
  for (const std::string& c : schema.datetime_columns) {
    auto it = right_index.find(c);
    if (it != right_index.end()) datetime_at.push_back(nleft + it->second);
  }
  // 3. Rows.
  table.rows.resize(findings.size());
  services.parallel_for(findings.size(), [&](std::size_t i) {
    const core::Finding& f = findings[i];
    const core::RareKey& k = rare[f.rare];
    std::vector<parsers::Cell>& row = table.rows[i];
    row.resize(table.columns.size());
    for (std::size_t j = 0; j < k.parts.size(); ++j) row[j] = parsers::Cell{k.parts[j], false};
    if (!schema.set_column.empty()) row[nleft - 2] = parsers::Cell{k.set_json, true};
    row[nleft - 1] = parsers::Cell{std::to_string(k.count), true};
    std::size_t time_at = SIZE_MAX;
    RowCells& r = decoded.rows[i];
    if (headers[f.file]) {
      const auto& map = csv_map[f.file];
      for (std::size_t j = 0; j < r.values.size() && j < map.size(); ++j) row[nleft + map[j]].value = std::move(r.values[j]);
      if (csv_time[f.file] >= 0) time_at = nleft + map[static_cast<std::size_t>(csv_time[f.file])];
    } else {
      std::vector<std::string> names;
      for (auto& c : r.cells) names.push_back(c.name);
      const int t = time_column(names, schema.time_columns);
      for (auto& c : r.cells) row[nleft + right_index.at(c.name)] = std::move(c.cell);
      if (t >= 0) time_at = nleft + right_index.at(names[static_cast<std::size_t>(t)]);
    }
    for (std::size_t at : datetime_at) {
      if (row[at].raw_json || row[at].value.empty()) continue;
      if (const auto d = core::parse_datetime(core::trim_blanks(row[at].value))) row[at].value = core::format_datetime(*d);
    }
    if (time_at != SIZE_MAX) row[time_at] = parsers::Cell{core::format_datetime(f.time), false};
  });
  return table;
}

}  // namespace rareconn::hunts
