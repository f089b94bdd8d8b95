// Cuts a streamed input (ByteSource) into blocks of whole records held in a bounded pool, and runs
// the caller's parsing on them in parallel while the next block is read and decompressed.
//
//   serial, in order          parallel                 serial, in order
//   [read + cut + carry] ---> [parse(block)] ---------> [commit(block), slot back to the pool]
//   one thread at a time:     any number of blocks     stream order: merge results, locate
//   decompresses into a       at once (up to the       errors
//   free slot, asks the       pool's slots)
//   RecordBoundary where
//   records start; the bytes after the last start are copied to the front of the next slot
//   (the carry), so every block starts and ends at a record boundary.
//
// With BlockStreamOptions::reader_thread the first stage runs on a thread of its own instead (a
// stream whose decoding is about half the work), and the parse on parse_threads workers.
//
// Memory is fixed by BlockStreamOptions::memory_bytes, whatever the input's size: the source's
// buffers and window, plus `slots` buffers of max(max_record, block) + block bytes, one per
// pipeline token. A record longer than max_record_bytes is not carried: it is skipped, and reported
// with its stream offset in the next block. Must not know formats or hunts (the rule and the two
// callbacks do), and never holds more than the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/record_boundary.hpp"
#include "scanner/source.hpp"

namespace rareconn::scanner {

struct BlockStreamOptions {
  std::size_t block_bytes = std::size_t{1} << 20;         // fresh bytes read into each block (1 MiB:
                                                          // still in cache when the rule scans it)
  std::size_t max_record_bytes = std::size_t{16} << 20;   // longer records are skipped
  std::uint64_t memory_bytes = std::uint64_t{128} << 20;  // the pool and the source together
  // 1: read (decompress and cut) on a thread of its own and parse on `parse_threads` workers (a
  // source whose decoding is about half the work); 0: read in the pipeline's serial stage.
  int reader_thread = 0;
  std::size_t parse_threads = 1;
};

// A record longer than max_record_bytes, left out of every block.
struct SkippedRecord {
  std::uint64_t offset;  // its first byte in the stream
  std::uint64_t bytes;   // its length (to the next record start, or to the end of the stream)
};

struct Block {
  std::uint64_t index = 0;   // 0, 1, 2, ... in stream order
  std::uint64_t offset = 0;  // stream offset of data[0] (decompressed bytes before it)
  std::string_view data;     // whole records: from a record start to a record start or the end
  std::vector<SkippedRecord> skipped;  // records dropped between the previous block and this one
};

struct BlockStreamStats {
  std::uint64_t blocks = 0;        // delivered
  std::uint64_t bytes = 0;         // stream bytes read (delivered, carried or skipped)
  std::size_t slots = 0;           // the pool's size: blocks alive at once, at most
  std::uint64_t slot_bytes = 0;    // one slot's buffer
  std::uint64_t peak_bytes = 0;    // most memory held at once: source + allocated slots
  std::size_t peak_slots_in_use = 0;
};

struct BlockStreamResult {
  bool ok = true;
  std::string error;           // !ok: why reading stopped (a decode or read error, or a budget too small)
  std::uint64_t error_offset = 0;  // !ok: stream bytes read before the failure
  BlockStreamStats stats;
};

// `parse` runs on any thread, several blocks at once; `commit` runs once per block after its
// parse, one at a time, in stream order. Block data is valid until `commit` returns. Blocks before
// a failure are all delivered; the bytes of a record cut by the failure are not. An exception
// thrown by a callback cancels the stream and propagates.
BlockStreamResult run_block_stream(ByteSource& source, RecordBoundary& rule, const BlockStreamOptions& options,
                                   const std::function<void(const Block&)>& parse,
                                   const std::function<void(const Block&)>& commit);

}  // namespace rareconn::scanner
