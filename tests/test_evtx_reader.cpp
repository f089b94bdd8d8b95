// Tests of the native EVTX reader against real public samples (tests/data/real/evtx, facts from shared/data/real/manifest.json),
// value rendering, options, damaged/truncated files and random mutations. Must not depend on the scanner, hunts or other parsers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "parsers/evtx_reader.hpp"
#include "parsers/evtx_values.hpp"

#ifndef RARECONN_TEST_DATA
#error "RARECONN_TEST_DATA must name the tests/data directory"
#endif

namespace {

using namespace rareconn::parsers;

std::string sample_path(const std::string& name) { return std::string(RARECONN_TEST_DATA) + "/real/evtx/" + name; }

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct OwnedEvent {
  std::uint64_t record_id, offset;
  std::uint32_t length;
  std::int64_t ticks;
  bool has_time;
  std::string provider, computer, channel, user_sid;
  std::int32_t event_id, level;
  std::uint32_t version;
  std::vector<std::pair<std::string, std::string>> data;
  std::string get(const std::string& k) const {
    for (auto& [n, v] : data)
      if (n == k) return v;
    return "<missing>";
  }
};

struct ErrorReport {
  std::uint64_t offset, record_id;
  std::string reason;
};

struct DecodeResult {
  std::vector<OwnedEvent> events;
  std::vector<ErrorReport> errors;
};

DecodeResult decode_all(std::string_view file, EvtxChunkOptions opt = {}) {
  DecodeResult r;
  EvtxChunkDecoder dec(std::move(opt));
  for (std::size_t i = 0; i < evtx_chunk_slots(file); ++i) {
    dec.decode_chunk(
        file, i,
        [&](const EvtxEvent& e) {
          OwnedEvent o{e.record_id, e.offset, e.length, e.time_ticks, e.has_time, std::string(e.provider), std::string(e.computer),
                       std::string(e.channel), std::string(e.user_sid), e.event_id, e.level, e.version, {}};
          for (auto& [n, v] : e.data) o.data.emplace_back(std::string(n), std::string(v));
          r.events.push_back(std::move(o));
        },
        [&](std::uint64_t off, std::uint64_t rid, const char* why) { r.errors.push_back({off, rid, why}); });
  }
  return r;
}

std::int64_t iso_ticks(const std::string& s) {
  std::int64_t t = -1;
  EXPECT_TRUE(rareconn::parsers::evtx::parse_iso_ticks(s, t)) << s;
  return t;
}

bool is_net(const OwnedEvent& e) { return e.provider == "Microsoft-Windows-Sysmon" && e.event_id == 3; }

// Facts from shared/data/real/manifest.json (libevtx evtxexport 20181227).
struct Expected {
  const char* file;
  std::size_t records, net;
  std::vector<std::string> dst, hosts;
  const char* time_min;
  const char* time_max;
  std::size_t chunk_errors;  // slots with non-zero slack and no chunk signature
};

const std::vector<Expected>& expected_samples() {
  static const std::vector<Expected> v = {
      {"DE_sysmon-3-rdp-tun.evtx", 73, 42,
       {"0:0:0:0:0:0:0:1", "10.0.2.16", "10.0.2.18", "127.0.0.1", "127.0.0.2", "224.0.0.252",
        "fe80:0:0:0:647b:25b7:1cc4:b972", "fe80:0:0:0:80ac:4126:fa58:1b81"},
       {"PC01.example.corp"}, "2019-02-16T10:01:46.884038400Z", "2019-02-16T10:06:03.062404800Z", 0},
      {"tunna_iis_rdp_smb_tunneling_sysmon_3.evtx", 12, 12, {"10.0.2.15", "10.255.255.255", "127.0.0.1"},
       {"MSEDGEWIN10"}, "2019-09-03T11:04:07.207049300Z", "2019-09-03T11:36:26.005493900Z", 0},
      {"ImpersonateUser-via local Pass The Hash Sysmon and Security.evtx", 14, 7,
       {"10.0.2.17", "10.0.3.15", "10.0.3.255", "10.255.255.255", "127.0.0.1"}, {"MSEDGEWIN10"},
       "2021-04-20T20:33:01.944115100Z", "2021-04-20T20:33:20.254314000Z", 0},
      {"sysmon.evtx", 358, 2, {"185.26.182.117", "93.184.220.29"}, {"DESKTOP-2KGM189"},
       "2018-03-06T08:14:06.638380000Z", "2018-03-06T08:14:06.638445700Z", 8},
      {"4e7b2c9f-1a3d-4f8e-b5c0-8d6a3f2e9b4c.evtx", 1, 1, {"169.254.169.254"}, {"srv-01.midgardnet.tech"},
       "2026-06-08T06:30:53.660539200Z", "2026-06-08T06:30:53.660539200Z", 0},
  };
  return v;
}

TEST(EvtxReader, HeaderOfEverySample) {
  for (const auto& x : expected_samples()) {
    const std::string d = read_file(sample_path(x.file));
    ASSERT_FALSE(d.empty()) << x.file;
    EXPECT_TRUE(is_evtx(d));
    EvtxFileHeader h;
    std::string why;
    ASSERT_TRUE(evtx_read_header(d, h, why)) << why;
    EXPECT_EQ(h.major, 3);
    EXPECT_TRUE(h.minor == 1 || h.minor == 2) << h.minor;  // 3.1 (Vista..8) or 3.2 (10+)
    EXPECT_TRUE(h.checksum_ok) << x.file;
    EXPECT_EQ(evtx_chunk_slots(d), (d.size() - 4096) / 65536);
  }
  EvtxFileHeader h;
  std::string why;
  EXPECT_FALSE(evtx_read_header("ElfFile", h, why));
  EXPECT_FALSE(why.empty());
  why.clear();
  EXPECT_FALSE(evtx_read_header(std::string(4096, 'x'), h, why));
  EXPECT_FALSE(why.empty());
  why.clear();
  EXPECT_FALSE(evtx_read_header(std::string("ElfFile\0", 8) + std::string(100, '\0'), h, why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(is_evtx("ElfChnk"));
  EXPECT_EQ(evtx_chunk_slots(std::string(4096, '\0')), 0U);
  EXPECT_EQ(evtx_chunk_slots(std::string(4097, '\0')), 1U);
  EXPECT_EQ(evtx_chunk_slots(std::string(4096 + 65536, '\0')), 1U);
}

TEST(EvtxReader, SamplesMatchManifest) {
  for (const auto& x : expected_samples()) {
    SCOPED_TRACE(x.file);
    const std::string d = read_file(sample_path(x.file));
    const DecodeResult r = decode_all(d);
    EXPECT_EQ(r.events.size(), x.records);
    EXPECT_EQ(r.errors.size(), x.chunk_errors);
    for (const auto& e : r.errors) EXPECT_EQ(e.record_id, 0U) << e.reason;  // only whole-chunk reports
    std::size_t net = 0;
    std::set<std::string> dst, hosts;
    std::int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    for (const auto& e : r.events) {
      EXPECT_TRUE(e.has_time);
      EXPECT_GE(e.offset, 4096U + 512U);
      if (!is_net(e)) continue;
      ++net;
      dst.insert(e.get("DestinationIp"));
      hosts.insert(e.computer);
      tmin = std::min(tmin, e.ticks);
      tmax = std::max(tmax, e.ticks);
      EXPECT_EQ(e.channel, "Microsoft-Windows-Sysmon/Operational");
      EXPECT_EQ(e.level, 4);
      EXPECT_EQ(e.user_sid, "S-1-5-18");
    }
    EXPECT_EQ(net, x.net);
    EXPECT_EQ(dst, std::set<std::string>(x.dst.begin(), x.dst.end()));
    EXPECT_EQ(hosts, std::set<std::string>(x.hosts.begin(), x.hosts.end()));
    EXPECT_EQ(tmin, iso_ticks(x.time_min));
    EXPECT_EQ(tmax, iso_ticks(x.time_max));
    EXPECT_EQ(evtx_format_ticks(tmin).substr(0, 27), std::string(x.time_min).substr(0, 27));
  }
}

TEST(EvtxReader, SigmaSampleRendersAllFields) {
  // Values as rendered by evtxexport / shown in 4e7b2c9f-1a3d-4f8e-b5c0-8d6a3f2e9b4c.json.
  const std::string d = read_file(sample_path("4e7b2c9f-1a3d-4f8e-b5c0-8d6a3f2e9b4c.evtx"));
  const DecodeResult r = decode_all(d);
  ASSERT_EQ(r.events.size(), 1U);
  const OwnedEvent& e = r.events[0];
  EXPECT_EQ(e.provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(e.event_id, 3);
  EXPECT_EQ(e.level, 4);
  EXPECT_EQ(e.version, 5U);
  EXPECT_EQ(e.computer, "srv-01.midgardnet.tech");
  EXPECT_EQ(e.channel, "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(e.user_sid, "S-1-5-18");
  EXPECT_EQ(evtx_format_ticks(e.ticks), "2026-06-08T06:30:53.6605392Z");
  EXPECT_EQ(e.offset, 4096U + 512U);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"RuleName", "-"},
      {"UtcTime", "2026-06-08 06:30:51.145"},
      {"ProcessGuid", "{14207D89-619B-6A26-3002-000000004902}"},
      {"ProcessId", "3328"},
      {"Image", "C:\\Program Files\\nodejs\\node.exe"},
      {"User", "MIDGARDNET\\SwachchhandaP"},
      {"Protocol", "tcp"},
      {"Initiated", "true"},
      {"SourceIsIpv6", "false"},
      {"SourceIp", "172.31.11.25"},
      {"SourceHostname", "srv-01.midgardnet.tech"},
      {"SourcePort", "49899"},
      {"SourcePortName", "-"},
      {"DestinationIsIpv6", "false"},
      {"DestinationIp", "169.254.169.254"},
      {"DestinationHostname", "instance-data.eu-north-1.compute.internal"},
      {"DestinationPort", "80"},
      {"DestinationPortName", "http"},
  };
  EXPECT_EQ(e.data, want);
}

TEST(EvtxReader, FieldProjectionAndEventIdFilter) {
  const std::string d = read_file(sample_path("DE_sysmon-3-rdp-tun.evtx"));
  const DecodeResult all = decode_all(d);
  EvtxChunkOptions opt;
  opt.fields = {"DestinationPort", "DestinationIp", "NoSuchField"};
  opt.only_event_id = 3;
  EvtxChunkDecoder dec(opt);
  std::size_t n = 0;
  std::size_t i_all = 0;
  dec.decode_chunk(
      d, 0,
      [&](const EvtxEvent& e) {
        ++n;
        EXPECT_EQ(e.event_id, 3);
        while (i_all < all.events.size() && all.events[i_all].record_id != e.record_id) ++i_all;
        ASSERT_LT(i_all, all.events.size());
        const OwnedEvent& full = all.events[i_all];
        ASSERT_EQ(e.data.size(), 2U);  // document order: DestinationIp before DestinationPort
        EXPECT_EQ(e.data[0].first, "DestinationIp");
        EXPECT_EQ(e.data[0].second, full.get("DestinationIp"));
        EXPECT_EQ(e.data[1].first, "DestinationPort");
        EXPECT_EQ(e.data[1].second, full.get("DestinationPort"));
        EXPECT_EQ(e.computer, full.computer);
        EXPECT_EQ(e.time_ticks, full.ticks);
      },
      [&](std::uint64_t, std::uint64_t, const char* why) { ADD_FAILURE() << why; });
  EXPECT_EQ(n, 42U);
  EXPECT_EQ(dec.stats().records, 42U);
  EXPECT_EQ(dec.stats().records_filtered, 73U - 42U);
  EXPECT_EQ(dec.stats().chunks, 1U);
}

TEST(EvtxReader, CorruptedChunkReportedOnceOthersDecoded) {
  const std::string good = read_file(sample_path("sysmon.evtx"));
  const DecodeResult base = decode_all(good);
  ASSERT_EQ(base.events.size(), 358U);
  const std::size_t slot = 3;
  const std::uint64_t lo = 4096 + slot * 65536, hi = lo + 65536;
  std::size_t in_slot = 0;
  for (const auto& e : base.events) in_slot += (e.offset >= lo && e.offset < hi);
  ASSERT_GT(in_slot, 0U);

  std::string bad = good;
  bad[lo + 512 + 1000] ^= 0x5A;  // record data, not the header
  bad[lo + 512 + 1001] ^= 0x01;
  const DecodeResult r = decode_all(bad);
  EXPECT_EQ(r.events.size(), 358U - in_slot);
  std::size_t errs_in_slot = 0;
  for (const auto& e : r.errors) {
    if (e.offset >= lo && e.offset < hi) {
      ++errs_in_slot;
      EXPECT_EQ(e.offset, lo);
      EXPECT_NE(e.reason.find("CRC32"), std::string::npos) << e.reason;
    }
  }
  EXPECT_EQ(errs_in_slot, 1U);
  EXPECT_EQ(r.errors.size(), base.errors.size() + 1);

  // Header damage is reported the same way.
  std::string bad_header = good;
  bad_header[lo + 20] ^= 0x10;
  const DecodeResult rh = decode_all(bad_header);
  EXPECT_EQ(rh.events.size(), 358U - in_slot);
  EXPECT_EQ(rh.errors.size(), base.errors.size() + 1);

  // Without checksum verification the damaged chunk is decoded record by record and nothing crashes.
  EvtxChunkOptions nov;
  nov.verify_checksums = false;
  const DecodeResult rn = decode_all(bad, nov);
  EXPECT_GE(rn.events.size() + rn.errors.size(), 358U - in_slot);
}

TEST(EvtxReader, TruncatedFile) {
  const std::string good = read_file(sample_path("sysmon.evtx"));
  const DecodeResult base = decode_all(good);
  const std::uint64_t cut = 4096 + 4 * 65536 + 30000;
  std::size_t before = 0, partial = 0;
  for (const auto& e : base.events) {
    before += e.offset < 4096 + 4 * 65536;
    partial += e.offset >= 4096 + 4 * 65536 && e.offset + e.length <= cut;
  }
  const std::string cutf = good.substr(0, cut);
  ASSERT_EQ(evtx_chunk_slots(cutf), 5U);
  const DecodeResult r = decode_all(cutf);
  EXPECT_EQ(r.events.size(), before);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].offset, 4096U + 4 * 65536);
  EXPECT_EQ(r.errors[0].reason, "truncated chunk");

  EvtxChunkOptions nov;
  nov.verify_checksums = false;
  const DecodeResult rn = decode_all(cutf, nov);
  EXPECT_EQ(rn.events.size(), before + partial);
  ASSERT_GE(rn.errors.size(), 1U);
  EXPECT_EQ(rn.errors[0].reason, "truncated chunk");

  // Cuts anywhere, including inside the file header, never crash.
  for (std::size_t len : {0UL, 7UL, 100UL, 4096UL, 4097UL, 4096UL + 511, 4096UL + 513, 4096UL + 65535}) {
    const std::string s = good.substr(0, len);
    for (bool verify : {true, false}) {
      EvtxChunkOptions o;
      o.verify_checksums = verify;
      decode_all(s, o);
    }
  }
}

TEST(EvtxReader, ZeroSlotIsSilentAndOutOfRangeSlotIsIgnored) {
  std::string d = read_file(sample_path("tunna_iis_rdp_smb_tunneling_sysmon_3.evtx"));
  d.append(65536, '\0');
  d.append(1000, '\0');
  const DecodeResult r = decode_all(d);
  EXPECT_EQ(r.events.size(), 12U);
  EXPECT_TRUE(r.errors.empty());
  EvtxChunkDecoder dec;
  int calls = 0;
  dec.decode_chunk(d, 99, [&](const EvtxEvent&) { ++calls; }, [&](std::uint64_t, std::uint64_t, const char*) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(EvtxReader, DamagedRecordSkippedNextOneDecoded) {
  std::string d = read_file(sample_path("DE_sysmon-3-rdp-tun.evtx"));
  const DecodeResult base = decode_all(d);
  ASSERT_EQ(base.events.size(), 73U);
  // Break the magic of record #10 (checksums off: the record walk itself must resync).
  const std::uint64_t off = base.events[10].offset;
  d[off] = 'X';
  EvtxChunkOptions nov;
  nov.verify_checksums = false;
  const DecodeResult r = decode_all(d, nov);
  EXPECT_EQ(r.events.size(), 72U);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].offset, off);
  EXPECT_EQ(r.errors[0].reason, "bad record signature");
  EXPECT_EQ(r.events[10].record_id, base.events[11].record_id);
  // Size mismatch: trailing size copy differs.
  std::string d2 = read_file(sample_path("DE_sysmon-3-rdp-tun.evtx"));
  const std::uint64_t off2 = base.events[20].offset;
  d2[off2 + 4] ^= 0x01;  // low byte of the record size
  const DecodeResult r2 = decode_all(d2, nov);
  EXPECT_EQ(r2.events.size(), 72U);
  ASSERT_EQ(r2.errors.size(), 1U);
  EXPECT_EQ(r2.errors[0].reason, "record size mismatch");
  EXPECT_EQ(r2.errors[0].record_id, base.events[20].record_id);
}

TEST(EvtxReader, RandomMutationsNeverCrash) {
  const std::string small = read_file(sample_path("DE_sysmon-3-rdp-tun.evtx"));
  const std::string big = read_file(sample_path("sysmon.evtx"));
  std::mt19937_64 rng(12345);
  std::uint64_t sink = 0;
  int iterations = 3000;  // RARECONN_EVTX_FUZZ_ITERS overrides (e.g. for a long sanitizer run)
  if (const char* env = std::getenv("RARECONN_EVTX_FUZZ_ITERS")) iterations = std::max(1, std::atoi(env));
  for (int it = 0; it < iterations; ++it) {
    const bool use_big = it % 10 == 0;
    std::string d = use_big ? big : small;
    const std::size_t slots = use_big ? 9 : 1;
    const int flips = 1 + static_cast<int>(rng() % 16);
    for (int k = 0; k < flips; ++k) {
      const std::size_t slot = rng() % slots;
      const std::size_t pos = 4096 + slot * 65536 + (it % 3 == 0 ? rng() % 65536 : 512 + rng() % 20000);
      d[pos] = static_cast<char>(it % 2 ? (d[pos] ^ (1 << (rng() % 8))) : static_cast<char>(rng()));
    }
    for (bool verify : {false, true}) {
      if (verify && it % 50 != 0) continue;
      EvtxChunkOptions opt;
      opt.verify_checksums = verify;
      if (it % 4 == 1) opt.fields = {"DestinationIp", "Image"};
      if (it % 4 == 2) opt.only_event_id = 3;
      EvtxChunkDecoder dec(opt);
      for (std::size_t i = 0; i < evtx_chunk_slots(d); ++i)
        dec.decode_chunk(
            d, i,
            [&](const EvtxEvent& e) {
              for (char c : e.provider) sink += static_cast<unsigned char>(c);
              for (char c : e.computer) sink += static_cast<unsigned char>(c);
              for (auto& [n, v] : e.data) {
                for (char c : n) sink += static_cast<unsigned char>(c);
                for (char c : v) sink += static_cast<unsigned char>(c);
              }
            },
            [&](std::uint64_t off, std::uint64_t, const char* why) { sink += off + std::strlen(why); });
    }
  }
  EXPECT_NE(sink, 0U);
}

TEST(EvtxReader, DecodersInThreadsAgree) {
  const std::string d = read_file(sample_path("sysmon.evtx"));
  const DecodeResult ref = decode_all(d);
  std::vector<std::vector<std::string>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      EvtxChunkDecoder dec;
      for (int rep = 0; rep < 5; ++rep)
        for (std::size_t i = 0; i < evtx_chunk_slots(d); ++i)
          dec.decode_chunk(
              d, i,
              [&](const EvtxEvent& e) {
                if (rep == 0) seen[t].push_back(std::to_string(e.record_id) + std::string(e.computer) + std::to_string(e.data.size()));
              },
              [](std::uint64_t, std::uint64_t, const char*) {});
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_EQ(seen[t].size(), ref.events.size());
    for (std::size_t i = 0; i < ref.events.size(); ++i)
      EXPECT_EQ(seen[t][i], std::to_string(ref.events[i].record_id) + ref.events[i].computer +
                                std::to_string(ref.events[i].data.size()));
  }
}

