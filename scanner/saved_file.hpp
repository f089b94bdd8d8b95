// The framing shared by rareconn's saved files (partials, state manifests): an 8-byte magic, the
// format version, the body's length, the body, and the XXH3-64 of the body (integers little-
// endian); and the body's list of result-shaping options. Bytes only, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/state_codec.hpp"
#include "scanner/result_options.hpp"

namespace rareconn::scanner {

std::string frame_saved(std::string_view magic, std::uint64_t version, std::string_view body);

// The body of `bytes`; false with `error` when the magic is not `magic` ("not a rareconn
// `what`"), the version is another, or the length or checksum do not match ("damaged: ...").
bool unframe_saved(std::string_view bytes, std::string_view magic, std::uint64_t version, std::string_view what,
                   std::string_view& body, std::string& error);

void write_options(core::ByteWriter& w, const ResultOptions& options);
void read_options(core::ByteReader& r, ResultOptions& options);

}  // namespace rareconn::scanner
