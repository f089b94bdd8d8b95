// Magic bytes, zstd frames walked by their block headers (RFC 8878 §3.1), BGZF members by their
// "BC" extra field (SAM/BAM specification §4.1); whole units decoded by libzstd and libdeflate in
// one call each. A header that does not read as expected is never guessed at: kNone.
#include "scanner/compressed_units.hpp"

#include <libdeflate.h>
#include <zstd.h>

#include <memory>

namespace rareconn::scanner {

namespace {

std::uint32_t le(const unsigned char* p, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

bool is_skippable(const unsigned char* p, std::size_t n) {
  return n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18;
}

// One zstd frame whole at p[0, n): its size and output bound; false when not whole or unusual.
bool zstd_frame(const unsigned char* p, std::size_t n, WholeUnit& u) {
  if (n < 6 || p[0] != 0x28 || p[1] != 0xb5 || p[2] != 0x2f || p[3] != 0xfd) return false;
  const unsigned fhd = p[4];
  if (fhd & 0x08) return false;  // reserved bit: the serial decoder reports it
  const bool single = (fhd >> 5) & 1, checksum = (fhd >> 2) & 1;
  static constexpr int kDid[4] = {0, 1, 2, 4}, kFcs[4] = {0, 2, 4, 8};
  const int fcs_bytes = (fhd >> 6) == 0 ? (single ? 1 : 0) : kFcs[fhd >> 6];
  std::size_t at = 5 + (single ? 0 : 1) + kDid[fhd & 3];
  if (at + fcs_bytes > n) return false;
  std::uint64_t fcs = 0;
  for (int i = fcs_bytes - 1; i >= 0; --i) fcs = fcs << 8 | p[at + i];
  if (fcs_bytes == 2) fcs += 256;
  at += fcs_bytes;
  std::uint64_t bound = 0;
  for (;;) {
    if (at + 3 > n) return false;
    const std::uint32_t b = le(p + at, 3);
    const unsigned type = (b >> 1) & 3;
    const std::size_t size = b >> 3;
    at += 3;
    if (type == 3) return false;
    const std::size_t stored = type == 1 ? 1 : size;  // RLE: one byte repeated `size` times
    if (at + stored > n) return false;
    at += stored;
    bound += type == 2 ? std::size_t{ZSTD_BLOCKSIZE_MAX} : size;
    if (b & 1) break;  // the last block
  }
  if (checksum) at += 4;
  if (at > n) return false;
  u.kind = WholeUnit::kZstdFrame;
  u.bytes = at;
  u.output_bound = static_cast<std::size_t>(fcs_bytes > 0 && fcs < bound ? fcs : bound);
  return true;
}

// The size of one BGZF member at p[0, n) when it lies whole there; 0 otherwise.
std::size_t bgzf_member(const unsigned char* p, std::size_t n) {
  if (n < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || p[3] != 4) return 0;
  const std::size_t xlen = le(p + 10, 2);
  if (n < 12 + xlen) return 0;
  for (std::size_t at = 12; at + 4 <= 12 + xlen;) {
    const std::size_t slen = le(p + at + 2, 2);
    if (p[at] == 'B' && p[at + 1] == 'C' && slen == 2 && at + 6 <= 12 + xlen) {
      const std::size_t size = le(p + at + 4, 2) + std::size_t{1};
      return size >= 12 + xlen + 8 && size <= n ? size : 0;
    }
    at += 4 + slen;
  }
  return 0;
}

}  // namespace

Compression detect_compression(std::string_view d) {
  const auto* p = reinterpret_cast<const unsigned char*>(d.data());
  if (d.size() >= 2 && p[0] == 0x1f && p[1] == 0x8b) return Compression::kGzip;
  if (d.size() >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) return Compression::kZstd;
  if (is_skippable(p, d.size())) return Compression::kZstd;
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

WholeUnit find_whole_unit(Compression c, std::string_view in, std::size_t max_output, std::size_t group_bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  WholeUnit u;
  if (c == Compression::kZstd) {
    if (is_skippable(p, n) && n >= 8) {
      u.kind = WholeUnit::kSkip;
      u.bytes = 8 + std::size_t{le(p + 4, 4)};
      if (u.bytes > n) u = WholeUnit{};
      return u;
    }
    if (!zstd_frame(p, n, u) || u.output_bound > max_output) u = WholeUnit{};
    return u;
  }
  if (c != Compression::kGzip) return u;
  while (u.bytes < n && (u.bytes == 0 || u.bytes < group_bytes)) {
    const std::size_t size = bgzf_member(p + u.bytes, n - u.bytes);
    if (size == 0) break;
    const std::size_t isize = le(p + u.bytes + size - 4, 4);
    if (isize > 65536 || u.output_bound + isize > max_output) break;  // BGZF blocks hold 64 KiB at most
    u.kind = WholeUnit::kBgzfMembers;
    u.bytes += size;
    u.output_bound += isize;
  }
  return u;
}

bool decode_whole_unit(const WholeUnit& unit, std::string_view in, char* out, std::size_t& got, std::string& error) {
  got = 0;
  if (unit.kind == WholeUnit::kZstdFrame) {
    thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    const std::size_t r = ZSTD_decompressDCtx(ctx.get(), out, unit.output_bound, in.data(), unit.bytes);
    if (ZSTD_isError(r)) {
      error = std::string("corrupt zstd data (") + ZSTD_getErrorName(r) + ")";
      return false;
    }
    got = r;
    return true;
  }
  if (unit.kind != WholeUnit::kBgzfMembers) return true;
  thread_local std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> d(
      libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (std::size_t at = 0; at < unit.bytes;) {
    const std::size_t size = bgzf_member(p + at, unit.bytes - at), isize = le(p + at + size - 4, 4);
    std::size_t used = 0, made = 0;
    const libdeflate_result r = libdeflate_gzip_decompress_ex(d.get(), p + at, size, out + got, isize, &used, &made);
    if (r != LIBDEFLATE_SUCCESS || used != size || made != isize) {
      error = r == LIBDEFLATE_BAD_DATA ? "corrupt gzip data (invalid deflate data or checksum mismatch)"
                                       : "corrupt gzip data (a member's length disagrees with its trailer)";
      return false;
    }
    got += made;
    at += size;
  }
  return true;
}

}  // namespace rareconn::scanner
