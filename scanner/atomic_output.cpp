// AtomicOutput (see the header): mkstemp beside the target, fsync, rename. The signal handler
// only unlinks paths from a fixed table of C strings (async-signal-safe).
#include "scanner/atomic_output.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace rareconn::scanner {

namespace {

constexpr int kSlots = 8;
constexpr std::size_t kPathMax = 4096;
char g_temp_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

int remember_temp(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_used[i].compare_exchange_strong(expected, true)) {
      std::memcpy(g_temp_paths[i], path.c_str(), path.size() + 1);
      return i;
    }
  }
  return -1;
}

void forget_temp(int slot) {
  if (slot >= 0) g_used[slot].store(false);
}

void on_fatal_signal(int sig) {
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i].load()) unlink(g_temp_paths[i]);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

// Temporary files of earlier runs for the same target whose process is gone (killed by SIGKILL,
// which no handler sees) are removed: a daily job that is killed does not litter its directory.
void remove_stale_temps(const std::string& dir, const std::string& base) {
  const std::string prefix = "." + base + ".rareconn-tmp-";
  DIR* d = opendir(dir.empty() ? "." : dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == std::string_view::npos || dash == 0) continue;
    pid_t pid = 0;
    for (char c : rest.substr(0, dash)) {
      if (c < '0' || c > '9') pid = -1;
      if (pid >= 0) pid = pid * 10 + (c - '0');
    }
    if (pid <= 0 || pid == getpid()) continue;
    if (kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
}

}  // namespace

void install_output_signal_handlers() {
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    // A signal the parent set to ignored stays ignored (nohup; SIGINT of a script's background
    // job): installing over it would let that signal kill the run.
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(sig, &sa, nullptr);
  }
}

AtomicOutput::~AtomicOutput() {
  if (owned_ && stream_) std::fclose(stream_);
  if (!temp_.empty()) unlink(temp_.c_str());
  forget_temp(signal_slot_);
}

bool AtomicOutput::open(const std::string& path, std::string& error) {
  if (path.empty() || path == "-") {
    stream_ = stdout;
    return true;
  }
  target_ = path;
  struct stat st;
  const bool exists = stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    error = "cannot write '" + path + "': it is a directory";
    return false;
  }
  if (exists && !S_ISREG(st.st_mode)) {  // a device or a FIFO: nothing to replace atomically
    stream_ = std::fopen(path.c_str(), "wb");
    if (!stream_) {
      error = "cannot write '" + path + "': " + std::strerror(errno);
      return false;
    }
    owned_ = true;
    return true;
  }
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  remove_stale_temps(dir, base);
  std::string temp = dir + "." + base + ".rareconn-tmp-" + std::to_string(getpid()) + "-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno) + " (creating a temporary file beside it)";
    return false;
  }
  // The final file gets the mode of the file it replaces, else the usual 0666 less the umask.
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = umask(0);
    umask(mask);
    mode = 0666 & ~mask;
  }
  fchmod(fd, mode);
  temp_ = temp;
  signal_slot_ = remember_temp(temp_);
  stream_ = fdopen(fd, "wb");
  if (!stream_) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    close(fd);
    return false;
  }
  owned_ = true;
  return true;
}

bool AtomicOutput::commit(std::string& error, bool& broken_pipe) {
  broken_pipe = false;
  const std::string name = target_.empty() ? "standard output" : "'" + target_ + "'";
  bool ok = std::fflush(stream_) == 0 && !std::ferror(stream_);
  int err = ok ? 0 : errno;
  if (ok && !temp_.empty() && fsync(fileno(stream_)) != 0) ok = false, err = errno;
  if (owned_) {
    if (std::fclose(stream_) != 0 && ok) ok = false, err = errno;
    stream_ = nullptr;
    owned_ = false;
  }
  if (!ok) {
    if (err == EPIPE && target_.empty()) {
      broken_pipe = true;
      return true;
    }
    error = "cannot write " + name + ": " + std::strerror(err ? err : EIO);
    return false;
  }
  if (!temp_.empty()) {
    if (rename(temp_.c_str(), target_.c_str()) != 0) {
      error = "cannot write " + name + ": renaming the finished temporary file failed: " + std::strerror(errno);
      return false;
    }
    temp_.clear();
  }
  forget_temp(signal_slot_);
  signal_slot_ = -1;
  return true;
}

}  // namespace rareconn::scanner
