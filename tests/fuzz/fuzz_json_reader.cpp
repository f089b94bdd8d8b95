// libFuzzer target: JSON rows (lines and documents, envelopes, records) and full-record decoding
// must never crash.
#include <cstdint>
#include <string_view>
#include <vector>

#include "parsers/json_reader.hpp"

using namespace rareconn::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view d(reinterpret_cast<const char*>(data), size);
  Projection proj{{{{"Timestamp", "TimeGenerated"}}, {{"RemoteIP"}}, {{"DestinationIp"}}}, {"event_data"}};
  JsonRecordParser p(proj);
  std::vector<NamedCell> cells;
  for (bool line_mode : {true, false}) {
    p.parse(d, 0, d.size(), line_mode,
            [&](const RecordView& rv) { JsonRecordParser::split_record(d, rv.offset, cells, {"event_data"}); },
            [](std::uint64_t, ParseError) {});
  }
  json_is_line_delimited(d);
  return 0;
}
