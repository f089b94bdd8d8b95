// The scanner's chunk loop, one instance per hunt: decodes one chunk of one file with the thread's
// parsers and hands each record to the hunt's worker without virtual dispatch (H::Worker::row for
// CSV and JSON records, H::Worker::event for event XML and EVTX). Malformed records, bad times and
// damaged EVTX chunks become the worker's errors. Included only by the hunt registry.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "parsers/event_xml.hpp"
#include "parsers/format_detect.hpp"
#include "scanner/chunker.hpp"
#include "scanner/event_view.hpp"
#include "scanner/scan_worker.hpp"

namespace rareconn::scanner {

template <class W>
concept ReadsRows = requires(W& w, const parsers::RecordView& rv, core::EventRef ref) {
  { w.row(rv, ref) } -> std::same_as<hunts::RecordOutcome>;
};
template <class W>
concept ReadsWindowsEvents = requires(W& w, const parsers::WindowsEventView& e, core::EventRef ref) {
  { w.event(e, ref) } -> std::same_as<hunts::RecordOutcome>;
};

template <class W>
inline constexpr unsigned kInputKinds =
    (ReadsRows<W> ? unsigned{hunts::kTabularRows} : 0u) | (ReadsWindowsEvents<W> ? unsigned{hunts::kWindowsEvents} : 0u);

template <class W>
[[gnu::flatten]] std::uint64_t scan_chunk(Worker& w, W& hw, const Plan& plan, const Chunk& c, const std::vector<InputFile>& files,
                                         std::string_view d, std::uint64_t base) {
  const InputFile& f = files[c.file];
  auto settle = [&](std::uint64_t offset, const hunts::RecordOutcome& o) {
    if (o.kind == hunts::RecordOutcome::kOk) [[likely]] return;
    if (o.kind == hunts::RecordOutcome::kOtherTable) {
      w.note_other_table(c.file, o.text);
    } else if (o.kind == hunts::RecordOutcome::kBadTime) {
      w.note_error(c.file, offset, "time '" + printable(o.text) + "' is not an ISO 8601 date-time");
    } else {
      w.note_error(c.file, offset, std::string(o.text));
    }
  };
  auto on_error = [&](std::uint64_t offset, parsers::ParseError e) {
    w.note_error(c.file, base + offset, parsers::describe(e, plan.max_record_bytes));
  };
  const bool events = f.format == parsers::InputFormat::kXml || f.format == parsers::InputFormat::kEvtx;
  if ((events && !ReadsWindowsEvents<W>) || (!events && !ReadsRows<W>)) {
    // The driver never plans such chunks (the file does not hold the hunt's table); a defect must
    // not become a crash.
    ScanError e;
    e.kind = ErrorKind::kReadFailure;
    e.file = c.file;
    e.reason = events ? "internal: Windows events given to a hunt that does not read them"
                      : "internal: table rows given to a hunt that does not read them";
    w.note_error(std::move(e));
    return 0;
  }
  if constexpr (ReadsRows<W>) {
    const bool track_slots = f.format == parsers::InputFormat::kJson;
    bool table_row = false;  // a row of the hunt's table in this chunk (CSV: its columns are the header's)
    auto on_record = [&](const parsers::RecordView& rv) {
      const hunts::RecordOutcome o = hw.row(rv, core::EventRef{base + rv.offset, c.file, rv.length});
      if (o.kind == hunts::RecordOutcome::kOtherTable) [[unlikely]] {
        w.note_other_table(c.file, o.text);
        w.json_slots_seen[c.file] |= kJsonHadRecord;  // JSON or CSV: a file of such rows only is refused
        return;
      }
      table_row = true;
      if (track_slots) {
        std::uint64_t seen = kJsonHadRecord | kJsonHadTableRecord;
        for (std::size_t i = 0; i < rv.count && i < kJsonTrackedSlots; ++i) {
          seen |= std::uint64_t{!rv.matched_names[i].empty()} << i;
        }
        w.json_slots_seen[c.file] |= seen;
      }
      settle(base + rv.offset, o);
    };
    if (f.format == parsers::InputFormat::kCsv) {
      auto& p = w.csv[c.file];
      if (!p) p = std::make_unique<parsers::CsvRecordParser>(f.header(), plan.projection, plan.max_record_bytes);
      const std::uint64_t stop = p->parse(d, c.begin, c.end, on_record, on_error);
      if (table_row) w.json_slots_seen[c.file] |= kJsonHadRecord | kJsonHadTableRecord;
      return stop;
    }
    if (f.format == parsers::InputFormat::kJson) {
      // A cut document: the first chunk walks it, skipping the rows of the others (see Chunk); each
      // says where it stopped, and the driver parses the file whole when that is not the chunk's end.
      if (c.rows == parsers::json::RowContainer::kNone) {
        w.json.parse(d, c.begin, c.end, f.json_lines, on_record, on_error);
        return c.end;
      }
      if (c.resume == 0) return w.json.parse_rows(d, c.begin, c.end, c.rows, on_record, on_error);
      w.json.cut_at(c.end, c.resume, c.rows);
      w.json.parse(d, c.begin, d.size(), false, on_record, on_error);
      return w.json.cut_taken() ? c.end : UINT64_MAX;
    }
  }
  if constexpr (ReadsWindowsEvents<W>) {
    if (f.format == parsers::InputFormat::kXml) {
      // c.begin is an event start of the planner's walk; the walk and the parse use the same bound,
      // so the same walk gives the same events.
      const std::uint64_t max = plan.max_record_bytes;
      // Bytes between events that are not blanks, text or the wrapper's tags (a damaged start tag,
      // NULs) are malformed too: they may be an event that lost its start. A gap that runs to the
      // end of a streamed block may go on in the next one: only gaps wholly in view are judged.
      const bool whole_file = !f.block_streamed;
      auto check_gap = [&](std::uint64_t from, std::uint64_t to) {
        if (to >= d.size() && !whole_file) return;
        const std::uint64_t at = parsers::first_stray_between_events(d, from, to);
        if (at >= to) return;
        w.note_error(c.file, base + at,
                     "event XML: bytes between events that are not an event ('" +
                         printable(d.substr(at, std::min<std::uint64_t>(to - at, 40))) + "')");
      };
      if (base == 0 && c.begin > 0 && parsers::next_event_start(d, 0) == c.begin) check_gap(0, c.begin);
      for (std::uint64_t pos = c.begin; pos < c.end;) {
        const parsers::EventExtent ext = parsers::find_event_end(d, pos, max);
        const std::uint64_t end = ext.end;
        if (end == 0) {
          w.note_error(c.file, base + pos,
                       ext.error == parsers::ParseError::kRecordTooLarge
                           ? "event XML: " + parsers::describe(ext.error, max)
                           : std::string("event XML cut off (no </Event> before the next event or the end)"));
          pos = parsers::next_event_start(d, pos + 1);  // as next_xml_event: resume after its start
          continue;
        }
        const std::uint64_t next = parsers::next_event_start(d, end);
        if (next > end) check_gap(end, next);
        const std::uint32_t length = parsers::checked_record_length(end - pos);
        if (!w.xml.parse_event(d.substr(pos, end - pos), w.xml_view, w.reason)) {
          w.note_error(c.file, base + pos, "event XML: " + w.reason);
        } else {
          settle(base + pos, hw.event(event_view(w.xml_view, base + pos, length), core::EventRef{base + pos, c.file, length}));
        }
        pos = next;
      }
    } else if (f.format == parsers::InputFormat::kEvtx) {
      // c.begin indexes the chunks of `d`; a streamed block's `d` is its chunks after a blank file
      // header, `base` bytes into the file, so the file's chunk number is c.begin + base / chunk.
      const std::uint64_t chunk_no = c.begin + base / parsers::kEvtxChunkSize;
      // The file header counts the chunks in use: a slot inside the count that holds no chunk (a
      // damaged signature, zeros) lost its records; past it, slots of a cleanly closed file are
      // unused, and a file still open (dirty) may have chunks past a stale count.
      const bool inside_header_count = chunk_no < f.evtx_chunks_in_header;
      const bool past_header_count = !f.evtx_dirty && !inside_header_count;
      auto on_event = [&](const parsers::EvtxEvent& ev) {
        parsers::WindowsEventView v = event_view(ev, w.event_text);
        v.offset += base;
        settle(v.offset, hw.event(v, core::EventRef{v.offset, c.file, ev.length}));
      };
      bool truncated = false;
      auto on_damage = [&](std::uint64_t offset, std::uint64_t record_id, const char* why, parsers::EvtxDamage kind) {
        // A slot that never held a chunk (past the header's count in a cleanly closed file, or
        // past it without a chunk signature: preallocated space) is not damage; it is counted.
        const bool no_chunk = kind == parsers::EvtxDamage::kBadChunkSignature || kind == parsers::EvtxDamage::kEmptyChunk;
        if (past_header_count || (no_chunk && !inside_header_count)) {
          ++w.evtx_unused_slots;
          return;
        }
        truncated = truncated || kind == parsers::EvtxDamage::kTruncatedChunk;
        ScanError e;
        e.kind = ErrorKind::kDamagedEvtx;
        e.file = c.file;
        e.offset = base + offset;
        e.evtx_chunk = chunk_no;
        if (record_id) e.evtx_record = record_id;
        e.reason = "EVTX chunk " + std::to_string(chunk_no) + (record_id ? ", record " + std::to_string(record_id) : "") +
                   ": " + why;
        if (kind != parsers::EvtxDamage::kRecord) ++w.evtx_damaged_chunks;
        std::uint64_t first = 0, last = 0;
        if (kind != parsers::EvtxDamage::kRecord && parsers::evtx_chunk_record_ids(d, offset, first, last)) {
          // A whole chunk is lost: say how many records its (unverified) header lists.
          e.reason += " (its header lists records " + std::to_string(first) + " to " + std::to_string(last) + ": " +
                      std::to_string(last - first + 1) + " not read)";
          w.evtx_records_in_damaged_chunks += last - first + 1;
        }
        w.note_error(std::move(e));
      };
      w.evtx->decode_chunk(d, c.begin, on_event, on_damage);
      if (truncated) {
        // The file ends inside this chunk: its checksum cannot be verified, but the records that
        // are complete are read (and the truncation stays reported above).
        ++w.evtx_truncated_chunks;
        w.evtx_unverified->decode_chunk(d, c.begin, on_event, [](std::uint64_t, std::uint64_t, const char*) {});
      }
    }
  }
  return 0;
}

// The chunk scanner of hunt H: H's per-thread worker behind one virtual call per chunk.
template <class H>
class HuntChunkScanner final : public ChunkScanner {
 public:
  HuntChunkScanner(const H& hunt, core::WindowPartial& partial) : worker_(hunt, partial) {}
  std::uint64_t scan(Worker& w, const Plan& plan, const Chunk& c, const std::vector<InputFile>& files,
                     std::string_view d, std::uint64_t base) override {
    return scan_chunk(w, worker_, plan, c, files, d, base);
  }
  hunts::HuntWorker& hunt_worker() override { return worker_; }

 private:
  typename H::Worker worker_;
};

}  // namespace rareconn::scanner
