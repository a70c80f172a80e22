// Tests for the LRU scan (runtime/ops/lru_scan.h): bit for bit against the
// scalar recurrence on every SIMD target (the kernel promises the same
// rounding everywhere), close to a double recurrence, misaligned, odd sizes.
#include "runtime/ops/lru_scan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
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
class LruScanTest : public testing::PerTargetTest {};

EDGEPIECE_INSTANTIATE_PER_TARGET(LruScanTest);

TEST_P(LruScanTest, MatchesScalarRecurrenceExactly) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_real_distribution<float> radius(0.5f, 0.999f);
  for (size_t n : {1, 3, 7, 16, 17, 31, 64, 100, 257}) {
    for (size_t steps : {0, 1, 3, 17, 64}) {
      Buffer l_re(n), l_im(n), s_re(n), s_im(n);
      Buffer in_re(steps * n), in_im(steps * n);
      Buffer out_re(steps * n), out_im(steps * n);
      std::vector<float> h_re(n), h_im(n);
      std::vector<std::complex<double>> h(n), lambda(n);
      for (size_t k = 0; k < n; ++k) {
        const float r = radius(rng), theta = 3.0f * unit(rng);
        l_re[k] = r * std::cos(theta);
        l_im[k] = r * std::sin(theta);
        lambda[k] = {l_re[k], l_im[k]};
        h_re[k] = s_re[k] = unit(rng);
        h_im[k] = s_im[k] = unit(rng);
        h[k] = {h_re[k], h_im[k]};
      }
      for (size_t i = 0; i < steps * n; ++i) {
        in_re[i] = unit(rng);
        in_im[i] = unit(rng);
      }
      ComplexDiagonalScan(l_re.data(), l_im.data(), n, steps, in_re.data(), in_im.data(),
                          s_re.data(), s_im.data(), out_re.data(), out_im.data());
      for (size_t t = 0; t < steps; ++t) {
        for (size_t k = 0; k < n; ++k) {
          const size_t at = t * n + k;
          const float re = (l_re[k] * h_re[k] - l_im[k] * h_im[k]) + in_re[at];
          const float im = (l_re[k] * h_im[k] + l_im[k] * h_re[k]) + in_im[at];
          h_re[k] = re;
          h_im[k] = im;
          h[k] = lambda[k] * h[k] + std::complex<double>(in_re[at], in_im[at]);
          ASSERT_EQ(out_re[at], re) << "n " << n << " t " << t << " k " << k;
          ASSERT_EQ(out_im[at], im) << "n " << n << " t " << t << " k " << k;
          // |h| stays below ~1 / (1 - |lambda|) = 1000; float rounding
          // compounds over at most 64 steps.
          ASSERT_NEAR(re, h[k].real(), 1e-4);
          ASSERT_NEAR(im, h[k].imag(), 1e-4);
        }
      }
      for (size_t k = 0; k < n; ++k) {
        ASSERT_EQ(s_re[k], h_re[k]) << "state, n " << n << " steps " << steps;
        ASSERT_EQ(s_im[k], h_im[k]) << "state, n " << n << " steps " << steps;
      }
    }
  }
}

}  // namespace
}  // namespace edgepiece
