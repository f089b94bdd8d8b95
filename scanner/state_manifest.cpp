// The manifest's bytes: magic, version, length, body, XXH3-64 of the body (see the header).
#include "scanner/state_manifest.hpp"

#include "core/kusto_time.hpp"
#include "core/state_codec.hpp"
#include "scanner/saved_file.hpp"

namespace rareconn::scanner {

namespace {
constexpr std::string_view kMagic("RCSTATE\n", 8);
}  // namespace

std::string encode_manifest(const StateManifest& m) {
  core::ByteWriter w;
  write_options(w, m.options);
  w.varint(m.runs);
  w.varint(m.entries.size());
  for (const StateEntry& e : m.entries) {
    w.str(e.path);
    w.u64(e.content_hash);
    w.varint(e.size);
    w.str(e.part);
    w.svarint(e.newest);
    w.varint(e.run);
    w.u8(e.compacted ? 1 : 0);
    w.svarint(e.mtime_ns);
    w.varint(e.device);
    w.varint(e.inode);
  }
  return frame_saved(kMagic, kStateVersion, w.bytes());
}

bool decode_manifest(std::string_view bytes, StateManifest& m, std::string& error) {
  std::string_view body;
  if (!unframe_saved(bytes, kMagic, kStateVersion, "state manifest", body, error)) return false;
  core::ByteReader r(body);
  m = StateManifest{};
  read_options(r, m.options);
  m.runs = r.varint();
  const std::uint64_t entries = r.count(12);
  for (std::uint64_t i = 0; i < entries && !r.bad(); ++i) {
    StateEntry e;
    e.path = r.str();
    e.content_hash = r.u64();
    e.size = r.varint();
    e.part = r.str();
    e.newest = r.svarint();
    e.run = r.varint();
    if (e.newest != INT64_MIN && (e.newest < 0 || e.newest > core::kMaxDatetimeTicks)) r.fail();  // not a datetime
    e.compacted = r.u8() != 0;
    e.mtime_ns = r.svarint();
    e.device = r.varint();
    e.inode = r.varint();
    m.entries.push_back(std::move(e));
  }
  if (r.bad() || !r.done()) {
    error = "damaged: its contents do not parse although the checksum matches";
    return false;
  }
  return true;
}

}  // namespace rareconn::scanner
