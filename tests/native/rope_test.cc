// Tests for rotary position embedding (runtime/ops/rope.h): the tables
// against long double math, the rotation bit for bit against the scalar
// formula (it is unfused on every target), misaligned, every SIMD target.
#include "runtime/ops/rope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hwy/targets.h"
#include "tests/native/support/per_target_test.h"

namespace edgepiece {
namespace {

using Buffer = testing::MisalignedFloats;

// Runs each test once per SIMD target that is compiled in and supported.
class RopeTest : public testing::PerTargetTest {};

EDGEPIECE_INSTANTIATE_PER_TARGET(RopeTest);

const size_t kSizes[] = {2, 6, 14, 32, 34, 62, 64, 128, 200, 514};

TEST(RopeTablesTest, MatchLongDoubleMath) {
  for (size_t size : kSizes) {
    const size_t half = size / 2;
    for (size_t position : {0, 1, 7, 100, 4095}) {
      Buffer cos(half), sin(half);
      RopeTables(position, size, 10000.0, cos.data(), sin.data());
      for (size_t i = 0; i < half; ++i) {
        const long double angle =
            position * std::pow(10000.0L, -static_cast<long double>(i) / half);
        ASSERT_NEAR(cos[i], std::cos(angle), 1e-6) << size << " " << position;
        ASSERT_NEAR(sin[i], std::sin(angle), 1e-6) << size << " " << position;
      }
      if (position == 0) {
        for (size_t i = 0; i < half; ++i) {
          ASSERT_EQ(cos[i], 1.0f);
          ASSERT_EQ(sin[i], 0.0f);
        }
      }
    }
  }
}

TEST_P(RopeTest, RopeHalfSplitMatchesScalarExactly) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (size_t size : kSizes) {
    const size_t half = size / 2;
    for (size_t position : {0, 3, 1000}) {
      Buffer cos(half), sin(half), x(size);
      RopeTables(position, size, 10000.0, cos.data(), sin.data());
      std::vector<float> before(size);
      for (size_t i = 0; i < size; ++i) before[i] = x[i] = dist(rng);
      RopeHalfSplit(x.data(), size, cos.data(), sin.data());
      for (size_t i = 0; i < half; ++i) {
        const float a = before[i], b = before[i + half];
        const float want_lo = a * cos[i] - b * sin[i];
        const float want_hi = a * sin[i] + b * cos[i];
        ASSERT_EQ(x[i], want_lo) << size << " " << i;
        ASSERT_EQ(x[i + half], want_hi) << size << " " << i;
      }
    }
  }
}

}  // namespace
}  // namespace edgepiece
