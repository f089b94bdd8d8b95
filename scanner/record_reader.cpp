// Records read again for output and for hunts' second passes (see the header).
#include "scanner/record_reader.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <map>
#include <memory>

#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/event_view.hpp"

namespace rareconn::scanner {

namespace {
constexpr std::uint64_t kEvtxHeader = 4096, kEvtxChunk = 65536;
}

void RecordReader::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) const {
  tbb::parallel_for(std::size_t{0}, n, body);
}

std::vector<const std::vector<std::string>*> RecordReader::headers() const {
  std::vector<const std::vector<std::string>*> out;
  for (const InputFile& f : files_) out.push_back(f.format == parsers::InputFormat::kCsv ? &f.header.columns : nullptr);
  return out;
}

void RecordReader::read_again(std::span<const core::EventRef> refs, hunts::RecordVisitor& visitor) const {
  // EVTX: group the wanted records by chunk.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::vector<std::size_t>> by_chunk;
  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (files_[refs[i].file].format == parsers::InputFormat::kEvtx) {
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
    EventText text;
    const auto& where = chunks[c].first;
    const auto& wanted = chunks[c].second;
    const InputFile& f = files_[where.first];
    std::string_view file = f.bytes();
    std::size_t index = where.second;
    std::uint64_t shift = 0;  // file offset of the decoded bytes' chunk 0, less the header's
    std::string alone;
    if (f.block_streamed) {  // only the chunk was kept (a saved partial): decoded as chunk 0
      const std::uint64_t at = kEvtxHeader + index * kEvtxChunk;
      const std::string_view chunk = f.kept_record(at);
      if (chunk.empty()) return;
      alone.assign(kEvtxHeader, '\0');
      alone.append(chunk);
      file = alone;
      shift = at - kEvtxHeader;
      index = 0;
    }
    decoder.decode_chunk(
        file, index,
        [&](const parsers::EvtxEvent& ev) {
          for (std::size_t i : wanted) {
            if (refs[i].offset == ev.offset + shift) {
              parsers::EvtxEvent moved = ev;
              moved.offset += shift;
              visitor.event(i, event_view(moved, text));
            }
          }
        },
        [](std::uint64_t, std::uint64_t, const char*) {});
  });
  struct Scratch {
    parsers::XmlEventParser xml;
    parsers::XmlEventView view;
  };
  tbb::enumerable_thread_specific<std::unique_ptr<Scratch>> scratch;
  tbb::parallel_for(std::size_t{0}, others.size(), [&](std::size_t k) {
    const std::size_t i = others[k];
    const core::EventRef& r = refs[i];
    const InputFile& f = files_[r.file];
    std::string_view d = f.bytes();
    std::uint64_t offset = r.offset;
    if (f.block_streamed) {  // its blocks are gone: the copy kept during the parse
      d = f.kept_record(r.offset);
      offset = 0;
      if (d.empty()) return;
    }
    hunts::RowCells row;
    if (f.format == parsers::InputFormat::kCsv) {
      row.header = &f.header.columns;
      if (parsers::CsvRecordParser::split_record(d, offset, row.values) != parsers::ParseError::kNone) return;
      visitor.row(i, row);
    } else if (f.format == parsers::InputFormat::kJson) {
      if (parsers::JsonRecordParser::split_record(d, offset, row.cells, projection_.flatten) != parsers::ParseError::kNone) {
        return;
      }
      visitor.row(i, row);
    } else {
      auto& s = scratch.local();
      if (!s) s = std::make_unique<Scratch>();
      std::string why;
      if (!s->xml.parse_event(d.substr(offset, r.length), s->view, why)) return;
      visitor.event(i, event_view(s->view, r.offset, r.length));
    }
  });
}

}  // namespace rareconn::scanner
