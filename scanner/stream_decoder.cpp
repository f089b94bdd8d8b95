// The raw reader (read(2) into one bounded buffer, or a mapped file), the three serial decoders,
// and the units decoded ahead in parallel, behind StreamSource. Every loop either makes progress or
// ends with an error: damaged input never spins or grows.
#include "scanner/stream_decoder.hpp"

#include "scanner/mapped_file.hpp"

#include <tbb/task_group.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <poll.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <limits>
#include <vector>

namespace rareconn::scanner {

namespace {

constexpr std::size_t kSniffBytes = 4;  // the longest magic (zstd)
constexpr std::size_t kMaxCall = std::numeric_limits<std::uint32_t>::max();  // ISA-L counts in 32 bits

// read(2) into one buffer of fixed size; the unconsumed bytes are [begin_, end_).
// In memory mode (a mapped file decoded whole) the buffer is the caller's bytes, all read at once.
class RawInput {
 public:
  RawInput(int fd, bool owns, std::size_t capacity)
      : fd_(fd),
        owns_(owns),
        size_(std::max<std::size_t>(capacity, kSniffBytes)),
        buf_(std::make_unique_for_overwrite<unsigned char[]>(size_)),  // not zeroed: untouched pages cost nothing
        base_(buf_.get()),
        cap_(size_) {}
  explicit RawInput(std::string_view memory)
      : fd_(-1), owns_(false), base_(reinterpret_cast<const unsigned char*>(memory.data())), cap_(memory.size()),
        end_(memory.size()), eof_(true) {}
  ~RawInput() {
    if (owns_) ::close(fd_);
  }
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

  const unsigned char* data() const { return base_ + begin_; }
  std::size_t size() const { return end_ - begin_; }
  bool eof() const { return eof_; }
  bool in_memory() const { return fd_ < 0; }  // data() stays valid after consume()
  std::uint64_t offset() const { return offset_; }  // raw offset of data()
  std::size_t capacity() const { return cap_; }
  std::size_t owned_bytes() const { return size_; }
  void consume(std::size_t n) {
    begin_ += n;
    offset_ += n;
  }

  // One read(2) after the unconsumed bytes (moved to the front first). false on a read error.
  bool fill(std::string& error) {
    if (in_memory()) return true;
    if (begin_ > 0 && (begin_ == end_ || end_ == size_)) {  // moved only when out of room
      std::memmove(buf_.get(), buf_.get() + begin_, size());
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == size_ || eof_) return true;
    const long n = read_some(reinterpret_cast<char*>(buf_.get() + end_), size_ - end_, error);
    if (n < 0) return false;
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
    return true;
  }
  // Fills until at least `n` bytes are buffered or the input ends.
  bool fill_to(std::size_t n, std::string& error) {
    while (size() < n && !eof_) {
      if (!fill(error)) return false;
    }
    return true;
  }
  // Bypasses the buffer (plain inputs, once it is drained): read(2) straight into `out`.
  long read_direct(char* out, std::size_t cap, std::string& error) {
    if (in_memory()) return 0;
    const long n = read_some(out, cap, error);
    if (n == 0) eof_ = true;
    if (n > 0) offset_ += static_cast<std::uint64_t>(n);
    return n;
  }

 private:
  long read_some(char* out, std::size_t cap, std::string& error) {
    for (;;) {
      const ssize_t n = ::read(fd_, out, cap);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {  // a non-blocking descriptor (inherited stdin)
        pollfd p{fd_, POLLIN, 0};
        poll(&p, 1, -1);
        continue;
      }
      error = std::string("read error: ") + std::strerror(errno);
      return -1;
    }
  }

