// Required-column checks (see the header).
#include "scanner/table_fit.hpp"

namespace rareconn::scanner {

std::vector<std::string> missing_columns(const hunts::Hunt& hunt, const std::function<bool(std::size_t slot)>& present) {
  std::vector<std::string> missing;
  for (const std::vector<std::size_t>& any_of : hunt.required_slots()) {
    bool ok = false;
    std::string names;
    for (std::size_t slot : any_of) {
      ok = ok || present(slot);
      if (!names.empty()) names += " or ";
      names += hunt.column_name(slot);
    }
    if (!ok) missing.push_back(names);
  }
  return missing;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace rareconn::scanner
