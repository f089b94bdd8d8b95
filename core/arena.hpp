// A grow-only byte arena: interned strings whose views stay valid for the arena's lifetime.
// Single-threaded (one per thread); knows nothing of formats or hunts.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace rareconn::core {

class Arena {
 public:
  std::string_view copy(std::string_view s) {
    if (s.empty()) return std::string_view();
    if (s.size() > free_) grow(s.size());
    char* at = cursor_;
    std::memcpy(at, s.data(), s.size());
    cursor_ += s.size();
    free_ -= s.size();
    bytes_ += s.size();
    return std::string_view(at, s.size());
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void grow(std::size_t need) {
    const std::size_t size = need > kBlock ? need : kBlock;
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));  // not zeroed: a page is touched when a copy reaches it
    cursor_ = blocks_.back().get();
    free_ = size;
  }
  static constexpr std::size_t kBlock = 1 << 16;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  std::size_t free_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace rareconn::core
