// Regression: "pointer arithmetic past the end of the buffer in parsers/simd_scan.hpp". The window
// scanner formed `window + 64` beyond one-past-the-end (and `nullptr + 64` before its first window),
// undefined behaviour even unread. These tests walk buffers whose length is not a multiple of the
// 64-byte window, from every start, and must also pass under -fsanitize=undefined (pointer-overflow).
#include "parsers/simd_scan.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

using namespace rareconn::parsers::simd;

namespace {

// The buffer is copied to a heap block of exactly its size, so that a sanitizer sees its true end.
std::vector<const char*> all_matches(const char* b, const char* e) {
  ByteClassScanner s(e, AnyOf3{',', '\n', '"'});
  std::vector<const char*> out;
  for (const char* q = b; (q = s.next(q)) < e; ++q) out.push_back(q);
  EXPECT_EQ(s.next(e), e);
  return out;
}

}  // namespace

TEST(RegressParsersSimdScanPastEnd, WindowScannerAtEveryLengthAndStart) {
  for (std::size_t n = 0; n <= 200; ++n) {
    std::unique_ptr<char[]> buf(new char[n == 0 ? 1 : n]);
    for (std::size_t i = 0; i < n; ++i) buf[i] = (i * 7 + n) % 5 == 0 ? ',' : (i % 61 == 60 ? '\n' : 'x');
    const char* e = buf.get() + n;
    for (std::size_t off = 0; off <= n; ++off) {
      const char* b = buf.get() + off;
      std::vector<const char*> naive;
      for (const char* q = b; q < e; ++q)
        if (*q == ',' || *q == '\n' || *q == '"') naive.push_back(q);
      ASSERT_EQ(all_matches(b, e), naive) << "n " << n << " off " << off;
      // No match at all in the tail: the scanner answers the end, not a position past it.
      JsonStringScanner json(e);
      const char* naive_json = b;
      while (naive_json < e && *naive_json != '"' && *naive_json != '\\' && static_cast<unsigned char>(*naive_json) >= 0x20)
        ++naive_json;
      EXPECT_EQ(json.next(b), naive_json) << "n " << n << " off " << off;
    }
  }
}

TEST(RegressParsersSimdScanPastEnd, ResetToAnotherBufferForgetsTheWindow) {
  const std::string a(100, ','), b(70, 'x');
  ByteClassScanner s(a.data() + a.size(), AnyOf3{',', '\n', '"'});
  EXPECT_EQ(s.next(a.data() + 65), a.data() + 65);
  s.reset(b.data() + b.size());
  EXPECT_EQ(s.next(b.data()), b.data() + b.size());
  EXPECT_EQ(s.next(b.data() + 69), b.data() + b.size());
}
