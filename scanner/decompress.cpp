// The whole-input decode: the stream decoder over the mapped bytes, read into a string grown from
// the budget (exactly the frame's content size when its header says it, else in doubling steps).
#include "scanner/decompress.hpp"

#include <unistd.h>

#include <algorithm>

#include "scanner/stream_decoder.hpp"

namespace rareconn::scanner {

bool DecompressBudget::take(std::uint64_t n) {
  std::uint64_t cur = left_.load(std::memory_order_relaxed);
  do {
    if (cur < n) return false;
  } while (!left_.compare_exchange_weak(cur, cur - n, std::memory_order_relaxed));
  return true;
}

std::uint64_t default_decompress_budget() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::uint64_t{8} << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

namespace {

// The content size a zstd frame header states, when the input is that one frame; else 0.
std::uint64_t stated_size(std::string_view data) {
  const WholeUnit u = find_whole_unit(Compression::kZstd, data, SIZE_MAX, 0);
  return u.kind == WholeUnit::kZstdFrame && u.bytes == data.size() ? u.output_bound : 0;
}

}  // namespace

bool decompress(std::string_view data, Compression c, std::string& out, std::string& error, DecompressBudget* budget) {
  out.clear();
  if (c == Compression::kNone) {
    out.assign(data);
    return true;
  }
  const std::unique_ptr<StreamSource> src = open_memory_source(data, StreamSourceOptions{});
  std::uint64_t held = 0;  // taken from the budget
  auto grow_to = [&](std::uint64_t want) {
    if (budget && !budget->take(want - held)) {
      error = "the decompressed data exceeds the memory bound of " + std::to_string(budget->limit()) +
              " bytes for decompressed inputs (--max-decompressed-size)";
      return false;
    }
    held = want;
    out.reserve(want);
    return true;
  };
  bool ok = true;
  const std::uint64_t stated = stated_size(data);
  if (stated > 0) ok = grow_to(std::min<std::uint64_t>(stated, budget ? budget->limit() : stated));
  char probe[4096];  // the end of a stream read without asking for more memory
  while (ok) {
    std::size_t got = 0;
    if (out.size() == held) {
      ok = src->read(probe, sizeof probe, got, error);
      if (got == 0) break;
      if (!grow_to(held + std::max<std::uint64_t>({held, std::uint64_t{1} << 20, got}))) {
        ok = false;
        break;
      }
      out.append(probe, got);
      continue;
    }
    const std::size_t at = out.size();
    out.resize(held);
    ok = src->read(out.data() + at, held - at, got, error);
    out.resize(at + got);
    if (got == 0) break;
  }
  if (budget && held > out.size()) budget->give(held - out.size());
  if (!ok) out.clear();
  return ok;
}

}  // namespace rareconn::scanner
