// Worker: a thread's parsers, its hunt state (made by the hunt's registry line) and its errors.
#include "scanner/scan_worker.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "scanner/hunt_registry.hpp"

namespace rareconn::scanner {

Worker::Worker(core::WindowShared& shared, const Plan& plan, std::size_t file_count)
    : partial(shared),
      hunt(plan.entry->scanner(*plan.hunt, partial)),
      json(plan.projection, plan.max_record_bytes),
      csv(file_count),
      json_slots_seen(file_count, 0) {
  other_table.resize(file_count);
  if (plan.entry->input_kinds & hunts::kWindowsEvents) {
    parsers::EvtxChunkOptions eo;
    eo.fields = plan.hunt->event_data_fields();
    evtx = std::make_unique<parsers::EvtxChunkDecoder>(eo);
    eo.verify_checksums = false;  // for the last, truncated chunk of a file: read what is complete
    evtx_unverified = std::make_unique<parsers::EvtxChunkDecoder>(eo);
  }
}

std::string_view Worker::keep(std::string_view bytes) {
  constexpr std::size_t kPage = std::size_t{1} << 20;
  kept_bytes += bytes.size();
  char* at;
  if (bytes.size() > kPage / 4) {  // a long record: a page of its own
    kept_pages.push_back(std::make_unique_for_overwrite<char[]>(bytes.size()));
    at = kept_pages.back().get();
  } else {
    if (kept_page_left < bytes.size()) {
      kept_pages.push_back(std::make_unique_for_overwrite<char[]>(kPage));
      kept_cur = kept_pages.back().get();
      kept_page_left = kPage;
    }
    at = kept_cur;
    kept_cur += bytes.size();
    kept_page_left -= bytes.size();
  }
  if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
  return {at, bytes.size()};
}

void Worker::compact_kept(core::Ticks cut) {
  // Only the records the window engine still holds as recent rows can become findings.
  partial.prune_now();
  std::vector<std::pair<std::uint32_t, std::uint64_t>> live;
  partial.for_each_recent([&](const core::EventRef& r) { live.emplace_back(r.file, r.offset); });
  std::sort(live.begin(), live.end());
  auto needed = [&](const Kept& k) {  // a live recent record in [offset, offset + span)
    const auto it = std::lower_bound(live.begin(), live.end(), std::pair{k.file, k.offset});
    return it != live.end() && it->first == k.file && it->second - k.offset < k.span;
  };
  std::vector<Kept> old = std::move(kept);
  std::vector<std::unique_ptr<char[]>> old_pages = std::move(kept_pages);
  kept.clear();
  kept_pages.clear();
  kept_cur = nullptr;
  kept_page_left = 0;
  const std::uint64_t copied = kept_bytes;
  kept_live = 0;
  for (const Kept& k : old) {
    if (k.time <= cut || !needed(k)) continue;
    kept.push_back({k.file, k.offset, keep(k.bytes), k.time, k.span});
    kept_live += k.bytes.size();
  }
  kept_bytes = copied;  // keep() counted the survivors again
  kept_compact_at = std::max<std::uint64_t>(kept_compact_at, kept_live + kept_live / 2);
}

void Worker::note_other_table(std::uint32_t file, std::string_view table) {
  ++other_table_records;
  std::string& least = other_table[file];
  // The least name, so that the message does not depend on which thread saw which record.
  if (least.empty() || table < least) {
    std::string shown = printable(table);
    if (least.empty() || shown < least) least = std::move(shown);
  }
}

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
  const std::vector<std::string>& columns = f.header().columns;
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

}  // namespace rareconn::scanner
