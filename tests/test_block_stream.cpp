// Tests for scanner/block_stream: for plain, gzip (one and many members), zstd (one and many
// frames) and a pipe, with blocks down to one byte, the delivered blocks put back together are the
// input exactly and are cut only at the rule's record starts; records over the maximum are skipped
// and located; the pool's accounting stays within the budget whatever the input's size; read
// errors stop the stream after whole records.
#include "scanner/block_stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "scanner/stream_decoder.hpp"
#include "stream_inputs.hpp"

using namespace rareconn::scanner;
using namespace rareconn::testing;

namespace {

std::string csv_text(std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s = "Timestamp,DeviceName,RemoteUrl\n";
  for (std::size_t i = 0; i < rows; ++i) {
    s += "2024-05-30T00:00:00Z,";
    s += rng() % 4 == 0 ? "\"dev,\"\"x\"\"\n" + std::to_string(rng()) + "\"" : "host" + std::to_string(rng() % 100);
    s += ",u" + std::to_string(i) + "\n";
  }
  return s;
}

std::set<std::uint64_t> starts_of(RecordBoundary& rule, const std::string& s) {
  std::set<std::uint64_t> out{0, s.size()};
  for (std::size_t i = 0; i < s.size(); ++i) {
    const RecordBoundary::Cuts c = rule.feed(std::string_view(s).substr(i, 1));
    if (c.first != RecordBoundary::npos) out.insert(c.first);
  }
  return out;
}

struct Delivered {
  std::uint64_t offset;
  std::string data;
  std::vector<SkippedRecord> skipped;
};

// Runs the stream, checking the in-order delivery, and returns the blocks.
std::vector<Delivered> run(ByteSource& source, RecordBoundary& rule, const BlockStreamOptions& o, BlockStreamResult& result) {
  std::vector<Delivered> out;
  std::uint64_t next_index = 0;
  result = run_block_stream(
      source, rule, o, [](const Block&) {},
      [&](const Block& b) {
        EXPECT_EQ(b.index, next_index++);
        out.push_back({b.offset, std::string(b.data), b.skipped});
      });
  return out;
}

// The blocks and skipped records tile `text` from 0 in order; every cut is a record start.
void expect_tiles(const std::vector<Delivered>& blocks, const std::string& text, const std::set<std::uint64_t>& starts,
                  const std::string& what, std::uint64_t end) {
  std::uint64_t at = 0;
  for (const Delivered& b : blocks) {
    for (const SkippedRecord& k : b.skipped) {
      EXPECT_EQ(k.offset, at) << what;
      at += k.bytes;
    }
    ASSERT_EQ(b.offset, at) << what;
    EXPECT_TRUE(starts.count(b.offset)) << what << ": block starts at " << b.offset;
    EXPECT_TRUE(starts.count(b.offset + b.data.size())) << what << ": block ends at " << b.offset + b.data.size();
    EXPECT_TRUE(b.data == text.substr(b.offset, b.data.size())) << what << ": block at " << b.offset;
    at += b.data.size();
  }
  EXPECT_EQ(at, end) << what;
}

class TempFile {
 public:
  explicit TempFile(const std::string& bytes)
      : path_(std::filesystem::temp_directory_path() / ("rareconn_block_" + std::to_string(getpid()))) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Each way a stream arrives: a file of each compression, or a pipe.
struct Mode {
  std::string name;
  std::function<std::string(const std::string&)> encode;
  bool pipe = false;
};

std::vector<Mode> modes() {
  return {{"plain", [](const std::string& t) { return t; }},
          {"gzip one member", [](const std::string& t) { return gzip_member(t); }},
          {"gzip many members", [](const std::string& t) { return gzip_members(t, 333); }},
          {"zstd one frame", [](const std::string& t) { return zstd_frame(t); }},
          {"zstd many frames", [](const std::string& t) { return zstd_frames(t, 500); }},
          {"gzip many members through a pipe", [](const std::string& t) { return gzip_members(t, 1000); }, true},
          {"plain through a pipe", [](const std::string& t) { return t; }, true}};
}

// Opens `mode`'s encoding of `text` and runs `body` on the source.
void with_source(const Mode& mode, const std::string& text, const std::function<void(StreamSource&)>& body) {
  const std::string bytes = mode.encode(text);
  std::string error;
  std::unique_ptr<StreamSource> s;
  std::unique_ptr<PipeWriter> writer;
  std::unique_ptr<TempFile> file;
  if (mode.pipe) {
    writer = std::make_unique<PipeWriter>(bytes);
    s = open_stream_source(writer->read_fd(), true, {}, error);
  } else {
    file = std::make_unique<TempFile>(bytes);
    s = open_stream_source(file->path(), {}, error);
  }
  ASSERT_TRUE(s) << error;
  body(*s);
}

BlockStreamOptions tiny(std::size_t block, std::size_t max_record = 1 << 20) {
  BlockStreamOptions o;
  o.block_bytes = block;
  o.max_record_bytes = max_record;
  o.memory_bytes = 64 << 20;
  return o;
}

using RuleMaker = std::function<std::unique_ptr<RecordBoundary>()>;

const std::vector<std::pair<std::string, RuleMaker>>& rules() {
  static const std::vector<std::pair<std::string, RuleMaker>> r = {
      {"csv", [] { return std::make_unique<CsvBoundary>(); }},
      {"lines", [] { return std::make_unique<LineBoundary>(); }},
      {"fixed 64 KiB", [] { return std::make_unique<FixedBoundary>(0, 65536); }},
      {"fixed 4 KiB + 64 KiB", [] { return std::make_unique<FixedBoundary>(4096, 65536); }}};
  return r;
}

}  // namespace

TEST(BlockStream, EveryModeEveryRuleEveryBlockSizeTilesTheInputAtRecordStarts) {
  const std::string text = csv_text(2500, 1);  // about 100 KB: two fixed chunks and a tail
  for (const auto& named_rule : rules()) {
    // Not a structured binding: clang 14 (the sanitizer builds) cannot capture one in a lambda.
    const std::string& rule_name = named_rule.first;
    const RuleMaker& make_rule = named_rule.second;
    auto reference = make_rule();
    const auto starts = starts_of(*reference, text);
    for (const Mode& mode : modes()) {
      for (std::size_t block : {1, 2, 3, 7, 64, 1000, 70000}) {
        if (block < 64 && rule_name.rfind("fixed", 0) == 0) continue;  // 64 KiB records in one-byte reads: slow, same cuts
        const std::string what = rule_name + ", " + mode.name + ", block " + std::to_string(block);
        with_source(mode, text, [&](StreamSource& s) {
          auto rule = make_rule();
          BlockStreamResult r;
          const auto blocks = run(s, *rule, tiny(block), r);
          ASSERT_TRUE(r.ok) << what << ": " << r.error;
          expect_tiles(blocks, text, starts, what, text.size());
          EXPECT_EQ(r.stats.bytes, text.size());
          if (block == 1) {  // one byte at a time: each block is one record, so every start is a cut
            std::set<std::uint64_t> cuts{0};
            for (const Delivered& b : blocks) cuts.insert(b.offset + b.data.size());
            EXPECT_EQ(cuts, starts) << what;
          }
        });
      }
    }
  }
}

TEST(BlockStream, LongRecordsAreSkippedAndLocated) {
  // Lines of 1..120 bytes; with a maximum of 40, every longer one is skipped, whatever the block
  // size up to the maximum (longer blocks leave records inside them to the parsers' own bound).
  std::mt19937 rng(4);
  std::string text;
  std::vector<SkippedRecord> want;
  for (int i = 0; i < 400; ++i) {
    const std::size_t n = 1 + (i % 7 == 0 ? 40 + rng() % 80 : rng() % 40);
    if (n > 40) want.push_back({text.size(), n});
    text += std::string(n - 1, static_cast<char>('a' + i % 26)) + "\n";
  }
  text += std::string(50, 'z');  // the last record, unterminated and too long
  want.push_back({text.size() - 50, 50});
  LineBoundary reference;
  const auto starts = starts_of(reference, text);
  for (const Mode& mode : modes()) {
    for (std::size_t block : {1, 3, 16, 39, 40}) {
      with_source(mode, text, [&](StreamSource& s) {
        LineBoundary rule;
        BlockStreamResult r;
        const auto blocks = run(s, rule, tiny(block, 40), r);
        ASSERT_TRUE(r.ok) << r.error;
        std::vector<SkippedRecord> got;
        for (const Delivered& b : blocks) got.insert(got.end(), b.skipped.begin(), b.skipped.end());
        ASSERT_EQ(got.size(), want.size()) << mode.name << " block " << block;
        for (std::size_t i = 0; i < got.size(); ++i) {
          EXPECT_EQ(got[i].offset, want[i].offset) << i;
          EXPECT_EQ(got[i].bytes, want[i].bytes) << i;
        }
        expect_tiles(blocks, text, starts, mode.name + " block " + std::to_string(block), text.size());
      });
    }
  }
}

namespace {

// An endless-looking stream of `size` bytes of CSV lines, made on the fly: big inputs in no memory.
class PatternSource final : public ByteSource {
 public:
  explicit PatternSource(std::uint64_t size) : size_(size), line_("2024-05-30T00:00:00Z,host1,\"a\nb\",10.0.0.1\n") {}
  bool read(char* out, std::size_t cap, std::size_t& got, std::string&) override {
    got = static_cast<std::size_t>(std::min<std::uint64_t>(cap, size_ - at_));
    for (std::size_t i = 0; i < got; ++i) out[i] = line_[(at_ + i) % line_.size()];
    at_ += got;
    return true;
  }
  bool peek(std::size_t, std::string_view&, std::string&) override { return false; }
  std::uint64_t memory_bytes() const override { return 1 << 20; }

