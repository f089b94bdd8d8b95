// Chunk planning with oneTBB: quote counting and boundary search run in parallel per slice.
#include "scanner/chunker.hpp"

#include <tbb/parallel_for.h>

#include <cstring>

#include "parsers/csv_reader.hpp"
#include "parsers/event_xml.hpp"
#include "parsers/json_reader.hpp"

namespace rareconn::scanner {

void plan_csv_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                     std::uint64_t chunk_size, std::vector<Chunk>& out, PlanCost* cost) {
  const std::uint64_t size = data.size();
  if (data_start >= size) return;
  chunk_size = std::max<std::uint64_t>(chunk_size, 1);
  const std::uint64_t n = (size - data_start - 1) / chunk_size + 1;  // slices [begin(k), end(k))
  auto begin = [&](std::uint64_t k) { return data_start + k * chunk_size; };
  auto end = [&](std::uint64_t k) { return begin(k) + std::min(chunk_size, size - begin(k)); };
  std::vector<std::uint64_t> quotes(n), starts(n);
  tbb::parallel_for(std::uint64_t{0}, n, [&](std::uint64_t k) {
    quotes[k] = parsers::count_quotes(data.data() + begin(k), data.data() + end(k));
  });
  // Exclusive prefix parity: slice k starts inside quotes iff the quotes before it are odd.
  std::vector<std::uint8_t> odd(n);
  std::uint64_t acc = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    odd[k] = static_cast<std::uint8_t>(acc & 1);
    acc += quotes[k];
  }
  // Each slice is searched for its first record start within itself only: a slice inside a long
  // record (a run without line breaks) holds none and adds no chunk, so the searches read every
  // byte at most once in all.
  tbb::parallel_for(std::uint64_t{0}, n, [&](std::uint64_t k) {
    starts[k] = parsers::first_record_start(data, data_start, begin(k), odd[k] != 0, end(k));
  });
  if (cost) {
    for (std::uint64_t k = 0; k < n; ++k) cost->boundary_bytes += starts[k] - begin(k);
  }
  std::uint64_t prev = starts[0];  // data_start
  for (std::uint64_t k = 1; k < n; ++k) {
    if (starts[k] < end(k) && starts[k] > prev) {
      out.push_back({file, prev, starts[k]});
      prev = starts[k];
    }
  }
  out.push_back({file, prev, size});
}

void guess_csv_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start, std::uint64_t chunk_size,
                      std::size_t columns, std::vector<Chunk>& out, const ProbeRead& probe) {
  const std::uint64_t size = data.size();
  if (data_start >= size) return;
  chunk_size = std::max<std::uint64_t>(chunk_size, 1);
  const std::uint64_t n = (size - data_start - 1) / chunk_size + 1;  // slices as in plan_csv_chunks
  auto begin = [&](std::uint64_t k) { return data_start + k * chunk_size; };
  auto end = [&](std::uint64_t k) { return begin(k) + std::min(chunk_size, size - begin(k)); };
  // A record of an export is well under 64 KiB; small slices look no further than 4 slices ahead.
  const std::uint64_t window = std::min<std::uint64_t>(std::uint64_t{64} << 10, 4 * chunk_size);
  std::vector<std::uint64_t> starts(n);
  starts[0] = data_start;
  tbb::parallel_for(std::uint64_t{1}, n, [&](std::uint64_t k) {
    const std::uint64_t b = begin(k), e = end(k);
    if (probe) {
      // The guess reads only [b - 1, b + 2 * window): the same guess on those bytes, unless it
      // found no LF in them and the slice goes on past them (then it reads the data).
      const std::uint64_t lo = b - 1, hi = std::min(size, b + 2 * window);
      const std::string_view part = probe(lo, hi);
      if (!part.empty()) {
        const std::uint64_t s = parsers::guess_record_start(part, 1, std::min(e, hi) - lo, columns, window);
        if (s < part.size() || hi >= e) {
          starts[k] = lo + s;
          return;
        }
      }
    }
    starts[k] = parsers::guess_record_start(data, b, e, columns, window);
  });
  std::uint64_t prev = data_start;
  for (std::uint64_t k = 1; k < n; ++k) {
    if (starts[k] < end(k) && starts[k] > prev) {
      out.push_back({file, prev, starts[k]});
      prev = starts[k];
    }
  }
  out.push_back({file, prev, size});
}

