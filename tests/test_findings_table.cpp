// Tests for core/hunts/findings_table: the JSON rows' columns (the union of their keys in the order
// the findings show them) and each row's cells under them, whatever order the rows are built in;
// each distinct key order is looked up once (numbered as the rows arrive), so rows that name the
// same keys in another order, or other keys, are mixed with them here.
#include "core/hunts/findings_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/hunts/hunt.hpp"
#include "core/key_codec.hpp"
#include "core/kusto_time.hpp"

namespace rareconn::hunts {
namespace {

using Row = std::vector<std::pair<std::string, std::string>>;  // a JSON record's members

// JSON records by offset; read_again and parallel_for visit the rows in the order given (the order
// in which threads would build them).
class FakeServices final : public RunServices {
 public:
  std::map<std::uint64_t, Row> records;
  std::vector<std::size_t> order;  // the order of the rows; empty: 0..n-1

  void read_again(std::span<const core::EventRef> refs, RecordVisitor& visitor) const override {
    std::vector<std::size_t> visit = order;
    if (visit.empty()) {
      for (std::size_t i = 0; i < refs.size(); ++i) visit.push_back(i);
    }
    for (std::size_t i : visit) {
      RowCells cells;
      for (const auto& [name, value] : records.at(refs[i].offset)) cells.cells.push_back({name, {value, false}});
      visitor.row(i, cells);
    }
  }
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) const override {
    if (order.empty()) {
      for (std::size_t i = 0; i < n; ++i) body(i);
    } else {
      for (std::size_t i : order) body(i);
    }
  }
  std::vector<const std::vector<std::string>*> headers() const override { return {nullptr}; }
};

struct Table {
  std::vector<std::string> columns;
  std::vector<std::map<std::string, std::string>> rows;  // column -> non-empty cell
};

// The findings table of one rare key's findings, the records `rows`, decoded in `order`.
FindingsTable build_table(const std::vector<Row>& rows, const std::vector<std::size_t>& order,
                          const std::vector<std::string>& time_columns = {}) {
  FakeServices services;
  services.order = order;
  std::string key;
  core::append_key_part(key, "10.0.0.1");
  std::vector<core::RareKey> rare{{key, 3, {}}};
  std::vector<core::Finding> findings;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    services.records[i * 100] = rows[i];
    findings.push_back({0, i * 100, 0, 10, 0});
  }
  TabularSchema schema;
  schema.key_columns = {"RemoteIP"};
  schema.time_columns = time_columns;
  return tabular_findings_table(findings, rare, services, schema);
}

Table build(const std::vector<Row>& rows, const std::vector<std::size_t>& order,
            const std::vector<std::string>& time_columns = {}) {
  const FindingsTable t = build_table(rows, order, time_columns);
  Table out;
  out.columns = t.columns;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::map<std::string, std::string> cells;
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
      if (!t.cell(i, j).value.empty()) cells[t.columns[j]] = std::string(t.cell(i, j).value);
    }
    out.rows.push_back(cells);
  }
  return out;
}

TEST(FindingsTable, JsonColumnsAreTheKeysInTheOrderTheFindingsShowThem) {
  const std::vector<Row> rows = {
      {{"a", "1"}, {"b", "2"}},
      {{"a", "3"}, {"b", "4"}},              // the same key order
      {{"b", "5"}, {"a", "6"}},              // the same keys in another order
      {{"a", "7"}, {"c", "8"}},              // a new key
      {{"a", "9"}, {"c", "10"}, {"d", "11"}},  // one more
      {{"a", "12"}, {"b", "13"}},
  };
  const std::vector<std::string> want_columns = {"RemoteIP", "count_", "a", "b", "c", "d"};
  const std::vector<std::map<std::string, std::string>> want_rows = {
      {{"RemoteIP", "10.0.0.1"}, {"count_", "3"}, {"a", "1"}, {"b", "2"}},
      {{"RemoteIP", "10.0.0.1"}, {"count_", "3"}, {"a", "3"}, {"b", "4"}},
      {{"RemoteIP", "10.0.0.1"}, {"count_", "3"}, {"a", "6"}, {"b", "5"}},
      {{"RemoteIP", "10.0.0.1"}, {"count_", "3"}, {"a", "7"}, {"c", "8"}},
      {{"RemoteIP", "10.0.0.1"}, {"count_", "3"}, {"a", "9"}, {"c", "10"}, {"d", "11"}},
      {{"RemoteIP", "10.0.0.1"}, {"count_", "3"}, {"a", "12"}, {"b", "13"}},
  };
  // Every order of building the rows gives the same table (a thread takes rows in any order).
  std::vector<std::size_t> order = {0, 1, 2, 3, 4, 5};
  do {
    const Table t = build(rows, order);
    ASSERT_EQ(t.columns, want_columns);
    ASSERT_EQ(t.rows, want_rows);
  } while (std::next_permutation(order.begin(), order.end()));
}

