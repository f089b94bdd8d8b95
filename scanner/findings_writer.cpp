// Output encoders for findings: rows formatted in parallel blocks (oneTBB), written in order.
// No knowledge of hunts beyond column names.
#include "scanner/findings_writer.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "core/json_text.hpp"

namespace rareconn::scanner {

namespace {

bool flush(std::FILE* out, std::string& buf) {
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
  buf.clear();
  return ok;
}

// Display width of UTF-8 text, counting code points.
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string cut(std::string_view s, std::size_t max) {
  std::string one_line;
  for (char c : s) one_line.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  if (width(one_line) <= max) return one_line;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < one_line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(one_line[i]);
    if ((c & 0xC0) != 0x80 && ++n > max - 1) break;
    out.push_back(one_line[i]);
  }
  return out + "\xE2\x80\xA6";  // …
}

}  // namespace

void append_csv_field(std::string& out, std::string_view v) {
  bool plain = true;
  for (char c : v) plain = plain && c != ',' && c != '"' && c != '\r' && c != '\n';
  if (plain) {
    out.append(v);
    return;
  }
  out.push_back('"');
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {
// Formats the rows in blocks on all threads, a bounded group of blocks at a time (the text of the
// whole output is never held), and writes the blocks in order. The blocks' buffers are reused from
// group to group: small blocks keep the memory they take small, and fresh memory is dear (each
// new page is a fault: 6,226 JSON findings in blocks of 512 rows took 1,140 faults, 40 % of the
// run's page faults; in blocks of 64, about 250; and in groups of 4 blocks instead of 16, about 45,
// the groups still spread over the threads).
template <class FormatRow>
bool write_rows(std::FILE* out, std::string head, const FindingsTable& t, FormatRow format_row) {
  constexpr std::size_t kBlock = 64, kGroup = 4;
  const std::size_t blocks = (t.size() + kBlock - 1) / kBlock;
  std::vector<std::string> text(std::min(blocks, kGroup));
  bool ok = std::fwrite(head.data(), 1, head.size(), out) == head.size();
  for (std::size_t g = 0; g < blocks; g += kGroup) {
    const std::size_t n = std::min(kGroup, blocks - g);
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t b) {
      std::string& buf = text[b];
      buf.clear();
      const std::size_t first = (g + b) * kBlock;
      for (std::size_t i = first; i < std::min(t.size(), first + kBlock); ++i) format_row(buf, t, i);
    });
    for (std::size_t b = 0; b < n; ++b) ok = std::fwrite(text[b].data(), 1, text[b].size(), out) == text[b].size() && ok;
  }
  return ok;
}
}  // namespace

bool write_csv(std::FILE* out, const FindingsTable& t) {
  std::string head;
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    if (j) head.push_back(',');
    append_csv_field(head, t.columns[j]);
  }
  head.push_back('\n');
  return write_rows(out, std::move(head), t, [](std::string& buf, const FindingsTable& table, std::size_t i) {
    for (std::size_t j = 0; j < table.columns.size(); ++j) {
      if (j) buf.push_back(',');
      append_csv_field(buf, table.cell(i, j).value);
    }
    buf.push_back('\n');
  });
}

bool write_jsonl(std::FILE* out, const FindingsTable& t) {
  return write_rows(out, std::string(), t, [](std::string& buf, const FindingsTable& table, std::size_t i) {
    buf.push_back('{');
    for (std::size_t j = 0; j < table.columns.size(); ++j) {
      if (j) buf.push_back(',');
      core::append_json_string(buf, table.columns[j]);
      buf.push_back(':');
      const hunts::CellView c = table.cell(i, j);
      if (c.raw_json) {
        buf.append(c.value);
      } else {
        core::append_json_string(buf, c.value);
      }
    }
    buf.append("}\n");
  });
}

bool write_table(std::FILE* out, const FindingsTable& t, const std::vector<std::vector<std::string>>& preferred) {
  // The first of each group present is shown, so a key and its renamed right-side copy
  // (DeviceName / DeviceName1) appear once.
  std::vector<std::size_t> cols;
  for (const auto& group : preferred) {
    for (const std::string& name : group) {
      const auto it = std::find(t.columns.begin(), t.columns.end(), name);
      if (it != t.columns.end()) {
        cols.push_back(static_cast<std::size_t>(it - t.columns.begin()));
        break;
      }
    }
  }
  if (cols.empty()) {
    for (std::size_t j = 0; j < t.columns.size(); ++j) cols.push_back(j);
  }
  constexpr std::size_t kMax = 48;
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> w(cols.size());
  for (std::size_t c = 0; c < cols.size(); ++c) w[c] = width(t.columns[cols[c]]);
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::vector<std::string> r;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      r.push_back(cut(t.cell(i, cols[c]).value, kMax));
      w[c] = std::max(w[c], width(r.back()));
    }
    cells.push_back(std::move(r));
  }
  std::string buf;
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (c) buf.append("  ");
      buf.append(r[c]);
      if (c + 1 < r.size()) buf.append(w[c] - width(r[c]), ' ');
    }
    buf.push_back('\n');
  };
  std::vector<std::string> head;
  for (std::size_t c : cols) head.push_back(t.columns[c]);
  line(head);
  std::vector<std::string> rule;
  for (std::size_t c = 0; c < cols.size(); ++c) rule.push_back(std::string(w[c], '-'));
  line(rule);
  for (const auto& r : cells) line(r);
  buf.append(std::to_string(t.size()) + (t.size() == 1 ? " finding\n" : " findings\n"));
  return flush(out, buf);
}

}  // namespace rareconn::scanner
