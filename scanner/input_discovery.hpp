// Expands the INPUT arguments (files and directories, recursively) into a sorted, de-duplicated
// list of file paths, so that results do not depend on the order in which inputs are named.
#pragma once

#include <string>
#include <vector>

namespace rareconn::scanner {

// On failure (a path that does not exist or cannot be listed) returns false with `error` set.
// `named` receives the paths given as files (not found inside a directory). Entries of a
// directory that are not regular files and not directories (FIFOs, sockets, devices, broken
// links, link loops) are not read: `skipped` receives a sentence for each. Links to directories
// are not followed, so a tree with a link loop is listed once. A subdirectory that cannot be listed
// (no permission) is not an error: `unreadable` receives a sentence for each; a directory named in
// `args` that cannot be listed is one.
bool discover_inputs(const std::vector<std::string>& args, std::vector<std::string>& files,
                     std::vector<std::string>& named, std::vector<std::string>& skipped,
                     std::vector<std::string>& unreadable, std::string& error);

}  // namespace rareconn::scanner