  int fd_;
  bool owns_;
  std::size_t size_ = 0;                  // of buf_ (0 in memory mode)
  std::unique_ptr<unsigned char[]> buf_;
  const unsigned char* base_;
  std::size_t cap_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
};

// One serial decoder per compression: decode() fills out[0, cap) as far as the input allows and
// stops at the end of a unit (a gzip member, a zstd frame), so the caller may hand the next units
// to the parallel decoders; got == 0 only at the end of the stream.
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual bool decode(char* out, std::size_t cap, std::size_t& got, std::string& error) = 0;
  virtual bool at_boundary() const = 0;  // between two units (or before the first)
  virtual std::uint64_t memory_bytes() const = 0;
};

class PlainDecoder final : public Decoder {
 public:
  explicit PlainDecoder(RawInput& in) : in_(in) {}
  bool decode(char* out, std::size_t cap, std::size_t& got, std::string& error) override {
    got = 0;
    if (in_.size() > 0) {  // the sniffed bytes first
      got = std::min(cap, in_.size());
      std::memcpy(out, in_.data(), got);
      in_.consume(got);
    }
    while (got < cap && !in_.eof()) {
      const long n = in_.read_direct(out + got, cap - got, error);
      if (n < 0) return false;
      got += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool at_boundary() const override { return false; }
  std::uint64_t memory_bytes() const override { return in_.owned_bytes(); }

 private:
  RawInput& in_;
};

const char* isal_error_name(int r) {
  switch (r) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM: return "checksum mismatch";
    default: return "decoder error";
  }
}

// gzip: one member after another (a new header right after each trailer), then optionally NUL
// padding to the end (as tar and some writers leave). Anything else after a member is an error.
class GzipDecoder final : public Decoder {
 public:
  explicit GzipDecoder(RawInput& in) : in_(in) {}
  bool decode(char* out, std::size_t cap, std::size_t& got, std::string& error) override {
    got = 0;
    while (got < cap && !done_) {
      if (!in_member_) {
        if (got > 0) return true;  // a member ended: the caller looks at what follows
        if (!between_members(error)) return false;
        continue;
      }
      if (in_.size() == 0) {
        if (in_.eof()) return fail(error, "truncated gzip data: the input ends inside a member");
        if (!in_.fill(error)) return false;
        continue;
      }
      state_.next_in = const_cast<unsigned char*>(in_.data());
      state_.avail_in = static_cast<std::uint32_t>(std::min(in_.size(), kMaxCall));
      state_.next_out = reinterpret_cast<unsigned char*>(out + got);
      state_.avail_out = static_cast<std::uint32_t>(std::min(cap - got, kMaxCall));
      const std::uint32_t in_before = state_.avail_in, out_before = state_.avail_out;
      const int r = isal_inflate(&state_);
      const std::size_t used = in_before - state_.avail_in, made = out_before - state_.avail_out;
      if (r < 0) return fail(error, std::string("corrupt gzip data (") + isal_error_name(r) + ")");
      in_.consume(used);
      got += made;
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        in_member_ = false;
        if (made == 0 && got == 0) continue;  // an empty member: on to the next
      } else if (used == 0 && made == 0) {  // needs more input than is buffered
        if (in_.eof()) return fail(error, "truncated gzip data: the input ends inside a member");
        if (in_.size() == in_.capacity()) return fail(error, "corrupt gzip data (the decoder made no progress)");
        if (!in_.fill(error)) return false;
      }
    }
    return true;
  }
  bool at_boundary() const override { return !in_member_ && !done_; }
  std::uint64_t memory_bytes() const override { return in_.owned_bytes() + sizeof(inflate_state); }

