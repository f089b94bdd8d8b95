// Findings table: parallel decode of the matching records, the union schema, Kusto's renaming,
// and the event time written as Kusto prints a datetime.
#include "scanner/findings_table.hpp"

#include <tbb/parallel_for.h>

#include <unordered_map>
#include <unordered_set>

#include "parsers/json_reader.hpp"

namespace rareconn::scanner {

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
// The event time column of a record: Timestamp, else TimeGenerated (as the hunt reads it).
int time_column(const std::vector<std::string>& names) {
  int best = -1, best_rank = 99;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const int rank = names[i] == "Timestamp"                    ? 0
                     : names[i] == "TimeGenerated"              ? 1
                     : names[i] == "TimeGenerated [UTC]"        ? 2
                     : names[i] == "TimeGenerated [Local Time]" ? 3
                                                                : 99;
    if (rank < best_rank) best = static_cast<int>(i), best_rank = rank;
  }
  return best;
}
}  // namespace

FindingsTable build_findings_table(const std::vector<InputFile>& files, const std::vector<core::Finding>& findings,
                                   const std::vector<core::RareKey>& rare, std::vector<std::string> key_columns,
                                   bool with_set, const std::vector<std::string>& datetime_columns) {
  // 1. Decode: CSV records to values by column position, JSON records to named cells.
  std::vector<std::vector<std::string>> csv_values(findings.size());
  std::vector<std::vector<parsers::NamedCell>> json_cells(findings.size());
  tbb::parallel_for(std::size_t{0}, findings.size(), [&](std::size_t i) {
    const core::Finding& f = findings[i];
    const InputFile& in = files[f.file];
    if (in.format == parsers::InputFormat::kCsv) {
      parsers::CsvRecordParser::split_record(in.bytes(), f.offset, csv_values[i]);
    } else {
      parsers::JsonRecordParser::split_record(in.bytes(), f.offset, json_cells[i]);
    }
  });
  // 2. Schema: the CSV headers in path order, then JSON keys in the order the findings show them.
  std::vector<std::string> right;
  std::unordered_map<std::string, std::size_t> right_index;
  auto add_right = [&](const std::string& name) {
    if (right_index.emplace(name, right.size()).second) right.push_back(name);
  };
  std::vector<std::vector<std::size_t>> csv_map(files.size());
  std::vector<int> csv_time(files.size(), -1);
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    if (files[fi].format != parsers::InputFormat::kCsv) continue;
    for (const std::string& c : files[fi].header.columns) add_right(c);
  }
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    if (files[fi].format != parsers::InputFormat::kCsv) continue;
    for (const std::string& c : files[fi].header.columns) csv_map[fi].push_back(right_index[c]);
    csv_time[fi] = time_column(files[fi].header.columns);
  }
  for (const auto& cells : json_cells) {
    for (const auto& c : cells) add_right(c.name);
  }
  FindingsTable table;
  table.columns = std::move(key_columns);
  if (with_set) table.columns.push_back("set_RemoteUrl");
  table.columns.push_back("count_");
  const std::size_t nleft = table.columns.size();
  for (std::string& n : unique_right_names(table.columns, right)) table.columns.push_back(std::move(n));
  std::vector<std::size_t> datetime_at;  // table positions of the datetime columns present
  for (const std::string& c : datetime_columns) {
    auto it = right_index.find(c);
    if (it != right_index.end()) datetime_at.push_back(nleft + it->second);
  }
  // 3. Rows.
  table.rows.resize(findings.size());
  tbb::parallel_for(std::size_t{0}, findings.size(), [&](std::size_t i) {
    const core::Finding& f = findings[i];
    const core::RareKey& k = rare[f.rare];
    std::vector<parsers::Cell>& row = table.rows[i];
    row.resize(table.columns.size());
    for (std::size_t j = 0; j < k.parts.size(); ++j) row[j] = parsers::Cell{k.parts[j], false};
    if (with_set) row[nleft - 2] = parsers::Cell{k.set_json, true};
    row[nleft - 1] = parsers::Cell{std::to_string(k.count), true};
    std::size_t time_at = SIZE_MAX;
    if (files[f.file].format == parsers::InputFormat::kCsv) {
      const auto& map = csv_map[f.file];
      auto& values = csv_values[i];
      for (std::size_t j = 0; j < values.size() && j < map.size(); ++j) row[nleft + map[j]].value = std::move(values[j]);
      if (csv_time[f.file] >= 0) time_at = nleft + map[static_cast<std::size_t>(csv_time[f.file])];
    } else {
      std::vector<std::string> names;
      for (auto& c : json_cells[i]) names.push_back(c.name);
      const int t = time_column(names);
      for (auto& c : json_cells[i]) row[nleft + right_index.at(c.name)] = std::move(c.cell);
      if (t >= 0) time_at = nleft + right_index.at(names[static_cast<std::size_t>(t)]);
    }
    for (std::size_t at : datetime_at) {
      if (row[at].raw_json || row[at].value.empty()) continue;
      if (const auto t = core::parse_datetime(core::trim_blanks(row[at].value))) row[at].value = core::format_datetime(*t);
    }
    if (time_at != SIZE_MAX) row[time_at] = parsers::Cell{core::format_datetime(f.time), false};
  });
  return table;
}

}  // namespace rareconn::scanner
