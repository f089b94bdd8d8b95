// Tests for parsers/simd_scan: the SIMD kernels agree with naive loops at every length and
// alignment, including counts past the 255-block accumulator flush.
#include "parsers/simd_scan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

using namespace rareconn::parsers::simd;

TEST(SimdScan, AgreesWithNaiveLoops) {
  std::mt19937 rng(7);
  const char alphabet[] = {'a', ',', '"', '\n', '\\', '\x01', 'z', '\x7f', '\xc3', ' '};
  for (int round = 0; round < 300; ++round) {
    const std::size_t n = round < 250 ? rng() % 100 : 5000 + rng() % 20000;
    std::string s(n, 'a');
    for (char& c : s) c = rng() % 4 == 0 ? alphabet[rng() % 10] : 'x';
    for (std::size_t off = 0; off < std::min<std::size_t>(n, 17); off += 5) {
      const char* b = s.data() + off;
      const char* e = s.data() + n;
      const char* naive3 = b;
      while (naive3 < e && *naive3 != ',' && *naive3 != '\n' && *naive3 != '"') ++naive3;
      EXPECT_EQ(find_any3(b, e, ',', '\n', '"'), naive3);
      ByteClassScanner csv(e, AnyOf3{',', '\n', '"'});
      EXPECT_EQ(csv.next(b), naive3);
      const char* naive_json = b;
      while (naive_json < e && *naive_json != '"' && *naive_json != '\\' && static_cast<unsigned char>(*naive_json) >= 0x20) ++naive_json;
      JsonStringScanner json(e);
      EXPECT_EQ(json.next(b), naive_json);
      // Walking every match with one scanner (window reuse and reloads) finds them all, in order.
      const char* q = b;
      std::size_t found = 0;
      while ((q = csv.next(q)) < e) {
        EXPECT_TRUE(*q == ',' || *q == '\n' || *q == '"');
        ++found;
        ++q;
      }
      EXPECT_EQ(found, static_cast<std::size_t>(std::count_if(b, e, [](char c) { return c == ',' || c == '\n' || c == '"'; })));
      EXPECT_EQ(count_byte(b, e, '"'), static_cast<std::uint64_t>(std::count(b, e, '"')));
    }
  }
  const std::string all_quotes(16 * 600 + 3, '"');
  EXPECT_EQ(count_byte(all_quotes.data(), all_quotes.data() + all_quotes.size(), '"'), all_quotes.size());
}