 private:
  bool between_members(std::string& error) {
    if (!in_.fill_to(2, error)) return false;
    if (in_.size() == 0) {  // the end of the input after a whole member
      done_ = true;
      return true;
    }
    if (in_.size() >= 2 && in_.data()[0] == 0x1f && in_.data()[1] == 0x8b) return read_header(error);
    if (in_.size() == 1 && in_.data()[0] == 0x1f) return fail(error, "truncated gzip data: the input ends inside a member header");
    // Only NULs may follow the last member, to the end of the input.
    for (;;) {
      const unsigned char* p = in_.data();
      const std::size_t n = in_.size();
      const std::size_t nul = static_cast<std::size_t>(std::find_if(p, p + n, [](unsigned char c) { return c != 0; }) - p);
      in_.consume(nul);
      if (nul < n) return fail(error, "trailing data after the last gzip member");
      if (in_.eof()) {
        done_ = true;
        return true;
      }
      if (!in_.fill(error)) return false;
    }
  }
  // The member header (RFC 1952), read here rather than by isal_inflate, whose header CRC
  // (FHCRC) is wrong when the header arrives in pieces; then raw deflate with the trailer checked.
  bool read_header(std::string& error) {
    header_crc_ = 0;
    unsigned char h[10], c = 0;
    for (unsigned char& b : h) {
      if (!header_byte(b, error)) return false;
    }
    if (h[2] != 8) return fail(error, "unsupported gzip compression method");
    const unsigned flags = h[3];
    if (flags & 0xe0) return fail(error, "corrupt gzip data (reserved header flags set)");
    if (flags & 4) {  // FEXTRA: a length, then that many bytes
      unsigned char lo = 0, hi = 0;
      if (!header_byte(lo, error) || !header_byte(hi, error)) return false;
      for (unsigned n = lo | hi << 8; n > 0; --n) {
        if (!header_byte(c, error)) return false;
      }
    }
    for (unsigned field : {8u, 16u}) {  // FNAME, FCOMMENT: NUL-terminated
      if (!(flags & field)) continue;
      do {
        if (!header_byte(c, error)) return false;
      } while (c != 0);
    }
    if (flags & 2) {  // FHCRC: the low 16 bits of the CRC-32 of the header before it
      const std::uint32_t want = header_crc_ & 0xffff;
      unsigned char lo = 0, hi = 0;
      if (!header_byte(lo, error) || !header_byte(hi, error)) return false;
      if (static_cast<std::uint32_t>(lo | hi << 8) != want) return fail(error, "corrupt gzip data (header checksum mismatch)");
    }
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP_NO_HDR_VER;  // checks the trailer's CRC-32 and ISIZE
    in_member_ = true;
    return true;
  }
  bool header_byte(unsigned char& c, std::string& error) {
    if (!in_.fill_to(1, error)) return false;
    if (in_.size() == 0) return fail(error, "truncated gzip data: the input ends inside a member");
    c = in_.data()[0];
    in_.consume(1);
    header_crc_ = crc32_gzip_refl(header_crc_, &c, 1);
    return true;
  }
  bool fail(std::string& error, const std::string& what) {
    error = what + " at compressed byte " + std::to_string(in_.offset());
    return false;
  }

  RawInput& in_;
  inflate_state state_{};
  std::uint32_t header_crc_ = 0;
  bool in_member_ = false, done_ = false;
};

// zstd: ZSTD_decompressStream decodes one frame (and skips skippable ones); the input may only end
// at a frame's end.
class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder(RawInput& in, unsigned window_log_max) : in_(in), window_log_max_(window_log_max) {
    ZSTD_DCtx_setParameter(ctx_.get(), ZSTD_d_windowLogMax, static_cast<int>(window_log_max));
  }
  bool decode(char* out, std::size_t cap, std::size_t& got, std::string& error) override {
    got = 0;
    while (got < cap) {
      if (in_.size() == 0 && !in_.eof()) {
        if (!in_.fill(error)) return false;
        continue;
      }
      ZSTD_inBuffer src{in_.data(), in_.size(), 0};
      ZSTD_outBuffer dst{out + got, cap - got, 0};
      const std::size_t r = ZSTD_decompressStream(ctx_.get(), &dst, &src);
      if (ZSTD_isError(r)) return fail(error, r);
      in_.consume(src.pos);
      got += dst.pos;
      if (src.pos == 0 && dst.pos == 0) {  // no progress: needs input
        if (in_.eof()) {
          if (!frame_boundary_) return fail_text(error, "truncated zstd data: the input ends inside a frame");
          break;  // the end, after a whole frame
        }
        if (in_.size() == in_.capacity()) return fail_text(error, "corrupt zstd data (the decoder made no progress)");
        if (!in_.fill(error)) return false;
        continue;
      }
      frame_boundary_ = r == 0;
      if (frame_boundary_ && got > 0) break;  // a frame ended: the caller looks at what follows
    }
    return true;
  }
  bool at_boundary() const override { return frame_boundary_; }
  std::uint64_t memory_bytes() const override {
    return in_.owned_bytes() + (std::uint64_t{1} << window_log_max_) + ZSTD_BLOCKSIZE_MAX + ZSTD_sizeof_DCtx(ctx_.get());
  }
  void set_boundary() { frame_boundary_ = true; }

