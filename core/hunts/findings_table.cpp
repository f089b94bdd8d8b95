// Findings tables: the compact row store, Kusto's renaming, and the tabular builder (the union
// schema of the inputs, the event time written as Kusto prints a datetime). Rows are built in the
// scanner's threads as their records are decoded again.
#include "core/hunts/findings_table.hpp"

#include <algorithm>
#include <cstdint>
#include <new>
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
template <class Name>
int time_column(const std::vector<Name>& names, const std::vector<std::string>& time_names) {
  int best = -1;
  std::size_t best_rank = time_names.size();
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::size_t rank = 0;
    while (rank < time_names.size() && time_names[rank] != names[i]) ++rank;
    if (rank < best_rank) best = static_cast<int>(i), best_rank = rank;
  }
  return best;
}

}  // namespace

void FindingsTable::set_row(std::size_t i, std::span<const CellView> cells) {
  std::size_t bytes = 0;
  for (const CellView& c : cells) bytes += c.value.size();
  const auto n = static_cast<std::uint32_t>(cells.size());
  char* row = bytes_->take(4 + 4 * std::size_t{n} + bytes);
  std::memcpy(row, &n, 4);
  char* text = row + 4 + 4 * std::size_t{n};
  std::uint32_t end = 0;
  for (std::uint32_t j = 0; j < n; ++j) {
    if (!cells[j].value.empty()) std::memcpy(text + end, cells[j].value.data(), cells[j].value.size());
    end += static_cast<std::uint32_t>(cells[j].value.size());
    const std::uint32_t mark = end | (cells[j].raw_json ? kRawJson : 0);
    std::memcpy(row + 4 + 4 * std::size_t{j}, &mark, 4);
  }
  rows_[i] = row;
}

void FindingsTable::set_row(std::size_t i, const std::vector<parsers::Cell>& cells) {
  std::vector<CellView> views;
  views.reserve(cells.size());
  for (const parsers::Cell& c : cells) views.push_back({c.value, c.raw_json});
  set_row(i, views);
}

namespace {

// Builds the findings' rows as their records are decoded again. A CSV record's row is built at
// once (its columns are known from the headers); a JSON record's cells are kept until every
// record has named its columns.
class RowsOf final : public RecordVisitor {
 public:
  RowsOf(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare, const TabularSchema& schema,
         FindingsTable& table, std::size_t nleft, bool any_json)
      : findings_(findings), rare_(rare), schema_(schema), table_(table), nleft_(nleft) {
    json_rows.resize(any_json ? findings.size() : 0);
    decoded.assign(findings.size(), 0);
  }

  std::vector<std::vector<std::size_t>> csv_map;  // per input: table column (after nleft) of each header column
  std::vector<int> csv_time;                      // per input: the event time column of its header, or -1
  std::vector<std::vector<char>> csv_datetime;    // per input: header columns printed as datetimes
  // A JSON record's cells kept until the schema is known, packed in one block of `packed`: its
  // members, then their names and values (one block a row, where named cells take two
  // allocations per member).
  struct PackedRow {
    struct Member {
      std::uint32_t name_at, name_len, value_at, value_len;
      bool raw_json;
    };
    const Member* members = nullptr;
    std::uint32_t count = 0;
    const char* text = nullptr;
    std::span<const Member> all() const { return {members, count}; }
    std::string_view name(const Member& m) const { return {text + m.name_at, m.name_len}; }
    std::string_view value(const Member& m) const { return {text + m.value_at, m.value_len}; }
  };
  std::vector<PackedRow> json_rows;
  core::BulkBytes packed;
  std::vector<char> decoded;  // the records that decoded (the others have only the left side)

