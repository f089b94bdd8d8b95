// Records read again for output and for hunts' second passes (see the header). The wanted records
// are grouped by file; each task decodes records of one file, which its thread opens (FileContent:
// read or mapped) unless it holds that file open from its previous task, so at most one input per
// thread is open at a time, however many files there are.
#include "scanner/record_reader.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/evtx_reader.hpp"
#include "parsers/json_reader.hpp"
#include "scanner/event_view.hpp"

namespace rareconn::scanner {

namespace {
constexpr std::uint64_t kEvtxHeader = parsers::kEvtxFileHeaderSize, kEvtxChunk = parsers::kEvtxChunkSize;
// A file with more wanted records is split between tasks of this many (4096 left the 6,226
// findings of one file in two unequal tasks, and 2 threads decoded only 1.3x faster than 1; with
// 512, the 8,603 findings of a 1 GB CSV made 17 tasks of 2-4 ms, and the thread that drew the last
// one finished up to 4 ms after the other). A thread keeps its file open from task to task, so a
// small task costs no reopening.
constexpr std::size_t kRefsPerTask = 128;

// One task: the records refs[order[begin, end)], all of one file.
struct Task {
  std::size_t begin, end;
};

struct Scratch {
  FileContent holder;
  std::uint32_t held_file = UINT32_MAX;  // the file `holder` has open (and `held` its bytes), if any
  std::string_view held;
  std::vector<char> record;  // a CSV or JSON record copied from a mapped file
  parsers::XmlEventParser xml;
  parsers::XmlEventView view;
};
// True when the bytes at `offset` of `rd` (the record `r` of `f`, or a copy of it starting there)
// still frame a record of `r.length` bytes as the scan found it: a CSV or JSON-lines record ends at
// a line break (or at the end of the file as first opened), a JSON row is one object, an event XML
// record one <Event> element.
bool still_framed(const InputFile& f, std::string_view rd, std::uint64_t offset, const core::EventRef& r) {
  const std::uint64_t end = offset + r.length;
  if (r.length == 0 || end > rd.size()) return false;
  const std::string_view rec = rd.substr(offset, r.length);
  switch (f.format) {
    case parsers::InputFormat::kCsv:
      return r.offset + r.length == f.content_size() || (end < rd.size() && (rd[end] == '\n' || rd[end] == '\r'));
    case parsers::InputFormat::kJson:
      return rec.front() == '{' && rec.back() == '}';
    case parsers::InputFormat::kXml:
      return rec.starts_with("<Event") && rec.ends_with("</Event>");
    default:
      return true;
  }
}
}  // namespace

void RecordReader::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) const {
  tbb::parallel_for(std::size_t{0}, n, body);
}

std::vector<const std::vector<std::string>*> RecordReader::headers() const {
  std::vector<const std::vector<std::string>*> out;
  // A file skipped (not the hunt's table, gone) adds no columns to the output.
  for (const InputFile& f : files_) out.push_back(f.format == parsers::InputFormat::kCsv && !f.skipped ? &f.header().columns : nullptr);
  return out;
}

