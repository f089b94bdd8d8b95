// bench_inflate: which gzip inflater to use (issue 7 item 2). Inflates one .gz file held in memory
// with zlib, ISA-L and libdeflate, checks that all three produce the same bytes (count and XXH3-64),
// and prints the CPU time each takes (the primary figure on a shared machine: wall time is noisy).
//
//   bench_inflate FILE.gz [--runs N]      (N timed runs per decoder, default 5)
//
// Every gzip member is inflated, one after another (concatenated members, pigz, BGZF), to a
// reusable output buffer, streaming where the API streams, as the scanner would:
//  * zlib: inflate() with windowBits 15+16 (gzip), into a fixed 1 MiB buffer, inflateReset() for
//    each next member;
//  * ISA-L: isal_inflate() with crc_flag ISAL_GZIP (header parsed, CRC-32 and ISIZE checked), into a
//    fixed 1 MiB buffer, isal_inflate_reset() for each next member;
//  * libdeflate: libdeflate_gzip_decompress_ex() member by member into one buffer large enough for
//    the member (no streaming API: grown on LIBDEFLATE_INSUFFICIENT_SPACE and kept across runs, so
//    a single-member file needs a buffer of its whole decompressed size; the first size is the
//    last member's ISIZE).
// Run 0 of each decoder is a check run, not timed: it hashes the output (XXH3-64) and sizes
// libdeflate's buffer. The timed runs inflate only (no hashing), interleaved across decoders
// (zlib, ISA-L, libdeflate, zlib, ...) so that a change in the machine's load falls on all three.
// CPU time is CLOCK_PROCESS_CPUTIME_ID (user + system, one thread); MB = 10^6 bytes.
// Exit status: 0 when all three agree, 1 when they disagree or one fails, 2 on bad usage.
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <xxhash.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kStreamOut = std::size_t{1} << 20;  // the streaming decoders' output buffer
constexpr std::size_t kMaxCall = std::numeric_limits<std::uint32_t>::max();  // zlib and ISA-L count in 32 bits

struct Output {
  std::uint64_t bytes = 0;
  std::uint64_t members = 0;
  std::uint64_t hash = 0;
  bool ok = false;
  std::string error;
};

// Collects what a decoder made: always the byte count, the hash only on the check run.
class Sink {
 public:
  explicit Sink(bool hash) : hash_(hash) {
    if (hash_) XXH3_64bits_reset(state_.get());
  }
  void put(const unsigned char* p, std::size_t n) {
    bytes_ += n;
    if (hash_ && n > 0) XXH3_64bits_update(state_.get(), p, n);
  }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t digest() const { return hash_ ? XXH3_64bits_digest(state_.get()) : 0; }

 private:
  bool hash_;
  std::uint64_t bytes_ = 0;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state_{XXH3_createState(), &XXH3_freeState};
};

bool gzip_magic_at(const std::vector<unsigned char>& in, std::size_t at) {
  return at + 2 <= in.size() && in[at] == 0x1f && in[at + 1] == 0x8b;
}

Output finish(Sink& sink, std::uint64_t members, const char* error) {
  Output o;
  o.bytes = sink.bytes();
  o.members = members;
  o.hash = sink.digest();
  o.ok = error == nullptr;
  if (error) o.error = error;
  return o;
}

// zlib, streaming.
class ZlibDecoder {
 public:
  ZlibDecoder() : out_(kStreamOut) {
    if (inflateInit2(&z_, 15 + 16) != Z_OK) std::abort();
  }
  ~ZlibDecoder() { inflateEnd(&z_); }
  ZlibDecoder(const ZlibDecoder&) = delete;
  ZlibDecoder& operator=(const ZlibDecoder&) = delete;

  Output run(const std::vector<unsigned char>& in, bool hash) {
    Sink sink(hash);
    std::uint64_t members = 0;
    std::size_t at = 0;
    while (at < in.size()) {
      if (!gzip_magic_at(in, at)) return finish(sink, members, "data after the last member is not a gzip member");
      if (inflateReset(&z_) != Z_OK) return finish(sink, members, "inflateReset failed");
      for (;;) {
        z_.next_in = const_cast<Bytef*>(in.data() + at);
        z_.avail_in = static_cast<uInt>(std::min(in.size() - at, kMaxCall));
        const uInt avail_in = z_.avail_in;
        z_.next_out = out_.data();
        z_.avail_out = static_cast<uInt>(out_.size());
        const int r = inflate(&z_, Z_NO_FLUSH);
        at += avail_in - z_.avail_in;
        sink.put(out_.data(), out_.size() - z_.avail_out);
        if (r == Z_STREAM_END) break;
        if (r != Z_OK) return finish(sink, members, r == Z_BUF_ERROR ? "truncated member" : "corrupt data (zlib)");
      }
      ++members;
    }
    return finish(sink, members, nullptr);
  }

