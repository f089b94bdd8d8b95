// Interner: ids are ranks of arrival, the same string always gets its id back, and strings that
// share a hash (passed in by the caller here), a length or a prefix stay apart, short and long
// alike, across the index's growth and after clear().
#include "core/interner.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace rareconn::core {
namespace {

std::string random_string(std::mt19937& rng) {
  const std::size_t n = rng() % 4 == 0 ? rng() % 60 : rng() % 24;  // around the slot's 22 bytes
  std::string s(n, 'a');
  for (char& c : s) c = static_cast<char>('a' + rng() % 3);
  return s;
}

TEST(Interner, IdsAreRanksOfArrivalAndComeBackForTheSameString) {
  std::mt19937 rng(5);
  for (const bool clash : {false, true}) {
    Interner in;
    std::unordered_map<std::string, std::uint32_t> want;
    std::vector<std::string> by_id;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 20000; ++i) {
        const std::string s = random_string(rng);
        // With `clash`, strings share one of 4 hashes: only the bytes tell them apart.
        const std::uint64_t hash = clash ? (hash_bytes(s) & 3) * 0x100000001ULL : hash_bytes(s);
        bool added = false;
        const std::uint32_t id = in.intern(s, hash, added);
        const auto [it, fresh] = want.emplace(s, static_cast<std::uint32_t>(want.size()));
        ASSERT_EQ(id, it->second) << s;
        ASSERT_EQ(added, fresh) << s;
        if (fresh) by_id.push_back(s);
        if (clash && i > 3000) break;  // probing among one hash is quadratic: keep it short
      }
      ASSERT_EQ(in.size(), want.size());
      for (std::uint32_t id = 0; id < by_id.size(); ++id) ASSERT_EQ(in[id], by_id[id]);
      if (round == 0) {
        in.clear();
        want.clear();
        by_id.clear();
        EXPECT_EQ(in.size(), 0u);
      }
    }
  }
}

TEST(Interner, StringsDifferingOnlyInLengthOrLastByteAreDistinct) {
  Interner in;
  const std::string s22(22, 'x'), s23(23, 'x');
  const std::vector<std::string> all{"", "a", "a\\0", std::string("a\0", 2), s22, s22.substr(0, 21) + "y", s23, s23 + "x",
                                     std::string(200, 'x')};
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(in.intern(all[i]), i) << i;
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(in.intern(all[i]), i) << i;
  EXPECT_EQ(in.hash(4), static_cast<std::uint32_t>(hash_bytes(s22)));
}

}  // namespace
}  // namespace rareconn::core
