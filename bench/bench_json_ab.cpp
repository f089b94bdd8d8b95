// The A/B of issue #8, part 1: rareconn's JSON walker against simdjson's On-Demand API, both
// projecting the MDE hunt's 7 fields out of every line of the same JSON lines text in memory, on
// one thread, parse only (no filter, no aggregation). Before timing, both are run once and must
// give the same values for every record (a hash of each record's 7 decoded values), else the
// program exits with an error and times nothing. Built only where libsimdjson-dev is installed
// (bench/CMakeLists.txt); run by bench/run_json_ab.sh. Input: the file named by
// RARECONN_BENCH_JSONL (flat rows or Streaming API records, one a line: scripts/gen_mde.py
// --format jsonl or streaming).
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <xxhash.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/hunts/mde/mde_filter.hpp"
#include "parsers/json_reader.hpp"

using namespace rareconn;

namespace {

constexpr std::size_t kFields = 7;
#define RARECONN_AB_STR2(x) #x
#define RARECONN_AB_STR(x) RARECONN_AB_STR2(x)
// The kernel simdjson's header compiled the On-Demand walk for (-march decides it; see CMakeLists).
constexpr const char* kSimdjsonWalk = RARECONN_AB_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);

const std::string& input() {
  static const std::string d = [] {
    const char* path = std::getenv("RARECONN_BENCH_JSONL");
    if (path == nullptr) {
      std::fprintf(stderr, "bench_json_ab: set RARECONN_BENCH_JSONL to a JSON lines file (scripts/gen_mde.py --format jsonl)\n");
      std::exit(2);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "bench_json_ab: cannot read '%s'\n", path);
      std::exit(2);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return d;
}

// The hunt's field names: slot i takes any of names[i] (the last member with one of them wins,
// as in rareconn's walker).
const std::vector<std::vector<std::string>>& names() {
  // The 7 fields of the measured A/B: without the table's name (kMdeTable), which Streaming API
  // rows hold outside the row and the records measured here do not have.
  static const std::vector<std::vector<std::string>> n = [] {
    std::vector<std::vector<std::string>> all = hunts::mde_field_names();
    all.erase(all.begin() + hunts::kMdeTable);
    return all;
  }();
  return n;
}

parsers::Projection projection() {
  parsers::Projection p;
  for (const auto& alternatives : names()) p.fields.push_back({alternatives});
  return p;
}

// Per record: the 7 values hashed in turn, each value's XXH3 seeding the next one's.
std::uint64_t record_hash(const std::string_view* v) {
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < kFields; ++i) h = XXH3_64bits_withSeed(v[i].data(), v[i].size(), h);
  return h;
}

// rareconn: the walker of the scan (parsers::JsonRecordParser, line mode).
template <class OnRecord>
std::size_t rareconn_parse(parsers::JsonRecordParser& p, const std::string& d, OnRecord&& on_record) {
  std::size_t errors = 0;
  p.parse(d, 0, d.size(), true, [&](const parsers::RecordView& rv) { on_record(rv.values); },
          [&](std::uint64_t, parsers::ParseError) { ++errors; });
  return errors;
}

// simdjson On-Demand over the same lines (iterate_many: one document per line). Each object's
// members are walked once (and those of a top-level "properties" object: Streaming API records);
// a member whose key is one of the hunt's names has its value decoded (strings unescaped, other
// values as the input wrote them), the others are skipped unread.
// kRawKeys = false: each key is unescaped and compared (exact: "\u0054imestamp" is Timestamp);
// true: the key's raw bytes are compared (raw_json_string::unsafe_is_equal, simdjson's fast path,
// which misses escaped key names: not exact, simdjson's best case).
template <bool kRawKeys>
struct SimdjsonProjector {
  simdjson::ondemand::parser parser;
  std::string scratch;  // unescaped strings of the current record, kept until the next one

  // The input with simdjson's padding after it (copied once, outside the timed loops).
  const simdjson::padded_string& padded() {
    static const simdjson::padded_string p(input());
    return p;
  }

  std::array<std::string_view, kFields> values_;
  std::array<std::pair<std::size_t, std::size_t>, kFields> at_;  // offset, length in scratch
  std::array<bool, kFields> in_scratch_{};

  // The slot of a member's key, or kFields; false when the key cannot be read. The name loop is
  // written out in each branch: one loop taking a comparison lambda made simdjson's pass about 20 %
  // slower (19.3-22.1 ms against 23.6-24.3 ms on 64 MB, interleaved), and this is its yardstick.
  template <class Field>
  bool slot_of(Field& field, std::size_t& slot, bool& properties) {
    slot = kFields;
    properties = false;
    if constexpr (kRawKeys) {
      simdjson::ondemand::raw_json_string key;
      if (field.key().get(key)) return false;
      properties = key.unsafe_is_equal("properties");
      for (std::size_t i = 0; i < kFields && slot == kFields; ++i) {
        for (const std::string& n : names()[i]) {
          if (key.unsafe_is_equal(n)) {
            slot = i;
            break;
          }
        }
      }
    } else {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      properties = key == "properties";
      for (std::size_t i = 0; i < kFields && slot == kFields; ++i) {
        for (const std::string& n : names()[i]) {
          if (key == n) {
            slot = i;
            break;
          }
        }
      }
    }
    return true;
  }