void RecordReader::read_again(std::span<const core::EventRef> refs, hunts::RecordVisitor& visitor) const {
  // By file, then (EVTX) by chunk, then by offset: each task holds one file and, for EVTX, whole chunks.
  std::vector<std::size_t> order(refs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto chunk_of = [&](const core::EventRef& r) {
    return files_[r.file].format == parsers::InputFormat::kEvtx ? (r.offset - kEvtxHeader) / kEvtxChunk : 0;
  };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const core::EventRef &x = refs[a], &y = refs[b];
    if (x.file != y.file) return x.file < y.file;
    const std::uint64_t cx = chunk_of(x), cy = chunk_of(y);
    if (cx != cy) return cx < cy;
    return x.offset < y.offset;
  });
  std::vector<Task> tasks;
  for (std::size_t b = 0; b < order.size();) {
    std::size_t e = b + 1;
    const core::EventRef& first = refs[order[b]];
    const bool evtx = files_[first.file].format == parsers::InputFormat::kEvtx;
    while (e < order.size() && refs[order[e]].file == first.file &&
           (evtx ? chunk_of(refs[order[e]]) == chunk_of(first) : e - b < kRefsPerTask)) {
      ++e;
    }
    tasks.push_back({b, e});
    b = e;
  }
  std::mutex failure_mutex;  // guards the files' reopen_error
  tbb::enumerable_thread_specific<std::unique_ptr<Scratch>> scratch;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tasks.size(), 1), [&](const tbb::blocked_range<std::size_t>& range) {
    auto& s = scratch.local();
    if (!s) s = std::make_unique<Scratch>();
    for (std::size_t t = range.begin(); t != range.end(); ++t) {
      const Task& task = tasks[t];
      const core::EventRef& first = refs[order[task.begin]];
      const InputFile& f = files_[first.file];
      std::string_view d;
      if (!f.block_streamed && s->held_file != first.file) {
        s->holder.close();
        s->held_file = UINT32_MAX;
        std::string error;
        if (!open_content(f, s->holder, s->held, error, read_limit(), false, /*random=*/true)) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (f.reopen_error.empty()) f.reopen_error = error;  // the run fails (read_faults_ok)
          continue;
        }
        s->held_file = first.file;
      }
      if (!f.block_streamed) d = s->held;
      if (f.format == parsers::InputFormat::kEvtx) {
        // The scan already checked this chunk; a truncated last chunk cannot be verified again.
        parsers::EvtxChunkOptions options;
        options.verify_checksums = false;
        parsers::EvtxChunkDecoder decoder(options);
        EventText text;
        std::string_view file = d;
        std::size_t index = chunk_of(first);
        std::uint64_t shift = 0;  // file offset of the decoded bytes' chunk 0, less the header's
        std::string alone;
        if (f.block_streamed) {  // only the chunk was kept (a saved partial): decoded as chunk 0
          const std::uint64_t at = kEvtxHeader + index * kEvtxChunk;
          const std::string_view chunk = f.kept_record(at);
          if (chunk.empty()) continue;
          alone.assign(kEvtxHeader, '\0');
          alone.append(chunk);
          file = alone;
          shift = at - kEvtxHeader;
          index = 0;
        }
        decoder.decode_chunk(
            file, index,
            [&](const parsers::EvtxEvent& ev) {
              for (std::size_t k = task.begin; k < task.end; ++k) {
                if (refs[order[k]].offset == ev.offset + shift) {
                  parsers::EvtxEvent moved = ev;
                  moved.offset += shift;
                  visitor.event(order[k], event_view(moved, text));
                }
              }
            },
            [](std::uint64_t, std::uint64_t, const char*) {});
        continue;
      }
      hunts::RowCells row;  // reused: its cells keep their capacity from record to record
      for (std::size_t k = task.begin; k < task.end; ++k) {
        const std::size_t i = order[k];
        const core::EventRef& r = refs[i];
        std::string_view rd = d;
        std::uint64_t offset = r.offset;
        if (f.block_streamed) {  // its blocks are gone: the copy kept during the parse
          rd = f.kept_record(r.offset);
          offset = 0;
          if (rd.empty()) continue;
        } else if (s->holder.mapped() && f.format != parsers::InputFormat::kXml) {
          // A copy (pread) rather than the mapping, as the parse reads its chunks (phase_parse.cpp):
          // a page fault costs more than the copy on some VMs. Its line break is copied too, so the
          // record ends as it did in the file.
          const std::uint64_t end = std::min<std::uint64_t>(r.offset + r.length + 2, d.size());
          if (r.length > 0 && s->holder.copy_range(r.offset, end, s->record)) {
            rd = std::string_view(s->record.data(), end - r.offset);
            offset = 0;
          }
        }
        // The record must read as the scan read it: framed where it was, and parsing. A file
        // rewritten in place since (same inode) does not, and its findings would be wrong.
        auto changed = [&] {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (f.reopen_error.empty()) {
            f.reopen_error = "'" + f.path + "' changed since it was scanned: the record at byte " +
                             std::to_string(r.offset) + " no longer reads as it did (rewritten in place?); scan it again";
          }
        };
        if (!f.block_streamed && !still_framed(f, rd, offset, r)) {
          changed();
          continue;
        }
        if (f.format == parsers::InputFormat::kCsv) {
          row.header = &f.header().columns;
          if (parsers::CsvRecordParser::split_record(rd, offset, row.values) != parsers::ParseError::kNone) {
            changed();
            continue;
          }
          visitor.row(i, row);
        } else if (f.format == parsers::InputFormat::kJson) {
          if (parsers::JsonRecordParser::split_record(rd, offset, row.cells, projection_.flatten) != parsers::ParseError::kNone) {
            changed();
            continue;
          }
          visitor.row(i, row);
        } else {
          std::string why;
          if (!s->xml.parse_event(rd.substr(offset, r.length), s->view, why)) {
            changed();
            continue;
          }
          visitor.event(i, event_view(s->view, r.offset, r.length));
        }
      }
    }
  });
  // The threads' held files close as `scratch` goes.
}

}  // namespace rareconn::scanner