  void row(std::size_t i, RowCells& r) override {
    decoded[i] = 1;
    if (!r.header) {
      PackedRow& p = json_rows[i];
      std::size_t bytes = 0;
      for (const parsers::NamedCell& c : r.cells) bytes += c.name.size() + c.cell.value.size();
      const std::size_t head = r.cells.size() * sizeof(PackedRow::Member);
      char* block = packed.take(head + bytes);
      auto* members = reinterpret_cast<PackedRow::Member*>(block);  // 8-byte aligned block
      char* text = block + head;
      std::uint32_t at = 0;
      for (std::size_t j = 0; j < r.cells.size(); ++j) {
        const parsers::NamedCell& c = r.cells[j];
        PackedRow::Member m;
        m.name_at = at;
        m.name_len = static_cast<std::uint32_t>(c.name.size());
        if (!c.name.empty()) std::memcpy(text + at, c.name.data(), c.name.size());
        at += m.name_len;
        m.value_at = at;
        m.value_len = static_cast<std::uint32_t>(c.cell.value.size());
        if (!c.cell.value.empty()) std::memcpy(text + at, c.cell.value.data(), c.cell.value.size());
        at += m.value_len;
        m.raw_json = c.cell.raw_json;
        new (members + j) PackedRow::Member(m);
      }
      p.members = members;
      p.count = static_cast<std::uint32_t>(r.cells.size());
      p.text = text;
      return;
    }
    const std::uint32_t file = findings_[i].file;
    const std::vector<std::size_t>& map = csv_map[file];
    std::size_t ncols = nleft_;
    for (std::size_t j = 0; j < r.values.size() && j < map.size(); ++j) ncols = std::max(ncols, nleft_ + map[j] + 1);
    Scratch& s = scratch(i, ncols);
    for (std::size_t j = 0; j < r.values.size() && j < map.size(); ++j) {
      std::string& v = r.values[j];
      if (csv_datetime[file][j] && !v.empty()) {
        if (const auto d = core::parse_datetime(core::trim_blanks(v))) v = core::format_datetime(*d);
      }
      s.cells[nleft_ + map[j]] = {v, false};
    }
    if (csv_time[file] >= 0 && static_cast<std::size_t>(csv_time[file]) < map.size()) {
      const std::size_t at = nleft_ + map[static_cast<std::size_t>(csv_time[file])];
      s.time = core::format_datetime(findings_[i].time);
      if (at >= s.cells.size()) s.cells.resize(at + 1);
      s.cells[at] = {s.time, false};
    }
    table_.set_row(i, s.cells);
  }
  void event(std::size_t, const parsers::WindowsEventView&) override {}

  // The left side of row i (the key, the set, count_) in cells of which there are `ncols`.
  struct Scratch {
    std::vector<CellView> cells;
    std::vector<std::string_view> parts;
    std::string count, time;
  };
  Scratch& scratch(std::size_t i, std::size_t ncols) {
    thread_local Scratch s;
    const core::RareKey& k = rare_[findings_[i].rare];
    s.cells.assign(ncols, CellView{});
    s.parts = k.parts();
    for (std::size_t j = 0; j < s.parts.size(); ++j) s.cells[j] = {s.parts[j], false};
    if (!schema_.set_column.empty()) s.cells[nleft_ - 2] = {k.set_json, true};
    s.count = std::to_string(k.count);
    s.cells[nleft_ - 1] = {s.count, true};
    return s;
  }

 private:
  const std::vector<core::Finding>& findings_;
  const std::vector<core::RareKey>& rare_;
  const TabularSchema& schema_;
  FindingsTable& table_;
  std::size_t nleft_;
};

// Lookups by string_view in a map keyed by std::string.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Two packed JSON rows name the same members in the same order.
bool same_names(const RowsOf::PackedRow& a, const RowsOf::PackedRow& b) {
  if (a.count != b.count) return false;
  for (std::uint32_t j = 0; j < a.count; ++j) {
    if (a.name(a.members[j]) != b.name(b.members[j])) return false;
  }
  return true;
}

bool is_datetime_column(const TabularSchema& schema, const std::string& name) {
  return std::find(schema.datetime_columns.begin(), schema.datetime_columns.end(), name) != schema.datetime_columns.end();
}

}  // namespace