  // The members of a row object; at the top, an object under "properties" (a Streaming API
  // record) holds the row's fields as well. False when the row is malformed.
  bool members(simdjson::ondemand::object& obj, bool top) {
    for (auto field : obj) {
      std::size_t slot;
      bool properties;
      if (!slot_of(field, slot, properties)) return false;
      if (top && properties) {
        simdjson::ondemand::object inner;
        if (field.value().get_object().get(inner) == simdjson::SUCCESS) {
          if (!members(inner, false)) return false;
          continue;
        }
      }
      if (slot == kFields) continue;  // skipped by the iterator, not decoded
      simdjson::ondemand::value v;
      if (field.value().get(v)) return false;
      simdjson::ondemand::json_type type;
      if (v.type().get(type)) return false;
      if (type == simdjson::ondemand::json_type::string) {
        std::string_view str;
        if (v.get_string().get(str)) return false;
        at_[slot] = {scratch.size(), str.size()};
        scratch.append(str);
        in_scratch_[slot] = true;
      } else {
        std::string_view raw = v.raw_json_token();
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
        values_[slot] = raw;
        in_scratch_[slot] = false;
      }
    }
    return true;
  }

  template <class OnRecord>
  std::size_t parse(OnRecord&& on_record) {
    std::size_t errors = 0;
    simdjson::ondemand::document_stream docs;
    // simdjson's default batch (1 MB): stage 1 runs a batch ahead of the walk, in cache.
    if (parser.iterate_many(padded()).get(docs)) return 1;
    for (auto doc : docs) {
      values_.fill({});
      at_.fill({0, 0});
      in_scratch_.fill(false);
      scratch.clear();
      simdjson::ondemand::object obj;
      if (doc.get_object().get(obj) || !members(obj, true)) {
        ++errors;
        continue;
      }
      for (std::size_t i = 0; i < kFields; ++i) {
        if (in_scratch_[i]) values_[i] = std::string_view(scratch).substr(at_[i].first, at_[i].second);
      }
      on_record(values_.data());
    }
    return errors;
  }
};

// Both give the same records with the same values, or the program stops.
void check_same() {
  static bool done = false;
  if (done) return;
  const std::string& d = input();
  std::uint64_t a = 0, b = 0;
  std::size_t na = 0, nb = 0;
  parsers::JsonRecordParser p(projection());
  const std::size_t ea = rareconn_parse(p, d, [&](const std::string_view* v) { a += record_hash(v) * (++na); });
  SimdjsonProjector<false> s;
  const std::size_t eb = s.parse([&](const std::string_view* v) { b += record_hash(v) * (++nb); });
  SimdjsonProjector<true> r;
  std::uint64_t c = 0;
  std::size_t nc = 0;
  const std::size_t ec = r.parse([&](const std::string_view* v) { c += record_hash(v) * (++nc); });
  if (a != c || na != nc || ea != ec) {
    std::fprintf(stderr, "bench_json_ab: simdjson with raw keys disagrees (records %zu / %zu, errors %zu / %zu)\n", na, nc, ea, ec);
    std::exit(1);
  }
  if (a != b || na != nb || ea != eb) {
    std::fprintf(stderr, "bench_json_ab: the two parsers disagree (records %zu / %zu, errors %zu / %zu, hash %s)\n", na, nb,
                 ea, eb, a == b ? "equal" : "different");
    std::exit(1);
  }
  std::fprintf(stderr,
               "bench_json_ab: both parsers give the same %zu records (%zu malformed); simdjson: stage 1 %s, On-Demand walk "
               "compiled for %s\n",
               na, ea, simdjson::get_active_implementation()->name().c_str(), kSimdjsonWalk);
  done = true;
}

void BM_Jsonl_Project7_Rareconn(benchmark::State& state) {
  check_same();
  const std::string& d = input();
  parsers::JsonRecordParser p(projection());
  std::size_t n = 0;
  for (auto _ : state) {
    rareconn_parse(p, d, [&](const std::string_view* v) {
      for (std::size_t i = 0; i < kFields; ++i) n += v[i].size();
    });
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
BENCHMARK(BM_Jsonl_Project7_Rareconn)->Unit(benchmark::kMillisecond);

template <bool kRawKeys>
void simdjson_over(benchmark::State& state) {
  check_same();
  const std::string& d = input();
  SimdjsonProjector<kRawKeys> s;
  std::size_t n = 0;
  for (auto _ : state) {
    s.parse([&](const std::string_view* v) {
      for (std::size_t i = 0; i < kFields; ++i) n += v[i].size();
    });
  }
  benchmark::DoNotOptimize(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.size()));
}
void BM_Jsonl_Project7_SimdjsonOnDemand(benchmark::State& state) { simdjson_over<false>(state); }
BENCHMARK(BM_Jsonl_Project7_SimdjsonOnDemand)->Unit(benchmark::kMillisecond);
void BM_Jsonl_Project7_SimdjsonOnDemandRawKeys(benchmark::State& state) { simdjson_over<true>(state); }
BENCHMARK(BM_Jsonl_Project7_SimdjsonOnDemandRawKeys)->Unit(benchmark::kMillisecond);

}  // namespace
