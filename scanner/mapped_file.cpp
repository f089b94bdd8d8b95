// mmap of whole input files, guarded against truncation; sequential-access advice since chunks are
// read front to back. Must not know about formats or hunts.
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
  addr_ = nullptr;
  size_ = 0;
  guard_slot_ = -1;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    release();
    addr_ = o.addr_;
    size_ = o.size_;
    guard_slot_ = o.guard_slot_;
    o.addr_ = nullptr;
    o.size_ = 0;
    o.guard_slot_ = -1;
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
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ == 0) {
    ::close(fd);
    return true;
  }
  void* a = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (a == MAP_FAILED) {
    error = "cannot map '" + path + "': " + std::strerror(err);
    size_ = 0;
    return false;
  }
  addr_ = a;
  guard_slot_ = guard_region(addr_, size_);
  // One advice value per call (the values are not flags): read ahead in order.
  madvise(addr_, size_, MADV_SEQUENTIAL);
  return true;
}

}  // namespace rareconn::scanner