// A row whose keys differ from the previous row's only in the last one adds that key.
TEST(FindingsTable, ARowDifferingOnlyInItsLastKeyAddsIt) {
  const std::vector<Row> rows = {{{"a", "1"}, {"b", "2"}}, {{"a", "3"}, {"z", "4"}}, {{"a", "5"}, {"b", "6"}}};
  const Table t = build(rows, {});
  EXPECT_EQ(t.columns, (std::vector<std::string>{"RemoteIP", "count_", "a", "b", "z"}));
  EXPECT_EQ(t.rows[1].at("z"), "4");
  EXPECT_EQ(t.rows[1].count("b"), 0u);
}

// Two tables built one after the other in one process are independent (no key order carried over).
TEST(FindingsTable, ASecondTableDoesNotReuseTheFirstTablesLookups) {
  const Table first = build({{{"x", "1"}}, {{"y", "1"}}, {{"z", "1"}}, {{"a", "1"}, {"b", "2"}}}, {});
  // Its row 1 is built first and names a, b as the first table's row did, under other columns.
  const Table second = build({{{"b", "1"}, {"a", "2"}}, {{"a", "3"}, {"b", "4"}}}, {1, 0});
  EXPECT_EQ(second.columns, (std::vector<std::string>{"RemoteIP", "count_", "b", "a"}));
  EXPECT_EQ(second.rows[1].at("a"), "3");
  EXPECT_EQ(second.rows[1].at("b"), "4");
  EXPECT_EQ(first.rows[3].at("a"), "1");
}

// A thread remembers what the last key order it saw means (which member is the event time); a
// table with another schema looks again.
TEST(FindingsTable, ASecondTableWithOtherTimeColumnsLooksAgainAtTheSameKeys) {
  const Row row{{"Timestamp", "2024-05-01 10:00:00"}, {"a", "1"}};
  const Table with_time = build({row}, {}, {"Timestamp"});
  EXPECT_EQ(with_time.rows[0].at("Timestamp"), core::format_datetime(0));  // the finding's time
  const Table without = build({row}, {});
  EXPECT_EQ(without.rows[0].at("Timestamp"), "2024-05-01 10:00:00");
  const Table again = build({row}, {}, {"Timestamp"});
  EXPECT_EQ(again.rows[0].at("Timestamp"), core::format_datetime(0));
}

// Rows stored in another order than the columns' are read through their layout.
TEST(FindingsTable, ARowUnderALayoutReadsEachColumnFromItsCell) {
  FindingsTable t;
  t.columns = {"k", "x", "y", "z"};
  t.resize(2);
  const std::vector<CellView> stored{{"key", false}, {"3", true}, {"why", false}};  // k, z, y
  t.set_row(0, stored);
  t.set_row(1, stored);
  t.set_layout(1, t.add_layout({0, FindingsTable::kNoCell, 2, 1}));
  EXPECT_EQ(t.cell(0, 1).value, "3");  // row 0: the columns' order
  EXPECT_EQ(t.cell(1, 0).value, "key");
  EXPECT_EQ(t.cell(1, 1).value, "");
  EXPECT_EQ(t.cell(1, 2).value, "why");
  EXPECT_EQ(t.cell(1, 3).value, "3");
  EXPECT_TRUE(t.cell(1, 3).raw_json);
  EXPECT_EQ(t.stored_cell(1, 1).value, "3");
}

// A JSON record's row holds the left side and its members' values only: the names are kept once
// per key order, not once per row.
TEST(FindingsTable, AJsonRowStoresItsValuesNotItsNames) {
  const FindingsTable t = build_table({{{"SomeLongMemberName", "v1"}, {"AnotherLongMemberName", "v2"}},
                                       {{"SomeLongMemberName", "v3"}, {"AnotherLongMemberName", "v4"}}},
                                      {});
  ASSERT_EQ(t.columns, (std::vector<std::string>{"RemoteIP", "count_", "SomeLongMemberName", "AnotherLongMemberName"}));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(t.stored_cell(i, 2).value, i == 0 ? "v1" : "v3");
    EXPECT_EQ(t.stored_cell(i, 3).value, i == 0 ? "v2" : "v4");
    for (std::size_t j = 4; j < 8; ++j) EXPECT_EQ(t.stored_cell(i, j).value, "") << i << " " << j;
  }
}

}  // namespace
}  // namespace rareconn::hunts
