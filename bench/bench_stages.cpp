// Google Benchmark micro benches of the MDE pipeline's stages, each measured by taking the next
// one away (as simdjson's ablation benches): quote counting and the stream cutter (split), CSV parse only, parse +
// filter + aggregation, the whole hunt (+ merge and probe), and for JSON lines stage 1 alone
// (string marks), the parse, and the whole hunt. The input is
// RARECONN_BENCH_CSV / RARECONN_BENCH_JSONL when set (e.g. from scripts/gen_mde.py), else a
// synthetic export built in memory.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "core/has_any.hpp"
#include "core/kusto_time.hpp"
#include "core/hunts/mde/mde_filter.hpp"
#include "core/window_aggregator.hpp"
#include "parsers/csv_cut.hpp"
#include "parsers/csv_reader.hpp"
#include "parsers/json_reader.hpp"

using namespace rareconn;

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A synthetic DeviceNetworkEvents export: ~20 columns, quoted command lines, 40 days.
std::string synthetic(bool json, std::size_t rows) {
  std::mt19937_64 rng(1);
  std::string out = json ? "" : "Timestamp,DeviceId,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,LocalIP,LocalPort,"
                                "Protocol,RemoteIPType,InitiatingProcessFileName,InitiatingProcessCommandLine,"
                                "InitiatingProcessSHA256,ReportId\n";
  const char* actions[] = {"ConnectionSuccess", "ConnectionSuccess", "ConnectionFailed", "InboundConnectionAccepted"};
  const char* types[] = {"Public", "Public", "Private", "Loopback"};
  const char* urls[] = {"", "", "login.microsoftonline.com", "example.org", "cdn.example.net"};
  for (std::size_t i = 0; i < rows; ++i) {
    const core::Ticks t = *core::parse_datetime("2024-04-21T12:00:00Z") + static_cast<core::Ticks>(i) * (40 * core::kTicksPerDay / static_cast<core::Ticks>(rows));
    const std::string ts = core::format_datetime(t);
    const unsigned dst = static_cast<unsigned>(rng() % 5000);
    const std::string ip = std::to_string(20 + dst % 200) + "." + std::to_string(dst / 200) + ".1." + std::to_string(dst % 7);
    const std::string dev = "srv-" + std::to_string(rng() % 30) + ".contoso.local";
    const char* action = actions[rng() % 4];
    const char* type = types[rng() % 4];
    const char* url = urls[rng() % 5];
    const std::string cmd = "C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s \"\"Schedule\"\", arg" + std::to_string(i % 97);
    const std::string sha(64, 'a' + static_cast<char>(i % 6));
    if (json) {
      out += "{\"Timestamp\":\"" + ts + "\",\"DeviceId\":\"d\",\"DeviceName\":\"" + dev + "\",\"ActionType\":\"" + action +
             "\",\"RemoteIP\":\"" + ip + "\",\"RemotePort\":443,\"RemoteUrl\":\"" + url +
             "\",\"LocalIP\":\"10.0.0.5\",\"LocalPort\":50000,\"Protocol\":\"Tcp\",\"RemoteIPType\":\"" + type +
             "\",\"InitiatingProcessFileName\":\"svchost.exe\",\"InitiatingProcessCommandLine\":\"svchost.exe -k \\\"x\\\"\","
             "\"InitiatingProcessSHA256\":\"" + sha + "\",\"ReportId\":" + std::to_string(i) + "}\n";
    } else {
      out += ts + ",d," + dev + "," + action + "," + ip + ",443," + url + ",10.0.0.5,50000,Tcp," + type +
             ",svchost.exe,\"" + cmd + "\"," + sha + "," + std::to_string(i) + "\n";
    }
  }
  return out;
}

const std::string& csv_data() {
  static const std::string d = std::getenv("RARECONN_BENCH_CSV") ? read_file(std::getenv("RARECONN_BENCH_CSV"))
                                                                 : synthetic(false, 200000);
  return d;
}
const std::string& jsonl_data() {
  static const std::string d = std::getenv("RARECONN_BENCH_JSONL") ? read_file(std::getenv("RARECONN_BENCH_JSONL"))
                                                                   : synthetic(true, 200000);
  return d;
}

parsers::Projection mde_projection() {
  parsers::Projection p;
  for (auto& names : hunts::mde_field_names()) p.fields.push_back({names});
  p.fields[hunts::kMdeTable].from_envelope = true;  // as the hunt projects it
  return p;
}

