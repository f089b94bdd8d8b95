// map_whole_file (see the header).
#include "scanner/file_bytes.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rareconn::scanner {

namespace {
struct Mapping {
  void* at = nullptr;
  std::size_t size = 0;
  ~Mapping() {
    if (at != nullptr) munmap(at, size);
  }
};
}  // namespace

bool map_whole_file(const std::string& path, FileBytes& out, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "'" + path + "' is not a regular file";
    return false;
  }
  auto m = std::make_shared<Mapping>();
  m->size = static_cast<std::size_t>(st.st_size);
  if (m->size > 0) {
    void* at = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (at == MAP_FAILED) {
      error = "cannot map '" + path + "': " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    m->at = at;
  }
  ::close(fd);
  out.bytes = std::string_view(static_cast<const char*>(m->at), m->size);
  out.owner = std::move(m);
  return true;
}

}  // namespace rareconn::scanner
