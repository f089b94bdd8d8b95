// The partial file's layout and its checks (see the header).
#include "scanner/partial_file.hpp"

#include <algorithm>
#include <array>

#include "core/state_codec.hpp"
#include "scanner/saved_file.hpp"

namespace rareconn::scanner {

namespace {

constexpr std::string_view kMagic("RCPART\r\n", 8);  // the \r\n shows a text-mode copy at once

// The notes a scan makes while reading its inputs, in the order it makes them.
constexpr std::array<std::string_view, 12> kNoteOrder = {
    "directory_entries_skipped_not_files", "files_skipped_unreadable", "streamed_inputs", "compressed_files",
    "files_skipped_unknown_format", "inputs_streamed_in_blocks", "streamed_recent_record_bytes_kept",
    "files_skipped_missing_columns", "csv_files_rescanned_whole_for_stray_quotes",
    "json_documents_rescanned_whole_after_a_wrong_cut", "files_grown_during_scan_read_to_size_at_open", ""};

std::size_t note_rank(std::string_view label) {
  for (std::size_t i = 0; i + 1 < kNoteOrder.size(); ++i) {
    if (kNoteOrder[i] == label) return i;
  }
  return kNoteOrder.size();
}

}  // namespace

void add_notes(std::vector<std::pair<std::string, std::uint64_t>>& into,
               const std::vector<std::pair<std::string, std::uint64_t>>& from) {
  for (const auto& note : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const auto& e) { return e.first == note.first; });
    if (it == into.end()) into.push_back(note);
    else it->second += note.second;
  }
  std::stable_sort(into.begin(), into.end(), [](const auto& a, const auto& b) {
    const std::size_t ra = note_rank(a.first), rb = note_rank(b.first);
    return ra != rb ? ra < rb : (ra == kNoteOrder.size() && a.first < b.first);
  });
}

std::string encode_partial(const Partial& p) {
  core::ByteWriter w;
  write_options(w, p.options);
  w.varint(p.inputs.size());
  for (const PartialInput& in : p.inputs) {
    w.str(in.path);
    w.u8(in.format);
    w.u8(in.skipped ? 1 : 0);
    w.varint(in.header.size());
    for (const std::string& h : in.header) w.str(h);
    w.varint(in.kept.size());
    std::uint64_t prev = 0;
    for (const auto& [offset, bytes] : in.kept) {
      w.varint(offset - prev);
      prev = offset;
      w.str(bytes);
    }
  }
  w.varint(p.bytes);
  w.varint(p.funnel.records);
  w.varint(p.funnel.null_time);
  w.varint(p.funnel.bad_time);
  for (std::uint64_t n : p.funnel.passed) w.varint(n);
  w.varint(p.malformed);
  w.varint(p.first_malformed.size());
  for (const MalformedRecord& m : p.first_malformed) {
    w.str(m.path);
    w.varint(m.offset);
    w.varint(m.line);
    w.str(m.reason);
    w.u64(m.evtx_chunk);
    w.u64(m.evtx_record);
  }
  w.varint(p.notes.size());
  for (const auto& [label, n] : p.notes) w.str(label), w.varint(n);
  w.varint(p.evtx_unused_slots);
  w.varint(p.evtx_truncated_chunks);
  w.str(p.window);
  w.str(p.hunt_state);

  return frame_saved(kMagic, kPartialVersion, w.bytes());
}

bool decode_partial(std::string_view bytes, std::shared_ptr<const void> owner, Partial& p, std::string& error) {
  std::string_view body;
  if (!unframe_saved(bytes, kMagic, kPartialVersion, "partial or state file", body, error)) return false;
  core::ByteReader r(body);
  p = Partial{};
  p.storage = std::move(owner);
  read_options(r, p.options);
  const std::uint64_t inputs = r.count(5);
  for (std::uint64_t i = 0; i < inputs && !r.bad(); ++i) {
    PartialInput in;
    in.path = r.str();
    in.format = r.u8();
    in.skipped = r.u8() != 0;
    const std::uint64_t columns = r.count();
    for (std::uint64_t j = 0; j < columns && !r.bad(); ++j) in.header.emplace_back(r.str());
    const std::uint64_t kept = r.count(2);
    std::uint64_t offset = 0;
    for (std::uint64_t j = 0; j < kept && !r.bad(); ++j) {
      offset += r.varint();
      in.kept.emplace_back(offset, r.str());
    }
    p.inputs.push_back(std::move(in));
  }
  p.bytes = r.varint();
  p.funnel.records = r.varint();
  p.funnel.null_time = r.varint();
  p.funnel.bad_time = r.varint();
  for (std::uint64_t& n : p.funnel.passed) n = r.varint();
  p.malformed = r.varint();
  const std::uint64_t located = r.count(20);
  for (std::uint64_t i = 0; i < located && !r.bad(); ++i) {
    MalformedRecord m;
    m.path = r.str();
    m.offset = r.varint();
    m.line = r.varint();
    m.reason = r.str();
    m.evtx_chunk = r.u64();
    m.evtx_record = r.u64();
    p.first_malformed.push_back(std::move(m));
  }
  const std::uint64_t notes = r.count(2);
  for (std::uint64_t i = 0; i < notes && !r.bad(); ++i) {
    std::string label(r.str());
    p.notes.push_back({std::move(label), r.varint()});
  }
  p.evtx_unused_slots = r.varint();
  p.evtx_truncated_chunks = r.varint();
  p.window = r.str();
  p.hunt_state = r.str();
  if (r.bad() || !r.done()) {
    error = "damaged: its contents do not parse although the checksum matches (written by a faulty version?)";
    return false;
  }
  return true;
}

}  // namespace rareconn::scanner
