// Input discovery with std::filesystem; hidden files inside directories are skipped.
// Must not know about formats or hunts.
#include "scanner/input_discovery.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace rareconn::scanner {

namespace fs = std::filesystem;

bool discover_inputs(const std::vector<std::string>& args, std::vector<std::string>& files,
                     std::vector<std::string>& named, std::string& error) {
  for (const std::string& a : args) {
    std::error_code ec;
    const fs::file_status st = fs::status(a, ec);
    if (ec || !fs::exists(st)) {
      error = "cannot open '" + a + "': No such file or directory";
      return false;
    }
    if (fs::is_directory(st)) {
      fs::recursive_directory_iterator it(a, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) {
        error = "cannot list directory '" + a + "': " + ec.message();
        return false;
      }
      for (; it != end; it.increment(ec)) {
        if (ec) {
          error = "cannot list directory '" + a + "': " + ec.message();
          return false;
        }
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec)) files.push_back(it->path().string());
      }
    } else {
      files.push_back(a);
      named.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return true;
}

}  // namespace rareconn::scanner
