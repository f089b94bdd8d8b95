// mmap of whole input files, guarded against truncation. Advice: MADV_SEQUENTIAL only (chunks
// are read front to back; the kernel reads ahead as they are touched, never the whole file at
// once, so a file skipped after its first bytes costs only those); ranges the parse has consumed
// can be given back (release_range). Must not know about formats or hunts.
#include "scanner/mapped_file.hpp"

#include "scanner/fault_guard.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rareconn::scanner {

void MappedFile::release() {
  unguard_region(guard_slot_);
  if (addr_ != nullptr && size_ > 0) munmap(addr_, size_);
  if (fd_ >= 0) {
    // Kept to drop cached pages: whatever per-range release left (pages read ahead or in flight
    // when their range was given back) goes now that the file is no longer mapped.
    posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd_);
  }
  addr_ = nullptr;
  size_ = 0;
  guard_slot_ = -1;
  fd_ = -1;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    release();
    addr_ = o.addr_;
    size_ = o.size_;
    guard_slot_ = o.guard_slot_;
    fd_ = o.fd_;
    o.addr_ = nullptr;
    o.size_ = 0;
    o.guard_slot_ = -1;
    o.fd_ = -1;
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

std::optional<std::uint64_t> MappedFile::shrank_at() const { return region_fault(guard_slot_); }

bool MappedFile::open(const std::string& path, std::string& error) {
  release();
  // O_NONBLOCK: a FIFO named as an input must not block the open; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    error = "cannot stat '" + path + "': " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "'" + path + "' is not a regular file";
    ::close(fd);
    return false;
  }
  const bool ok = map(fd, static_cast<std::size_t>(st.st_size), path, error);
  ::close(fd);
  return ok;
}

bool MappedFile::map(int fd, std::size_t size, const std::string& path, std::string& error, bool keep_fd, bool random) {
  release();
  if (size == 0) return true;
  void* a = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (a == MAP_FAILED) {
    error = "cannot map '" + path + "': " + std::strerror(errno);
    return false;
  }
  addr_ = a;
  size_ = size;
  guard_slot_ = guard_region(addr_, size_);
  if (keep_fd) fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  // One advice value per call (the values are not flags): read ahead in order for a parse; not
  // WILLNEED, which would read the whole file at once, before anyone knows it is wanted. Records
  // read again after the scan are a few pages here and there: no readahead, so that the pages a
  // parse gave back (release_range) are not read back around every finding.
  madvise(addr_, size_, random ? MADV_RANDOM : MADV_SEQUENTIAL);
  return true;
}

void MappedFile::release_range(std::uint64_t begin, std::uint64_t end, bool drop_cache, bool mapped_pages) {
  if (addr_ == nullptr || end > size_) end = size_;
  if (addr_ == nullptr || begin >= end) return;
  static const std::uint64_t page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  const std::uint64_t b = (begin + page - 1) / page * page;  // whole pages only: the edges may be a neighbour's
  const std::uint64_t e = end == size_ ? (end + page - 1) / page * page : end / page * page;
  if (b >= e) return;
  if (mapped_pages) madvise(static_cast<char*>(addr_) + b, e - b, MADV_DONTNEED);
  if (drop_cache && fd_ >= 0) posix_fadvise(fd_, static_cast<off_t>(b), static_cast<off_t>(e - b), POSIX_FADV_DONTNEED);
}

}  // namespace rareconn::scanner