void plan_line_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                      std::uint64_t chunk_size, std::vector<Chunk>& out, const ProbeRead& probe) {
  // A cut at the first line start in each slice of chunk_size bytes, if it has one; the slices are
  // searched in parallel (each search may wait on the file's pages), each within its own bytes, so
  // that a line longer than many slices is still read once. With a probe, the byte before each
  // slice and its first kProbe bytes are read by it, the rest (a longer first line) from `data`.
  constexpr std::uint64_t kProbe = 4096;
  const std::uint64_t size = data.size();
  if (data_start >= size) return;
  chunk_size = std::max<std::uint64_t>(chunk_size, 1);
  const std::uint64_t n = (size - data_start - 1) / chunk_size + 1;
  auto begin = [&](std::uint64_t k) { return data_start + k * chunk_size; };
  std::vector<std::uint64_t> starts(n, size);
  tbb::parallel_for(std::uint64_t{1}, n, [&](std::uint64_t k) {
    const std::uint64_t b = begin(k);
    const std::uint64_t e = b + std::min(chunk_size, size - b);
    std::uint64_t from = b;  // where the search in `data` starts
    if (probe) {
      const std::string_view head = probe(b - 1, std::min(e, b + kProbe));
      if (!head.empty()) {
        if (head[0] == '\n') {
          starts[k] = b;
          return;
        }
        if (const void* nl = std::memchr(head.data() + 1, '\n', head.size() - 1)) {
          starts[k] = b + static_cast<std::uint64_t>(static_cast<const char*>(nl) - (head.data() + 1)) + 1;
          return;
        }
        from = b + head.size() - 1;  // no LF in the probed bytes: the rest of the slice from `data`
        if (from >= e) return;
      }
    }
    if (from == b && data[b - 1] == '\n') {
      starts[k] = b;
    } else if (const void* nl = std::memchr(data.data() + from, '\n', e - from)) {
      starts[k] = static_cast<std::uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
    }
  });
  std::uint64_t prev = data_start;
  for (std::uint64_t k = 1; k < n; ++k) {
    if (starts[k] < size && starts[k] > prev) {
      out.push_back({file, prev, starts[k]});
      prev = starts[k];
    }
  }
  out.push_back({file, prev, size});
}

void plan_json_document_chunks(std::uint32_t file, std::string_view data, std::uint64_t data_start,
                               std::uint64_t chunk_size, std::vector<Chunk>& out) {
  namespace json = parsers::json;
  const std::uint64_t size = data.size();
  const json::RowArray array = json::find_row_array(data, data_start);
  chunk_size = std::max<std::uint64_t>(chunk_size, 1);
  if (array.container == json::RowContainer::kNone || size - data_start <= chunk_size) {
    out.push_back({file, data_start, size});
    return;
  }
  // Slices after the array's '[' (outside strings, no escape pending, at the rows' depth there).
  const std::uint64_t first = array.open + 1;
  const std::uint64_t n = (size - first - 1) / chunk_size + 1;
  auto begin = [&](std::uint64_t k) { return first + k * chunk_size; };
  auto end = [&](std::uint64_t k) { return begin(k) + std::min(chunk_size, size - begin(k)); };
  std::vector<json::SliceQuotes> quotes(n);
  tbb::parallel_for(std::uint64_t{0}, n, [&](std::uint64_t k) { quotes[k] = json::count_slice_quotes(data, begin(k), end(k)); });
  std::vector<std::uint8_t> in_string(n), escaped(n);
  std::uint8_t in = 0, esc = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    in_string[k] = in;
    escaped[k] = esc;
    in ^= static_cast<std::uint8_t>(quotes[k].quotes[esc] & 1);
    esc = quotes[k].escape_out[esc];
  }
  std::vector<json::SliceDepths> depths(n);
  tbb::parallel_for(std::uint64_t{0}, n, [&](std::uint64_t k) {
    depths[k] = json::scan_slice_depths(data, begin(k), end(k), in_string[k] != 0, escaped[k] != 0);
  });
  // One cut per slice: its first row start (a '{' after a ',' at the rows' depth), up to the
  // bracket that closes the array.
  std::vector<std::uint64_t> cuts;
  std::int64_t depth = array.row_depth;
  for (std::uint64_t k = 0; k < n; ++k) {
    const std::int64_t rel = array.row_depth - depth;
    if (rel >= -json::kDepthWindow && rel <= json::kDepthWindow) {
      const auto at = static_cast<std::size_t>(rel + json::kDepthWindow);
      const std::uint64_t row = depths[k].first_row[at], close = depths[k].first_close[at];
      if (row < close) cuts.push_back(row);
      if (close != UINT64_MAX) break;
    }
    depth += depths[k].delta;
  }
  if (cuts.size() < 2) {
    out.push_back({file, data_start, size});
    return;
  }
  out.push_back({file, data_start, cuts.front(), array.container, cuts.back()});
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) out.push_back({file, cuts[i], cuts[i + 1], array.container, 0});
}

std::uint64_t next_xml_event(std::string_view data, std::uint64_t start, std::uint64_t max_record_bytes) {
  const std::uint64_t end = parsers::event_end(data, start, max_record_bytes);
  return parsers::next_event_start(data, end ? end : start + 1);  // a cut-off event: resume after its start
}

void plan_xml_chunks(std::uint32_t file, std::string_view data, std::uint64_t chunk_size, std::vector<Chunk>& out,
                     std::uint64_t max_record_bytes) {
  // Event starts are only known by walking the events in order (an "<Event" inside a comment or a
  // CDATA section is not one), so the cuts come from one sequential walk of the tags.
  const std::uint64_t size = data.size();
  std::uint64_t begin = parsers::next_event_start(data, 0);
  for (std::uint64_t pos = begin; pos < size; pos = next_xml_event(data, pos, max_record_bytes)) {
    if (pos - begin >= chunk_size) {
      out.push_back({file, begin, pos});
      begin = pos;
    }
  }
  if (begin < size) out.push_back({file, begin, size});
}

}  // namespace rareconn::scanner
