// Tests for scanner/chunker: chunks cut in parallel at any size yield exactly the records a
// sequential parse yields (CSV with quoted newlines, CRLF; JSON lines).
#include "scanner/chunker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "parsers/csv_reader.hpp"
#include "parsers/format_detect.hpp"
#include "parsers/json_reader.hpp"

using namespace rareconn;

namespace {

std::string random_csv(std::mt19937& rng, int rows, bool crlf) {
  const char* pieces[] = {"a", "b,c", "\"", "\n", "x\"y", "", "long text ", "\r\n", "z"};
  std::string t = "A,B,C";
  t += crlf ? "\r\n" : "\n";
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < 3; ++c) {
      std::string v;
      const int n = static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) v += pieces[rng() % 9];
      const bool quote = v.find_first_of(",\"\r\n") != std::string::npos || rng() % 5 == 0;
      if (c) t += ',';
      if (quote) {
        t += '"';
        for (char ch : v) {
          if (ch == '"') t += '"';
          t += ch;
        }
        t += '"';
      } else {
        t += v;
      }
    }
    t += crlf ? "\r\n" : "\n";
  }
  return t;
}

// Records of a parse by guessed chunks, or nothing when a chunk's records do not end where the next
// chunk begins (the scanner then cuts by quote parity).
std::optional<std::vector<std::pair<std::uint64_t, std::string>>> records_by_guessed_chunks(const std::string& t,
                                                                                            std::uint64_t chunk) {
  parsers::CsvHeader h = parsers::parse_csv_header(t);
  parsers::Projection proj{{{{"A"}}, {{"B"}}, {{"C"}}}};
  std::vector<scanner::Chunk> chunks;
  scanner::guess_csv_chunks(0, t, h.data_offset, chunk, h.columns.size(), chunks);
  parsers::CsvRecordParser p(h, proj);
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const std::uint64_t stop = p.parse(t, chunks[i].begin, chunks[i].end,
            [&](const parsers::RecordView& rv) {
              out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::string(rv.values[1]) + "|" +
                                            std::string(rv.values[2])});
            },
            [&](std::uint64_t off, parsers::ParseError) { out.push_back({off, "ERROR"}); });
    if (i + 1 < chunks.size() && stop != chunks[i + 1].begin) return std::nullopt;
  }
  return out;
}

std::vector<std::pair<std::uint64_t, std::string>> records_by_chunks(const std::string& t, std::uint64_t chunk) {
  parsers::CsvHeader h = parsers::parse_csv_header(t);
  parsers::Projection proj{{{{"A"}}, {{"B"}}, {{"C"}}}};
  std::vector<scanner::Chunk> chunks;
  scanner::plan_csv_chunks(0, t, h.data_offset, chunk, chunks);
  parsers::CsvRecordParser p(h, proj);
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& c : chunks) {
    p.parse(t, c.begin, c.end,
            [&](const parsers::RecordView& rv) {
              out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::string(rv.values[1]) + "|" +
                                            std::string(rv.values[2])});
            },
            [&](std::uint64_t off, parsers::ParseError) { out.push_back({off, "ERROR"}); });
  }
  return out;
}

}  // namespace

TEST(Chunker, CsvAnyChunkSizeMatchesSequential) {
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    const std::string t = random_csv(rng, 60, round % 2 == 1);
    const auto expected = records_by_chunks(t, t.size() + 1);
    ASSERT_EQ(expected.size(), 60u);
    for (std::uint64_t chunk : {1, 2, 3, 7, 13, 64, 500}) {
      EXPECT_EQ(records_by_chunks(t, chunk), expected) << "round " << round << " chunk " << chunk;
    }
  }
}

