// rareconn scan --state DIR (SPEC §7): daily runs. Each input file's aggregate is a partial under
// DIR/parts/, known by the file's path and content hash; a run reads only the files it is given
// that are new or changed (a grown or rewritten file replaces its earlier partial), prunes files
// whose events all lie before the windows, writes the manifest atomically (a crash leaves the
// previous state), then reports over every partial as `rareconn report` does: the findings of a
// full scan of every input the state has seen, each file in its latest version.
#include "scanner/state_command.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "core/state_codec.hpp"
#include "core/window_aggregator.hpp"
#include "scanner/atomic_output.hpp"
#include "scanner/file_bytes.hpp"
#include "scanner/input_discovery.hpp"
#include "scanner/partial_commands.hpp"
#include "scanner/partial_file.hpp"
#include "scanner/state_manifest.hpp"

namespace rareconn::scanner {

namespace fs = std::filesystem;

namespace {

constexpr int kOk = 0, kUsage = 2, kInput = 3;

// XXH3-64 of a file's bytes (mapped: no copy); false with `error` when it cannot be read.
bool hash_file(const std::string& path, std::uint64_t& hash, std::uint64_t& size, std::string& error) {
  FileBytes file;
  if (!map_whole_file(path, file, error)) {
    if (error.find("not a regular file") != std::string::npos) {
      error += ": --state reads files it can find again (not standard input or FIFOs)";
    }
    return false;
  }
  hash = XXH3_64bits(file.bytes.data(), file.bytes.size());
  size = file.bytes.size();
  return true;
}


std::string hex(std::uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}


// Holds an exclusive lock on DIR/lock for the run: two runs on one state would lose one's files.
class StateLock {
 public:
  bool acquire(const std::string& dir, std::string& error) {
    const std::string path = dir + "/lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      error = "cannot open '" + path + "': " + std::strerror(errno);
      return false;
    }
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      error = "the state '" + dir + "' is in use by another rareconn run";
      return false;
    }
    return true;
  }
  ~StateLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

}  // namespace