// ---- synthetic chunk: nested BinXML, inline/referenced names and templates, entities, CDATA ----

class ChunkBuilder {
 public:
  ChunkBuilder() : c_(65536, '\0') {}
  std::uint32_t pos() const { return pos_; }
  void u8(std::uint8_t v) { c_[pos_++] = static_cast<char>(v); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void patch32(std::uint32_t at, std::uint32_t v) { std::memcpy(&c_[at], &v, 4); }
  void utf16(const std::u16string& s) {
    for (char16_t ch : s) u16(static_cast<std::uint16_t>(ch));
  }
  void name(const std::u16string& n) {  // inline the first time, by offset afterwards
    auto it = names_.find(n);
    if (it != names_.end()) return u32(it->second);
    u32(pos_ + 4);
    names_[n] = pos_;
    u32(0);
    u16(0);
    u16(static_cast<std::uint16_t>(n.size()));
    utf16(n);
    u16(0);
  }
  void open(const std::u16string& n, bool attrs) {
    u8(attrs ? 0x41 : 0x01);
    u16(0xFFFF);
    u32(0);
    name(n);
    if (attrs) u32(0);
  }
  void attr(const std::u16string& n) { u8(0x06); name(n); }
  void text(const std::u16string& s) {
    u8(0x05);
    u8(0x01);
    u16(static_cast<std::uint16_t>(s.size()));
    utf16(s);
  }
  void subst(std::uint16_t i, std::uint8_t type, bool optional = false) {
    u8(optional ? 0x0e : 0x0d);
    u16(i);
    u8(type);
  }
  // Template instance header; returns true when the definition must follow inline.
  bool instance(const std::string& key) {
    u8(0x0c);
    u8(0x01);
    u32(0x1234);
    auto it = templates_.find(key);
    if (it != templates_.end()) {
      u32(it->second);
      return false;
    }
    u32(pos_ + 4);
    templates_[key] = pos_;
    u32(0);
    for (int i = 0; i < 16; ++i) u8(static_cast<std::uint8_t>(i));
    size_at_ = pos_;
    u32(0);
    u8(0x0f); u8(1); u8(1); u8(0);
    return true;
  }
  void end_definition() {
    u8(0x00);
    patch32(size_at_, pos_ - size_at_ - 4);
  }
  void values(const std::vector<std::pair<std::uint8_t, std::string>>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (auto& [type, bytes] : v) {
      u16(static_cast<std::uint16_t>(bytes.size()));
      u8(type);
      u8(0);
    }
    for (auto& [type, bytes] : v)
      for (char ch : bytes) u8(static_cast<std::uint8_t>(ch));
  }
  std::uint32_t begin_record(std::uint64_t id) {
    const std::uint32_t at = pos_;
    u32(0x00002a2a);
    u32(0);
    u64(id);
    u64(0);
    return at;
  }
  void end_record(std::uint32_t at) {
    const std::uint32_t size = pos_ + 4 - at;
    u32(size);
    patch32(at + 4, size);
  }
  std::string finish(std::uint64_t first, std::uint64_t last) {
    std::memcpy(&c_[0], "ElfChnk\0", 8);
    std::memcpy(&c_[8], &first, 8);
    std::memcpy(&c_[16], &last, 8);
    std::memcpy(&c_[24], &first, 8);
    std::memcpy(&c_[32], &last, 8);
    patch32(40, 128);
    patch32(48, pos_);
    patch32(52, rareconn::parsers::evtx::crc32(0, c_.data() + 512, pos_ - 512));
    std::uint32_t h = rareconn::parsers::evtx::crc32(0, c_.data(), 120);
    h = rareconn::parsers::evtx::crc32(h, c_.data() + 128, 384);
    patch32(124, h);
    std::string file(4096, '\0');
    std::memcpy(&file[0], "ElfFile\0", 8);
    std::memcpy(&file[32], "\x80\0\0\0\x01\0\x03\0\0\x10\x01\0", 12);
    return file + c_;
  }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::string c_;
  std::uint32_t pos_ = 512;
  std::uint32_t size_at_ = 0;
  std::map<std::u16string, std::uint32_t> names_;
  std::map<std::string, std::uint32_t> templates_;
};

std::string bytes16(const std::u16string& s) {
  std::string b;
  for (char16_t ch : s) {
    b.push_back(static_cast<char>(ch & 0xFF));
    b.push_back(static_cast<char>(ch >> 8));
  }
  return b + std::string(2, '\0');
}
std::string le(std::uint64_t v, int n) {
  std::string b;
  for (int i = 0; i < n; ++i) b.push_back(static_cast<char>(v >> (8 * i)));
  return b;
}

// Outer template: <Event><System><Provider Name="Test-Provider"/><EventID>%0</EventID>
// <TimeCreated SystemTime="%1"/><Computer>host&amp;1</Computer><Security UserID="%3"/></System>%2</Event>
// where %2 is nested BinXML holding an instance of <EventData><Data Name="DestinationIp">%0</Data>
// <Data Name="Note"><![CDATA[a<b]]>&#x41;</Data></EventData>.
void add_record(ChunkBuilder& b, std::uint64_t id, std::uint16_t eid, std::uint64_t filetime, const std::u16string& ip,
                bool null_sid) {
  const std::uint32_t rec = b.begin_record(id);
  b.u8(0x0f); b.u8(1); b.u8(1); b.u8(0);
  if (b.instance("outer")) {
    b.open(u"Event", false);
    b.u8(0x02);
    b.open(u"System", false);
    b.u8(0x02);
    b.open(u"Provider", true);
    b.attr(u"Name");
    b.text(u"Test-Provider");
    b.u8(0x03);
    b.open(u"EventID", false);
    b.u8(0x02);
    b.subst(0, 0x06);
    b.u8(0x04);
    b.open(u"TimeCreated", true);
    b.attr(u"SystemTime");
    b.subst(1, 0x11, true);
    b.u8(0x03);
    b.open(u"Computer", false);
    b.u8(0x02);
    b.text(u"host");
    b.u8(0x09);
    b.name(u"amp");
    b.text(u"1");
    b.u8(0x04);
    b.open(u"Security", true);
    b.attr(u"UserID");
    b.subst(3, 0x13, true);
    b.u8(0x03);
    b.u8(0x04);  // </System>
    b.subst(2, 0x21);
    b.u8(0x04);  // </Event>
    b.end_definition();
  }
  // Nested value: built at its final position, so compute it in place after the descriptors.
  // Layout: count, 4 descriptors, then values 0, 1, 2 (nested), 3.
  const std::string v0 = le(eid, 2), v1 = le(filetime, 8);
  const std::string v3 = null_sid ? std::string() : std::string("\x01\x01\0\0\0\0\0\x05\x12\0\0\0", 12);
  b.u32(4);
  const std::uint32_t desc = b.pos();
  for (int i = 0; i < 4; ++i) b.u32(0);
  for (char ch : v0) b.u8(static_cast<std::uint8_t>(ch));
  for (char ch : v1) b.u8(static_cast<std::uint8_t>(ch));
  const std::uint32_t nested_start = b.pos();
  b.u8(0x0f); b.u8(1); b.u8(1); b.u8(0);
  if (b.instance("inner")) {
    b.open(u"EventData", false);
    b.u8(0x02);
    b.open(u"Data", true);
    b.attr(u"Name");
    b.text(u"DestinationIp");
    b.u8(0x02);
    b.subst(0, 0x01);
    b.u8(0x04);
    b.open(u"Data", true);
    b.attr(u"Name");
    b.text(u"Note");
    b.u8(0x02);
    b.u8(0x07);
    b.u16(3);
    b.utf16(u"a<b");
    b.u8(0x08);
    b.u16(0x41);
    b.u8(0x04);
    b.u8(0x04);  // </EventData>
    b.end_definition();
  }
  b.values({{0x01, bytes16(ip)}});
  b.u8(0x00);
  const std::uint32_t nested_size = b.pos() - nested_start;
  for (char ch : v3) b.u8(static_cast<std::uint8_t>(ch));
  b.patch32(desc + 0, 0x00060000U | 2);
  b.patch32(desc + 4, 0x00110000U | 8);
  b.patch32(desc + 8, 0x00210000U | nested_size);
  b.patch32(desc + 12, (null_sid ? 0x00000000U : 0x00130000U) | static_cast<std::uint32_t>(v3.size()));
  b.u8(0x00);
  b.end_record(rec);
}

TEST(EvtxReader, SyntheticNestedBinXml) {
  ChunkBuilder b;
  const std::int64_t t1 = iso_ticks("2024-01-02T03:04:05.6789012Z");
  const auto ft1 = static_cast<std::uint64_t>(t1 - rareconn::parsers::evtx::kFiletimeToKustoTicks);
  add_record(b, 1, 3, ft1, u"10.1.2.3", false);
  add_record(b, 2, 4, ft1 + 10, u"10.9.9.9", true);
  const std::string file = b.finish(1, 2);
  const DecodeResult r = decode_all(file);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.events.size(), 2U);
  const OwnedEvent& a = r.events[0];
  EXPECT_EQ(a.record_id, 1U);
  EXPECT_EQ(a.provider, "Test-Provider");
  EXPECT_EQ(a.event_id, 3);
  EXPECT_EQ(a.computer, "host&1");
  EXPECT_EQ(a.user_sid, "S-1-5-18");
  EXPECT_EQ(a.ticks, t1);
  const std::vector<std::pair<std::string, std::string>> want_a = {{"DestinationIp", "10.1.2.3"}, {"Note", "a<bA"}};
  EXPECT_EQ(a.data, want_a);
  const OwnedEvent& c = r.events[1];  // templates and names referenced by offset this time
  EXPECT_EQ(c.event_id, 4);
  EXPECT_EQ(c.ticks, t1 + 10);
  EXPECT_EQ(c.user_sid, "");
  EXPECT_EQ(c.computer, "host&1");
  const std::vector<std::pair<std::string, std::string>> want_c = {{"DestinationIp", "10.9.9.9"}, {"Note", "a<bA"}};
  EXPECT_EQ(c.data, want_c);