 private:
  std::uint64_t size_, at_ = 0;
  std::string line_;
};

}  // namespace

TEST(BlockStream, PoolStaysWithinItsBudgetWhateverTheInputSize) {
  BlockStreamOptions o;
  o.block_bytes = 64 << 10;
  o.max_record_bytes = 64 << 10;
  o.memory_bytes = (1 << 20) + 5 * (128 << 10) + 1000;  // the source and five slots
  for (std::uint64_t size : {std::uint64_t{4} << 20, std::uint64_t{64} << 20}) {
    PatternSource source(size);
    CsvBoundary rule;
    std::atomic<int> live{0}, peak_live{0};
    std::uint64_t delivered = 0;
    std::mt19937 rng(1);
    const BlockStreamResult r = run_block_stream(
        source, rule, o,
        [&](const Block& b) {
          const int now = ++live;
          int p = peak_live.load();
          while (now > p && !peak_live.compare_exchange_weak(p, now)) {
          }
          if (b.index % 64 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow parse
        },
        [&](const Block& b) {
          --live;
          delivered += b.data.size();
        });
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(delivered, size);
    EXPECT_EQ(r.stats.slots, 5u);
    EXPECT_EQ(r.stats.slot_bytes, 128u << 10);
    EXPECT_LE(r.stats.peak_bytes, o.memory_bytes);
    EXPECT_LE(r.stats.peak_slots_in_use, r.stats.slots);
    EXPECT_LE(peak_live.load(), static_cast<int>(r.stats.slots));
    // The same bound for sixteen times the input. (Not the same peak: how many slots a run fills
    // depends on the schedule, which made an equality check flaky on a loaded machine.)
  }
}

TEST(BlockStream, ABudgetTooSmallForTwoBlocksIsRefusedBeforeReading) {
  PatternSource source(1000);
  LineBoundary rule;
  BlockStreamOptions o;
  o.block_bytes = 1 << 20;
  o.max_record_bytes = 16 << 20;
  o.memory_bytes = 32 << 20;
  int blocks = 0;
  const BlockStreamResult r = run_block_stream(source, rule, o, [](const Block&) {}, [&](const Block&) { ++blocks; });
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("too small"), std::string::npos) << r.error;
  EXPECT_EQ(blocks, 0);
}

TEST(BlockStream, TheZstdWindowCountsAgainstTheBudget) {
  const std::string text = csv_text(100, 3);
  TempFile f(zstd_frame(text));
  std::string error;
  auto s = open_stream_source(f.path(), {}, error);  // a window of up to 32 MiB
  ASSERT_TRUE(s) << error;
  EXPECT_GT(s->memory_bytes(), std::uint64_t{32} << 20);
  CsvBoundary rule;
  BlockStreamOptions o = tiny(1000, 1000);
  o.memory_bytes = (32 << 20) + 4000;  // two slots, but not with the window
  BlockStreamResult r;
  run(*s, rule, o, r);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("too small"), std::string::npos) << r.error;
}

