// libFuzzer target: the CSV header and record decoder must never crash, and a cut by quote
// parity or by a guess that passes the scanner's chain check must give the records of the
// sequential parse.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/csv_reader.hpp"

using namespace rareconn::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view d(reinterpret_cast<const char*>(data), size);
  const CsvHeader h = parse_csv_header(d);
  if (h.error != ParseError::kNone) return 0;
  Projection proj;
  for (std::size_t i = 0; i < h.columns.size() && i < 4; ++i) proj.fields.push_back({{h.columns[i]}});
  CsvRecordParser p(h, proj);
  std::vector<std::uint64_t> seq, cut;
  p.parse(d, h.data_offset, d.size(), [&](const RecordView& rv) { seq.push_back(rv.offset); },
          [&](std::uint64_t o, ParseError) { seq.push_back(~o); });
  // Two chunks cut at the middle by quote parity must give the same records.
  const std::uint64_t mid = h.data_offset + (d.size() - h.data_offset) / 2;
  const bool odd = count_quotes(d.data() + h.data_offset, d.data() + mid) % 2 == 1;
  const std::uint64_t b = first_record_start(d, h.data_offset, mid, odd);
  const std::uint64_t stop = p.parse(d, h.data_offset, b, [&](const RecordView& rv) { cut.push_back(rv.offset); },
                                     [&](std::uint64_t o, ParseError) { cut.push_back(~o); });
  p.parse(d, b, d.size(), [&](const RecordView& rv) { cut.push_back(rv.offset); },
          [&](std::uint64_t o, ParseError) { cut.push_back(~o); });
  // When the first chunk's records end where the second begins (the scanner's check), the cut
  // must give the sequential records; otherwise the scanner rescans the file whole.
  if (stop == b && seq != cut) __builtin_trap();
  // The same for a guessed cut (the scanner's first plan), which must stay at or after mid.
  const std::uint64_t g = guess_record_start(d, mid, d.size(), h.columns.size(), 64);
  if (g < mid || g > d.size()) __builtin_trap();
  cut.clear();
  const std::uint64_t gstop = p.parse(d, h.data_offset, g, [&](const RecordView& rv) { cut.push_back(rv.offset); },
                                      [&](std::uint64_t o, ParseError) { cut.push_back(~o); });
  p.parse(d, g, d.size(), [&](const RecordView& rv) { cut.push_back(rv.offset); },
          [&](std::uint64_t o, ParseError) { cut.push_back(~o); });
  if (gstop == g && seq != cut) __builtin_trap();
  std::vector<std::string> fields;
  for (std::uint64_t o : seq) {
    if (o < d.size()) CsvRecordParser::split_record(d, o, fields);
  }
  return 0;
}
