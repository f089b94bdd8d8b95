// Regression: a 100 KB .zst holding 3 GB of text took 3.3 GB of memory (decompression had no
// bound). Decompressed bytes are now taken from a budget shared by all inputs; past it the file is
// an error naming the bound, and the budget is given back as buffers shrink.
#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zstd.h>

#include <string>
#include <thread>
#include <vector>

#include "scanner/decompress.hpp"

namespace rareconn::scanner {
namespace {

std::string zstd_of(const std::string& s) {
  std::string out(ZSTD_compressBound(s.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), s.data(), s.size(), 19));
  return out;
}

TEST(RegressZstdBombUnboundedMemory, ExpansionPastTheBoundIsAnError) {
  const std::string bomb = zstd_of(std::string(64u << 20, 'a'));  // 64 MiB in a few KB
  ASSERT_LT(bomb.size(), 64u << 10);
  DecompressBudget budget(8u << 20);
  std::string out, error;
  EXPECT_FALSE(decompress(bomb, Compression::kZstd, out, error, &budget));
  EXPECT_NE(error.find("--max-decompressed-size"), std::string::npos) << error;
  EXPECT_LE(out.size(), 8u << 20);
}

TEST(RegressZstdBombUnboundedMemory, SharedBudgetAcrossParallelFiles) {
  const std::string small = zstd_of(std::string(3u << 20, 'b'));
  DecompressBudget budget(8u << 20);  // room for two 3 MiB files, not three
  std::vector<std::string> outs(3), errors(3);
  std::vector<char> ok(3);
  std::vector<std::thread> t;
  for (int i = 0; i < 3; ++i) {
    t.emplace_back([&, i] { ok[i] = decompress(small, Compression::kZstd, outs[i], errors[i], &budget); });
  }
  for (auto& th : t) th.join();
  EXPECT_EQ(ok[0] + ok[1] + ok[2], 2);
}

TEST(RegressZstdBombUnboundedMemory, GzipBombToo) {
  const std::string zeros(64u << 20, '\0');
  libdeflate_compressor* c = libdeflate_alloc_compressor(9);
  std::string bomb(libdeflate_gzip_compress_bound(c, zeros.size()), '\0');
  bomb.resize(libdeflate_gzip_compress(c, zeros.data(), zeros.size(), bomb.data(), bomb.size()));
  libdeflate_free_compressor(c);
  ASSERT_LT(bomb.size(), 256u << 10);
  DecompressBudget budget(8u << 20);
  std::string out, error;
  EXPECT_FALSE(decompress(bomb, Compression::kGzip, out, error, &budget));
  EXPECT_NE(error.find("--max-decompressed-size"), std::string::npos) << error;
  EXPECT_LE(out.size(), 8u << 20);
}

TEST(RegressZstdBombUnboundedMemory, WithinTheBoundDecodesExactly) {
  const std::string text(1u << 20, 'c');
  DecompressBudget budget(2u << 20);
  std::string out, error;
  ASSERT_TRUE(decompress(zstd_of(text), Compression::kZstd, out, error, &budget)) << error;
  EXPECT_EQ(out, text);
}

}  // namespace
}  // namespace rareconn::scanner
