// Arena: copies keep their bytes for the arena's lifetime, and an arena touches only the memory its
// copies fill (a merge makes one arena per partition; on VMs each page first touched costs
// microseconds, so a block zeroed when it is made costs 16 faults however little it holds).
#include "core/arena.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <vector>

#include "core/bulk_bytes.hpp"

namespace rareconn::core {
namespace {

TEST(Arena, CopiesKeepTheirBytes) {
  Arena a;
  std::vector<std::pair<std::string_view, std::string>> kept;
  for (int i = 0; i < 5000; ++i) {
    const std::string s(static_cast<std::size_t>(i % 300 + (i % 997 == 0 ? 70000 : 0)), static_cast<char>('a' + i % 26));
    kept.emplace_back(a.copy(s), s);
  }
  for (const auto& [view, want] : kept) ASSERT_EQ(view, want);
  EXPECT_TRUE(a.copy("").empty());
}

long page_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

TEST(Arena, AnArenaHoldingAFewBytesTouchesAFewPages) {
  if (kBulkSanitized) GTEST_SKIP() << "the sanitizers' allocators fill and shadow blocks themselves";
  constexpr int kArenas = 1000;  // 64 MiB of blocks: more than the heap has free, so its pages are new
  std::vector<std::unique_ptr<Arena>> arenas;
  const long before = page_faults();
  for (int i = 0; i < kArenas; ++i) {
    arenas.push_back(std::make_unique<Arena>());
    arenas.back()->copy("a key of some twenty bytes");
  }
  const long faults = page_faults() - before;
  // A 64 KiB block zeroed when made is 16 pages; filled as copied, one or two.
  EXPECT_LT(faults, 6 * kArenas);
}

}  // namespace
}  // namespace rareconn::core