TEST(BlockStream, ADamagedStreamStopsAfterWholeRecords) {
  const std::string text = csv_text(5000, 5);
  // A damaged member header after 60,000 bytes (damage inside deflate data is only certain at
  // the member's CRC, after its bytes went out, as with any streaming gunzip).
  std::string tail = gzip_members(text.substr(60000), 20000);
  tail[2] = 7;  // compression method
  TempFile f(gzip_members(text.substr(0, 60000), 20000) + tail);
  LineBoundary reference;
  const auto starts = starts_of(reference, text);
  for (std::size_t block : {7, 4096}) {
    std::string error;
    auto s = open_stream_source(f.path(), {}, error);
    ASSERT_TRUE(s) << error;
    LineBoundary rule;
    BlockStreamResult r;
    const auto blocks = run(*s, rule, tiny(block), r);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("unsupported gzip compression method"), std::string::npos) << r.error;
    EXPECT_EQ(r.error_offset, 60000u);
    const std::uint64_t end = blocks.empty() ? 0 : blocks.back().offset + blocks.back().data.size();
    EXPECT_GT(end, 60000u - 200);  // every whole record before the damage
    EXPECT_LE(end, 60000u);
    expect_tiles(blocks, text, starts, "damaged, block " + std::to_string(block), end);
  }
}