 private:
  z_stream z_{};
  std::vector<unsigned char> out_;
};

// ISA-L igzip, streaming.
class IsalDecoder {
 public:
  IsalDecoder() : out_(kStreamOut) {}

  Output run(const std::vector<unsigned char>& in, bool hash) {
    Sink sink(hash);
    std::uint64_t members = 0;
    std::size_t at = 0;
    while (at < in.size()) {
      if (!gzip_magic_at(in, at)) return finish(sink, members, "data after the last member is not a gzip member");
      isal_inflate_reset(&s_);  // also right for the first member: s_ is zeroed
      s_.crc_flag = ISAL_GZIP;
      for (;;) {
        s_.next_in = const_cast<std::uint8_t*>(in.data() + at);
        s_.avail_in = static_cast<std::uint32_t>(std::min(in.size() - at, kMaxCall));
        const std::uint32_t avail_in = s_.avail_in;
        s_.next_out = out_.data();
        s_.avail_out = static_cast<std::uint32_t>(out_.size());
        const int r = isal_inflate(&s_);
        at += avail_in - s_.avail_in;
        const std::size_t made = out_.size() - s_.avail_out;
        sink.put(out_.data(), made);
        if (r != ISAL_DECOMP_OK) return finish(sink, members, "corrupt data (isal_inflate)");
        if (s_.block_state == ISAL_BLOCK_FINISH) break;
        if (made == 0 && avail_in == s_.avail_in) return finish(sink, members, "truncated member (no progress)");
      }
      ++members;
    }
    return finish(sink, members, nullptr);
  }

 private:
  inflate_state s_{};
  std::vector<unsigned char> out_;
};

// libdeflate, one member per call.
class LibdeflateDecoder {
 public:
  // Sized first from the last member's ISIZE (the whole output of a one-member file; BGZF ends with
  // an empty member), at least 1 MiB.
  explicit LibdeflateDecoder(const std::vector<unsigned char>& in)
      : d_(libdeflate_alloc_decompressor(), &libdeflate_free_decompressor), out_(std::max(kStreamOut, last_isize(in))) {}

  Output run(const std::vector<unsigned char>& in, bool hash) {
    Sink sink(hash);
    std::uint64_t members = 0;
    std::size_t at = 0;
    while (at < in.size()) {
      if (!gzip_magic_at(in, at)) return finish(sink, members, "data after the last member is not a gzip member");
      std::size_t used = 0, made = 0;
      const libdeflate_result r =
          libdeflate_gzip_decompress_ex(d_.get(), in.data() + at, in.size() - at, out_.data(), out_.size(), &used, &made);
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
        out_.resize(out_.size() * 2);  // and inflate the member again
        ++regrows_;
        continue;
      }
      if (r != LIBDEFLATE_SUCCESS) return finish(sink, members, "corrupt data (libdeflate)");
      sink.put(out_.data(), made);
      at += used;
      ++members;
    }
    return finish(sink, members, nullptr);
  }
  std::size_t buffer_bytes() const { return out_.size(); }
  static std::size_t last_isize(const std::vector<unsigned char>& in) {
    if (in.size() < 18) return 0;
    const unsigned char* p = in.data() + in.size() - 4;
    return std::size_t{p[0]} | std::size_t{p[1]} << 8 | std::size_t{p[2]} << 16 | std::size_t{p[3]} << 24;
  }
  std::uint64_t regrows() const { return regrows_; }

 private:
  std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> d_;
  std::vector<unsigned char> out_;  // value-initialised: its pages are touched once, before the timed runs
  std::uint64_t regrows_ = 0;
};