// Guessed cuts: when the chunks meet, the records are the sequential parse's; without line breaks
// in quoted fields they always meet.
TEST(Chunker, CsvGuessedCutsThatMeetMatchSequential) {
  std::mt19937 rng(7);
  int met = 0, missed = 0;
  for (int round = 0; round < 40; ++round) {
    const std::string t = random_csv(rng, 60, round % 2 == 1);
    const auto expected = records_by_chunks(t, t.size() + 1);
    for (std::uint64_t chunk : {1, 2, 3, 7, 13, 64, 500}) {
      const auto got = records_by_guessed_chunks(t, chunk);
      if (!got) {
        ++missed;
        continue;
      }
      ++met;
      EXPECT_EQ(*got, expected) << "round " << round << " chunk " << chunk;
    }
  }
  EXPECT_GT(met, 0);
  EXPECT_GT(missed, 0);  // the pieces include quoted line breaks: some guesses must miss
  std::string clean = "A,B,C\n";
  for (int i = 0; i < 500; ++i) clean += std::to_string(i) + ",\"x, \"\"y\"\"\"," + std::string(i % 17, 'z') + "\n";
  const auto expected = records_by_chunks(clean, clean.size() + 1);
  for (std::uint64_t chunk : {1, 5, 64, 999}) {
    const auto got = records_by_guessed_chunks(clean, chunk);
    ASSERT_TRUE(got.has_value()) << "chunk " << chunk;
    EXPECT_EQ(*got, expected);
  }
}

namespace {

// A probe reading `t` (as a mapped file's pread would), counting its calls.
scanner::ProbeRead probe_of(const std::string& t, std::atomic<int>& probes) {
  return [&t, &probes](std::uint64_t begin, std::uint64_t end) {
    ++probes;
    EXPECT_LT(begin, end);
    EXPECT_LE(end, t.size());
    thread_local std::string copy;
    copy = t.substr(begin, end - begin);
    return std::string_view(copy);
  };
}

void expect_same_chunks(const std::vector<scanner::Chunk>& got, const std::vector<scanner::Chunk>& want, int round,
                        std::uint64_t chunk) {
  ASSERT_EQ(got.size(), want.size()) << "round " << round << " chunk " << chunk;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].begin, want[i].begin) << "round " << round << " chunk " << chunk << " chunk #" << i;
    EXPECT_EQ(got[i].end, want[i].end) << "round " << round << " chunk " << chunk << " chunk #" << i;
  }
}

}  // namespace

// Guessed CSV cuts with a probe (a mapped file's bytes near each cut read by pread) are the
// guesses made through the data: quoted line breaks, records longer than the guess's window (no
// LF in the probed bytes), chunks from a byte up.
TEST(Chunker, CsvGuessesWithAProbeAreTheGuessesThroughTheData) {
  std::mt19937 rng(23);
  for (int round = 0; round < 30; ++round) {
    std::string t = random_csv(rng, 5 + static_cast<int>(rng() % 60), round % 2 == 0);
    // A record past the guess's 64 KiB window, and one past the 128 KiB it reads at most.
    if (round % 3 == 0) t += std::string(70000 + rng() % 400000, 'y') + ",b,c\n1,2,3\n";
    const parsers::CsvHeader h = parsers::parse_csv_header(t);
    for (std::uint64_t chunk : {std::uint64_t{1}, std::uint64_t{9}, std::uint64_t{200}, std::uint64_t{5000},
                                std::uint64_t{40000}, std::uint64_t{100000}, std::uint64_t{200000}}) {
      std::vector<scanner::Chunk> want, got;
      scanner::guess_csv_chunks(0, t, h.data_offset, chunk, h.columns.size(), want);
      std::atomic<int> probes{0};
      const scanner::ProbeRead probe = probe_of(t, probes);
      scanner::guess_csv_chunks(0, t, h.data_offset, chunk, h.columns.size(), got, probe);
      expect_same_chunks(got, want, round, chunk);
      if (t.size() > h.data_offset + 1) {
        EXPECT_EQ(probes.load(), static_cast<int>((t.size() - h.data_offset - 1) / chunk));
      }
    }
  }
}

