// The one error value of a scan: what went wrong, in which input file, and where (byte offset;
// for EVTX also the chunk and record id). Workers collect these; the driver turns them into the
// summary's malformed-record list or, for a read failure, into an input error (exit 3).
// Plain data: no formatting of messages beyond `reason`, no I/O.
#pragma once

#include <cstdint>
#include <string>

namespace rareconn::scanner {

enum class ErrorKind : std::uint8_t {
  kMalformedRecord,  // a record skipped (bad quoting, bad JSON, bad time, cut-off event, ...)
  kDamagedEvtx,      // an EVTX chunk or record skipped (bad checksum, bad structure)
  kReadFailure,      // the file could not be read on: the run's result would be wrong (exit 3)
};

inline constexpr std::uint64_t kNoEvtxPosition = ~std::uint64_t{0};

struct ScanError {
  ErrorKind kind = ErrorKind::kMalformedRecord;
  std::uint32_t file = 0;          // index into the run's input files
  std::uint64_t offset = 0;        // byte offset in the (decompressed) file
  std::uint64_t evtx_chunk = kNoEvtxPosition;
  std::uint64_t evtx_record = kNoEvtxPosition;
  std::string reason;
  bool operator<(const ScanError& o) const { return file != o.file ? file < o.file : offset < o.offset; }
};

}  // namespace rareconn::scanner
