// Transparent decompression of gzip (libdeflate, multi-member) and zstd (libzstd) inputs,
// detected by their magic bytes. The whole file is decompressed into memory; callers then treat
// the bytes exactly as an uncompressed file.
#pragma once

#include <string>
#include <string_view>

namespace rareconn::scanner {

enum class Compression { kNone, kGzip, kZstd };

Compression detect_compression(std::string_view data);
const char* compression_name(Compression c);

// On failure returns false with `error` set (a sentence, without the file name).
bool decompress(std::string_view data, Compression c, std::string& out, std::string& error);

}  // namespace rareconn::scanner
