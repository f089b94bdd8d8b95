// Kusto `has` / `has_any` term matching (kql-semantics §1.3 reference algorithm; ASCII alphanumerics and case folding, U-1).
// Must not know about files, formats or threads, and must not throw on the hot path.
#include "core/has_any.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace rareconn::core {
namespace {

inline unsigned char uc(char c) noexcept { return static_cast<unsigned char>(c); }

// Boundary conditions of §1.3 for a match of length n at position i of (already folded or raw) haystack h.
inline bool boundaries_ok(std::string_view h, std::size_t i, std::size_t n, bool left_alnum,
                          bool right_alnum) noexcept {
  if (left_alnum && i != 0 && kusto_alnum(uc(h[i - 1]))) return false;
  if (right_alnum && i + n != h.size() && kusto_alnum(uc(h[i + n]))) return false;
  return true;
}

// Search the folded needle in the folded haystack, checking every occurrence (overlapping included).
inline bool has_folded(std::string_view fh, std::string_view fn, bool left_alnum, bool right_alnum) noexcept {
  if (fn.empty() || fn.size() > fh.size()) return false;
  for (std::size_t i = fh.find(fn); i != std::string_view::npos; i = fh.find(fn, i + 1)) {
    if (boundaries_ok(fh, i, fn.size(), left_alnum, right_alnum)) return true;
  }
  return false;
}

// Folds into a stack buffer when small, else into a heap string.
class FoldedText {
 public:
  explicit FoldedText(std::string_view s) {
    char* dst = s.size() <= small_.size() ? small_.data() : (heap_.resize(s.size()), heap_.data());
    for (std::size_t i = 0; i < s.size(); ++i) dst[i] = static_cast<char>(kusto_fold(uc(s[i])));
    view_ = std::string_view(dst, s.size());
  }
  FoldedText(const FoldedText&) = delete;
  FoldedText& operator=(const FoldedText&) = delete;
  std::string_view view() const noexcept { return view_; }

 private:
  std::array<char, 1024> small_;
  std::string heap_;
  std::string_view view_;
};

}  // namespace

bool has(std::string_view haystack, std::string_view needle) {
  if (needle.empty() || needle.size() > haystack.size()) return false;  // empty needle: never matches
  const std::size_t n = needle.size();
  const bool left_alnum = kusto_alnum(uc(needle.front()));
  const bool right_alnum = kusto_alnum(uc(needle.back()));
  const unsigned char first = kusto_fold(uc(needle.front()));
  for (std::size_t i = 0; i + n <= haystack.size(); ++i) {
    if (kusto_fold(uc(haystack[i])) != first) continue;
    std::size_t k = 1;
    while (k < n && kusto_fold(uc(haystack[i + k])) == kusto_fold(uc(needle[k]))) ++k;
    if (k == n && boundaries_ok(haystack, i, n, left_alnum, right_alnum)) return true;
  }
  return false;
}

HasAnyMatcher::HasAnyMatcher(std::vector<std::string> needles) : needles_(std::move(needles)) {
  for (const std::string& n : needles_) {
    if (n.empty()) continue;  // an empty needle never matches
    Folded f;
    f.text.resize(n.size());
    for (std::size_t i = 0; i < n.size(); ++i) f.text[i] = static_cast<char>(kusto_fold(uc(n[i])));
    f.left_alnum = kusto_alnum(uc(n.front()));
    f.right_alnum = kusto_alnum(uc(n.back()));
    const bool dup = std::any_of(folded_.begin(), folded_.end(), [&](const Folded& g) { return g.text == f.text; });
    if (!dup) folded_.push_back(std::move(f));
  }
}

bool HasAnyMatcher::operator()(std::string_view haystack) const {
  if (folded_.empty() || haystack.empty()) return false;
  // Boundary tests only look at alnum-ness, which folding preserves, so they can run on the folded text.
  const FoldedText fh(haystack);
  for (const Folded& f : folded_) {
    if (has_folded(fh.view(), f.text, f.left_alnum, f.right_alnum)) return true;
  }
  return false;
}

std::vector<std::string> default_allow_needles() {
  return {".microsoft.com",        ".windowsupdate.com",        "login.microsoftonline.com",
          "login.live.com",        "autodiscover-s.outlook.com", "ocsp.digicert.com",
          "ocsp.verisign.com",     "login.windows.net",         "outlook.office365.com",
          "accounts.accesscontrol.windows.net"};
}

}  // namespace rareconn::core