TEST(BlockStream, AnExceptionInParseCancelsTheStream) {
  PatternSource source(8 << 20);
  LineBoundary rule;
  EXPECT_THROW(run_block_stream(
                   source, rule, tiny(4096),
                   [](const Block& b) {
                     if (b.index == 10) throw std::runtime_error("parse failed");
                   },
                   [](const Block&) {}),
               std::runtime_error);
}

namespace {

// The process's resident anonymous memory now, and its peak since reset_peak_rss() (the kernel's
// VmHWM, reset through /proc/self/clear_refs), in bytes.
std::uint64_t status_kib(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  char line[256];
  std::uint64_t v = 0;
  while (f && std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, std::strlen(field)) == 0) v = std::strtoull(line + std::strlen(field), nullptr, 10);
  }
  if (f) std::fclose(f);
  return v << 10;
}
bool reset_peak_rss() {
  FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

// The budget's accounting against the kernel's count: 192 MiB of CSV (half as 4 MiB frames decoded
// ahead in parallel, half as one frame inflated serially) through a 96 MiB budget: the process's
// peak resident memory grows by less than the budget, whatever the input's size.
TEST(BlockStream, ResidentMemoryStaysWithinTheBudgetOnALargeCompressedInput) {
  const std::string path = std::filesystem::temp_directory_path() / ("rareconn_block_large_" + std::to_string(getpid()));
  std::uint64_t size = 0;
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_TRUE(f);
    const std::string piece = csv_text(100000, 21).substr(0, 4 << 20);
    ZSTD_CCtx* one = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(one, ZSTD_c_compressionLevel, 1);
    std::string out(ZSTD_compressBound(piece.size()), '\0');
    for (int i = 0; i < 48; ++i, size += piece.size()) {  // 4 MiB frames, as pzstd writes them
      const std::string frame = zstd_frame(piece, 1);
      std::fwrite(frame.data(), 1, frame.size(), f);
    }
    for (int i = 0; i < 48; ++i, size += piece.size()) {  // one frame of 96 MiB
      ZSTD_inBuffer in{piece.data(), piece.size(), 0};
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      ZSTD_compressStream2(one, &o, &in, i == 47 ? ZSTD_e_end : ZSTD_e_continue);
      std::fwrite(out.data(), 1, o.pos, f);
    }
    ZSTD_freeCCtx(one);
    std::fclose(f);
  }
  ASSERT_TRUE(reset_peak_rss()) << "/proc/self/clear_refs cannot be written";
  const std::uint64_t before = status_kib("VmRSS:");
  BlockStreamOptions o;
  o.block_bytes = 1 << 20;
  o.max_record_bytes = 1 << 20;
  o.memory_bytes = std::uint64_t{96} << 20;
  std::string error;
  auto s = open_stream_source(path, {}, error);
  ASSERT_TRUE(s) << error;
  CsvBoundary rule;
  std::uint64_t delivered = 0;
  const BlockStreamResult r = run_block_stream(
      *s, rule, o,
      [](const Block& b) {
        volatile char sink = 0;  // touch every byte, as a parser does
        for (char c : b.data) sink = static_cast<char>(sink ^ c);
      },
      [&](const Block& b) { delivered += b.data.size(); });
  const std::uint64_t peak = status_kib("VmHWM:");
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(delivered, size);
  EXPECT_LE(r.stats.peak_bytes, o.memory_bytes);
  EXPECT_LT(peak - before, o.memory_bytes) << "peak " << peak << ", before " << before;
}
