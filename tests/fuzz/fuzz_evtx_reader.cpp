// libFuzzer target: any bytes as an EVTX file (header, every chunk slot, BinXML) must never crash.
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/evtx_reader.hpp"

using namespace rareconn::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view d(reinterpret_cast<const char*>(data), size);
  EvtxFileHeader h;
  std::string reason;
  evtx_read_header(d, h, reason);
  for (bool verify : {true, false}) {
    EvtxChunkOptions o;
    o.verify_checksums = verify;
    EvtxChunkDecoder dec(o);
    for (std::size_t k = 0; k < evtx_chunk_slots(d); ++k) {
      dec.decode_chunk(d, k, [](const EvtxEvent&) {}, [](std::uint64_t, std::uint64_t, const char*) {});
    }
  }
  return 0;
}
