// The block pool and the pipeline of block_stream.hpp. The pool has as many slots as the pipeline
// has tokens. Reading runs either in the pipeline's serial stage (it then always finds a free slot)
// or on a thread of its own (reader_thread), ahead of the parse as far as the slots allow: it then
// waits for a slot that a commit gives back, and the parse runs on parse_threads workers.
#include "scanner/block_stream.hpp"

#include <tbb/concurrent_queue.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace rareconn::scanner {

namespace {

// How far before the bytes just fed a rule may report a record start (an XML start tag is known
// by the byte after "<Event"): kept when a record too long is dropped.
constexpr std::size_t kLateCut = 16;

struct Slot {
  std::unique_ptr<char[]> buf;
  Block block;
};

class Pool {
 public:
  Pool(std::size_t slots, std::size_t slot_bytes) : slots_(slots), slot_bytes_(slot_bytes) {}

  // A free slot, waiting for one while every slot is in use; null once cancelled.
  Slot* acquire() {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return cancelled_ || !free_.empty() || all_.size() < slots_; });
    if (cancelled_) return nullptr;
    Slot* s = nullptr;
    if (!free_.empty()) {
      s = free_.back();
      free_.pop_back();
    } else {
      all_.push_back(std::make_unique<Slot>());
      all_.back()->buf = std::make_unique_for_overwrite<char[]>(slot_bytes_);
      s = all_.back().get();
    }
    ++in_use_;
    peak_in_use_ = std::max(peak_in_use_, in_use_);
    return s;
  }
  void release(Slot* s) {
    {
      std::lock_guard lock(mu_);
      --in_use_;
      free_.push_back(s);
    }
    freed_.notify_one();
  }
  void cancel() {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    freed_.notify_all();
  }
  std::size_t allocated() const { return all_.size(); }
  std::size_t peak_in_use() const { return peak_in_use_; }

 private:
  std::mutex mu_;
  std::condition_variable freed_;
  bool cancelled_ = false;
  std::size_t slots_, slot_bytes_;
  std::vector<std::unique_ptr<Slot>> all_;
  std::vector<Slot*> free_;
  std::size_t in_use_ = 0, peak_in_use_ = 0;
};

// The serial first stage: fills a slot with the carry and fresh bytes until it holds a record
// start after its first byte (or the stream ends), and hands the whole records on.
class Cutter {
 public:
  Cutter(ByteSource& source, RecordBoundary& rule, const BlockStreamOptions& o, Pool& pool, BlockStreamResult& result)
      : source_(source), rule_(rule), block_(o.block_bytes), max_record_(o.max_record_bytes), pool_(pool), result_(result) {}

  std::uint64_t bytes_read() const { return offset_; }
  std::uint64_t blocks() const { return blocks_; }

  // The next block in a slot; null at the end of the stream (or when the pool is cancelled).
  Slot* next() {
    if (finished_) return nullptr;
    Slot* s = pool_.acquire();
    if (s == nullptr) return nullptr;
    char* buf = s->buf.get();
    s->block.skipped.clear();
    // carry_ may lie in this very slot; it is null before the first block (memmove of a null
    // pointer is undefined even for zero bytes: UBSan stopped every streamed run on it).
    if (carry_len_ > 0) std::memmove(buf, carry_, carry_len_);
    std::size_t len = carry_len_;
    std::uint64_t start = offset_ - len;  // stream offset of buf[0]
    bool skipping = false;
    std::uint64_t skip_start = 0;
    // The record at buf[0] grew past the maximum without ending: its bytes are dropped as they
    // come, but for the last few (a start the rule reports late may lie there).
    auto drop_if_too_long = [&] {
      if (!skipping && len <= max_record_) return;
      if (!skipping) skip_start = start;
      skipping = true;
      const std::size_t keep = std::min(len, kLateCut);
      std::memmove(buf, buf + len - keep, keep);
      start += len - keep;
      len = keep;
    };
    for (;;) {
      std::size_t got = 0;
      if (!failed_ && !fill(buf + len, got)) failed_ = finished_ = true;  // the whole records read go on
      if (got == 0) {  // the end: the carry is the last record, unterminated
        finished_ = true;
        if (failed_) {  // a record cut by a failure is not delivered
          len = 0;
          skipping = false;
        }
        if (skipping) {  // the dropped record runs to the end: the bytes kept for a late start too
          s->block.skipped.push_back({skip_start, offset_ - skip_start});
          start += len;
          len = 0;
        }
        if (len == 0 && s->block.skipped.empty()) {
          pool_.release(s);
          return nullptr;
        }
        return deliver(s, start, 0, len, len);
      }
      const RecordBoundary::Cuts cuts = rule_.feed(std::string_view(buf + len, got));
      len += got;
      if (cuts.first == RecordBoundary::npos) {  // one record goes on
        drop_if_too_long();
        continue;
      }
      if (cuts.first < start) throw std::logic_error("block stream: a record start reported too late");
      // The record at buf[0] ends at `first`; too long (or already dropped), it is reported.
      const std::size_t first = static_cast<std::size_t>(cuts.first - start), last = static_cast<std::size_t>(cuts.last - start);
      std::size_t begin = 0;
      if (skipping || first > max_record_) {
        const std::uint64_t from = skipping ? skip_start : start;
        s->block.skipped.push_back({from, start + first - from});
        skipping = false;
        begin = first;
      }
      if (last > begin) return deliver(s, start, begin, last, len);
      // Nothing whole after the skipped record: its successor moves to the front and goes on.
      std::memmove(buf, buf + begin, len - begin);
      start += begin;
      len -= begin;
      drop_if_too_long();
    }
  }

