// Native EVTX (Windows XML Event Log) reader: file header, 64 KiB chunks, records and their BinXML, decoded to System fields and EventData.
// Must not know about hunts, windows or threads: decode_chunk is reentrant (one decoder per thread, no globals, no shared mutable state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace rareconn::parsers {

inline constexpr std::size_t kEvtxFileHeaderSize = 4096;
inline constexpr std::size_t kEvtxChunkSize = 65536;
// The file offset of the chunk holding the byte at `offset` (>= kEvtxFileHeaderSize).
inline constexpr std::uint64_t evtx_chunk_start(std::uint64_t offset) {
  return kEvtxFileHeaderSize + (offset - kEvtxFileHeaderSize) / kEvtxChunkSize * kEvtxChunkSize;
}

bool is_evtx(std::string_view data);  // "ElfFile\0" signature

struct EvtxFileHeader {
  std::uint64_t chunk_count_in_header = 0;
  std::uint16_t major = 0, minor = 0;
  std::uint32_t flags = 0;
  bool dirty = false;        // flags bit 0
  bool checksum_ok = false;  // CRC32 of the first 120 bytes
};
// Parses the 4 KiB file header. Returns false (with a reason) if the data is too short or the signature is wrong.
bool evtx_read_header(std::string_view data, EvtxFileHeader& h, std::string& reason);

// Number of 64 KiB chunk slots physically present after the header, counting a partial last slot
// (the header's count is not trusted: files can be truncated or dirty).
std::size_t evtx_chunk_slots(std::string_view data);

// What the header of the chunk at `chunk_offset` says it holds: its first and last event record id,
// when it has the chunk signature and a plausible range (a chunk holds at most 65536 / 28 records).
// Unverified (for messages about a chunk whose checksums failed). Returns false otherwise.
bool evtx_chunk_record_ids(std::string_view data, std::uint64_t chunk_offset, std::uint64_t& first, std::uint64_t& last);

// Kusto ticks -> ISO 8601 with 7 fraction digits, e.g. "2019-02-16T10:01:46.8840384Z".
std::string evtx_format_ticks(std::int64_t ticks);

struct EvtxEvent {
  std::uint64_t record_id = 0;
  std::uint64_t offset = 0;         // byte offset of the record in the file
  std::uint32_t length = 0;
  std::int64_t time_ticks = 0;      // System/TimeCreated/@SystemTime as Kusto ticks: 100 ns since 0001-01-01 UTC
  bool has_time = false;
  std::string_view provider;        // System/Provider/@Name
  std::int32_t event_id = -1;       // System/EventID (qualifiers ignored)
  std::int32_t level = -1;          // System/Level
  std::string_view computer;        // System/Computer
  std::string_view channel;         // System/Channel
  std::string_view user_sid;        // System/Security/@UserID rendered as S-1-5-18, or empty
  std::uint32_t version = 0;        // System/Version
  // EventData/Data elements in document order: Name attribute -> value text (a Data without Name has an
  // empty name; a NULL/empty substitution gives an empty value). With EvtxChunkOptions::fields set, only
  // the requested names are listed.
  std::vector<std::pair<std::string_view, std::string_view>> data;
};

struct EvtxChunkOptions {
  // When non-empty, decode EventData values only for these names; other Data elements are left out of EvtxEvent::data.
  std::vector<std::string> fields;
  // When >= 0, records with another EventID are not delivered (counted in EvtxDecodeStats::records_filtered);
  // their EventData is never decoded.
  std::int32_t only_event_id = -1;
  bool verify_checksums = true;  // chunk header and record data CRC32
};

struct EvtxDecodeStats {
  std::uint64_t chunks = 0;            // chunk slots decoded (signature found, checksums good)
  std::uint64_t records = 0;           // records delivered to on_event
  std::uint64_t records_filtered = 0;  // good records skipped by only_event_id
  std::uint64_t record_errors = 0;     // damaged records reported
  std::uint64_t chunk_errors = 0;      // damaged chunks reported
};

// What kind of damage an error callback reports (so callers decide on the kind, never on the text).
enum class EvtxDamage : std::uint8_t {
  kTruncatedChunk,     // the file ends inside this chunk slot
  kBadChunkSignature,  // no "ElfChnk\0" where a chunk should start (preallocated or overwritten space)
  kEmptyChunk,         // a whole chunk slot of zeros (preallocated space, or a chunk wiped): told only to
                       // callers that take the kind, as only the file header's chunk count can say which
  kChunkHeader,        // header CRC32 mismatch or impossible header fields
  kChunkData,          // data CRC32 mismatch
  kRecord,             // one record: bad magic, size mismatch, undecodable BinXML
};

namespace evtx_detail {
using EventFn = void (*)(void* ctx, const EvtxEvent& event);
using ErrorFn = void (*)(void* ctx, std::uint64_t offset, std::uint64_t record_id, const char* reason, EvtxDamage kind);
struct DecoderImpl;
}  // namespace evtx_detail

// Decodes every record of chunk slot `index`. Views in EvtxEvent are valid only during the callback.
// on_event(const EvtxEvent&) for each good record; on_error(std::uint64_t offset, std::uint64_t record_id,
// const char* reason) for a damaged chunk (bad "ElfChnk\0" signature, header or data CRC32 mismatch, truncated
// slot: reported once with record_id 0, chunk skipped; an all-zero slot is skipped, told only to an on_error
// that takes the EvtxDamage kind, as kEmptyChunk) or a damaged record (bad 0x00002a2a magic, size mismatch, BinXML that cannot be decoded: reported
// with the record's offset, that record skipped, decoding continues with the next). `reason` is a string literal.
// on_error may also take a fourth argument, the EvtxDamage kind.
class EvtxChunkDecoder {  // one per thread; owns scratch buffers (UTF-8 text, template cache per chunk)
 public:
  explicit EvtxChunkDecoder(EvtxChunkOptions options = {});
  ~EvtxChunkDecoder();
  EvtxChunkDecoder(EvtxChunkDecoder&&) noexcept;
  EvtxChunkDecoder& operator=(EvtxChunkDecoder&&) noexcept;
  EvtxChunkDecoder(const EvtxChunkDecoder&) = delete;
  EvtxChunkDecoder& operator=(const EvtxChunkDecoder&) = delete;

  template <class OnEvent, class OnError>
  void decode_chunk(std::string_view file, std::size_t index, OnEvent&& on_event, OnError&& on_error) {
    using Ev = std::remove_reference_t<OnEvent>;
    using Er = std::remove_reference_t<OnError>;
    decode_chunk_erased(
        file, index, const_cast<void*>(static_cast<const void*>(&on_event)),
        [](void* c, const EvtxEvent& e) { (*static_cast<Ev*>(c))(e); },
        const_cast<void*>(static_cast<const void*>(&on_error)),
        [](void* c, std::uint64_t off, std::uint64_t rid, const char* why, EvtxDamage kind) {
          if constexpr (std::is_invocable_v<Er&, std::uint64_t, std::uint64_t, const char*, EvtxDamage>) {
            (*static_cast<Er*>(c))(off, rid, why, kind);
          } else {
            if (kind != EvtxDamage::kEmptyChunk) (*static_cast<Er*>(c))(off, rid, why);
          }
        });
  }

  const EvtxDecodeStats& stats() const;
  const EvtxChunkOptions& options() const;

 private:
  void decode_chunk_erased(std::string_view file, std::size_t index, void* ev_ctx, evtx_detail::EventFn ev,
                           void* er_ctx, evtx_detail::ErrorFn er);
  std::unique_ptr<evtx_detail::DecoderImpl> impl_;
};

}  // namespace rareconn::parsers
