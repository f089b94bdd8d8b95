// libFuzzer target: saved partials and state manifests never crash the reader, however damaged.
// The input is a body (or a whole saved file, whose body is taken); it is framed with a valid
// header and checksum, so that the decoder's bounds checks, not the checksum, meet the bytes.
// A partial that decodes has its window state loaded (with `now` given and unknown), the
// Sysmon hunt's state loaded, and the window state saved again.
#include <xxhash.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "core/window_aggregator.hpp"
#include "scanner/hunt_registry.hpp"
#include "scanner/partial_file.hpp"
#include "scanner/state_manifest.hpp"

namespace {
std::string frame(std::string_view magic, std::string_view body) {
  std::string out(magic);
  auto put = [&](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  put(1);
  put(body.size());
  out.append(body);
  put(XXH3_64bits(body.data(), body.size()));
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rareconn;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.size() >= 32 && (in.substr(0, 6) == "RCPART" || in.substr(0, 7) == "RCSTATE")) {
    in = in.substr(24, in.size() - 32);
  }
  const std::string part = frame(std::string_view("RCPART\r\n", 8), in);
  scanner::Partial p;
  std::string error;
  if (scanner::decode_partial(part, nullptr, p, error)) {
    std::vector<std::uint32_t> files(p.inputs.size());
    std::iota(files.begin(), files.end(), 0u);
    for (bool now_given : {false, true}) {
      core::WindowConfig cfg;
      if (now_given) cfg.now = 638500000000000000;
      cfg.threshold = 3;
      core::WindowShared shared(cfg);
      core::WindowPartial w(shared);
      core::ByteReader r(p.window);
      if (w.load(r, files)) {
        w.prune_for_saving();
        core::ByteWriter out;
        w.save(out);
      }
    }
    std::unique_ptr<hunts::Hunt> sysmon = scanner::find_hunt("sysmon")->make(hunts::RunOptions{});
    core::ByteReader h(p.hunt_state);
    sysmon->load_state(h, files);
  }
  scanner::StateManifest m;
  scanner::decode_manifest(frame(std::string_view("RCSTATE\n", 8), in), m, error);
  return 0;
}
