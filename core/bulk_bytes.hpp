// Bytes for many small blocks that all live as long as their owner (the rows of a findings
// table), taken from large regions advised for transparent huge pages. On the VMs we measure on a
// fresh 4 KiB page costs about 10 us to fault in (0.3 us a page when it comes as part of a huge
// page), and a findings table of 6,000 JSON rows is 12 MB of fresh memory. Thread-safe: each
// thread takes from its own region (a lane), so that two threads never wait on the fault of one
// huge page; freed all at once. Knows nothing of formats, hunts or threads' origins.
#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace rareconn::core {

// Sanitizer builds take every block (and buffer) from operator new, so that their bounds are
// checked, instead of from huge-page regions.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kBulkSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kBulkSanitized = true;
#else
inline constexpr bool kBulkSanitized = false;
#endif
#else
inline constexpr bool kBulkSanitized = false;
#endif

class BulkBytes {
 public:
  BulkBytes() = default;
  BulkBytes(const BulkBytes&) = delete;
  BulkBytes& operator=(const BulkBytes&) = delete;
  ~BulkBytes();

  // `n` bytes, 8-byte aligned, valid until this object is destroyed. Throws std::bad_alloc.
  char* take(std::size_t n);

 private:
  struct Region {
    void* base;
    std::size_t size;
  };
  // Where one thread's blocks come from (threads are numbered as they first take a block; more
  // threads than lanes share them).
  static constexpr std::size_t kLanes = 8;
  struct alignas(64) Lane {
    std::mutex mutex;
    char* cursor = nullptr;
    std::size_t left = 0;
  };
  char* new_region(std::size_t n);  // under mutex_
  std::mutex mutex_;                // regions_ and owned_
  std::vector<Region> regions_;
  std::vector<char*> owned_;  // sanitizer builds: every block from operator new (bounds checked)
  Lane lanes_[kLanes];
};

// One buffer reused for copies of varying sizes (a worker's chunk copies), its pages taken as 2 MiB
// transparent huge pages where the kernel gives them: a copy of up to 2 MiB then faults once
// instead of 512 times. Grows without keeping its bytes. Not thread-safe.
class HugeBuffer {
 public:
  HugeBuffer() = default;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
  HugeBuffer(HugeBuffer&& o) noexcept { swap(o); }
  HugeBuffer& operator=(HugeBuffer&& o) noexcept {
    swap(o);
    return *this;
  }
  ~HugeBuffer();

  // At least `n` bytes (their contents are unspecified after a growth). Throws std::bad_alloc.
  char* reserve(std::size_t n);
  char* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  void swap(HugeBuffer& o) noexcept;
  void* base_ = nullptr;  // the mapping (or, in sanitizer builds, an operator new block)
  std::size_t mapped_ = 0;
  char* data_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace rareconn::core