FindingsTable tabular_findings_table(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare,
                                     const RunServices& services, const TabularSchema& schema) {
  // 1. Schema: the CSV headers in input order, then (step 3) JSON keys in the order the findings
  // show them. The left side: the key, the set, count_.
  const std::vector<const std::vector<std::string>*> headers = services.headers();
  std::vector<std::string> right;
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> right_index;
  auto add_right = [&](std::string_view name) {  // the name's index in `right`
    auto it = right_index.find(name);
    if (it == right_index.end()) {
      it = right_index.emplace(std::string(name), right.size()).first;
      right.emplace_back(name);
    }
    return it->second;
  };
  for (const auto* h : headers) {
    if (!h) continue;
    for (const std::string& c : *h) add_right(c);
  }
  FindingsTable table;
  table.columns = schema.key_columns;
  if (!schema.set_column.empty()) table.columns.push_back(schema.set_column);
  table.columns.push_back("count_");
  const std::size_t nleft = table.columns.size();
  bool any_json = false;
  for (const core::Finding& f : findings) any_json = any_json || !headers[f.file];
  RowsOf rows(findings, rare, schema, table, nleft, any_json);
  rows.csv_map.resize(headers.size());
  rows.csv_time.assign(headers.size(), -1);
  rows.csv_datetime.resize(headers.size());
  for (std::size_t fi = 0; fi < headers.size(); ++fi) {
    if (!headers[fi]) continue;
    for (const std::string& c : *headers[fi]) {
      rows.csv_map[fi].push_back(right_index[c]);
      rows.csv_datetime[fi].push_back(is_datetime_column(schema, c));
    }
    rows.csv_time[fi] = time_column(*headers[fi], schema.time_columns);
  }
  // 2. Decode the findings' records again (CSV records to values by column position, JSON records
  // to named cells); CSV rows are built as they come.
  table.resize(findings.size());
  {
    std::vector<core::EventRef> refs;
    refs.reserve(findings.size());
    for (const core::Finding& f : findings) refs.push_back({f.offset, f.file, f.length});
    services.read_again(refs, rows);
  }
  // 3. JSON rows: their keys complete the schema, then their rows are built. Exports repeat one
  // key order row after row: a row naming the previous row's keys in the same order shares its
  // shape (its members' columns and its time column), so only a new key order is looked up.
  struct Shape {
    std::vector<std::size_t> column;  // per member: its index in `right`
    int time = -1;                    // the member holding the event time, or -1
  };
  std::vector<Shape> shapes;
  constexpr std::uint32_t kNoShape = UINT32_MAX;
  std::vector<std::uint32_t> shape_of(rows.json_rows.size(), kNoShape);
  {
    std::vector<std::string_view> names;
    std::size_t previous = SIZE_MAX;
    for (std::size_t i = 0; i < rows.json_rows.size(); ++i) {
      const RowsOf::PackedRow& r = rows.json_rows[i];
      if (r.members == nullptr) continue;  // a CSV record's row, or a record that did not decode
      if (previous != SIZE_MAX && same_names(rows.json_rows[previous], r)) {
        shape_of[i] = shape_of[previous];
      } else {
        Shape shape;
        names.clear();
        for (const auto& m : r.all()) {
          names.push_back(r.name(m));
          shape.column.push_back(add_right(names.back()));
        }
        shape.time = time_column(names, schema.time_columns);
        shape_of[i] = static_cast<std::uint32_t>(shapes.size());
        shapes.push_back(std::move(shape));
      }
      previous = i;
    }
  }
  for (std::string& n : unique_right_names(table.columns, right)) table.columns.push_back(std::move(n));
  std::vector<char> datetime_at(right.size(), 0);  // the datetime columns present
  for (const std::string& c : schema.datetime_columns) {
    auto it = right_index.find(c);
    if (it != right_index.end()) datetime_at[it->second] = 1;
  }
  services.parallel_for(findings.size(), [&](std::size_t i) {
    const core::Finding& f = findings[i];
    if (headers[f.file]) {
      if (!rows.decoded[i]) {
        RowCells none;
        none.header = headers[f.file];
        rows.row(i, none);
      }
      return;
    }
    RowsOf::PackedRow& r = rows.json_rows[i];
    RowsOf::Scratch& s = rows.scratch(i, table.columns.size());
    if (shape_of[i] != kNoShape) {
      const Shape& shape = shapes[shape_of[i]];
      thread_local std::vector<std::string> printed;  // datetimes as Kusto prints them
      printed.resize(r.count + 1);  // no reallocation below: the cells view these strings
      for (std::size_t j = 0; j < r.count; ++j) {
        const auto& m = r.members[j];
        const std::size_t at = shape.column[j];
        std::string_view v = r.value(m);
        if (datetime_at[at] && !m.raw_json && !v.empty()) {
          if (const auto d = core::parse_datetime(core::trim_blanks(v))) v = printed[j] = core::format_datetime(*d);
        }
        s.cells[nleft + at] = {v, m.raw_json};
      }
      if (shape.time >= 0) {
        printed.back() = core::format_datetime(f.time);
        s.cells[nleft + shape.column[static_cast<std::size_t>(shape.time)]] = {printed.back(), false};
      }
    }
    table.set_row(i, s.cells);
  });
  return table;
}

}  // namespace rareconn::hunts
