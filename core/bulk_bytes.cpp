// BulkBytes: regions of 8 MiB (or one region for a larger block) mapped anonymously, aligned to
// 2 MiB and advised MADV_HUGEPAGE, handed out by one bump pointer per thread (lane).
#include "core/bulk_bytes.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <new>

namespace rareconn::core {

namespace {
constexpr std::size_t kHuge = std::size_t{2} << 20;
constexpr std::size_t kRegion = std::size_t{8} << 20;
// `size` bytes (a multiple of kHuge) at a 2 MiB-aligned start, advised MADV_HUGEPAGE, inside a
// mapping of kHuge more (its base and length go to `base` and `mapped`, for munmap).
char* map_huge(std::size_t size, void*& base, std::size_t& mapped) {
  base = mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  mapped = size + kHuge;
  char* p = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(base) + kHuge - 1) / kHuge * kHuge);
#ifdef MADV_HUGEPAGE
  madvise(p, size, MADV_HUGEPAGE);  // a hint: without huge pages the region still works
#endif
  return p;
}
// This thread's number, given when it first takes a block from any BulkBytes.
std::size_t thread_number() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t number = next.fetch_add(1, std::memory_order_relaxed);
  return number;
}
}  // namespace

BulkBytes::~BulkBytes() {
  for (const Region& r : regions_) munmap(r.base, r.size);
  for (char* p : owned_) delete[] p;
}

char* BulkBytes::new_region(std::size_t n) {
  const std::size_t size = (n + kHuge - 1) / kHuge * kHuge;
  Region r{};
  char* p = map_huge(size, r.base, r.size);
  regions_.push_back(r);
  return p;
}

char* BulkBytes::take(std::size_t n) {
  n = (n + 7) & ~std::size_t{7};
  if (n == 0) n = 8;
  if constexpr (kBulkSanitized) {
    std::lock_guard<std::mutex> lock(mutex_);
    owned_.push_back(new char[n]);
    return owned_.back();
  }
  if (n > kRegion / 4) {  // a block of its own; the lanes' regions go on
    std::lock_guard<std::mutex> lock(mutex_);
    return new_region(n);
  }
  Lane& lane = lanes_[thread_number() % kLanes];
  std::lock_guard<std::mutex> lock(lane.mutex);
  if (n > lane.left) {
    {
      std::lock_guard<std::mutex> regions(mutex_);
      lane.cursor = new_region(kRegion);
    }
    lane.left = kRegion;
  }
  char* p = lane.cursor;
  lane.cursor += n;
  lane.left -= n;
  return p;
}

HugeBuffer::~HugeBuffer() {
  if (base_ == nullptr) return;
  if constexpr (kBulkSanitized) delete[] static_cast<char*>(base_);
  else munmap(base_, mapped_);
}

void HugeBuffer::swap(HugeBuffer& o) noexcept {
  std::swap(base_, o.base_);
  std::swap(mapped_, o.mapped_);
  std::swap(data_, o.data_);
  std::swap(capacity_, o.capacity_);
}

char* HugeBuffer::reserve(std::size_t n) {
  if (n <= capacity_ && data_ != nullptr) return data_;
  HugeBuffer fresh;
  const std::size_t size = std::max<std::size_t>((n + kHuge - 1) / kHuge * kHuge, kHuge);
  if constexpr (kBulkSanitized) {
    fresh.base_ = new char[size];
    fresh.data_ = static_cast<char*>(fresh.base_);
  } else {
    fresh.data_ = map_huge(size, fresh.base_, fresh.mapped_);
  }
  fresh.capacity_ = size;
  swap(fresh);
  return data_;
}

}  // namespace rareconn::core
