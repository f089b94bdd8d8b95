// libFuzzer target: Kusto datetime and timespan text, and the portal's US time text: never crash,
// and every datetime that parses formats back to a text that parses to the same ticks.
#include <cstdint>
#include <string_view>

#include "core/kusto_time.hpp"
#include "parsers/portal_time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto t = rareconn::core::parse_datetime(s)) {
    if (rareconn::core::parse_datetime(rareconn::core::format_datetime(*t)) != t) __builtin_trap();
  }
  rareconn::core::parse_timespan(s);
  rareconn::parsers::parse_portal_time(s);
  return 0;
}