TEST(Chunker, JsonLinesAnyChunkSizeMatchesSequential) {
  std::string t;
  for (int i = 0; i < 50; ++i) t += "{\"A\":\"v" + std::to_string(i) + "\\n\",\"B\":" + std::to_string(i) + "}\n";
  parsers::Projection proj{{{{"A"}}, {{"B"}}}};
  auto run = [&](std::uint64_t chunk) {
    std::vector<scanner::Chunk> chunks;
    scanner::plan_line_chunks(0, t, 0, chunk, chunks);
    parsers::JsonRecordParser p(proj);
    std::vector<std::string> out;
    for (const auto& c : chunks) {
      p.parse(t, c.begin, c.end, true, [&](const parsers::RecordView& rv) {
        out.push_back(std::string(rv.values[0]) + std::string(rv.values[1]));
      }, [&](std::uint64_t, parsers::ParseError) { out.push_back("ERROR"); });
    }
    return out;
  };
  const auto expected = run(t.size() + 1);
  ASSERT_EQ(expected.size(), 50u);
  EXPECT_EQ(expected[3], "v3\n3");
  for (std::uint64_t chunk : {1, 5, 17, 100}) EXPECT_EQ(run(chunk), expected) << chunk;
}

// The line plan with a probe (a mapped file's bytes near each cut read by pread) cuts where the
// plan through the data cuts: lines shorter and longer than the probe's 4 KiB, cuts right after an
// LF, a last line without one, every chunk size from a byte up.
TEST(Chunker, JsonLinesPlanWithAProbeCutsWhereThePlanThroughTheDataCuts) {
  std::mt19937 rng(17);
  for (int round = 0; round < 46; ++round) {
    std::string t;
    if (round < 6) {
      // The first LF of slice 1 (chunk 5000: it starts at byte 5000) just before, at and after the
      // first byte past the probed 4 KiB (byte 9096).
      t = "{\"A\":\"" + std::string(9088 + round - 3, 'x') + "\"}\n{\"A\":1}\n";
    } else {
      const int lines = 1 + static_cast<int>(rng() % 30);
      for (int i = 0; i < lines; ++i) {
        const std::size_t len = rng() % 4 == 0 ? 4000 + rng() % 9000 : rng() % 300;
        t += "{\"A\":\"" + std::string(len, 'x') + "\"}";
        if (i + 1 < lines || rng() % 2 == 0) t += "\n";
      }
    }
    for (std::uint64_t chunk : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{100}, std::uint64_t{4095},
                                std::uint64_t{4097}, std::uint64_t{5000}, std::uint64_t{10000}, t.size()}) {
      std::vector<scanner::Chunk> want, got;
      scanner::plan_line_chunks(0, t, 0, chunk, want);
      std::atomic<int> probes{0};
      const scanner::ProbeRead probe = probe_of(t, probes);
      scanner::plan_line_chunks(0, t, 0, chunk, got, probe);
      expect_same_chunks(got, want, round, chunk);
      EXPECT_EQ(probes.load(), static_cast<int>((t.size() - 1) / chunk));  // one per slice after the first
    }
  }
}

namespace {

// A whole JSON document parsed the way the scanner parses it cut into chunks: each chunk as
// chunk_scan.hpp runs it, and the whole document again when a chunk did not stop at its end (a
// wrong cut). Records and errors sorted by offset, since chunks report in any order.
struct DocRun {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::size_t chunks = 0;
  bool whole_again = false;
};

DocRun parse_document(const std::string& t, std::uint64_t chunk, bool cut = true) {
  parsers::Projection proj{{{{"A"}}, {{"B"}}}};
  parsers::JsonRecordParser p(proj);
  DocRun r;
  auto on_record = [&](const parsers::RecordView& rv) {
    r.out.push_back({rv.offset, std::string(rv.values[0]) + "|" + std::string(rv.values[1])});
  };
  auto on_error = [&](std::uint64_t off, parsers::ParseError e) { r.out.push_back({off, parsers::describe(e)}); };
  std::vector<scanner::Chunk> chunks;
  const std::uint64_t start = parsers::bom_length(t);
  if (cut) scanner::plan_json_document_chunks(0, t, start, chunk, chunks);
  else chunks.push_back({0, start, t.size()});
  r.chunks = chunks.size();
  for (const auto& c : chunks) {
    std::uint64_t stop = c.end;
    if (c.rows == parsers::json::RowContainer::kNone) {
      p.parse(t, c.begin, c.end, false, on_record, on_error);
    } else if (c.resume == 0) {
      stop = p.parse_rows(t, c.begin, c.end, c.rows, on_record, on_error);
    } else {
      p.cut_at(c.end, c.resume, c.rows);
      p.parse(t, c.begin, t.size(), false, on_record, on_error);
      if (!p.cut_taken()) stop = UINT64_MAX;
    }
    if (stop != c.end) r.whole_again = true;
  }
  if (r.whole_again) {
    r.out.clear();
    p.parse(t, start, t.size(), false, on_record, on_error);
  }
  std::sort(r.out.begin(), r.out.end());
  return r;
}

std::string rows_text(int n, const char* sep) {
  std::string t;
  for (int i = 0; i < n; ++i) {
    if (i) t += sep;
    // Strings holding what a cut looks for: ",{", brackets, escaped quotes and backslashes.
    t += "{\"A\":\"v" + std::to_string(i) + (i % 3 == 0 ? ",{\\\"[" : "") + (i % 4 == 0 ? "\\\\" : "") +
         "\",\"n\":{\"x\":[{\"y\":1},{\"z\":\"}\"}]},\"B\":" + std::to_string(i) + "}";
  }
  return t;
}

}  // namespace

