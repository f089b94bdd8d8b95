// The manifest's bytes: magic, version, length, body, XXH3-64 of the body (see the header).
#include "scanner/state_manifest.hpp"

#include <xxhash.h>

#include "core/kusto_time.hpp"
#include "core/state_codec.hpp"

namespace rareconn::scanner {

namespace {
constexpr std::string_view kMagic("RCSTATE\n", 8);
constexpr std::size_t kHead = 24, kTail = 8;
}  // namespace

std::string encode_manifest(const StateManifest& m) {
  core::ByteWriter w;
  w.varint(m.options.size());
  for (const auto& [name, value] : m.options) w.str(name), w.str(value);
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
  core::ByteWriter out;
  out.raw(kMagic);
  out.u64(kStateVersion);
  out.u64(w.size());
  out.raw(w.bytes());
  out.u64(XXH3_64bits(w.bytes().data(), w.size()));
  return std::move(out.bytes());
}

bool decode_manifest(std::string_view bytes, StateManifest& m, std::string& error) {
  if (bytes.size() < kHead + kTail || bytes.substr(0, 8) != kMagic) {
    error = "not a rareconn state manifest";
    return false;
  }
  core::ByteReader head(bytes.substr(8, 16));
  const std::uint64_t version = head.u64(), length = head.u64();
  if (version != kStateVersion) {
    error = "written in format version " + std::to_string(version) + "; this rareconn reads version " +
            std::to_string(kStateVersion);
    return false;
  }
  if (length != bytes.size() - kHead - kTail) {
    error = "damaged: its length does not match its header (truncated or extended)";
    return false;
  }
  const std::string_view body = bytes.substr(kHead, length);
  core::ByteReader tail(bytes.substr(kHead + length));
  if (XXH3_64bits(body.data(), body.size()) != tail.u64()) {
    error = "damaged: its checksum does not match";
    return false;
  }
  core::ByteReader r(body);
  m = StateManifest{};
  const std::uint64_t options = r.count(2);
  for (std::uint64_t i = 0; i < options && !r.bad(); ++i) {
    std::string name(r.str());
    m.options.push_back({std::move(name), std::string(r.str())});
  }
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
