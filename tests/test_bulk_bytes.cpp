// BulkBytes: blocks are 8-byte aligned, never overlap, keep their bytes until the owner goes, and
// may be taken from several threads at once; blocks larger than a region get one of their own.
// HugeBuffer: every size asked for is writable, a smaller one keeps the buffer, moves hand it over.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "core/bulk_bytes.hpp"

namespace rareconn::core {
namespace {

TEST(BulkBytes, BlocksAreAlignedDisjointAndKeepTheirBytes) {
  BulkBytes b;
  std::vector<std::pair<char*, std::size_t>> blocks;
  for (std::size_t i = 0; i < 20000; ++i) {
    const std::size_t n = (i * 37) % 3000 + (i % 1000 == 0 ? (5u << 20) : 0);  // some larger than 2 MiB
    char* p = b.take(n);
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 8, 0u);
    std::memset(p, static_cast<int>(i & 0x7f), n);
    blocks.push_back({p, n});
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto [p, n] = blocks[i];
    for (std::size_t k = 0; k < n; k += 97) ASSERT_EQ(p[k], static_cast<char>(i & 0x7f)) << i;
  }
  std::sort(blocks.begin(), blocks.end());
  for (std::size_t i = 1; i < blocks.size(); ++i) ASSERT_LE(blocks[i - 1].first + blocks[i - 1].second, blocks[i].first);
}

TEST(BulkBytes, ThreadsTakeAtOnce) {
  BulkBytes b;
  std::vector<std::vector<char*>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        char* p = b.take(64);
        std::memset(p, t + 1, 64);
        got[static_cast<std::size_t>(t)].push_back(p);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    for (char* p : got[static_cast<std::size_t>(t)]) {
      for (int k = 0; k < 64; ++k) ASSERT_EQ(p[k], static_cast<char>(t + 1));
    }
  }
}

TEST(BulkBytes, TwoThreadsTakeFromDifferentHugePages) {
  // A fresh 2 MiB page faults once, for the thread that touches it first: blocks of two threads in
  // the same page make the other thread wait for that fault (the findings' decoding did not scale
  // with threads). Each thread takes from its own region.
  if (kBulkSanitized) GTEST_SKIP() << "sanitizer builds take blocks from operator new";
  BulkBytes b;
  char* first = nullptr;
  char* second = nullptr;
  std::thread([&] { first = b.take(64); }).join();
  std::thread([&] { second = b.take(64); }).join();
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  EXPECT_NE(reinterpret_cast<std::uintptr_t>(first) / kHugePage, reinterpret_cast<std::uintptr_t>(second) / kHugePage);
}

TEST(HugeBuffer, EverySizeAskedForIsWritableAndASmallerOneKeepsTheBuffer) {
  HugeBuffer b;
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_EQ(b.capacity(), 0u);
  for (std::size_t n : {std::size_t{1}, std::size_t{4096}, (std::size_t{2} << 20) - 1, std::size_t{2} << 20,
                        (std::size_t{2} << 20) + 1, std::size_t{5} << 20, std::size_t{100}}) {
    const std::size_t before = b.capacity();
    char* const old = b.data();
    char* p = b.reserve(n);
    ASSERT_NE(p, nullptr);
    EXPECT_GE(b.capacity(), n);
    if (n <= before) {
      EXPECT_EQ(p, old);  // no growth: the same buffer
      EXPECT_EQ(b.capacity(), before);
    }
    std::memset(p, 'x', n);
    EXPECT_EQ(p[n - 1], 'x');
  }
  HugeBuffer moved = std::move(b);
  EXPECT_EQ(b.data(), nullptr);
  ASSERT_GE(moved.capacity(), std::size_t{5} << 20);
  moved.data()[(std::size_t{5} << 20) - 1] = 'y';
  b = std::move(moved);  // b takes it back (and moved takes b's empty state)
  EXPECT_EQ(b.data()[(std::size_t{5} << 20) - 1], 'y');
}

}  // namespace
}  // namespace rareconn::core