 private:
  bool fail(std::string& error, std::size_t code) {
    switch (ZSTD_getErrorCode(code)) {
      case ZSTD_error_frameParameter_windowTooLarge:
        return fail_text(error, "the zstd frame needs a window larger than the " +
                                    std::to_string(std::uint64_t{1} << window_log_max_) + " bytes allowed");
      case ZSTD_error_prefix_unknown:
        if (frame_boundary_) return fail_text(error, "trailing data after the last zstd frame");
        [[fallthrough]];
      default: return fail_text(error, std::string("corrupt zstd data (") + ZSTD_getErrorName(code) + ")");
    }
  }
  bool fail_text(std::string& error, const std::string& what) {
    error = what + " at compressed byte " + std::to_string(in_.offset());
    return false;
  }

  RawInput& in_;
  unsigned window_log_max_;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx_{ZSTD_createDCtx(), &ZSTD_freeDCtx};
  bool frame_boundary_ = false;  // the last call that made progress ended a frame
};

// A whole unit decoded ahead on a worker thread. Shared with its task, which may start after the
// reader has taken the unit over and decoded it itself.
struct AheadJob {
  WholeUnit unit;
  std::string owned;   // the compressed bytes, copied out of the input buffer (or empty: in memory)
  std::string_view in;
  std::uint64_t raw_offset = 0;
  std::unique_ptr<char[]> out;  // max_unit_output bytes, recycled from job to job
  std::size_t made = 0, pos = 0;  // decoded bytes, and how many of them the reader has taken
  bool ok = true;
  std::string error;
  std::atomic<int> state{0};  // 0 waiting, 1 being decoded, 2 decoded

  void run() {
    int idle = 0;
    if (!state.compare_exchange_strong(idle, 1, std::memory_order_acq_rel)) return;
    ok = decode_whole_unit(unit, in, out.get(), made, error);
    state.store(2, std::memory_order_release);
    state.notify_all();
  }
  void finish() {  // on the reader's thread: decodes it now, or waits for the worker that does
    run();
    for (int s = state.load(std::memory_order_acquire); s != 2; s = state.load(std::memory_order_acquire)) state.wait(s);
  }
};

// Reads a stream in order: the serial decoder for units that must be inflated to find their end
// (one gzip member, a zstd frame larger than the input buffer) and whole units found in the input
// buffer (zstd frames, BGZF members) decoded `ahead_units` at a time on oneTBB workers, their
// output copied out in stream order.
class FdStreamSource final : public StreamSource {
 public:
  FdStreamSource(int fd, bool owns, const StreamSourceOptions& o) : in_(fd, owns, o.input_buffer_bytes), options_(o) {}
  FdStreamSource(std::string_view memory, const StreamSourceOptions& o) : in_(memory), options_(o) {}
  // A mapped file, read in place (no copy through read(2)); the source keeps the mapping and gives
  // back the pages it has consumed as it goes.
  FdStreamSource(MappedFile map, const StreamSourceOptions& o)
      : map_(std::make_unique<MappedFile>(std::move(map))), in_(map_->bytes()), options_(o) {}
  ~FdStreamSource() noexcept override {
    tasks_.wait();  // tasks hold their jobs; none may outlive the source's members
  }

  bool start(std::string& error) {
    if (!in_.fill_to(kSniffBytes, error)) return false;
    compression_ = detect_compression(std::string_view(reinterpret_cast<const char*>(in_.data()), std::min(in_.size(), kSniffBytes)));
    switch (compression_) {
      case Compression::kGzip: decoder_ = std::make_unique<GzipDecoder>(in_); break;
      case Compression::kZstd: {
        auto z = std::make_unique<ZstdDecoder>(in_, options_.zstd_window_log_max);
        zstd_ = z.get();
        decoder_ = std::move(z);
        break;
      }
      case Compression::kNone: decoder_ = std::make_unique<PlainDecoder>(in_); break;
    }
    serial_ = all_serial();
    return true;
  }