TEST(Chunker, WholeJsonDocumentsCutAtAnyChunkSizeMatchTheWholeParse) {
  const std::string rows = rows_text(40, ",\n  ");
  const std::vector<std::string> docs = {
      "[\n  " + rows + "\n]\n",
      "\xEF\xBB\xBF[" + rows + "]",
      "{\"meta\":{\"k\":[{\"a\":1}]},\n \"records\": [\n  " + rows + "\n ],\n \"Stats\":[{\"A\":\"s\"},{\"B\":2}]}\n",
      "{\"Results\":[" + rows + "]}\n{\"A\":\"after\",\"B\":1}\n",
      "[" + rows + "]\n[" + rows + "]\n",  // two arrays: cuts only in the first
  };
  const std::vector<long> row_counts = {40, 40, 40, 41, 80};
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const DocRun want = parse_document(docs[d], 1, false);
    ASSERT_EQ(std::count_if(want.out.begin(), want.out.end(), [](const auto& r) { return r.second.find('|') != std::string::npos; }),
              row_counts[d]);
    bool some_cut = false;
    for (std::uint64_t chunk = 1; chunk <= docs[d].size() + 1; chunk += chunk < 80 ? 1 : 37) {
      const DocRun got = parse_document(docs[d], chunk);
      EXPECT_EQ(got.out, want.out) << "document " << d << " chunk " << chunk;
      EXPECT_FALSE(got.whole_again) << "document " << d << " chunk " << chunk;  // well formed: every cut holds
      some_cut = some_cut || got.chunks > 2;
    }
    EXPECT_TRUE(some_cut) << "document " << d;
  }
}

TEST(Chunker, WrongCutsOfMalformedDocumentsFallBackToTheWholeParse) {
  const std::string rows = rows_text(30, ",\n");
  std::vector<std::string> docs = {
      "{\"records\":[" + rows + "],\"records\":[{\"A\":\"last\",\"B\":1}]}",  // the last "records" counts
      "[" + rows + ",\n{\"A\":\"x\" \"B\":1},\n" + rows + "]\n",               // a malformed row
      "[" + rows + ",\n{\"A\":\"\\q\",\"B\":1},\n" + rows + "]\n",             // an invalid escape
      "[" + rows + ",\n7,\n" + rows + "]\n",                                   // not an object
      "[" + rows + ",\n" + rows,                                               // cut off
      "{\"records\":[" + rows + ",{\"A\":\"\\q\"}," + rows + "]}",             // a bad record: envelope error
  };
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const DocRun want = parse_document(docs[d], 1, false);
    bool fell_back = false;
    for (std::uint64_t chunk = 1; chunk <= docs[d].size() + 1; chunk += chunk < 60 ? 1 : 41) {
      const DocRun got = parse_document(docs[d], chunk);
      EXPECT_EQ(got.out, want.out) << "document " << d << " chunk " << chunk;
      fell_back = fell_back || got.whole_again;
    }
    EXPECT_TRUE(fell_back) << "document " << d;
  }
}