// Parse + filter + aggregate (and optionally merge + probe), single thread, `now` given.
template <bool kJoin>
void hunt(benchmark::State& state, bool json) {
  const std::string& d = json ? jsonl_data() : csv_data();
  const parsers::Projection proj = mde_projection();
  const hunts::MdeOptions opts;
  const hunts::AllowList allow(core::default_allow_needles());
  std::size_t findings = 0;
  for (auto _ : state) {
    core::WindowConfig cfg;
    cfg.now = *core::parse_datetime("2024-05-31T12:00:00Z");
    core::WindowShared shared(cfg);
    core::WindowPartial part(shared);
    hunts::MdeRecordFilter filter(opts, part);
    auto on_record = [&](const parsers::RecordView& rv) { filter.process(rv.values, core::EventRef{rv.offset, 0, rv.length}); };
    auto on_error = [](std::uint64_t, parsers::ParseError) {};
    if (json) {
      parsers::JsonRecordParser p(proj);
      p.parse(d, 0, d.size(), true, on_record, on_error);
    } else {
      const parsers::CsvHeader h = parsers::parse_csv_header(d);
      parsers::CsvRecordParser p(h, proj);
      p.parse(d, h.data_offset, d.size(), on_record, on_error);
    }
    if constexpr (kJoin) {
      core::WindowMerger m(shared, {&part}, &allow);
      for (std::size_t i = 0; i < m.partition_count(); ++i) m.merge_partition(i);
      m.finish_merge();
      std::vector<core::Finding> out;
      std::uint64_t recent = 0;
      for (std::size_t t = 0; t < m.probe_task_count(); ++t) m.probe(t, out, recent);
      findings = out.size();
    }
    benchmark::DoNotOptimize(filter.funnel().passed[hunts::kMdeAfterLinkLocal]);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
  state.counters["findings"] = static_cast<double>(findings);
}

}  // namespace