double now(clockid_t c) {
  timespec t{};
  clock_gettime(c, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool read_file(const char* path, std::vector<unsigned char>& out) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  if (size < 0) {
    std::fclose(f);
    return false;
  }
  out.resize(static_cast<std::size_t>(size));
  const bool ok = std::fread(out.data(), 1, out.size(), f) == out.size();
  std::fclose(f);
  return ok;
}

int usage() {
  std::fprintf(stderr, "usage: bench_inflate FILE.gz [--runs N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = nullptr;
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
      if (runs < 1) return usage();
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return usage();
    } else if (!path) {
      path = argv[i];
    } else {
      return usage();
    }
  }
  if (!path) return usage();
  std::vector<unsigned char> in;
  if (!read_file(path, in)) {
    std::fprintf(stderr, "bench_inflate: cannot read %s: %s\n", path, std::strerror(errno));
    return 1;
  }

  ZlibDecoder zlib;
  IsalDecoder isal;
  LibdeflateDecoder deflate(in);
  const char* names[3] = {"zlib", "isa-l", "libdeflate"};
  auto run = [&](int k, bool hash) {
    switch (k) {
      case 0: return zlib.run(in, hash);
      case 1: return isal.run(in, hash);
      default: return deflate.run(in, hash);
    }
  };

  // The check run: every decoder must make the same bytes.
  Output check[3];
  bool agree = true;
  for (int k = 0; k < 3; ++k) {
    check[k] = run(k, true);
    if (!check[k].ok) {
      std::fprintf(stderr, "bench_inflate: %s failed after %" PRIu64 " members, %" PRIu64 " bytes: %s\n", names[k],
                   check[k].members, check[k].bytes, check[k].error.c_str());
      agree = false;
    }
  }
  for (int k = 1; k < 3 && agree; ++k) {
    if (check[k].bytes != check[0].bytes || check[k].hash != check[0].hash || check[k].members != check[0].members) {
      std::fprintf(stderr,
                   "bench_inflate: %s disagrees with zlib: %" PRIu64 " vs %" PRIu64 " bytes, %" PRIu64 " vs %" PRIu64
                   " members, xxh3 %016" PRIx64 " vs %016" PRIx64 "\n",
                   names[k], check[k].bytes, check[0].bytes, check[k].members, check[0].members, check[k].hash,
                   check[0].hash);
      agree = false;
    }
  }
  if (!agree) return 1;

  std::vector<double> cpu[3], wall[3];
  for (int r = 0; r < runs; ++r) {
    for (int k = 0; k < 3; ++k) {
      const double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
      const Output o = run(k, false);
      const double c1 = now(CLOCK_PROCESS_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
      if (!o.ok || o.bytes != check[0].bytes) {
        std::fprintf(stderr, "bench_inflate: %s made %" PRIu64 " bytes in run %d\n", names[k], o.bytes, r + 1);
        return 1;
      }
      cpu[k].push_back(c1 - c0);
      wall[k].push_back(w1 - w0);
    }
  }

  const double in_mb = static_cast<double>(in.size()) / 1e6, out_mb = static_cast<double>(check[0].bytes) / 1e6;
  std::printf("file %s: %zu bytes compressed, %" PRIu64 " bytes decompressed, %" PRIu64 " gzip members, xxh3 %016" PRIx64
              " (all three agree)\n",
              path, in.size(), check[0].bytes, check[0].members, check[0].hash);
  std::printf("libdeflate output buffer: %.1f MiB (grown %" PRIu64 " times in the check run)\n",
              static_cast<double>(deflate.buffer_bytes()) / (1 << 20), deflate.regrows());
  std::printf("runs %d; CPU s = user + system (CLOCK_PROCESS_CPUTIME_ID); MB/s are per CPU second of the median run\n",
              runs);
  std::printf("%-10s %12s %10s %10s %12s %15s %14s\n", "decoder", "cpu_s_median", "cpu_s_min", "cpu_s_max",
              "wall_s_median", "out_MB_per_cpu_s", "in_MB_per_cpu_s");
  for (int k = 0; k < 3; ++k) {
    const double c = median(cpu[k]);
    std::printf("%-10s %12.3f %10.3f %10.3f %12.3f %15.1f %14.1f\n", names[k], c,
                *std::min_element(cpu[k].begin(), cpu[k].end()), *std::max_element(cpu[k].begin(), cpu[k].end()),
                median(wall[k]), out_mb / c, in_mb / c);
  }
  return 0;
}
