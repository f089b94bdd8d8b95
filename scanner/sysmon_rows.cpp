// Parallel decoding of Sysmon rows for output and for Kusto's pivot merge.
#include "scanner/sysmon_rows.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <map>
#include <memory>

#include "parsers/evtx_reader.hpp"
#include "parsers/json_reader.hpp"

namespace rareconn::scanner {

namespace {
constexpr std::uint64_t kEvtxHeader = 4096, kEvtxChunk = 65536;
}

void decode_sysmon_rows(const std::vector<InputFile>& files, const std::vector<RowRef>& refs,
                        const SysmonTimeConfig& time, std::vector<SysmonRow>& rows, std::vector<char>& ok) {
  rows.assign(refs.size(), SysmonRow{});
  ok.assign(refs.size(), 0);
  // EVTX: group the wanted records by chunk.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::vector<std::size_t>> by_chunk;
  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (files[refs[i].file].format == parsers::InputFormat::kEvtx) {
      by_chunk[{refs[i].file, (refs[i].offset - kEvtxHeader) / kEvtxChunk}].push_back(i);
    } else {
      others.push_back(i);
    }
  }
  std::vector<std::pair<std::pair<std::uint32_t, std::uint64_t>, std::vector<std::size_t>>> chunks(by_chunk.begin(),
                                                                                                    by_chunk.end());
  tbb::parallel_for(std::size_t{0}, chunks.size(), [&](std::size_t c) {
    // The scan already checked these chunks; a truncated last chunk cannot be verified again.
    parsers::EvtxChunkOptions options;
    options.verify_checksums = false;
    parsers::EvtxChunkDecoder decoder(options);
    const auto& where = chunks[c].first;
    const auto& wanted = chunks[c].second;
    decoder.decode_chunk(
        files[where.first].bytes(), where.second,
        [&](const parsers::EvtxEvent& ev) {
          for (std::size_t i : wanted) {
            if (refs[i].offset == ev.offset) {
              SysmonMapper::row_from_evtx(ev, rows[i]);
              rows[i].time = refs[i].time;
              ok[i] = 1;
            }
          }
        },
        [](std::uint64_t, std::uint64_t, const char*) {});
  });
  tbb::enumerable_thread_specific<std::unique_ptr<SysmonMapper>> mappers;
  tbb::parallel_for(std::size_t{0}, others.size(), [&](std::size_t k) {
    const std::size_t i = others[k];
    auto& mp = mappers.local();
    if (!mp) mp = std::make_unique<SysmonMapper>(time);
    const RowRef& r = refs[i];
    const InputFile& f = files[r.file];
    const std::string_view d = f.bytes();
    std::vector<std::pair<std::string, std::string>> named;
    if (f.format == parsers::InputFormat::kCsv) {
      std::vector<std::string> values;
      if (parsers::CsvRecordParser::split_record(d, r.offset, values) != parsers::ParseError::kNone) return;
      for (std::size_t j = 0; j < values.size() && j < f.header.columns.size(); ++j) {
        named.emplace_back(f.header.columns[j], std::move(values[j]));
      }
      ok[i] = mp->row_from_export(named, r.time, rows[i]);
    } else if (f.format == parsers::InputFormat::kJson) {
      std::vector<parsers::NamedCell> cells;
      if (parsers::JsonRecordParser::split_record(d, r.offset, cells, {"event_data"}) != parsers::ParseError::kNone) return;
      for (auto& c : cells) named.emplace_back(std::move(c.name), std::move(c.cell.value));
      ok[i] = mp->row_from_export(named, r.time, rows[i]);
    } else {
      ok[i] = mp->row_from_xml(d.substr(r.offset, r.length), r.time, rows[i]);
    }
  });
}

}  // namespace rareconn::scanner