  bool read(char* out, std::size_t cap, std::size_t& got, std::string& error) override {
    got = 0;
    if (head_pos_ < head_.size()) {
      got = std::min(cap, head_.size() - head_pos_);
      std::memcpy(out, head_.data() + head_pos_, got);
      head_pos_ += got;
      if (head_pos_ == head_.size()) std::string().swap(head_);
      if (got == cap) return true;
    }
    std::size_t more = 0;
    const bool ok = produce(out + got, cap - got, more, error);
    got += more;
    release_consumed();
    return ok;
  }

  bool peek(std::size_t n, std::string_view& head, std::string& error) override {
    while (head_.size() < n) {
      const std::size_t had = head_.size();
      head_.resize(n);
      std::size_t got = 0;
      const bool ok = produce(head_.data() + had, n - had, got, error);
      head_.resize(had + got);
      if (!ok) return false;
      if (got == 0) break;  // the stream is shorter than n
    }
    head = std::string_view(head_).substr(0, n);
    return true;
  }

  std::uint64_t memory_bytes() const override {
    std::uint64_t ahead = 0;
    if (!all_serial()) {
      const std::uint64_t job_input = in_.in_memory() ? 0 : in_.capacity();
      ahead = static_cast<std::uint64_t>(options_.ahead_units) * (job_input + options_.max_unit_output);
    }
    return decoder_->memory_bytes() + ahead;
  }
  std::uint64_t raw_offset() const override { return in_.offset(); }
  bool decodes_units_ahead() const override { return units_ahead_ > 0; }

 private:
  // Decoded bytes in stream order into out[0, cap).
  bool produce(char* out, std::size_t cap, std::size_t& got, std::string& error) {
    got = 0;
    while (got < cap) {
      if (!serial_ && !plan(error)) return false;
      if (!ahead_.empty()) {
        AheadJob& j = *ahead_.front();
        j.finish();
        if (!j.ok && j.pos == j.made) {  // the members before the damaged one were delivered
          error = j.error + " in the unit at compressed byte " + std::to_string(j.raw_offset);
          return false;
        }
        const std::size_t n = std::min(cap - got, j.made - j.pos);
        std::memcpy(out + got, j.out.get() + j.pos, n);
        got += n;
        j.pos += n;
        if (j.pos == j.made && j.ok) {  // its buffers go to the next units (no fresh pages)
          spare_out_.push_back(std::move(j.out));
          spare_in_.push_back(std::move(j.owned));
          ahead_.pop_front();
        }
        continue;
      }
      if (!serial_) break;  // the end of the stream
      std::size_t n = 0;
      if (!decoder_->decode(out + got, cap - got, n, error)) return false;
      got += n;
      if (n == 0) break;  // decoders return nothing only at the end of the stream
      if (decoder_->at_boundary()) serial_ = all_serial();
    }
    return true;
  }

  // Plain bytes, or no units decoded ahead: the serial decoder reads everything.
  bool all_serial() const { return compression_ == Compression::kNone || options_.ahead_units == 0; }

  // A mapped input's pages are given back once consumed, every 16 MiB, 16 MiB behind (units
  // decoded ahead read input just before the offset; a page touched again is read again).
  void release_consumed() {
    constexpr std::uint64_t kStep = std::uint64_t{16} << 20, kLag = std::uint64_t{16} << 20;
    if (!map_ || in_.offset() < released_ + kStep + kLag) return;
    map_->release_range(released_, in_.offset() - kLag, false);
    released_ = in_.offset() - kLag;
  }

