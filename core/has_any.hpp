// Kusto `has` / `has_any` term matching (kql-semantics §1.3 reference algorithm; ASCII alphanumerics and case folding, U-1).
// Must not know about files, formats or threads, and must not throw on the hot path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rareconn::core {

constexpr bool kusto_alnum(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr unsigned char kusto_fold(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}

// Kusto `has` (kql-semantics §1.3): some occurrence of needle in haystack (ASCII case-insensitive) whose
// alphanumeric edges sit on term boundaries. Every occurrence is tried, not just the first.
// Decision: an empty needle never matches (there is no term to find; §1.4 "nothing to match").
bool has(std::string_view haystack, std::string_view needle);

// Kusto `has_any` over a fixed list of needles.
class HasAnyMatcher {
 public:
  explicit HasAnyMatcher(std::vector<std::string> needles);
  // true iff has(haystack, n) for some needle n
  bool operator()(std::string_view haystack) const;
  const std::vector<std::string>& needles() const { return needles_; }

 private:
  struct Folded {
    std::string text;  // ASCII-folded needle
    bool left_alnum;   // needle's first char is alphanumeric -> left boundary required
    bool right_alnum;  // needle's last char is alphanumeric -> right boundary required
  };
  std::vector<std::string> needles_;  // as given
  std::vector<Folded> folded_;        // non-empty needles only, duplicates removed
};

// The seed's ten `has_any` needles, in the seed's order.
std::vector<std::string> default_allow_needles();

}  // namespace rareconn::core
