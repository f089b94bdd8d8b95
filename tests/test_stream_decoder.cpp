// Tests for scanner/stream_decoder: every compression streamed exactly through files and pipes with
// input buffers down to one byte (so every header and trailer is cut), peeking, and damaged
// inputs (truncated at every length, corrupted, trailing data, too large a window) reported as
// errors with bounded output.
#include "scanner/stream_decoder.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "stream_inputs.hpp"

using namespace rareconn::scanner;
using namespace rareconn::testing;

namespace {

std::string sample(std::size_t n, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) {
    s += "2024-05-30T00:00:" + std::to_string(rng() % 60) + "Z,srv" + std::to_string(rng() % 50) + ",\"a,\"\"b\"\"\n" +
         std::to_string(rng()) + "\",10.0." + std::to_string(rng() % 255) + "\n";
  }
  s.resize(n);
  return s;
}

class TempFile {
 public:
  explicit TempFile(const std::string& bytes) {
    path_ = std::filesystem::temp_directory_path() / ("rareconn_stream_" + std::to_string(getpid()) + "_" +
                                                      std::to_string(counter_++));
    FILE* f = std::fopen(path_.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

// Reads a source to its end in reads of varying sizes; false with `error` on a stream error.
bool read_all(StreamSource& s, std::string& out, std::string& error, std::size_t max_out = SIZE_MAX) {
  std::size_t step = 1;
  for (;;) {
    const std::size_t at = out.size();
    out.resize(at + step);
    std::size_t got = 0;
    const bool ok = s.read(out.data() + at, step, got, error);
    out.resize(at + got);
    if (!ok) return false;
    if (got == 0) return true;
    if (out.size() > max_out) {
      error = "output beyond the bound";
      return false;
    }
    step = step % 9973 * 7 + 1;
  }
}

bool decode_bytes(const std::string& in, std::size_t buffer, std::string& out, std::string& error,
                  Compression* c = nullptr, unsigned window_log_max = 25, std::size_t ahead_units = 2) {
  TempFile f(in);
  StreamSourceOptions o;
  o.input_buffer_bytes = buffer;
  o.ahead_units = ahead_units;
  o.zstd_window_log_max = window_log_max;
  auto s = open_stream_source(f.path(), o, error);
  if (!s) return false;
  if (c) *c = s->compression();
  return read_all(*s, out, error);
}

struct Case {
  const char* name;
  Compression compression;
  std::string bytes;
};

std::vector<Case> cases(const std::string& text) {
  return {{"plain", Compression::kNone, text},
          {"gzip one member", Compression::kGzip, gzip_member(text)},
          {"gzip many members", Compression::kGzip, gzip_members(text, 777)},
          {"gzip empty members", Compression::kGzip, gzip_member("") + gzip_member(text) + gzip_member("")},
          {"gzip bgzf", Compression::kGzip, bgzf_members(text, 1500)},
          {"zstd one frame", Compression::kZstd, zstd_frame(text)},
          {"zstd many frames", Compression::kZstd, zstd_frames(text, 1000)}};
}

}  // namespace

TEST(StreamDecoder, EveryCompressionExactWithInputBuffersDownToOneByte) {
  const std::string text = sample(20000);
  for (const Case& c : cases(text)) {
    for (std::size_t buffer : {1, 2, 3, 7, 64, 4096, 1 << 20}) {
      std::string out, error;
      Compression got = Compression::kNone;
      ASSERT_TRUE(decode_bytes(c.bytes, buffer, out, error, &got)) << c.name << " buffer " << buffer << ": " << error;
      EXPECT_EQ(got, c.compression) << c.name;
      EXPECT_TRUE(out == text) << c.name << " buffer " << buffer << ": " << out.size() << " bytes";
    }
  }
}

TEST(StreamDecoder, LargeInputThroughAPipe) {
  const std::string text = sample(3 << 20, 7);
  for (const Case& c : cases(text)) {
    PipeWriter w(c.bytes);
    std::string error, out;
    auto s = open_stream_source(w.read_fd(), true, {}, error);
    ASSERT_TRUE(s) << error;
    ASSERT_TRUE(read_all(*s, out, error)) << c.name << ": " << error;
    EXPECT_TRUE(out == text) << c.name;
  }
}

TEST(StreamDecoder, FifoByPath) {
  const std::string text = sample(100000, 9);
  const std::string path = std::filesystem::temp_directory_path() / ("rareconn_fifo_" + std::to_string(getpid()));
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const std::string bytes = zstd_frames(text, 5000);
  std::thread writer([&] {
    const int fd = open(path.c_str(), O_WRONLY);
    for (std::size_t at = 0; at < bytes.size();) at += static_cast<std::size_t>(write(fd, bytes.data() + at, bytes.size() - at));
    close(fd);
  });
  std::string error, out;
  auto s = open_stream_source(path, {}, error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->compression(), Compression::kZstd);
  ASSERT_TRUE(read_all(*s, out, error)) << error;
  writer.join();
  std::filesystem::remove(path);
  EXPECT_TRUE(out == text);
}

TEST(StreamDecoder, PeekThenReadGivesTheWholeStream) {
  const std::string text = sample(50000, 3);
  for (const Case& c : cases(text)) {
    for (std::size_t n : {1, 100, 65536, 50000, 80000}) {
      TempFile f(c.bytes);
      std::string error, out;
      auto s = open_stream_source(f.path(), {}, error);
      ASSERT_TRUE(s) << error;
      std::string_view head;
      ASSERT_TRUE(s->peek(n, head, error)) << error;
      EXPECT_EQ(head, std::string_view(text).substr(0, n)) << c.name << " peek " << n;
      ASSERT_TRUE(read_all(*s, out, error)) << error;
      EXPECT_TRUE(out == text) << c.name << " peek " << n;
    }
  }
}

TEST(StreamDecoder, EmptyAndTinyInputsArePlain) {
  for (const std::string& in : {std::string(), std::string("\x1f"), std::string("ab"), std::string("\x28\xb5\x2f")}) {
    std::string out, error;
    Compression c = Compression::kGzip;
    ASSERT_TRUE(decode_bytes(in, 2, out, error, &c)) << error;
    EXPECT_EQ(c, Compression::kNone);
    EXPECT_EQ(out, in);
  }
}

TEST(StreamDecoder, NulPaddingAfterTheLastGzipMemberIsAccepted) {
  const std::string text = sample(5000);
  std::string out, error;
  ASSERT_TRUE(decode_bytes(gzip_members(text, 999) + std::string(10000, '\0'), 3, out, error)) << error;
  EXPECT_TRUE(out == text);
}

TEST(StreamDecoder, TruncatedAtEveryLengthIsAnError) {
  const std::string text = sample(3000);
  for (const Case& c : cases(text)) {
    if (c.compression == Compression::kNone) continue;
    for (std::size_t len = 4; len < c.bytes.size(); ++len) {
      const std::string cut = c.bytes.substr(0, len);
      std::string out, error;
      const bool ok = decode_bytes(cut, len % 5 + 1, out, error);
      EXPECT_LE(out.size(), text.size());
      EXPECT_EQ(out, text.substr(0, out.size())) << c.name << " cut at " << len;
      if (ok) {
        // Only at a member or frame boundary: then what was decoded is whole members.
        EXPECT_TRUE(c.name != std::string("gzip one member") && c.name != std::string("zstd one frame"))
            << c.name << " cut at " << len << " decoded without error";
      } else {
        EXPECT_NE(error.find("truncated"), std::string::npos) << c.name << " cut at " << len << ": " << error;
      }
    }
  }
}

TEST(StreamDecoder, CorruptionIsAnErrorOrBoundedNeverACrash) {
  const std::string text = sample(4000);
  for (const Case& c : cases(text)) {
    if (c.compression == Compression::kNone) continue;
    std::mt19937 rng(5);
    for (int trial = 0; trial < 400; ++trial) {
      std::string bad = c.bytes;
      const std::size_t at = 4 + rng() % (bad.size() - 4);
      bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
      TempFile f(bad);
      std::string error, out;
      auto s = open_stream_source(f.path(), {}, error);
      ASSERT_TRUE(s);
      const bool ok = read_all(*s, out, error, text.size() * 4);
      if (ok && c.compression == Compression::kGzip) {
        // gzip checks CRC-32 and length: only bytes no checksum covers (header fields) may change.
        EXPECT_TRUE(out == text) << c.name << " byte " << at;
      }
      EXPECT_LE(out.size(), text.size() * 4);
    }
  }
}

TEST(StreamDecoder, GzipChecksumAndLengthAreVerified) {
  const std::string text = sample(3000);
  const std::string member = gzip_member(text);
  for (std::size_t from_end : {8, 5, 4, 1}) {  // CRC-32 bytes, then ISIZE bytes
    std::string bad = member;
    bad[bad.size() - from_end] ^= 0x40;
    std::string out, error;
    EXPECT_FALSE(decode_bytes(bad, 4096, out, error)) << from_end;
    EXPECT_NE(error.find("corrupt gzip data"), std::string::npos) << error;
  }
}

TEST(StreamDecoder, TrailingDataIsAnError) {
  const std::string text = sample(3000);
  for (const std::string& in : {gzip_member(text) + "garbage", gzip_member(text) + std::string(5, '\0') + "x",
                                zstd_frame(text) + "garbage", zstd_frame(text) + std::string(8, '\0')}) {
    for (std::size_t buffer : {1, 4096}) {
      std::string out, error;
      EXPECT_FALSE(decode_bytes(in, buffer, out, error));
      EXPECT_NE(error.find("trailing data"), std::string::npos) << error;
      EXPECT_NE(error.find("at compressed byte"), std::string::npos) << error;
    }
  }
}

TEST(StreamDecoder, ZstdWindowBeyondTheBoundIsRefused) {
  const std::string text = sample(1 << 20);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 22);
  std::string frame(ZSTD_compressBound(text.size()), '\0');
  frame.resize(ZSTD_compress2(cctx, frame.data(), frame.size(), text.data(), text.size()));
  ZSTD_freeCCtx(cctx);
  std::string out, error;
  EXPECT_FALSE(decode_bytes(frame, 4096, out, error, nullptr, 18));
  EXPECT_NE(error.find("window larger than the 262144 bytes allowed"), std::string::npos) << error;
  out.clear();
  EXPECT_TRUE(decode_bytes(frame, 4096, out, error, nullptr, 22)) << error;
  EXPECT_TRUE(out == text);
}

TEST(StreamDecoder, MissingFileNamesThePath) {
  std::string error;
  EXPECT_EQ(open_stream_source("/nonexistent/x.gz", {}, error), nullptr);
  EXPECT_NE(error.find("/nonexistent/x.gz"), std::string::npos);
}

TEST(StreamDecoder, RawOffsetCountsTheCompressedBytesConsumed) {
  const std::string text = sample(30000, 11);
  for (const Case& c : cases(text)) {
    TempFile f(c.bytes);
    std::string error, out;
    auto s = open_stream_source(f.path(), {}, error);
    ASSERT_TRUE(s) << error;
    ASSERT_TRUE(read_all(*s, out, error)) << error;
    EXPECT_EQ(s->raw_offset(), c.bytes.size()) << c.name;
  }
}

// The same bytes whatever path a unit takes: whole units decoded ahead (a buffer they fit in, or
// the file in memory) or inflated serially (a buffer they do not fit in), in reads of every size.
TEST(StreamDecoder, UnitsDecodedAheadAreExactAndInOrder) {
  const std::string text = sample(2 << 20, 13);
  const std::vector<std::pair<const char*, std::string>> inputs = {
      {"bgzf", bgzf_members(text)},
      {"zstd frames", zstd_frames(text, 100000)},
      {"zstd frames and one large frame", zstd_frames(text.substr(0, 1 << 20), 70000) + zstd_frame(text.substr(1 << 20))},
      {"bgzf then plain gzip members", bgzf_members(text.substr(0, 1 << 20)) + gzip_members(text.substr(1 << 20), 300000)}};
  for (const auto& input : inputs) {
    for (std::size_t buffer : {std::size_t{4096}, std::size_t{200000}, std::size_t{4} << 20}) {
      for (std::size_t ahead : {0, 1, 2, 5}) {  // 0: every unit inflated serially
        std::string out, error;
        ASSERT_TRUE(decode_bytes(input.second, buffer, out, error, nullptr, 25, ahead)) << input.first << ": " << error;
        EXPECT_TRUE(out == text) << input.first << " buffer " << buffer << " ahead " << ahead;
      }
    }
    std::string out, error;
    auto m = open_memory_source(input.second, {});
    ASSERT_TRUE(read_all(*m, out, error)) << input.first << ": " << error;
    EXPECT_TRUE(out == text) << input.first << " in memory";
    EXPECT_EQ(m->raw_offset(), input.second.size()) << input.first;
  }
}

// A damaged unit among units decoded ahead: every byte before it is delivered exactly, then the
// error names the compressed offset of the damaged unit.
TEST(StreamDecoder, DamageInALaterUnitKeepsTheEarlierOnes) {
  const std::string text = sample(600000, 17);
  std::string b = bgzf_members(text, 20000);
  const std::size_t at = b.size() * 2 / 3;
  b[at] = static_cast<char>(b[at] ^ 0x10);
  for (bool memory : {false, true}) {
    std::string out, error;
    bool ok = true;
    if (memory) {
      ok = read_all(*open_memory_source(b, {}), out, error);
    } else {
      ok = decode_bytes(b, std::size_t{1} << 20, out, error);
    }
    EXPECT_FALSE(ok) << memory;
    EXPECT_GT(out.size(), 0u) << memory;
    EXPECT_LT(out.size(), text.size()) << memory;
    EXPECT_TRUE(out == text.substr(0, out.size())) << memory;
    EXPECT_NE(error.find("corrupt gzip data"), std::string::npos) << error;
    EXPECT_NE(error.find("at compressed byte"), std::string::npos) << error;
  }
}

TEST(StreamDecoder, MemorySourceMatchesTheFileSource) {
  const std::string text = sample(70000, 19);
  for (const Case& c : cases(text)) {
    std::string out, error;
    auto m = open_memory_source(c.bytes, {});
    EXPECT_EQ(m->compression(), c.compression) << c.name;
    ASSERT_TRUE(read_all(*m, out, error)) << c.name << ": " << error;
    EXPECT_TRUE(out == text) << c.name;
    for (std::size_t len : {c.bytes.size() / 2, c.bytes.size() - 1}) {
      if (c.compression == Compression::kNone) break;
      out.clear();
      EXPECT_FALSE(read_all(*open_memory_source(std::string_view(c.bytes).substr(0, len), {}), out, error)) << c.name << " cut at " << len;
      EXPECT_TRUE(out == text.substr(0, out.size())) << c.name;
    }
  }
}
