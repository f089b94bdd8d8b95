// Regression (found by tests/fuzz/fuzz_saved_state.cpp): a damaged window state whose pending-time
// deltas add up past INT64_MAX made WindowPartial::load overflow a signed integer (undefined
// behaviour, reported by UBSan). Saved times must be datetimes; anything else is damage.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/state_codec.hpp"
#include "core/window_aggregator.hpp"

namespace rareconn::core {
namespace {

// One key with the given pending-time deltas, no set values, no recent rows.
std::string window_with_deltas(std::int64_t newest, const std::vector<std::int64_t>& deltas) {
  ByteWriter w;
  w.svarint(newest);
  w.varint(0);  // recent rows dropped
  w.varint(0);  // times of recent rows dropped
  w.varint(0);  // set values
  w.varint(1);  // keys
  w.str("key");
  w.varint(0);  // count
  w.u8(0);      // saturated
  w.varint(deltas.size());
  for (std::int64_t d : deltas) w.svarint(d);
  w.varint(0);  // set values of the key
  w.varint(0);  // recent rows
  return w.bytes();
}

TEST(RegressSavedStateTimeOverflow, DeltasPastInt64MaxAreDamageNotOverflow) {
  WindowShared shared(WindowConfig{});
  WindowPartial w(shared);
  const std::string bytes = window_with_deltas(638500000000000000, {8827150801402075773, 638501544000000000});
  ByteReader r(bytes);
  const std::vector<std::uint32_t> files;
  EXPECT_FALSE(w.load(r, files));
}

TEST(RegressSavedStateTimeOverflow, NewestOutsideDatetimesIsDamage) {
  WindowShared shared(WindowConfig{});
  WindowPartial w(shared);
  const std::string bytes = window_with_deltas(INT64_MIN + 1, {});
  ByteReader r(bytes);
  EXPECT_FALSE(w.load(r, {}));
}

TEST(RegressSavedStateTimeOverflow, ValidTimesStillLoad) {
  WindowShared shared(WindowConfig{});
  WindowPartial w(shared);
  const std::string bytes = window_with_deltas(638500000000000000, {638400000000000000, 1000});
  ByteReader r(bytes);
  EXPECT_TRUE(w.load(r, {}));
  EXPECT_EQ(w.key_count(), 1u);
  EXPECT_EQ(w.local_newest(), 638500000000000000);
}

}  // namespace
}  // namespace rareconn::core
