// Small files read with pread into a reused buffer, large ones mapped (see the header).
#include "scanner/file_content.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace rareconn::scanner {

namespace {

// Opens a regular file without blocking on a FIFO; -1 with `error` set otherwise.
int open_regular(const std::string& path, struct stat& st, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return -1;
  }
  if (fstat(fd, &st) != 0) {
    error = "cannot stat '" + path + "': " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "'" + path + "' is not a regular file";
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads up to n bytes at `offset`; `got` says how many there were (fewer: the file ends sooner).
bool read_at(int fd, std::uint64_t offset, char* out, std::size_t n, std::size_t& got, const std::string& path,
             std::string& error) {
  got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      error = "cannot read '" + path + "': " + std::strerror(errno);
      return false;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

std::uint64_t read_limit() {
  static const std::uint64_t limit = [] {
    const char* v = std::getenv("RARECONN_TEST_READ_LIMIT");
    return v ? static_cast<std::uint64_t>(std::atoll(v)) : std::uint64_t{1} << 20;
  }();
  return limit;
}

namespace {
std::int64_t mtime_ns(const struct stat& st) {
  return std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
}
}  // namespace

bool open_first(const std::string& path, std::size_t head_bytes, FileIdentity& id, std::string& head, std::string& error) {
  struct stat st;
  const int fd = open_regular(path, st, error);
  if (fd < 0) return false;
  id.size = static_cast<std::uint64_t>(st.st_size);
  id.device = static_cast<std::uint64_t>(st.st_dev);
  id.inode = static_cast<std::uint64_t>(st.st_ino);
  id.mtime_ns = mtime_ns(st);
  head.resize(static_cast<std::size_t>(std::min<std::uint64_t>(head_bytes, id.size)));
  std::size_t got = 0;
  const bool ok = read_at(fd, 0, head.data(), head.size(), got, path, error);
  ::close(fd);
  head.resize(got);
  return ok;
}

void FileContent::close() {
  if (mapped_ && shrank_ != nullptr) {
    if (const std::optional<std::uint64_t> at = map_.shrank_at()) shrank_->note(*at);
  }
  map_ = MappedFile();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  mapped_ = false;
  size_ = 0;
  shrank_ = nullptr;
}

bool FileContent::open(const std::string& path, const FileIdentity& id, ShrinkMark& shrank, std::string& error,
                       std::uint64_t read_limit, bool cache_releasable, bool random) {
  close();
  struct stat st;
  const int fd = open_regular(path, st, error);
  if (fd < 0) return false;
  if (static_cast<std::uint64_t>(st.st_dev) != id.device || static_cast<std::uint64_t>(st.st_ino) != id.inode) {
    error = "'" + path + "' was replaced by another file while it was scanned (rotated?); scan it again";
    ::close(fd);
    return false;
  }
  if (static_cast<std::uint64_t>(st.st_size) == id.size && mtime_ns(st) != id.mtime_ns) {
    error = "'" + path + "' changed while it was scanned (rewritten in place: same size, a new modification time); scan it again";
    ::close(fd);
    return false;
  }
  shrank_ = &shrank;
  if (id.size > read_limit || id.size == 0) {
    const bool ok = map_.map(fd, static_cast<std::size_t>(id.size), path, error, cache_releasable, random);
    mapped_ = ok;
    if (!ok) {
      shrank_ = nullptr;
      ::close(fd);
      return false;
    }
    fd_ = fd;  // for copy_range
    path_ = path;
    // Records read again here and there: no readahead around them (it would bring back into the
    // page cache what the scan gave back, as MADV_RANDOM spares the mapping).
    if (random) posix_fadvise(fd_, 0, 0, POSIX_FADV_RANDOM);
    return true;
  }
  size_ = static_cast<std::size_t>(id.size);
  if (buf_.size() < size_) buf_.resize(size_);
  std::size_t got = 0;
  const bool ok = read_at(fd, 0, buf_.data(), size_, got, path, error);
  ::close(fd);
  if (!ok) return false;
  if (got < size_) {  // shorter than at the first open: truncated while scanned
    shrank.note(got);
    std::memset(buf_.data() + got, 0, size_ - got);
  }
  return true;
}

bool FileContent::copyable(std::uint64_t begin, std::uint64_t end) const {
  return mapped_ && fd_ >= 0 && begin <= end && end <= map_.bytes().size();
}

bool FileContent::copy_range(std::uint64_t begin, std::uint64_t end, std::vector<char>& out) const {
  if (!copyable(begin, end)) return false;
  const std::size_t n = static_cast<std::size_t>(end - begin);
  if (out.size() < n) out.resize(n);
  return copy_to(begin, n, out.data());
}

bool FileContent::copy_range(std::uint64_t begin, std::uint64_t end, core::HugeBuffer& out) const {
  if (!copyable(begin, end)) return false;
  const std::size_t n = static_cast<std::size_t>(end - begin);
  return copy_to(begin, n, out.reserve(n));
}

bool FileContent::copy_to(std::uint64_t begin, std::size_t n, char* out) const {
  std::size_t got = 0;
  std::string error;
  if (!read_at(fd_, begin, out, n, got, path_, error)) return false;  // the mapping is read instead
  if (got < n) {  // shorter than at the first open: truncated while scanned, as the mapping would read it
    if (shrank_ != nullptr) shrank_->note(begin + got);
    std::memset(out + got, 0, n - got);
  }
  return true;
}

}  // namespace rareconn::scanner