int run_state_scan(const ScanOptions& given) {
  ScanOptions opt = given;
  const std::string dir = opt.state_dir;
  for (const std::string& in : opt.inputs) {
    if (in == "-") {
      std::fprintf(stderr, "rareconn: --state cannot read standard input: a state knows its files by path and "
                   "content; save the stream to a file first\n");
      return kUsage;
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "parts", ec);
  if (ec) {
    std::fprintf(stderr, "rareconn: cannot create the state directory '%s': %s\n", dir.c_str(), ec.message().c_str());
    return kInput;
  }
  std::string error;
  StateLock lock;
  if (!lock.acquire(dir, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kInput;
  }
  const std::string manifest_path = dir + "/manifest";
  StateManifest m;
  bool have_state = false;
  if (fs::exists(manifest_path)) {
    FileBytes bytes;
    if (!map_whole_file(manifest_path, bytes, error) || !decode_manifest(bytes.bytes, m, error)) {
      if (error.empty()) error = std::strerror(errno);
      std::fprintf(stderr, "rareconn: the state '%s' is not usable: '%s': %s (restore it from a backup, or remove "
                   "the directory to start again)\n", dir.c_str(), manifest_path.c_str(), error.c_str());
      return kInput;
    }
    have_state = true;
    if (opt.hunt == "auto" && result_option(m.options, "hunt") != kAnyHunt) opt.hunt = result_option(m.options, "hunt");
    const std::string diff = result_options_difference(m.options, result_options(opt, opt.hunt));
    if (!diff.empty()) {
      std::fprintf(stderr, "rareconn: the state '%s' was made with other options: %s (state vs this run); a state "
                   "keeps the options of its first run\n", dir.c_str(), diff.c_str());
      return kUsage;
    }
  }

  std::vector<std::string> paths, named, not_files, unlisted;
  if (!discover_inputs(opt.inputs, paths, named, not_files, unlisted, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return kInput;
  }
  for (const std::string& why : not_files) std::fprintf(stderr, "rareconn: warning: skipping %s\n", why.c_str());
  for (const std::string& why : unlisted) std::fprintf(stderr, "rareconn: warning: skipping %s\n", why.c_str());
  // Counted in this run's summary as a scan of the same walk counts them (not kept in the state:
  // the next run's walk says whether the directory can be listed then).
  std::vector<std::pair<std::string, std::uint64_t>> walk_notes;
  if (!unlisted.empty()) walk_notes.push_back({"directories_skipped_unreadable", unlisted.size()});
  if (!not_files.empty()) walk_notes.push_back({"directory_entries_skipped_not_files", not_files.size()});
  ++m.runs;
  std::uint64_t unchanged = 0, read = 0, replaced = 0;
  for (const std::string& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      std::fprintf(stderr, "rareconn: cannot read '%s': %s\n", path.c_str(), std::strerror(errno));
      return kInput;
    }
    const std::int64_t mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    auto it = std::find_if(m.entries.begin(), m.entries.end(), [&](const StateEntry& e) { return e.path == path; });
    if (it != m.entries.end() && it->size == static_cast<std::uint64_t>(st.st_size) && it->mtime_ns == mtime_ns &&
        it->device == static_cast<std::uint64_t>(st.st_dev) && it->inode == static_cast<std::uint64_t>(st.st_ino)) {
      ++unchanged;  // not touched since it was read: not read again
      continue;
    }
    std::uint64_t hash = 0, size = 0;
    if (!hash_file(path, hash, size, error)) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kInput;
    }
    if (it != m.entries.end() && it->content_hash == hash) {
      ++unchanged;  // touched, same content (copied back, `touch`ed): its partial stands
      it->size = size, it->mtime_ns = mtime_ns, it->device = st.st_dev, it->inode = st.st_ino;
      continue;
    }
    for (const StateEntry& e : m.entries) {
      if (e.content_hash == hash && e.path != path) {
        std::fprintf(stderr, "rareconn: warning: '%s' has the same content as '%s', already in the state: its "
                     "events are counted twice\n", path.c_str(), e.path.c_str());
      }
    }
    const std::string part = hex(XXH3_64bits(path.data(), path.size())) + "-" + hex(hash) + ".part";
    ScanOptions o = opt;
    o.inputs = {path};
    o.output = dir + "/parts/" + part;
    o.stats_file.clear();
    o.state_dir.clear();
    o.fail_on_findings = false;
    o.inputs_found_in_directory = std::find(named.begin(), named.end(), path) == named.end();
    o.quiet_when_nothing_fits = o.inputs_found_in_directory;  // the walk's warning names the file
    if (const int status = partial_of_file(o); status != kOk) return status;  // the state is unchanged
    FileBytes file;
    Partial p;
    if (!map_whole_file(o.output, file, error) || !decode_partial(file.bytes, file.owner, p, error)) {
      std::fprintf(stderr, "rareconn: cannot read back '%s': %s\n", o.output.c_str(), error.c_str());
      return kInput;
    }
    if (!have_state || result_option(m.options, "hunt") == kAnyHunt) {
      // The first file fixes the state's options and the hunt it detected (a file skipped under
      // --hunt auto names none: the next one decides).
      m.options = p.options;
      const std::string hunt = result_option(p.options, "hunt");
      opt.hunt = hunt == kAnyHunt ? "auto" : hunt;
      have_state = true;
    }
    core::ByteReader r(p.window);
    StateEntry e{path, hash, size, part, r.svarint(), m.runs};
    e.mtime_ns = mtime_ns;
    e.device = static_cast<std::uint64_t>(st.st_dev);
    e.inode = static_cast<std::uint64_t>(st.st_ino);
    if (it != m.entries.end()) {
      ++replaced;
      *it = std::move(e);
    } else {
      m.entries.push_back(std::move(e));
    }
    ++read;
  }
  if (!have_state) {
    std::fprintf(stderr, "rareconn: no input files found in the given directories\n");
    return kInput;
  }
  std::sort(m.entries.begin(), m.entries.end(), [](const StateEntry& a, const StateEntry& b) { return a.path < b.path; });

  // Pruning: a file whose events all lie at or before the windows of `now` (given, or the newest
  // event of the state) can no longer change any result.
  std::optional<core::Ticks> now = opt.now;
  if (!now) {
    for (const StateEntry& e : m.entries) {
      if (!e.part.empty() && e.newest != core::WindowShared::kNoTime && (!now || e.newest > *now)) now = e.newest;
    }
  }
  std::uint64_t pruned = 0;
  if (now) {
    const core::Ticks cut = *now - std::max(opt.lookback, opt.recent);
    for (StateEntry& e : m.entries) {
      if (!e.part.empty() && e.newest != core::WindowShared::kNoTime && e.newest <= cut) e.part.clear(), ++pruned;
    }
  }
  // A file all of whose events have left the recent window keeps no recent rows: its partial is
  // rewritten once without them (with `now` latest: `now` only moves on).
  std::uint64_t compacted = 0;
  if (now && !opt.now) {
    for (StateEntry& e : m.entries) {
      if (e.part.empty() || e.compacted || e.newest == core::WindowShared::kNoTime || e.newest > *now - opt.recent) continue;
      if (const int status = compact_partial(dir + "/parts/" + e.part, *now); status != kOk) return status;
      e.compacted = true;
      ++compacted;
    }
  }
  {
    AtomicOutput out;
    const std::string bytes = encode_manifest(m);
    bool broken_pipe = false;
    if (!out.open(manifest_path, error) || std::fwrite(bytes.data(), 1, bytes.size(), out.stream()) != bytes.size() ||
        !out.commit(error, broken_pipe)) {
      std::fprintf(stderr, "rareconn: cannot write the state '%s': %s\n", manifest_path.c_str(), error.c_str());
      return kInput;
    }
  }
  // Partials no entry names (replaced, pruned, or left by an interrupted run) are removed.
  std::set<std::string> live;
  ScanOptions report = opt;
  report.inputs.clear();
  for (const StateEntry& e : m.entries) {
    if (e.part.empty()) continue;
    live.insert(e.part);
    report.inputs.push_back(dir + "/parts/" + e.part);
  }
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "parts", ec)) {
    if (!live.count(entry.path().filename().string())) fs::remove(entry.path(), ec);
  }
  std::fprintf(stderr, "rareconn: state '%s', run %llu: %llu files read (%llu replacing an earlier version), %llu "
               "unchanged, %zu in the state, %llu pruned and %llu compacted now\n", dir.c_str(), static_cast<unsigned long long>(m.runs),
               static_cast<unsigned long long>(read), static_cast<unsigned long long>(replaced),
               static_cast<unsigned long long>(unchanged), m.entries.size(), static_cast<unsigned long long>(pruned),
               static_cast<unsigned long long>(compacted));
  if (report.inputs.empty()) {
    std::fprintf(stderr, "rareconn: the state holds no events inside the windows\n");
    return kOk;
  }
  return report_partials(report, walk_notes);
}

}  // namespace rareconn::scanner
