// Tests for scanner/compressed_units: the magic bytes, whole zstd frames and BGZF member runs found
// only when they lie whole in the bytes given (every shorter prefix is kNone), their output bounds,
// and whole units decoded exactly or refused when damaged.
#include "scanner/compressed_units.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "stream_inputs.hpp"

using namespace rareconn::scanner;
using namespace rareconn::testing;

namespace {

std::string text(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; s.size() < n; ++i) s += "2024-05-30T00:00:00Z,srv" + std::to_string(i % 97) + ",10.0.0." + std::to_string(i % 251) + "\n";
  s.resize(n);
  return s;
}

std::string decode(const WholeUnit& u, std::string_view in, bool& ok, std::string& error) {
  auto out = std::make_unique<char[]>(u.output_bound + 1);
  std::size_t got = 0;
  ok = decode_whole_unit(u, in, out.get(), got, error);
  return std::string(out.get(), got);
}

}  // namespace

TEST(CompressedUnits, MagicBytes) {
  EXPECT_EQ(detect_compression(gzip_member("x")), Compression::kGzip);
  EXPECT_EQ(detect_compression(zstd_frame("x")), Compression::kZstd);
  EXPECT_EQ(detect_compression(zstd_frames("x", 1)), Compression::kZstd);  // a skippable frame first
  EXPECT_EQ(detect_compression("Timestamp,DeviceName\n"), Compression::kNone);
  EXPECT_EQ(detect_compression(std::string("\x28\xb5\x2f", 3)), Compression::kNone);
}

TEST(CompressedUnits, AZstdFrameIsFoundOnlyWhenWhole) {
  const std::string t = text(300000);
  const std::string f = zstd_frame(t), next = zstd_frame("tail\n");
  const std::string both = f + next;
  const WholeUnit u = find_whole_unit(Compression::kZstd, both, 1 << 20, 0);
  ASSERT_EQ(u.kind, WholeUnit::kZstdFrame);
  EXPECT_EQ(u.bytes, f.size());
  EXPECT_EQ(u.output_bound, t.size());  // the header states the content size
  bool ok = false;
  std::string error;
  EXPECT_EQ(decode(u, both, ok, error), t);
  EXPECT_TRUE(ok) << error;
  for (std::size_t n = 0; n < f.size(); n += 1 + n / 7) {
    EXPECT_EQ(find_whole_unit(Compression::kZstd, std::string_view(f).substr(0, n), 1 << 20, 0).kind, WholeUnit::kNone) << n;
  }
  EXPECT_EQ(find_whole_unit(Compression::kZstd, f, t.size() - 1, 0).kind, WholeUnit::kNone);  // over the output bound
}

TEST(CompressedUnits, SkippableFramesArePassedOver) {
  const std::string s = zstd_frames("abc\n", 10);
  const WholeUnit u = find_whole_unit(Compression::kZstd, s, 1 << 20, 0);
  EXPECT_EQ(u.kind, WholeUnit::kSkip);
  EXPECT_EQ(u.bytes, 12u);
  EXPECT_EQ(find_whole_unit(Compression::kZstd, s.substr(0, 11), 1 << 20, 0).kind, WholeUnit::kNone);
}

TEST(CompressedUnits, BgzfMembersAreGroupedAndExact) {
  const std::string t = text(1 << 20);
  const std::string b = bgzf_members(t);
  const WholeUnit u = find_whole_unit(Compression::kGzip, b, 64 << 20, 20000);
  ASSERT_EQ(u.kind, WholeUnit::kBgzfMembers);
  EXPECT_GE(u.bytes, 20000u);
  EXPECT_LT(u.bytes, b.size());
  bool ok = false;
  std::string error;
  const std::string out = decode(u, b, ok, error);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(out.size(), u.output_bound);
  EXPECT_EQ(out, t.substr(0, out.size()));
  // A plain gzip member (no BC field) is not a whole unit: its end is known only by inflating.
  EXPECT_EQ(find_whole_unit(Compression::kGzip, gzip_member(t), 64 << 20, 1 << 20).kind, WholeUnit::kNone);
}

TEST(CompressedUnits, DamagedWholeUnitsAreErrors) {
  const std::string t = text(200000);
  // BGZF: every member carries a CRC-32, so a flipped bit in the deflate data is always caught.
  std::string b = bgzf_members(t);
  b[b.size() / 3] ^= 0x20;
  const WholeUnit u = find_whole_unit(Compression::kGzip, b, 64 << 20, 1 << 20);
  ASSERT_EQ(u.kind, WholeUnit::kBgzfMembers);
  bool ok = true;
  std::string error;
  decode(u, b, ok, error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("corrupt gzip"), std::string::npos) << error;
  // zstd: a frame cut short inside is refused by the decoder, never read past.
  const std::string z = zstd_frame(t);
  WholeUnit cut = find_whole_unit(Compression::kZstd, z, 64 << 20, 0);
  ASSERT_EQ(cut.kind, WholeUnit::kZstdFrame);
  cut.bytes -= 10;
  decode(cut, z, ok, error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("corrupt zstd"), std::string::npos) << error;
}
