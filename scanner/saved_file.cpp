// Saved files' framing and option list (see the header).
#include "scanner/saved_file.hpp"

#include <xxhash.h>

namespace rareconn::scanner {

namespace {
constexpr std::size_t kHead = 8 + 8 + 8, kTail = 8;
}  // namespace

std::string frame_saved(std::string_view magic, std::uint64_t version, std::string_view body) {
  core::ByteWriter out;
  out.raw(magic);
  out.u64(version);
  out.u64(body.size());
  out.raw(body);
  out.u64(XXH3_64bits(body.data(), body.size()));
  return std::move(out.bytes());
}

bool unframe_saved(std::string_view bytes, std::string_view magic, std::uint64_t version, std::string_view what,
                   std::string_view& body, std::string& error) {
  if (bytes.size() < kHead + kTail || bytes.substr(0, magic.size()) != magic) {
    error = "not a rareconn " + std::string(what);
    return false;
  }
  core::ByteReader head(bytes.substr(8, 16));
  const std::uint64_t found = head.u64(), length = head.u64();
  if (found != version) {
    error = "written in format version " + std::to_string(found) + "; this rareconn reads version " +
            std::to_string(version);
    return false;
  }
  if (length != bytes.size() - kHead - kTail) {
    error = "damaged: its length does not match its header (truncated or extended)";
    return false;
  }
  body = bytes.substr(kHead, length);
  core::ByteReader tail(bytes.substr(kHead + length));
  if (XXH3_64bits(body.data(), body.size()) != tail.u64()) {
    error = "damaged: its checksum does not match";
    return false;
  }
  return true;
}

void write_options(core::ByteWriter& w, const ResultOptions& options) {
  w.varint(options.size());
  for (const auto& option : options) w.str(option.first), w.str(option.second);
}

void read_options(core::ByteReader& r, ResultOptions& options) {
  const std::uint64_t n = r.count(2);
  for (std::uint64_t i = 0; i < n && !r.bad(); ++i) {
    std::string name(r.str());
    options.push_back({std::move(name), std::string(r.str())});
  }
}

}  // namespace rareconn::scanner