static void BM_Split_CountQuotes(benchmark::State& state) {
  const std::string& d = csv_data();
  for (auto _ : state) benchmark::DoNotOptimize(parsers::count_quotes(d.data(), d.data() + d.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
BENCHMARK(BM_Split_CountQuotes)->Unit(benchmark::kMillisecond);

// The stream cutter (csv_cut.hpp) fed 1 MiB at a time, as a streamed block is: the serial stage's
// cost per byte beyond reading and decompressing.
static void BM_Split_StreamCutter(benchmark::State& state) {
  const std::string& d = csv_data();
  const parsers::CsvHeader h = parsers::parse_csv_header(d);
  std::uint64_t walked = 0;
  for (auto _ : state) {
    parsers::CsvRecordCutter cutter(h.data_offset, parsers::kDefaultMaxRecordBytes);
    for (std::size_t off = 0; off < d.size(); off += std::size_t{1} << 20) {
      benchmark::DoNotOptimize(cutter.feed(std::string_view(d).substr(off, std::size_t{1} << 20)));
    }
    walked = cutter.walked_bytes();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
  state.counters["walked_bytes"] = static_cast<double>(walked);
}
BENCHMARK(BM_Split_StreamCutter)->Unit(benchmark::kMillisecond);

static void BM_Csv_ParseOnly(benchmark::State& state) {
  const std::string& d = csv_data();
  const parsers::CsvHeader h = parsers::parse_csv_header(d);
  const parsers::Projection proj = mde_projection();
  parsers::CsvRecordParser p(h, proj);
  std::size_t n = 0;
  for (auto _ : state) {
    p.parse(d, h.data_offset, d.size(), [&](const parsers::RecordView& rv) { n += rv.values[0].size(); },
            [](std::uint64_t, parsers::ParseError) {});
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
BENCHMARK(BM_Csv_ParseOnly)->Unit(benchmark::kMillisecond);

static void BM_Csv_ParseFilterAggregate(benchmark::State& state) { hunt<false>(state, false); }
BENCHMARK(BM_Csv_ParseFilterAggregate)->Unit(benchmark::kMillisecond);

static void BM_Csv_FullHunt(benchmark::State& state) { hunt<true>(state, false); }
BENCHMARK(BM_Csv_FullHunt)->Unit(benchmark::kMillisecond);

// JSON stage 1 alone (the string marks the walker asks for), to see what the walk adds.
void stage1_over(benchmark::State& state, const std::string& d) {
  parsers::json::MarkRing ring;
  parsers::json::Marks m;
  std::uint64_t n = 0;
  for (auto _ : state) {
    m.reset(d, 0, d.size(), ring);
    while (m.next() < d.size()) ++n;
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
static void BM_Jsonl_Stage1Only(benchmark::State& state) { stage1_over(state, jsonl_data()); }
BENCHMARK(BM_Jsonl_Stage1Only)->Unit(benchmark::kMillisecond);

// Each block classifier chained over the same text (the one this processor runs is Stage1Only's).
template <class Classify>
void stage1_blocks(benchmark::State& state, Classify classify) {
  static const std::string d = jsonl_data().substr(0, 256 << 10);  // in the core's cache, as a chunk's copy is
  std::uint64_t n = 0;
  for (auto _ : state) {
    parsers::json::BlockCarry carry = 0;
    for (std::size_t at = 0; at + 64 <= d.size(); at += 64) {
      const auto b = classify(d.data() + at, carry);
      n += static_cast<std::uint64_t>(__builtin_popcountll(b.bits));
      carry = b.carry;
    }
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
static void BM_Jsonl_Stage1Blocks_Portable(benchmark::State& state) { stage1_blocks(state, parsers::json::Marks::marks_portable); }
BENCHMARK(BM_Jsonl_Stage1Blocks_Portable)->Unit(benchmark::kMicrosecond);
#if RARECONN_JSON_AVX2
static void BM_Jsonl_Stage1Blocks_Avx2(benchmark::State& state) {
  if (!parsers::json::Marks::kFast) return state.SkipWithError("no AVX2 here");
  stage1_blocks(state, parsers::json::Marks::marks_avx2);
}
BENCHMARK(BM_Jsonl_Stage1Blocks_Avx2)->Unit(benchmark::kMicrosecond);
// The AVX2 classifier with no carry from block to block (wrong marks where a string or an escape
// crosses a block's end): what the carry chain costs, for speed only.
static void BM_Jsonl_Stage1Blocks_Avx2Unchained(benchmark::State& state) {
  if (!parsers::json::Marks::kFast) return state.SkipWithError("no AVX2 here");
  stage1_blocks(state, [](const char* p, parsers::json::BlockCarry) { return parsers::json::Marks::marks_avx2(p, 0); });
}
BENCHMARK(BM_Jsonl_Stage1Blocks_Avx2Unchained)->Unit(benchmark::kMicrosecond);
#endif

void parse_over(benchmark::State& state, const std::string& d) {
  parsers::JsonRecordParser p(mde_projection());
  std::size_t n = 0;
  for (auto _ : state) {
    p.parse(d, 0, d.size(), true, [&](const parsers::RecordView& rv) { n += rv.values[0].size(); },
            [](std::uint64_t, parsers::ParseError) {});
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
static void BM_Jsonl_ParseOnly(benchmark::State& state) { parse_over(state, jsonl_data()); }
BENCHMARK(BM_Jsonl_ParseOnly)->Unit(benchmark::kMillisecond);

// The same two over 256 KiB that stay in the core's cache (cut at a line end), as a chunk's copy
// is read: what stage 1 and the walk cost without the memory, and the walk without stage 1.
const std::string& jsonl_hot() {
  static const std::string d = [] {
    const std::string& all = jsonl_data();
    const std::size_t cut = all.rfind('\n', std::min<std::size_t>(all.size(), 256 << 10) - 1);
    return all.substr(0, cut == std::string::npos ? all.size() : cut + 1);
  }();
  return d;
}
static void BM_Jsonl_Stage1Hot(benchmark::State& state) { stage1_over(state, jsonl_hot()); }
BENCHMARK(BM_Jsonl_Stage1Hot)->Unit(benchmark::kMicrosecond);
static void BM_Jsonl_ParseOnlyHot(benchmark::State& state) { parse_over(state, jsonl_hot()); }
BENCHMARK(BM_Jsonl_ParseOnlyHot)->Unit(benchmark::kMicrosecond);

static void BM_Jsonl_FullHunt(benchmark::State& state) { hunt<true>(state, true); }
BENCHMARK(BM_Jsonl_FullHunt)->Unit(benchmark::kMillisecond);

static void BM_ParseDatetime(benchmark::State& state) {
  const std::array<std::string, 3> s = {"2024-05-31T12:00:00.1234567Z", "2024-05-31 12:00:00.123", "2023-11-17T11:32:04.8191328+05:30"};
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(core::parse_datetime(s[i++ % 3]));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseDatetime);

static void BM_HasAny_DefaultNeedles(benchmark::State& state) {
  const core::HasAnyMatcher m(core::default_allow_needles());
  const std::array<std::string, 3> s = {"[\"\",\"cdn.example.net\"]", "[\"au.download.windowsupdate.com\"]",
                                        "[\"a.microsoft.community\",\"x.example.org\",\"login.live.com.evil\"]"};
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(m(s[i++ % 3]));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_HasAny_DefaultNeedles);