  EvtxChunkOptions opt;
  opt.fields = {"DestinationIp"};
  opt.only_event_id = 4;
  const DecodeResult f = decode_all(file, opt);
  ASSERT_EQ(f.events.size(), 1U);
  EXPECT_EQ(f.events[0].data, (std::vector<std::pair<std::string, std::string>>{{"DestinationIp", "10.9.9.9"}}));
}

// ---- value rendering ----

std::string render(std::uint8_t type, const std::vector<std::uint8_t>& bytes) {
  rareconn::parsers::evtx::TextBuf b;
  EXPECT_TRUE(rareconn::parsers::evtx::render_value(b, type, bytes.data(), bytes.size()));
  return std::string(b.data() ? b.data() : "", b.size());
}

std::vector<std::uint8_t> utf16(const std::u16string& s) {
  std::vector<std::uint8_t> v;
  for (char16_t c : s) {
    v.push_back(static_cast<std::uint8_t>(c & 0xFF));
    v.push_back(static_cast<std::uint8_t>(c >> 8));
  }
  return v;
}

TEST(EvtxValues, Rendering) {
  namespace ev = rareconn::parsers::evtx;
  EXPECT_EQ(render(ev::kString, utf16(u"tcp")), "tcp");
  EXPECT_EQ(render(ev::kString, utf16(std::u16string(u"abc\0", 4))), "abc");
  EXPECT_EQ(render(ev::kString, utf16(u"caf\u00e9 \u20ac \U0001F600")), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(render(ev::kString, utf16(std::u16string(1, char16_t(0xD800)))), "\xEF\xBF\xBD");
  EXPECT_EQ(render(ev::kUInt16, {0x50, 0x00}), "80");
  EXPECT_EQ(render(ev::kInt32, {0xFF, 0xFF, 0xFF, 0xFF}), "-1");
  EXPECT_EQ(render(ev::kUInt64, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), "18446744073709551615");
  EXPECT_EQ(render(ev::kBool, {1, 0, 0, 0}), "true");
  EXPECT_EQ(render(ev::kBool, {0, 0, 0, 0}), "false");
  EXPECT_EQ(render(ev::kHexInt64, {0xe7, 0x03, 0, 0, 0, 0, 0, 0}), "0x3e7");
  EXPECT_EQ(render(ev::kHexInt32, {0x6d, 0x00, 0x00, 0xc0}), "0xc000006d");
  EXPECT_EQ(render(ev::kBinary, {0x00, 0xAB, 0x1f}), "00AB1F");
  EXPECT_EQ(render(ev::kGuid, {0x89, 0x7D, 0x20, 0x14, 0x9B, 0x61, 0x26, 0x6A, 0x30, 0x02, 0, 0, 0, 0, 0x49, 0x02}),
            "{14207D89-619B-6A26-3002-000000004902}");
  EXPECT_EQ(render(ev::kSid, {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}), "S-1-5-18");
  EXPECT_EQ(render(ev::kSid, {1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xE9, 3, 0, 0}),
            "S-1-5-21-67305985-134678021-202050057-1001");
  // FILETIME 0x01D4C5DA... : take a known instant: 2019-02-16T10:01:46.8840384Z.
  const std::int64_t t = iso_ticks("2019-02-16T10:01:46.8840384Z");
  const auto ft = static_cast<std::uint64_t>(t - ev::kFiletimeToKustoTicks);
  std::vector<std::uint8_t> ftb(8);
  for (int i = 0; i < 8; ++i) ftb[i] = static_cast<std::uint8_t>(ft >> (8 * i));
  EXPECT_EQ(render(ev::kFileTime, ftb), "2019-02-16T10:01:46.8840384Z");
  // SYSTEMTIME 2020-07-09 22:00:11.181 (Thursday)
  EXPECT_EQ(render(ev::kSysTime, {0xE4, 0x07, 7, 0, 4, 0, 9, 0, 22, 0, 0, 0, 11, 0, 0xB5, 0x00}),
            "2020-07-09T22:00:11.1810000Z");
  EXPECT_EQ(render(ev::kNull, {}), "");
  EXPECT_EQ(render(ev::kString, {}), "");
  EXPECT_EQ(render(ev::kString | ev::kArrayFlag, utf16(std::u16string(u"a\0bc\0", 5))), "a, bc");
  EXPECT_EQ(render(ev::kUInt16 | ev::kArrayFlag, {1, 0, 2, 0}), "1, 2");
  ev::TextBuf b;
  EXPECT_FALSE(ev::render_value(b, 0x7F, nullptr, 0));
}

TEST(EvtxValues, TimeAndCrc) {
  namespace ev = rareconn::parsers::evtx;
  std::int64_t t = 0;
  ASSERT_TRUE(ev::parse_iso_ticks("0001-01-01T00:00:00Z", t));
  EXPECT_EQ(t, 0);
  ASSERT_TRUE(ev::parse_iso_ticks("1601-01-01T00:00:00.0000000Z", t));
  EXPECT_EQ(t, ev::kFiletimeToKustoTicks);
  ASSERT_TRUE(ev::parse_iso_ticks("2019-02-16T10:01:46.884038400Z", t));
  EXPECT_EQ(evtx_format_ticks(t), "2019-02-16T10:01:46.8840384Z");
  ASSERT_TRUE(ev::parse_iso_ticks("2000-02-29 23:59:59.1", t));
  EXPECT_EQ(evtx_format_ticks(t), "2000-02-29T23:59:59.1000000Z");
  EXPECT_FALSE(ev::parse_iso_ticks("2019-13-01T00:00:00Z", t));
  EXPECT_FALSE(ev::parse_iso_ticks("garbage", t));
  EXPECT_EQ(ev::crc32(0, "123456789", 9), 0xCBF43926U);
  EXPECT_EQ(ev::crc32(ev::crc32(0, "1234", 4), "56789", 5), 0xCBF43926U);
  EXPECT_EQ(ev::crc32(0, "", 0), 0U);
}

}  // namespace