 private:
  // Reads up to block_ fresh bytes (fewer only at the end of the stream or at a failure).
  bool fill(char* out, std::size_t& got) {
    got = 0;
    bool ok = true;
    while (got < block_) {
      std::size_t n = 0;
      ok = source_.read(out + got, block_ - got, n, result_.error);
      got += n;
      if (!ok || n == 0) break;
    }
    offset_ += got;
    if (!ok) {
      result_.ok = false;
      result_.error_offset = offset_;
    }
    return ok;
  }

  Slot* deliver(Slot* s, std::uint64_t start, std::size_t begin, std::size_t end, std::size_t len) {
    s->block.index = blocks_++;
    s->block.offset = start + begin;
    s->block.data = std::string_view(s->buf.get() + begin, end - begin);
    carry_ = s->buf.get() + end;
    carry_len_ = len - end;
    return s;
  }

  ByteSource& source_;
  RecordBoundary& rule_;
  std::size_t block_, max_record_;
  Pool& pool_;
  BlockStreamResult& result_;
  const char* carry_ = nullptr;  // the bytes after the last record start, in the last slot
  std::size_t carry_len_ = 0;
  std::uint64_t offset_ = 0;  // stream bytes read
  std::uint64_t blocks_ = 0;
  bool finished_ = false;  // the next call ends the stream
  bool failed_ = false;    // the source failed: nothing more is read
};

}  // namespace

BlockStreamResult run_block_stream(ByteSource& source, RecordBoundary& rule, const BlockStreamOptions& options,
                                   const std::function<void(const Block&)>& parse,
                                   const std::function<void(const Block&)>& commit) {
  BlockStreamResult result;
  BlockStreamStats& st = result.stats;
  const std::size_t block = std::max<std::size_t>(options.block_bytes, 1);
  const std::size_t max_record = std::max<std::size_t>(options.max_record_bytes, 1);
  st.slot_bytes = std::max(block, max_record) + block;  // the carry, then a fresh read
  const std::uint64_t fixed = source.memory_bytes();
  st.slots = options.memory_bytes > fixed ? static_cast<std::size_t>((options.memory_bytes - fixed) / st.slot_bytes) : 0;
  if (st.slots < 2) {
    result.ok = false;
    result.error = "a memory budget of " + std::to_string(options.memory_bytes) +
                   " bytes is too small for this stream: it needs " + std::to_string(fixed + 2 * st.slot_bytes) +
                   " bytes (decoder " + std::to_string(fixed) + ", two blocks of " + std::to_string(st.slot_bytes) +
                   " with the maximum record size)";
    return result;
  }
  BlockStreamOptions o = options;
  o.block_bytes = block;
  o.max_record_bytes = max_record;
  Pool pool(st.slots, st.slot_bytes);
  Cutter cutter(source, rule, o, pool, result);
  auto parse_filter = tbb::make_filter<Slot*, Slot*>(tbb::filter_mode::parallel, [&](Slot* s) {
    parse(s->block);
    return s;
  });
  auto commit_filter = tbb::make_filter<Slot*, void>(tbb::filter_mode::serial_in_order, [&](Slot* s) {
    commit(s->block);
    pool.release(s);
  });
  if (options.reader_thread == 0) {
    // Reading in the pipeline's serial stage, on whichever worker is free.
    tbb::parallel_pipeline(st.slots,
                           tbb::make_filter<void, Slot*>(tbb::filter_mode::serial_in_order,
                                                         [&](tbb::flow_control& fc) {
                                                           Slot* s = cutter.next();
                                                           if (s == nullptr) fc.stop();
                                                           return s;
                                                         }) &
                               parse_filter & commit_filter);
  } else {
    // Reading on a thread of its own, the parse on reader_thread fewer workers: blocks in stream
    // order into `ready`, then a null for the end. The reader's exception ends the stream and is
    // thrown again here; a parse's stops the reader.
    tbb::concurrent_bounded_queue<Slot*> ready;
    std::exception_ptr read_error;
    std::thread reader([&] {
      try {
        while (Slot* s = cutter.next()) ready.push(s);
      } catch (...) {
        read_error = std::current_exception();
      }
      ready.push(nullptr);
    });
    try {
      tbb::task_arena arena(static_cast<int>(std::max<std::size_t>(options.parse_threads, 1)));
      arena.execute([&] {
        tbb::parallel_pipeline(st.slots,
                               tbb::make_filter<void, Slot*>(tbb::filter_mode::serial_in_order,
                                                             [&](tbb::flow_control& fc) {
                                                               Slot* s = nullptr;
                                                               ready.pop(s);
                                                               if (s == nullptr) fc.stop();
                                                               return s;
                                                             }) &
                                   parse_filter & commit_filter);
      });
    } catch (...) {
      pool.cancel();
      for (Slot* s = nullptr;;) {
        ready.pop(s);
        if (s == nullptr) break;
      }
      reader.join();
      throw;
    }
    reader.join();
    if (read_error) std::rethrow_exception(read_error);
  }
  st.blocks = cutter.blocks();
  st.bytes = cutter.bytes_read();
  st.peak_bytes = fixed + pool.allocated() * st.slot_bytes;
  st.peak_slots_in_use = pool.peak_in_use();
  return result;
}

}  // namespace rareconn::scanner
