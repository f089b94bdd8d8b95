// Tests for scanner/decompress: magic-byte detection, gzip (one and several members, padding),
// zstd (known and unknown content size), and corrupt or truncated data reported, not crashed on.
#include "scanner/decompress.hpp"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zstd.h>

#include <random>
#include <string>

using namespace rareconn::scanner;

namespace {

std::string sample_text(std::size_t n) {
  std::mt19937 rng(3);
  std::string s;
  while (s.size() < n) s += "2024-05-30T00:00:00Z,srv" + std::to_string(rng() % 50) + ",ConnectionSuccess,1.2.3." + std::to_string(rng() % 255) + "\n";
  return s;
}

std::string gzip(const std::string& in) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(6);
  std::string out(libdeflate_gzip_compress_bound(c, in.size()), '\0');
  out.resize(libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size()));
  libdeflate_free_compressor(c);
  return out;
}

std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

}  // namespace

TEST(Decompress, DetectsByMagicBytes) {
  EXPECT_EQ(detect_compression(gzip("x")), Compression::kGzip);
  EXPECT_EQ(detect_compression(zstd("x")), Compression::kZstd);
  EXPECT_EQ(detect_compression("Timestamp,DeviceName\n"), Compression::kNone);
  EXPECT_EQ(detect_compression(""), Compression::kNone);
}

TEST(Decompress, GzipSingleAndMultiMemberWithPadding) {
  const std::string a = sample_text(300000), b = sample_text(1000);
  std::string out, err;
  ASSERT_TRUE(decompress(gzip(a), Compression::kGzip, out, err)) << err;
  EXPECT_EQ(out, a);
  ASSERT_TRUE(decompress(gzip(a) + gzip(b) + std::string(8, '\0'), Compression::kGzip, out, err)) << err;
  EXPECT_EQ(out, a + b);
  // Highly compressible input: far larger than the first size guess.
  const std::string zeros(20 << 20, 'z');
  ASSERT_TRUE(decompress(gzip(zeros), Compression::kGzip, out, err)) << err;
  EXPECT_EQ(out.size(), zeros.size());
}

TEST(Decompress, Zstd) {
  const std::string a = sample_text(500000);
  std::string out, err;
  ASSERT_TRUE(decompress(zstd(a), Compression::kZstd, out, err)) << err;
  EXPECT_EQ(out, a);
}

TEST(Decompress, CorruptAndTruncatedAreErrors) {
  const std::string a = sample_text(100000);
  std::string g = gzip(a), z = zstd(a), out, err;
  g[g.size() / 2] ^= 0x55;
  EXPECT_FALSE(decompress(g, Compression::kGzip, out, err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(decompress(gzip(a).substr(0, 1000), Compression::kGzip, out, err));
  err.clear();
  EXPECT_FALSE(decompress(z.substr(0, z.size() / 2), Compression::kZstd, out, err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(decompress(gzip(a) + "garbage!garbage!garbage!", Compression::kGzip, out, err));
}
