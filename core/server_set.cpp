// ServerSet: normalisation of names per matching mode and the membership test.
// Must not depend on formats or threads.
#include "core/server_set.hpp"

namespace rareconn::core {

namespace {
char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
}  // namespace

std::string ServerSet::normalize(std::string_view name, ServerMatch mode) {
  if (mode == ServerMatch::kExact) return std::string(name);
  if (mode == ServerMatch::kHostname) {
    const std::size_t dot = name.find('.');
    if (dot != std::string_view::npos) name = name.substr(0, dot);
  }
  std::string out(name);
  for (char& c : out) c = fold(c);
  return out;
}

ServerSet::ServerSet(const std::vector<std::string>& servers, ServerMatch mode)
    : all_(false), mode_(mode) {
  for (const std::string& s : servers) names_.insert(normalize(s, mode));
}

bool ServerSet::contains(std::string_view device_name) const {
  if (all_) return true;
  if (mode_ == ServerMatch::kExact) return names_.find(device_name) != names_.end();
  if (mode_ == ServerMatch::kHostname) {
    const std::size_t dot = device_name.find('.');
    if (dot != std::string_view::npos) device_name = device_name.substr(0, dot);
  }
  char buf[256];
  if (device_name.size() > sizeof(buf)) return names_.find(normalize(device_name, ServerMatch::kNocase)) != names_.end();
  for (std::size_t i = 0; i < device_name.size(); ++i) buf[i] = fold(device_name[i]);
  return names_.find(std::string_view(buf, device_name.size())) != names_.end();
}

}  // namespace rareconn::core
