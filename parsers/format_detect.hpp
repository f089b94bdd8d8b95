// Detects an input file's format from its first bytes (never from its name).
// Knows nothing of hunts or threads.
#pragma once

#include <string_view>

namespace rareconn::parsers {

enum class InputFormat { kUnknown, kCsv, kJson, kXml, kEvtx };

InputFormat detect_format(std::string_view data);
// Length of a leading UTF-8 byte-order mark (3) or 0.
std::size_t bom_length(std::string_view data);
const char* format_name(InputFormat f);

}  // namespace rareconn::parsers
