// Micro bench of the EVTX reader: records/second decoding a dense EVTX spliced in memory from the used chunks of the test samples.
// Must not measure files, threads or hunts: one decoder on one thread, data already in memory.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parsers/evtx_reader.hpp"
#include "parsers/evtx_values.hpp"

namespace {

using namespace rareconn::parsers;

std::string data_dir() {
#ifdef RARECONN_TEST_DATA
  return RARECONN_TEST_DATA;
#else
  const std::string self = __FILE__;  // <repo>/bench/bench_evtx.cpp
  const auto cut = self.rfind("/bench/");
  return (cut == std::string::npos ? std::string(".") : self.substr(0, cut)) + "/tests/data";
#endif
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void put32(std::string& s, std::size_t at, std::uint32_t v) { std::memcpy(&s[at], &v, 4); }
void put16(std::string& s, std::size_t at, std::uint16_t v) { std::memcpy(&s[at], &v, 2); }
void put64(std::string& s, std::size_t at, std::uint64_t v) { std::memcpy(&s[at], &v, 8); }

// A new 4 KiB file header followed by every used chunk (signature present, records present) of the
// samples, the whole set repeated `repeat` times so the file is larger than the caches.
std::string build_dense_file(int repeat) {
  static const char* kSamples[] = {
      "sysmon.evtx", "DE_sysmon-3-rdp-tun.evtx", "tunna_iis_rdp_smb_tunneling_sysmon_3.evtx",
      "ImpersonateUser-via local Pass The Hash Sysmon and Security.evtx", "4e7b2c9f-1a3d-4f8e-b5c0-8d6a3f2e9b4c.evtx"};
  std::vector<std::string> chunks;
  for (const char* name : kSamples) {
    const std::string d = read_file(data_dir() + "/real/evtx/" + name);
    for (std::size_t i = 0; i < evtx_chunk_slots(d); ++i) {
      const std::size_t off = kEvtxFileHeaderSize + i * kEvtxChunkSize;
      if (d.size() - off < kEvtxChunkSize || std::memcmp(d.data() + off, "ElfChnk\0", 8) != 0) continue;
      std::uint32_t free_off;
      std::memcpy(&free_off, d.data() + off + 48, 4);
      if (free_off <= 512) continue;
      chunks.push_back(d.substr(off, kEvtxChunkSize));
    }
  }
  std::string file(kEvtxFileHeaderSize, '\0');
  std::memcpy(&file[0], "ElfFile\0", 8);
  const std::uint64_t n = chunks.size() * static_cast<std::uint64_t>(repeat);
  put64(file, 8, 0);                // first chunk number
  put64(file, 16, n ? n - 1 : 0);   // last chunk number
  put64(file, 24, 1);               // next record identifier (not used by readers)
  put32(file, 32, 128);             // header size
  put16(file, 36, 1);               // minor version
  put16(file, 38, 3);               // major version
  put16(file, 40, 4096);            // header block size
  put16(file, 42, static_cast<std::uint16_t>(n));
  put32(file, 120, 0);              // flags: clean
  put32(file, 124, evtx::crc32(0, file.data(), 120));
  for (int r = 0; r < repeat; ++r)
    for (const auto& c : chunks) file += c;
  return file;
}

const std::string& dense_file() {
  static const std::string f = build_dense_file(16);
  return f;
}

void run(benchmark::State& state, EvtxChunkOptions opt) {
  const std::string& file = dense_file();
  const std::size_t slots = evtx_chunk_slots(file);
  if (slots == 0) {
    state.SkipWithError("no EVTX test samples found");
    return;
  }
  EvtxChunkDecoder dec(std::move(opt));
  std::uint64_t sink = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < slots; ++i)
      dec.decode_chunk(
          file, i,
          [&](const EvtxEvent& e) { sink += e.data.size() + e.computer.size() + static_cast<std::uint64_t>(e.event_id); },
          [&](std::uint64_t, std::uint64_t, const char*) { ++sink; });
    benchmark::DoNotOptimize(sink);
  }
  const auto& s = dec.stats();
  state.SetItemsProcessed(static_cast<std::int64_t>(s.records + s.records_filtered));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
  state.counters["chunks"] = static_cast<double>(slots);
  state.counters["errors"] = static_cast<double>(s.record_errors + s.chunk_errors);
}

// Every System field and all EventData values, checksums verified.
void BM_EvtxDecodeAll(benchmark::State& state) { run(state, {}); }
BENCHMARK(BM_EvtxDecodeAll)->Unit(benchmark::kMillisecond);

// All fields, checksums not verified.
void BM_EvtxDecodeAllNoCrc(benchmark::State& state) {
  EvtxChunkOptions o;
  o.verify_checksums = false;
  run(state, o);
}
BENCHMARK(BM_EvtxDecodeAllNoCrc)->Unit(benchmark::kMillisecond);

// The hunt's hot path: 6 of the 18 Sysmon network fields, every record decoded.
void BM_EvtxDecodeSixFields(benchmark::State& state) {
  EvtxChunkOptions o;
  o.fields = {"Image", "User", "Initiated", "DestinationIp", "DestinationPort", "Protocol"};
  run(state, o);
}
BENCHMARK(BM_EvtxDecodeSixFields)->Unit(benchmark::kMillisecond);

// Six fields and only Event ID 3 (others skipped before EventData).
void BM_EvtxDecodeSixFieldsEid3(benchmark::State& state) {
  EvtxChunkOptions o;
  o.fields = {"Image", "User", "Initiated", "DestinationIp", "DestinationPort", "Protocol"};
  o.only_event_id = 3;
  run(state, o);
}
BENCHMARK(BM_EvtxDecodeSixFieldsEid3)->Unit(benchmark::kMillisecond);

}  // namespace
