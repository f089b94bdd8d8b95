// The `DeviceName in (Servers)` test with the matching modes of the command line:
// exact (Kusto `in`, case-sensitive), nocase (ASCII case folding), hostname (the part before the
// first dot, ASCII case-insensitive, on both sides). Knows nothing of formats or threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tsl/robin_set.h>

#include "core/key_codec.hpp"

namespace rareconn::core {

enum class ServerMatch { kExact, kNocase, kHostname };

class ServerSet {
 public:
  ServerSet() = default;  // empty: every device matches
  ServerSet(const std::vector<std::string>& servers, ServerMatch mode);

  bool all() const { return all_; }
  bool contains(std::string_view device_name) const;
  std::size_t size() const { return names_.size(); }

  // The form a name is compared in under `mode`.
  static std::string normalize(std::string_view name, ServerMatch mode);

 private:
  bool all_ = true;
  ServerMatch mode_ = ServerMatch::kExact;
  tsl::robin_set<std::string, XxHash, std::equal_to<>> names_;
};

}  // namespace rareconn::core