namespace {

// The error callback's fourth argument names the kind of damage, so callers never match text.
TEST(EvtxDamageKinds, EachDamageReportsItsKind) {
  const std::string good = read_file(sample_path("DE_sysmon-3-rdp-tun.evtx"));
  ASSERT_GT(good.size(), kEvtxFileHeaderSize + 1024);
  auto kinds_of = [](const std::string& file) {
    EvtxChunkDecoder dec;
    std::vector<EvtxDamage> kinds;
    dec.decode_chunk(file, 0, [](const EvtxEvent&) {},
                     [&](std::uint64_t, std::uint64_t, const char*, EvtxDamage k) { kinds.push_back(k); });
    return kinds;
  };
  EXPECT_TRUE(kinds_of(good).empty());
  EXPECT_EQ(kinds_of(good.substr(0, kEvtxFileHeaderSize + 1000)), std::vector<EvtxDamage>{EvtxDamage::kTruncatedChunk});
  std::string sig = good;
  sig[kEvtxFileHeaderSize] = 'X';
  EXPECT_EQ(kinds_of(sig), std::vector<EvtxDamage>{EvtxDamage::kBadChunkSignature});
  std::string header = good;
  header[kEvtxFileHeaderSize + 10] ^= 0x5a;  // inside the CRC-covered chunk header
  EXPECT_EQ(kinds_of(header), std::vector<EvtxDamage>{EvtxDamage::kChunkHeader});
  std::string data = good;
  data[kEvtxFileHeaderSize + 600] ^= 0x5a;  // inside the first record
  EXPECT_EQ(kinds_of(data), std::vector<EvtxDamage>{EvtxDamage::kChunkData});
}

}  // namespace