  // At a unit boundary with no serial unit under way: queues the whole units in the input
  // buffer (up to ahead_units), or says the next unit is serial, or that the stream has ended.
  bool plan(std::string& error) {
    while (ahead_.size() < options_.ahead_units && !serial_ && !ended_) {
      if (in_.size() < in_.capacity() && !in_.eof() && !in_.fill(error)) return false;
      if (in_.size() == 0 && in_.eof()) {
        ended_ = true;
        break;
      }
      // A unit must fit the input buffer, mapped input too (the same units whatever the input).
      const std::string_view buffered(reinterpret_cast<const char*>(in_.data()), std::min(in_.size(), options_.input_buffer_bytes));
      const WholeUnit u = find_whole_unit(compression_, buffered, options_.max_unit_output, options_.group_bytes);
      if (u.kind == WholeUnit::kNone) {
        if (!in_.eof() && in_.size() < in_.capacity()) continue;  // read more, then look again
        if (ahead_.empty()) serial_ = true;  // inflated to find its end, after the queued units
        break;
      }
      if (u.kind == WholeUnit::kSkip) {
        in_.consume(u.bytes);
        if (zstd_) zstd_->set_boundary();
        continue;
      }
      auto job = std::make_shared<AheadJob>();
      job->unit = u;
      job->raw_offset = in_.offset();
      if (in_.in_memory()) {
        job->in = buffered.substr(0, u.bytes);
      } else {
        if (!spare_in_.empty()) {
          job->owned = std::move(spare_in_.back());
          spare_in_.pop_back();
        }
        job->owned.assign(buffered.substr(0, u.bytes));
        job->in = job->owned;
      }
      if (!spare_out_.empty()) {
        job->out = std::move(spare_out_.back());
        spare_out_.pop_back();
      } else {
        job->out = std::make_unique_for_overwrite<char[]>(options_.max_unit_output);
      }
      in_.consume(u.bytes);
      if (zstd_) zstd_->set_boundary();
      ahead_.push_back(job);
      ++units_ahead_;
      tasks_.run([job] { job->run(); });
    }
    return true;
  }

  std::unique_ptr<MappedFile> map_;  // before in_, which views it
  std::uint64_t released_ = 0;       // map_'s pages before this offset were given back
  RawInput in_;
  StreamSourceOptions options_;
  std::unique_ptr<Decoder> decoder_;
  ZstdDecoder* zstd_ = nullptr;  // decoder_, for zstd
  bool serial_ = false;          // the serial decoder is inside a unit (or the stream is plain)
  std::uint64_t units_ahead_ = 0;  // units queued for parallel decoding so far
  bool ended_ = false;
  std::deque<std::shared_ptr<AheadJob>> ahead_;
  std::vector<std::unique_ptr<char[]>> spare_out_;  // buffers of delivered units, for the next ones
  std::vector<std::string> spare_in_;
  tbb::task_group tasks_;
  std::string head_;  // peeked bytes not yet read
  std::size_t head_pos_ = 0;
};

}  // namespace

std::unique_ptr<StreamSource> open_stream_source(int fd, bool owns_fd, const StreamSourceOptions& options,
                                                 std::string& error) {
  // A pipe of Linux's default 64 KiB makes writer and reader take turns at every 64 KiB: asked for
  // 1 MiB (the default pipe-max-size), a writer like `zstd -dc` runs ahead of the parse. Best effort.
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
#ifdef F_SETPIPE_SZ
    (void)::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#endif
  }
  auto s = std::make_unique<FdStreamSource>(fd, owns_fd, options);
  if (!s->start(error)) return nullptr;
  return s;
}

std::unique_ptr<StreamSource> open_memory_source(std::string_view bytes, const StreamSourceOptions& options) {
  auto s = std::make_unique<FdStreamSource>(bytes, options);
  std::string error;
  s->start(error);  // in memory: nothing to read, cannot fail
  return s;
}

std::unique_ptr<StreamSource> open_stream_source(const std::string& path, const StreamSourceOptions& options,
                                                 std::string& error) {
  if (path == "-") {
    auto s = open_stream_source(STDIN_FILENO, false, options, error);
    if (!s) error = "cannot read standard input: " + error;
    return s;
  }
  // A regular file is mapped and decoded in place: read(2) copied every compressed byte once more
  // (the kernel's copy was 12 % of a streamed .gz scan's samples, on the reading thread).
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    MappedFile map;
    if (!map.open(path, error)) return nullptr;
    auto s = std::make_unique<FdStreamSource>(std::move(map), options);
    if (!s->start(error)) {
      error = "cannot read '" + path + "': " + error;
      return nullptr;
    }
    return s;
  }
  // A FIFO: the open waits for a writer (a FIFO without one reads as empty).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  auto s = open_stream_source(fd, true, options, error);
  if (!s) error = "cannot read '" + path + "': " + error;
  return s;
}

}  // namespace rareconn::scanner
