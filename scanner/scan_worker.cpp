// Worker and scan_chunk: per-format decoding of one chunk into a thread's hunt state.
#include "scanner/scan_worker.hpp"

#include <algorithm>

#include "parsers/event_xml.hpp"
#include "parsers/format_detect.hpp"
#include "scanner/column_time.hpp"

namespace rareconn::scanner {

void Worker::note_error(std::uint32_t file, std::uint64_t offset, std::string why) {
  ScanError e;
  e.file = file;
  e.offset = offset;
  e.reason = std::move(why);
  note_error(std::move(e));
}

void Worker::note_error(ScanError e) {
  if (e.kind == ErrorKind::kReadFailure) {
    failures.push_back(std::move(e));
    return;
  }
  ++malformed;
  errors.push_back(std::move(e));
  if (errors.size() > 8 * kKeptErrors) {
    std::sort(errors.begin(), errors.end());
    errors.resize(kKeptErrors);
  }
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (s.size() > 60) out += "...";
  return out;
}

bool has_column(const InputFile& f, std::string_view name) {
  return std::find(f.header.columns.begin(), f.header.columns.end(), name) != f.header.columns.end();
}

Hunt hunt_of(const InputFile& f) {
  using parsers::InputFormat;
  if (f.format == InputFormat::kEvtx || f.format == InputFormat::kXml) return Hunt::kSysmon;
  if (f.format == InputFormat::kCsv) {
    return (has_column(f, "EventData") || has_column(f, "EventID")) && !has_column(f, "RemoteIP") ? Hunt::kSysmon : Hunt::kMde;
  }
  const std::string_view head = f.bytes().substr(0, 1 << 16);
  const bool sysmon = head.find("\"EventID\"") != std::string_view::npos || head.find("\"event_id\"") != std::string_view::npos ||
                      head.find("\"EventData\"") != std::string_view::npos;
  return sysmon && head.find("\"RemoteIP\"") == std::string_view::npos ? Hunt::kSysmon : Hunt::kMde;
}

// Parses one chunk with the worker's parsers and hunt.
std::uint64_t scan_chunk(Worker& w, const Plan& plan, const Chunk& c, const std::vector<InputFile>& files) {
  const InputFile& f = files[c.file];
  const std::string_view d = f.bytes();
  auto report_bad_time = [&](std::uint64_t offset, std::string_view text) {
    w.note_error(c.file, offset, "time '" + printable(text) + "' is not an ISO 8601 date-time");
  };
  const bool track_slots = f.format == parsers::InputFormat::kJson;
  auto on_record = [&](const parsers::RecordView& rv) {
    const core::EventRef ref{rv.offset, c.file, rv.length};
    if (track_slots) {
      std::uint64_t seen = kJsonHadRecord;
      for (std::size_t i = 0; i < rv.count && i < 63; ++i) seen |= std::uint64_t{!rv.matched_names[i].empty()} << i;
      w.json_slots_seen[c.file] |= seen;
    }
    if (w.mde) {
      std::optional<core::Ticks> time;
      if (rv.matched_names[core::kMdeTime].find('[') != std::string_view::npos) {
        // A portal column ("TimeGenerated [UTC]"): its text and zone are the export's, not ISO's.
        const ColumnTimeResult r = decode_column_time(rv.values[core::kMdeTime], rv.matched_names[core::kMdeTime], plan.zone);
        if (r.status == ColumnTime::kNull) return w.mde->funnel().count_null_time();
        if (r.status == ColumnTime::kNeedsZone) return w.note_error(c.file, rv.offset, local_time_reason(rv.matched_names[core::kMdeTime]));
        if (r.status == ColumnTime::kBad) {
          w.mde->funnel().count_bad_time();
          return report_bad_time(rv.offset, rv.values[core::kMdeTime]);
        }
        time = r.ticks;
      }
      if (w.mde->process(rv.values, ref, time) == core::RecordStatus::kBadTime) report_bad_time(rv.offset, rv.values[core::kMdeTime]);
      return;
    }
    if (!w.mapper->map_export(rv, w.event, w.event.pivot_hash, w.reason)) {
      w.note_error(c.file, rv.offset, w.reason);
      return;
    }
    if (w.sysmon->process(w.event, ref) == core::RecordStatus::kBadTime) report_bad_time(rv.offset, w.event.time_text);
  };
  auto on_error = [&](std::uint64_t offset, parsers::ParseError e) {
    w.note_error(c.file, offset, parsers::describe(e, plan.max_record_bytes));
  };
  if ((f.format == parsers::InputFormat::kXml || f.format == parsers::InputFormat::kEvtx) && !w.mapper) {
    // The driver never plans such chunks (an event file does not hold the MDE table); a defect
    // must not become a crash.
    ScanError e;
    e.kind = ErrorKind::kReadFailure;
    e.file = c.file;
    e.reason = "internal: Windows events given to a hunt that does not read them";
    w.note_error(std::move(e));
    return 0;
  }
  switch (f.format) {
    case parsers::InputFormat::kCsv: {
      auto& p = w.csv[c.file];
      if (!p) p = std::make_unique<parsers::CsvRecordParser>(f.header, plan.projection, plan.max_record_bytes);
      return p->parse(d, c.begin, c.end, on_record, on_error);
    }
    case parsers::InputFormat::kJson:
      w.json.parse(d, c.begin, c.end, f.json_lines, on_record, on_error);
      break;
    case parsers::InputFormat::kXml: {
      // c.begin is an event start of the planner's walk; the same walk gives the same events.
      // The walk and the parse use the same bound, so the chunk planner's walk gives the same events.
      const std::uint64_t max = plan.max_record_bytes;
      for (std::uint64_t pos = c.begin; pos < c.end; pos = next_xml_event(d, pos, max)) {
        const parsers::EventExtent ext = parsers::find_event_end(d, pos, max);
        const std::uint64_t end = ext.end;
        if (end == 0) {
          w.note_error(c.file, pos,
                       ext.error == parsers::ParseError::kRecordTooLarge
                           ? "event XML: " + parsers::describe(ext.error, max)
                           : std::string("event XML cut off (no </Event> before the next event or the end)"));
          continue;
        }
        const core::EventRef ref{pos, c.file, parsers::checked_record_length(end - pos)};
        if (!w.mapper->map_xml(d.substr(pos, end - pos), w.event, w.event.pivot_hash, w.reason)) {
          w.note_error(c.file, pos, "event XML: " + w.reason);
        } else if (w.sysmon->process(w.event, ref) == core::RecordStatus::kBadTime) {
          report_bad_time(pos, w.event.time_text);
        }
      }
      break;
    }
    case parsers::InputFormat::kEvtx: {
      const bool past_header_count = !f.evtx_dirty && c.begin >= f.evtx_chunks_in_header;
      auto on_event = [&](const parsers::EvtxEvent& ev) {
        w.mapper->map_evtx(ev, w.event, w.event.pivot_hash);
        if (!ev.has_time) w.event.time_text = "(no TimeCreated)";
        const core::EventRef ref{ev.offset, c.file, ev.length};
        if (w.sysmon->process(w.event, ref) == core::RecordStatus::kBadTime) report_bad_time(ev.offset, w.event.time_text);
      };
      bool truncated = false;
      auto on_damage = [&](std::uint64_t offset, std::uint64_t record_id, const char* why, parsers::EvtxDamage kind) {
        // A slot that never held a chunk (past the header's count in a cleanly closed file, or
        // without a chunk signature at all: preallocated space) is not damage; it is counted.
        if (past_header_count || kind == parsers::EvtxDamage::kBadChunkSignature) {
          ++w.evtx_unused_slots;
          return;
        }
        truncated = truncated || kind == parsers::EvtxDamage::kTruncatedChunk;
        ScanError e;
        e.kind = ErrorKind::kDamagedEvtx;
        e.file = c.file;
        e.offset = offset;
        e.evtx_chunk = c.begin;
        if (record_id) e.evtx_record = record_id;
        e.reason = "EVTX chunk " + std::to_string(c.begin) + (record_id ? ", record " + std::to_string(record_id) : "") +
                   ": " + why;
        w.note_error(std::move(e));
      };
      w.evtx->decode_chunk(d, c.begin, on_event, on_damage);
      if (truncated) {
        // The file ends inside this chunk: its checksum cannot be verified, but the records that
        // are complete are read (and the truncation stays reported above).
        ++w.evtx_truncated_chunks;
        w.evtx_unverified->decode_chunk(d, c.begin, on_event, [](std::uint64_t, std::uint64_t, const char*) {});
      }
      break;
    }
    case parsers::InputFormat::kUnknown:
      break;
  }
  return 0;
}

}  // namespace rareconn::scanner
