// A saved partial aggregate (SPEC §7): what `rareconn partial` writes, `rareconn merge` combines
// and `rareconn report` finishes. Plain data and its file layout (versioned, checksummed; the
// README's "Partials" section documents it): the result-shaping options, the inputs (path,
// format, CSV header, and the bytes of the records that can still become findings, by offset),
// the summary's counts, and the window engine's and the hunt's saved state. Knows no hunt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/funnel.hpp"
#include "scanner/result_options.hpp"
#include "scanner/summary.hpp"

namespace rareconn::scanner {

inline constexpr std::uint64_t kPartialVersion = 2;  // 2: options record --assume

struct PartialInput {
  std::string path;
  std::uint8_t format = 0;  // parsers::InputFormat
  bool skipped = false;     // listed in the summary, not scanned
  std::vector<std::string> header;  // CSV columns
  // Records read again after the merge (recent rows; a hunt's kept records), sorted by offset:
  // a record and its terminator; for EVTX, the 64 KiB chunk at that offset.
  std::vector<std::pair<std::uint64_t, std::string_view>> kept;  // views into Partial::storage or the run's inputs
};

struct Partial {
  ResultOptions options;
  std::vector<PartialInput> inputs;  // sorted by path
  std::uint64_t bytes = 0;           // input bytes read
  core::Funnel funnel;
  std::uint64_t malformed = 0;
  std::vector<MalformedRecord> first_malformed;  // the earliest by (path, offset)
  std::vector<std::pair<std::string, std::uint64_t>> notes;  // counts of how inputs were read
  std::uint64_t evtx_unused_slots = 0, evtx_truncated_chunks = 0;
  std::string window;      // core::WindowPartial::save
  std::string hunt_state;  // hunts::Hunt::save_state
  std::shared_ptr<const void> storage;  // owns a decoded partial's bytes (kept records point into them)
};

// The file's bytes: magic, version, length, the body, its XXH3-64.
std::string encode_partial(const Partial& p);
// False with `error` (what is wrong, for "'FILE' is not usable: ...") when the bytes are not a
// partial, of another version, or damaged. `out` keeps `owner` (what keeps `bytes` alive).
bool decode_partial(std::string_view bytes, std::shared_ptr<const void> owner, Partial& out, std::string& error);

// Notes summed by label, in the order a scan notes them (so that a report's summary is a scan's).
void add_notes(std::vector<std::pair<std::string, std::uint64_t>>& into,
               const std::vector<std::pair<std::string, std::uint64_t>>& from);

}  // namespace rareconn::scanner
