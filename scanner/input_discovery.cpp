// Input discovery with std::filesystem; hidden files inside directories are skipped; duplicates
// found by device and inode.
// Must not know about formats or hunts.
#include "scanner/input_discovery.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <unordered_set>
#include <utility>

namespace rareconn::scanner {

namespace fs = std::filesystem;

namespace {
struct FileKeyHash {
  std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& k) const {
    return std::hash<std::uint64_t>()(k.first * 0x9E3779B97F4A7C15ull ^ k.second);
  }
};

std::string quoted(const std::string& path) {
  std::string q;
  q.reserve(path.size() + 2);
  q.push_back('\'');
  q.append(path);
  q.push_back('\'');
  return q;
}
// Lists the tree under `top` (named by the user: an error if it cannot be listed). Hidden entries
// are left out; links to directories are not followed; a subdirectory that cannot be listed is
// said in `unreadable` and the walk goes on.
bool walk_directory(const std::string& top, std::vector<std::string>& files, std::vector<std::string>& skipped,
                    std::vector<std::string>& unreadable, std::string& error) {
  std::vector<fs::path> pending{fs::path(top)};
  while (!pending.empty()) {
    const fs::path dir = std::move(pending.back());
    pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') continue;
      std::error_code type_ec;
      if (it->is_regular_file(type_ec)) {
        files.push_back(it->path().string());
        continue;
      }
      std::error_code link_ec;
      const bool link = it->is_symlink(link_ec);
      const char* why = nullptr;
      std::string detail;
      if (it->is_directory(type_ec) || type_ec == std::errc::no_such_file_or_directory) {
        if (!type_ec && !link) {
          pending.push_back(it->path());
          continue;
        }
        if (link && !type_ec) why = "a link to a directory (not followed)";
        else if (type_ec) why = "a link to nothing";
      } else if (type_ec) {
        detail = type_ec.message();
        why = detail.c_str();
      } else {
        why = "not a regular file (a FIFO, socket or device)";
      }
      if (why != nullptr) skipped.push_back(quoted(it->path().string()).append(": ").append(why));
    }
    if (ec) {
      const std::string sentence = "cannot list directory " + quoted(dir.string()) + ": " + ec.message();
      if (dir == fs::path(top)) {
        error = sentence;
        return false;
      }
      unreadable.push_back(quoted(dir.string()) + ": cannot list it: " + ec.message());
    }
  }
  return true;
}

}  // namespace

bool discover_inputs(const std::vector<std::string>& args, std::vector<std::string>& files,
                     std::vector<std::string>& named, std::vector<std::string>& skipped,
                     std::vector<std::string>& unreadable, std::string& error) {
  for (const std::string& a : args) {
    if (a == "-") {  // standard input (SPEC §2): streamed by the inputs phase
      files.push_back(a);
      named.push_back(a);
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(a, ec);
    if (ec || !fs::exists(st)) {
      error = "cannot open '" + a + "': No such file or directory";
      return false;
    }
    if (fs::is_directory(st)) {
      // A directory is listed by hand rather than by recursive_directory_iterator, which either
      // stops at the first subdirectory it cannot open or (skip_permission_denied) says nothing.
      if (!walk_directory(a, files, skipped, unreadable, error)) return false;
    } else {
      files.push_back(a);
      named.push_back(a);
    }
  }
  // The same file named twice, whatever the spelling (./a.csv, a link), is read once: the first
  // spelling in sorted order is kept, so the choice does not depend on the order of the arguments.
  // Files are known by device and inode (one stat each, so a tree of any size is linear).
  std::sort(files.begin(), files.end());
  std::vector<std::string> unique;
  unique.reserve(files.size());
  std::unordered_set<std::pair<std::uint64_t, std::uint64_t>, FileKeyHash> seen;
  seen.reserve(files.size());
  std::unordered_set<std::string> seen_paths;  // files that cannot be stat'ed: by spelling
  for (const std::string& f : files) {
    if (f == "-") {  // standard input is read once, however often it is named
      if (std::find(unique.begin(), unique.end(), f) == unique.end()) unique.push_back(f);
      continue;
    }
    struct stat st;
    if (::stat(f.c_str(), &st) == 0 ? !seen.insert({static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)}).second
                                     : !seen_paths.insert(f).second) {
      continue;
    }
    unique.push_back(f);
  }
  files = std::move(unique);
  std::sort(named.begin(), named.end());
  return true;
}

}  // namespace rareconn::scanner
