// Tests for the byte-scan kernels (runtime/ops/text_scan.h) against scalar
// loops: every length 0..300, misaligned starts 0..63, every SIMD target.
#include "runtime/ops/text_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "hwy/targets.h"
#include "tests/native/support/per_target_test.h"

namespace edgepiece {
namespace {

constexpr size_t kMaxLength = 300;
constexpr size_t kMaxOffset = 63;

size_t ScalarCountAsciiPrefix(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

size_t ScalarFindByte(const uint8_t* p, size_t n, uint8_t byte) {
  size_t i = 0;
  while (i < n && p[i] != byte) ++i;
  return i;
}

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};

// A 64-byte aligned allocation of exactly `size` bytes, so that under
// AddressSanitizer any read past the end of the range is reported.
std::unique_ptr<uint8_t, FreeDeleter> AllocateExact(size_t size) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, size == 0 ? 1 : size) != 0) std::abort();
  return std::unique_ptr<uint8_t, FreeDeleter>(static_cast<uint8_t*>(p));
}

// Runs each test once per SIMD target that is compiled in and supported.
class TextScanTest : public testing::PerTargetTest {
 protected:
  // Misaligned starts to try with a marker at every position. HWY_SCALAR
  // has one lane, so alignment cannot matter and its quadratic cost is
  // kept small (it is still swept fully by RandomContentMatchesScalar).
  size_t MaxOffset() const { return GetParam() == HWY_SCALAR ? 3 : kMaxOffset; }
};

EDGEPIECE_INSTANTIATE_PER_TARGET(TextScanTest);

TEST_P(TextScanTest, CountAsciiPrefixFindsEveryPosition) {
  // One non-ASCII byte at every position of every (offset, length), and
  // sometimes a second one later; the first one decides.
  std::mt19937 rng(1);
  for (size_t offset = 0; offset <= MaxOffset(); ++offset) {
    for (size_t n = 0; n <= kMaxLength; ++n) {
      auto buffer = AllocateExact(offset + n);
      uint8_t* p = buffer.get() + offset;
      for (size_t i = 0; i < offset + n; ++i) buffer.get()[i] = rng() & 0x7F;
      // All ASCII (NUL and DEL included); a high byte before the range
      // must not count.
      ASSERT_EQ(CountAsciiPrefix(p, n), n) << "offset " << offset;
      if (offset > 0) {
        p[-1] = 0x80;
        ASSERT_EQ(CountAsciiPrefix(p, n), n) << "offset " << offset;
      }
      for (size_t pos = 0; pos < n; ++pos) {
        const uint8_t high = static_cast<uint8_t>(0x80 | (pos * 37 + n));
        p[pos] = high;
        // Cheap arithmetic instead of the RNG: this loop runs ~3M times.
        const size_t later = pos + 1 + (pos * 7 + n) % (n - pos);
        const bool two = later < n && ((pos + n) & 1);
        if (two) p[later] = 0xFF;
        ASSERT_EQ(CountAsciiPrefix(p, n), pos)
            << "offset " << offset << " n " << n << " byte 0x" << std::hex << int(high);
        if (two) p[later] = 0x20;
        p[pos] = 0x7F;
      }
    }
  }
}

TEST_P(TextScanTest, FindByteFindsEveryPosition) {
  std::mt19937 rng(2);
  const uint8_t kNeedles[] = {0x00, '\n', 0x7F, 0x80, 0xFF};
  for (size_t offset = 0; offset <= MaxOffset(); ++offset) {
    for (size_t n = 0; n <= kMaxLength; ++n) {
      auto buffer = AllocateExact(offset + n);
      uint8_t* p = buffer.get() + offset;
      const uint8_t needle = kNeedles[(offset + n) % std::size(kNeedles)];
      // Background of every other byte value, needle excluded.
      for (size_t i = 0; i < offset + n; ++i) {
        uint8_t b = static_cast<uint8_t>(rng());
        if (b == needle) b ^= 1;
        buffer.get()[i] = b;
      }
      ASSERT_EQ(FindByte(p, n, needle), n) << "absent, offset " << offset;
      // The needle just before the range must not be found either.
      if (offset > 0) {
        p[-1] = needle;
        ASSERT_EQ(FindByte(p, n, needle), n) << "offset " << offset;
      }
      for (size_t pos = 0; pos < n; ++pos) {
        const uint8_t saved = p[pos];
        p[pos] = needle;
        const size_t later = pos + 1 + (pos * 7 + n) % (n - pos);
        const bool two = later < n && ((pos + n) & 1);
        const uint8_t saved_later = two ? p[later] : 0;
        if (two) p[later] = needle;
        ASSERT_EQ(FindByte(p, n, needle), pos)
            << "offset " << offset << " n " << n << " needle 0x" << std::hex << int(needle);
        if (two) p[later] = saved_later;
        p[pos] = saved;
      }
    }
  }
}

TEST_P(TextScanTest, RandomContentMatchesScalar) {
  // Random bytes with a tunable share of non-ASCII bytes / needles, against
  // the scalar loops, for every (offset, length).
  std::mt19937 rng(3);
  for (size_t offset = 0; offset <= kMaxOffset; ++offset) {
    for (size_t n = 0; n <= kMaxLength; ++n) {
      auto buffer = AllocateExact(offset + n);
      uint8_t* p = buffer.get() + offset;
      const uint32_t rare = 1 + rng() % 400;  // about 1 in `rare` bytes is special
      const uint8_t needle = static_cast<uint8_t>(rng());
      for (size_t i = 0; i < offset + n; ++i) {
        const bool special = rng() % rare == 0;
        buffer.get()[i] = special ? static_cast<uint8_t>(0x80 | rng()) : rng() & 0x7F;
      }
      ASSERT_EQ(CountAsciiPrefix(p, n), ScalarCountAsciiPrefix(p, n))
          << "offset " << offset << " n " << n;
      for (size_t i = 0; i < n; ++i) {
        if (rng() % rare == 0) p[i] = needle;
      }
      ASSERT_EQ(FindByte(p, n, needle), ScalarFindByte(p, n, needle))
          << "offset " << offset << " n " << n << " needle 0x" << std::hex << int(needle);
    }
  }
}

TEST_P(TextScanTest, FindByteEveryNeedleValue) {
  // All 256 needles over one misaligned range holding every byte once.
  constexpr size_t kOffset = 13;
  auto buffer = AllocateExact(kOffset + 256);
  uint8_t* p = buffer.get() + kOffset;
  std::mt19937 rng(3);
  for (int i = 0; i < 256; ++i) p[i] = static_cast<uint8_t>(255 - i);
  for (int i = 255; i > 0; --i) std::swap(p[i], p[rng() % (i + 1)]);
  for (int b = 0; b < 256; ++b) {
    const uint8_t needle = static_cast<uint8_t>(b);
    EXPECT_EQ(FindByte(p, 256, needle), ScalarFindByte(p, 256, needle));
  }
}

}  // namespace
}  // namespace edgepiece
