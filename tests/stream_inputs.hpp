// Test inputs for the streamed sources: gzip members written by hand (every header flag), many
// members, zstd frames (one, many, skippable), and a writer thread feeding a pipe. Test-only:
// must not be used by the product.
#pragma once

#include <libdeflate.h>
#include <unistd.h>
#include <csignal>
#include <zstd.h>

#include <cstdint>
#include <string>
#include <thread>

namespace rareconn::testing {

// One gzip member; `flags` of the header: 2 FHCRC, 4 FEXTRA, 8 FNAME, 16 FCOMMENT.
inline std::string gzip_member(const std::string& in, int flags = 0, int level = 6) {
  std::string out = {'\x1f', '\x8b', 8, static_cast<char>(flags), 0, 0, 0, 0, 0, 3};
  if (flags & 4) out += std::string("\x06\x00" "AB\x02\x00xy", 8);
  if (flags & 8) out += std::string("name.csv\0", 9);
  if (flags & 16) out += std::string("a comment\0", 10);
  if (flags & 2) {
    const std::uint32_t crc = libdeflate_crc32(0, out.data(), out.size());
    out += static_cast<char>(crc & 0xff);
    out += static_cast<char>((crc >> 8) & 0xff);
  }
  libdeflate_compressor* c = libdeflate_alloc_compressor(level);
  std::string body(libdeflate_deflate_compress_bound(c, in.size()), '\0');
  body.resize(libdeflate_deflate_compress(c, in.data(), in.size(), body.data(), body.size()));
  libdeflate_free_compressor(c);
  out += body;
  const std::uint32_t crc = libdeflate_crc32(0, in.data(), in.size()), size = static_cast<std::uint32_t>(in.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>((crc >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((size >> (8 * i)) & 0xff);
  return out;
}

// Members of `piece` input bytes each (bgzip-like, or rotated files concatenated), header flags
// cycling through every combination.
inline std::string gzip_members(const std::string& in, std::size_t piece) {
  std::string out;
  int flags = 0;
  for (std::size_t at = 0; at < in.size(); at += piece, flags = (flags + 2) % 32) out += gzip_member(in.substr(at, piece), flags);
  return out;
}

// BGZF, as bgzip writes it: members of at most 64 KiB input, each with the "BC" extra field giving
// its size, then the empty end-of-file member.
inline std::string bgzf_members(const std::string& in, std::size_t piece = 65280) {
  std::string out;
  for (std::size_t at = 0;; at += piece) {
    const std::string part = at < in.size() ? in.substr(at, piece) : std::string();
    std::string m = gzip_member(part, 0, 6);
    std::string body = m.substr(10);  // deflate data and trailer
    const std::size_t size = 10 + 8 + body.size();
    std::string head = {'\x1f', '\x8b', 8, 4, 0, 0, 0, 0, 0, '\xff', 6, 0, 'B', 'C', 2, 0};
    head += static_cast<char>((size - 1) & 0xff);
    head += static_cast<char>(((size - 1) >> 8) & 0xff);
    out += head + body;
    if (at >= in.size()) break;
  }
  return out;
}

inline std::string zstd_frame(const std::string& in, int level = 3) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level));
  return out;
}

// Frames of `piece` bytes each, with a skippable frame (as pzstd writes) before every other one.
inline std::string zstd_frames(const std::string& in, std::size_t piece) {
  std::string out;
  for (std::size_t at = 0, k = 0; at < in.size(); at += piece, ++k) {
    if (k % 2 == 0) out += std::string("\x50\x2a\x4d\x18\x04\x00\x00\x00" "skip", 12);
    out += zstd_frame(in.substr(at, piece));
  }
  return out;
}

// A pipe whose write end a thread fills with `bytes` and closes; read_fd() is the read end.
class PipeWriter {
 public:
  explicit PipeWriter(std::string bytes) : bytes_(std::move(bytes)) {
    signal(SIGPIPE, SIG_IGN);  // a reader that stops early closes its end: the writer just ends
    if (pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
    thread_ = std::thread([this] {
      for (std::size_t at = 0; at < bytes_.size();) {
        const ssize_t n = write(fds_[1], bytes_.data() + at, std::min<std::size_t>(bytes_.size() - at, 4099));
        if (n <= 0) break;
        at += static_cast<std::size_t>(n);
      }
      close(fds_[1]);
    });
  }
  ~PipeWriter() {
    thread_.join();
  }
  int read_fd() const { return fds_[0]; }

 private:
  std::string bytes_;
  int fds_[2];
  std::thread thread_;
};

}  // namespace rareconn::testing
