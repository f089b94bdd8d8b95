// Findings tables: the compact row store, Kusto's renaming, and the tabular builder (the union
// schema of the inputs, the event time written as Kusto prints a datetime). Rows are built in the
// scanner's threads as their records are decoded again.
#include "core/hunts/findings_table.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
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

bool is_datetime_column(const TabularSchema& schema, const std::string& name) {
  return std::find(schema.datetime_columns.begin(), schema.datetime_columns.end(), name) != schema.datetime_columns.end();
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
// once (its columns are known from the headers). A JSON record's row is built at once too: the
// left side, then its members' values in their order; its key order (the members' names) is kept
// once per distinct order, and its layout (where each column is) is set once every record has
// named its columns. Names are more than half of an export's JSON text (1,049 of 1,802 bytes a
// record in gen_mde.py's), so rows without them take half the fresh memory.
class RowsOf final : public RecordVisitor {
 public:
  RowsOf(const std::vector<core::Finding>& findings, const std::vector<core::RareKey>& rare, const TabularSchema& schema,
         FindingsTable& table, std::size_t nleft)
      : findings_(findings), rare_(rare), schema_(schema), table_(table), nleft_(nleft), id_(next_id()) {
    json_order.assign(findings.size(), kNotJson);
    decoded.assign(findings.size(), 0);
  }

  std::vector<std::vector<std::size_t>> csv_map;  // per input: table column (after nleft) of each header column
  std::vector<int> csv_time;                      // per input: the event time column of its header, or -1
  std::vector<std::vector<char>> csv_datetime;    // per input: header columns printed as datetimes
  // Per row: its key order (an index in `orders`) when it is a JSON record's (its values are cells
  // [nleft, nleft + n) for the order's n names), else kNotJson.
  static constexpr std::uint32_t kNotJson = UINT32_MAX;
  std::vector<std::uint32_t> json_order;
  // The distinct key orders, numbered as the threads meet them (their numbers are not the rows'
  // order; the columns are, in step 3).
  std::vector<std::vector<std::string>> orders;
  std::vector<char> decoded;  // the records that decoded (the others have only the left side)

  void row(std::size_t i, RowCells& r) override {
    decoded[i] = 1;
    if (!r.header) {
      const std::size_t count = r.cells.size();
      const Look& look = look_of(r.cells);
      Scratch& s = scratch(i, nleft_ + count);
      thread_local std::vector<std::string> printed;  // datetimes as Kusto prints them
      printed.resize(count + 1);  // no reallocation below: the cells view these strings
      for (std::size_t j = 0; j < count; ++j) {
        const parsers::NamedCell& c = r.cells[j];
        std::string_view v = c.cell.value;
        bool raw = c.cell.raw_json;
        if (static_cast<int>(j) == look.time) {
          v = printed[count] = core::format_datetime(findings_[i].time);
          raw = false;
        } else if (look.datetime[j] && !raw && !v.empty()) {
          if (const auto d = core::parse_datetime(core::trim_blanks(v))) v = printed[j] = core::format_datetime(*d);
        }
        s.cells[nleft_ + j] = {v, raw};
      }
      table_.set_row(i, s.cells);
      json_order[i] = look.order;
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
  // What a JSON record's member names mean for its row: which members are printed as datetimes,
  // and which one holds the event time (or -1). Exports repeat one key order row after row, so each
  // thread keeps the last names it looked at (for this table only).
  struct Look {
    std::uint64_t table = 0;  // id_ of the table it was made for
    std::vector<std::string> names;
    std::vector<char> datetime;
    int time = -1;
    std::uint32_t order = 0;  // the names' index in `orders`
  };
  const Look& look_of(const std::vector<parsers::NamedCell>& cells) {
    thread_local Look look;
    bool same = look.table == id_ && look.names.size() == cells.size();
    for (std::size_t j = 0; same && j < cells.size(); ++j) same = look.names[j] == cells[j].name;
    if (same) return look;
    look.table = id_;
    look.names.resize(cells.size());
    look.datetime.resize(cells.size());
    for (std::size_t j = 0; j < cells.size(); ++j) {
      look.names[j] = cells[j].name;
      look.datetime[j] = is_datetime_column(schema_, cells[j].name);
    }
    look.time = time_column(look.names, schema_.time_columns);
    look.order = order_of(look.names);
    return look;
  }
  // The index of a key order in `orders`, added when new (any thread).
  std::uint32_t order_of(const std::vector<std::string>& names) {
    std::string k;  // each name after its length: no two orders share it
    for (const std::string& n : names) {
      const std::uint32_t len = static_cast<std::uint32_t>(n.size());
      k.append(reinterpret_cast<const char*>(&len), sizeof len);
      k.append(n);
    }
    std::lock_guard<std::mutex> lock(orders_mutex_);
    const auto [it, fresh] = order_index_.try_emplace(std::move(k), static_cast<std::uint32_t>(orders.size()));
    if (fresh) orders.push_back(names);
    return it->second;
  }
  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  const std::vector<core::Finding>& findings_;
  const std::vector<core::RareKey>& rare_;
  const TabularSchema& schema_;
  FindingsTable& table_;
  std::size_t nleft_;
  std::uint64_t id_;  // this table's, for the threads' cached looks
  std::mutex orders_mutex_;
  std::unordered_map<std::string, std::uint32_t> order_index_;  // encoded names -> index in `orders`
};

// Lookups by string_view in a map keyed by std::string.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};


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
  RowsOf rows(findings, rare, schema, table, nleft);
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
  // 3. JSON rows: their keys complete the schema (a key order's names, in the order of the first row
  // showing it), then each row's layout is set, one per key order.
  std::vector<std::vector<std::size_t>> columns_of(rows.orders.size());  // per order, per member: its index in `right`
  {
    std::vector<char> seen(rows.orders.size(), 0);
    for (std::size_t i = 0; i < findings.size(); ++i) {
      const std::uint32_t o = rows.json_order[i];
      if (o == RowsOf::kNotJson || seen[o]) continue;  // a CSV record's row, one that did not decode, or a known order
      seen[o] = 1;
      for (const std::string& n : rows.orders[o]) columns_of[o].push_back(add_right(n));
    }
  }
  for (std::string& n : unique_right_names(table.columns, right)) table.columns.push_back(std::move(n));
  std::vector<std::uint32_t> layout_of(rows.orders.size());
  for (std::size_t o = 0; o < rows.orders.size(); ++o) {
    std::vector<std::uint32_t> cell_of(table.columns.size(), FindingsTable::kNoCell);
    for (std::size_t j = 0; j < nleft; ++j) cell_of[j] = static_cast<std::uint32_t>(j);
    for (std::size_t m = 0; m < columns_of[o].size(); ++m) cell_of[nleft + columns_of[o][m]] = static_cast<std::uint32_t>(nleft + m);
    layout_of[o] = table.add_layout(std::move(cell_of));
  }
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (rows.json_order[i] != RowsOf::kNotJson) table.set_layout(i, layout_of[rows.json_order[i]]);
  }
  // 4. The records that did not decode (gone, changed since the scan) keep their left side.
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (rows.decoded[i]) continue;
    RowCells none;
    none.header = headers[findings[i].file];
    if (none.header) {
      rows.row(i, none);
    } else {
      table.set_row(i, rows.scratch(i, nleft).cells);
    }
  }
  return table;
}

}  // namespace rareconn::hunts
