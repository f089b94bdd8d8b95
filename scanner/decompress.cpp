// gzip through libdeflate (member by member, growing the output), zstd through its streaming API.
#include "scanner/decompress.hpp"

#include <libdeflate.h>
#include <zstd.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace rareconn::scanner {

Compression detect_compression(std::string_view d) {
  if (d.size() >= 2 && static_cast<unsigned char>(d[0]) == 0x1f && static_cast<unsigned char>(d[1]) == 0x8b) {
    return Compression::kGzip;
  }
  if (d.size() >= 4 && static_cast<unsigned char>(d[0]) == 0x28 && static_cast<unsigned char>(d[1]) == 0xb5 &&
      static_cast<unsigned char>(d[2]) == 0x2f && static_cast<unsigned char>(d[3]) == 0xfd) {
    return Compression::kZstd;
  }
  return Compression::kNone;
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: return "none";
  }
  return "none";
}

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

// Grows `out` by `n` bytes if the budget allows; else sets the error.
bool grow(std::string& out, std::size_t n, DecompressBudget* budget, std::string& error) {
  if (budget && !budget->take(n)) {
    error = "the decompressed data exceeds the memory bound of " + std::to_string(budget->limit()) +
            " bytes for decompressed inputs (--max-decompressed-size)";
    return false;
  }
  out.resize(out.size() + n);
  return true;
}

// Shrinks `out` to `size`, returning the bytes to the budget.
void shrink(std::string& out, std::size_t size, DecompressBudget* budget) {
  if (budget && size < out.size()) budget->give(out.size() - size);
  out.resize(size);
}

bool gunzip(std::string_view in, std::string& out, std::string& error, DecompressBudget* budget) {
  std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> d(
      libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
  if (!d) {
    error = "out of memory";
    return false;
  }
  out.clear();
  std::size_t pos = 0;
  // Each gzip member: its ISIZE trailer gives the size modulo 2^32, a good first guess.
  while (pos < in.size()) {
    if (in.size() - pos < 18 || static_cast<unsigned char>(in[pos]) != 0x1f) {
      if (in.find_first_not_of('\0', pos) == std::string_view::npos) break;  // zero padding after the last member
      error = "trailing data after the last gzip member";
      return false;
    }
    std::size_t guess = std::max<std::size_t>(in.size() - pos, 1 << 16) * 4, tried = 0;
    for (;;) {
      const std::size_t base = out.size();
      if (budget) guess = std::min<std::uint64_t>(guess, std::max<std::uint64_t>(budget->left(), tried + 1));
      if (!grow(out, guess, budget, error)) return false;
      tried = guess;
      std::size_t used_in = 0, produced = 0;
      const libdeflate_result r = libdeflate_gzip_decompress_ex(d.get(), in.data() + pos, in.size() - pos, out.data() + base,
                                                                guess, &used_in, &produced);
      if (r == LIBDEFLATE_SUCCESS) {
        shrink(out, base + produced, budget);
        pos += used_in;
        break;
      }
      shrink(out, base, budget);
      if (r != LIBDEFLATE_INSUFFICIENT_SPACE) {
        error = "corrupt gzip data";
        return false;
      }
      guess *= 2;
    }
  }
  return true;
}

bool unzstd(std::string_view in, std::string& out, std::string& error, DecompressBudget* budget) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) {
    error = "out of memory";
    return false;
  }
  out.clear();
  const unsigned long long known = ZSTD_getFrameContentSize(in.data(), in.size());
  std::uint64_t want = known != ZSTD_CONTENTSIZE_UNKNOWN && known != ZSTD_CONTENTSIZE_ERROR ? known : in.size() * 4;
  if (budget) want = std::min<std::uint64_t>(want, budget->limit());  // a header may claim anything
  out.reserve(want);
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  std::size_t last = 1;
  while (src.pos < src.size || last != 0) {
    const std::size_t base = out.size();
    const std::size_t room = std::max<std::size_t>(ZSTD_DStreamOutSize(), out.capacity() - base);
    if (!grow(out, room, budget, error)) return false;
    ZSTD_outBuffer dst{out.data() + base, room, 0};
    last = ZSTD_decompressStream(ctx.get(), &dst, &src);
    shrink(out, base + dst.pos, budget);
    if (ZSTD_isError(last)) {
      error = std::string("corrupt zstd data (") + ZSTD_getErrorName(last) + ")";
      return false;
    }
    if (src.pos == src.size && dst.pos == 0 && last != 0) {
      error = "truncated zstd data";
      return false;
    }
  }
  return true;
}

}  // namespace

bool decompress(std::string_view data, Compression c, std::string& out, std::string& error, DecompressBudget* budget) {
  switch (c) {
    case Compression::kGzip: return gunzip(data, out, error, budget);
    case Compression::kZstd: return unzstd(data, out, error, budget);
    case Compression::kNone: out.assign(data); return true;
  }
  return false;
}

}  // namespace rareconn::scanner
