// Tests for scanner/findings_writer: rows come out in table order and byte for byte as one row at a
// time would write them, across the blocks and groups of blocks the writer formats in parallel.
#include "scanner/findings_writer.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace rareconn::scanner {
namespace {

std::string written(bool (*write)(std::FILE*, const FindingsTable&), const FindingsTable& t) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  EXPECT_TRUE(write(f, t));
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  return out;
}

FindingsTable numbered(std::size_t rows) {
  FindingsTable t;
  t.columns = {"n", "text", "count_"};
  t.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string n = std::to_string(i), text = i % 3 == 0 ? "a,\"b\"" : std::string(i % 50, 'x');
    const std::vector<hunts::CellView> cells = {{n, false}, {text, false}, {n, true}};
    t.set_row(i, cells);
  }
  return t;
}

TEST(FindingsWriter, CsvRowsInOrderAcrossBlocksAndGroups) {
  for (const std::size_t rows : {0u, 1u, 63u, 64u, 65u, 1023u, 1024u, 1025u, 5000u}) {
    const FindingsTable t = numbered(rows);
    std::string want = "n,text,count_\n";
    for (std::size_t i = 0; i < rows; ++i) {
      const std::string n = std::to_string(i);
      want.append(n).push_back(',');
      append_csv_field(want, t.cell(i, 1).value);
      want.push_back(',');
      want.append(n).push_back('\n');
    }
    EXPECT_EQ(written(write_csv, t), want) << rows;
  }
}

TEST(FindingsWriter, JsonLinesRowsInOrderAcrossBlocksAndGroups) {
  const FindingsTable t = numbered(3000);
  const std::string out = written(write_jsonl, t);
  std::size_t at = 0;
  for (std::size_t i = 0; i < 3000; ++i) {
    const std::string start = "{\"n\":\"" + std::to_string(i) + "\",";
    ASSERT_EQ(out.compare(at, start.size(), start), 0) << i;
    at = out.find('\n', at) + 1;
  }
  EXPECT_EQ(at, out.size());
}

}  // namespace
}  // namespace rareconn::scanner
