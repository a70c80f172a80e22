// Tests for the elementwise kernels (runtime/ops/elementwise.h) against
// double-precision references: odd sizes, inputs misaligned by one float,
// extreme inputs for the activations, in-place aliasing, every SIMD target.
#include "runtime/ops/elementwise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hwy/targets.h"
#include "tests/native/support/per_target_test.h"

namespace edgepiece {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
const size_t kSizes[] = {0, 1, 3, 7, 16, 17, 31, 64, 100, 257};

// n floats starting one float into an allocation of exactly n + 1, so data
// is misaligned and ASan sees any access past the end.
class Buffer {
 public:
  explicit Buffer(size_t n) : storage_(n + 1) {}
  float* data() { return storage_.data() + 1; }
  float& operator[](size_t i) { return data()[i]; }
  float operator[](size_t i) const { return storage_[i + 1]; }

 private:
  std::vector<float> storage_;
};

Buffer Random(size_t n, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(lo, hi);
  Buffer b(n);
  for (size_t i = 0; i < n; ++i) b[i] = dist(rng);
  return b;
}

// Random activation inputs in [-12, 12], with the extremes mixed in: large
// magnitudes must give finite, correct results (no inf / inf, no NaN).
Buffer ActivationInputs(size_t n, std::mt19937& rng) {
  static const float kSpecial[] = {0.0f,  -0.0f,  1e-30f, -1e-30f, 20.0f,   -20.0f,
                                   88.7f, -88.7f, 89.0f,  -89.0f,  104.5f,  -104.5f,
                                   1e4f,  -1e4f,  1e30f,  -1e30f,  3.4e38f, -3.4e38f};
  Buffer b = Random(n, -12.0f, 12.0f, rng);
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 4 == 0) b[i] = kSpecial[rng() % std::size(kSpecial)];
  }
  return b;
}

double SigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double GeluTanhRef(double x) {
  const double k = 0.79788456080286535588;  // sqrt(2 / pi)
  return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

// |got - want| <= 1e-6 |want| + 1e-6, and got is not NaN.
void ExpectClose(float got, double want, const std::string& what) {
  ASSERT_FALSE(std::isnan(got)) << what;
  ASSERT_NEAR(got, want, 1e-6 * std::abs(want) + 1e-6) << what;
}

// Runs each test once per SIMD target that is compiled in and supported.
class ElementwiseTest : public testing::PerTargetTest {};

EDGEPIECE_INSTANTIATE_PER_TARGET(ElementwiseTest);

TEST_P(ElementwiseTest, RmsNormMatchesReferenceAndInPlace) {
  std::mt19937 rng(1);
  for (size_t n : kSizes) {
    Buffer x = Random(n, -3.0f, 3.0f, rng);
    Buffer weight = Random(n, 0.5f, 1.5f, rng);
    Buffer out(n);
    RmsNorm(x.data(), weight.data(), n, 1e-6f, out.data());
    double ms = 0.0;
    for (size_t i = 0; i < n; ++i) ms += double{x[i]} * x[i];
    const double inv = 1.0 / std::sqrt(ms / (n == 0 ? 1 : n) + 1e-6);
    for (size_t i = 0; i < n; ++i) {
      const double want = x[i] * inv * weight[i];
      ASSERT_NEAR(out[i], want, 1e-5 * std::abs(want) + 1e-7) << n << " " << i;
    }
    RmsNorm(x.data(), weight.data(), n, 1e-6f, x.data());  // in place
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(x[i], out[i]) << n << " " << i;
  }
}

TEST_P(ElementwiseTest, ActivationsMatchReference) {
  std::mt19937 rng(2);
  for (size_t n : kSizes) {
    const Buffer input = ActivationInputs(n, rng);
    Buffer silu = input, gelu = input;
    Silu(silu.data(), n);
    GeluTanh(gelu.data(), n);
    for (size_t i = 0; i < n; ++i) {
      const double x = input[i];
      const std::string at = "n " + std::to_string(n) + " x " + std::to_string(x);
      ExpectClose(silu[i], x * SigmoidRef(x), "Silu " + at);
      ExpectClose(gelu[i], GeluTanhRef(x), "GeluTanh " + at);
    }
  }
}

TEST_P(ElementwiseTest, SigmoidGateMatchesReferenceAndAliases) {
  std::mt19937 rng(3);
  for (size_t n : kSizes) {
    Buffer a = Random(n, -5.0f, 5.0f, rng);
    Buffer b = ActivationInputs(n, rng);
    Buffer out(n);
    SigmoidGate(a.data(), b.data(), n, out.data());
    for (size_t i = 0; i < n; ++i) {
      ExpectClose(out[i], a[i] * SigmoidRef(b[i]), "n " + std::to_string(n));
    }
    Buffer in_a = a, in_b = b;
    SigmoidGate(in_a.data(), b.data(), n, in_a.data());
    SigmoidGate(a.data(), in_b.data(), n, in_b.data());
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(in_a[i], out[i]);
      ASSERT_EQ(in_b[i], out[i]);
    }
  }
}

TEST_P(ElementwiseTest, MulAddScaleAreExact) {
  std::mt19937 rng(4);
  for (size_t n : kSizes) {
    Buffer a = Random(n, -2.0f, 2.0f, rng);
    Buffer x = Random(n, -2.0f, 2.0f, rng);
    Buffer prod = x, sum = x, scaled = x;
    Mul(a.data(), prod.data(), n);
    Add(a.data(), sum.data(), n);
    Scale(0.3f, scaled.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(prod[i], x[i] * a[i]);
      ASSERT_EQ(sum[i], x[i] + a[i]);
      ASSERT_EQ(scaled[i], x[i] * 0.3f);
    }
  }
}

TEST_P(ElementwiseTest, MaxValueFindsEveryPosition) {
  std::mt19937 rng(5);
  EXPECT_EQ(MaxValue(nullptr, 0), -kInf);
  for (size_t n : kSizes) {
    Buffer x = Random(n, -100.0f, -1.0f, rng);  // all negative
    for (size_t pos = 0; pos < n; ++pos) {
      const float saved = x[pos];
      x[pos] = -0.5f;
      ASSERT_EQ(MaxValue(x.data(), n), -0.5f) << n << " " << pos;
      x[pos] = saved;
    }
  }
}

TEST_P(ElementwiseTest, ExpShiftedScaledMatchesReference) {
  std::mt19937 rng(4);
  for (size_t n : kSizes) {
    Buffer x = Random(n, -30.0f, 5.0f, rng);
    Buffer out(n);
    ExpShiftedScaled(x.data(), n, 5.0f, 1.25f, out.data());
    for (size_t i = 0; i < n; ++i) {
      // The argument rounded to float, as the kernel computes it: then only
      // exp's own error remains.
      const float arg = (x[i] - 5.0f) * 1.25f;
      const double want = std::exp(double(arg));
      ASSERT_NEAR(out[i], want, 2e-6 * want + 1e-30) << "n " << n << " i " << i;
    }
  }
}

TEST_P(ElementwiseTest, SoftmaxAndLogSumExpMatchReference) {
  std::mt19937 rng(6);
  // Logits around 0, and all far below 0 (where exp(0 - max) is huge, so
  // the padding lanes of a last partial vector must not count).
  for (const float offset : {0.0f, -60.0f}) {
    for (size_t n : kSizes) {
      if (n == 0) continue;
      Buffer x = Random(n, offset - 20.0f, offset + 20.0f, rng);
      // Masked logits (-inf) take part too, but not all of them.
      for (size_t i = 1; i < n; i += 5) x[i] = -kInf;
      double max = -std::numeric_limits<double>::infinity(), sum = 0.0;
      for (size_t i = 0; i < n; ++i) max = std::max(max, double{x[i]});
      for (size_t i = 0; i < n; ++i) sum += std::exp(x[i] - max);
      const double lse = max + std::log(sum);
      EXPECT_NEAR(LogSumExp(x.data(), n), lse, 1e-5 * std::max(1.0, std::abs(lse))) << n;
      Buffer p = x;
      SoftmaxInPlace(p.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const double want = std::exp(x[i] - max) / sum;
        ASSERT_NEAR(p[i], want, 1e-5 * want + 1e-7) << n << " " << i;
      }
    }
  }
  EXPECT_EQ(LogSumExp(nullptr, 0), -kInf);
  float all_masked[3] = {-kInf, -kInf, -kInf};
  EXPECT_EQ(LogSumExp(all_masked, 3), -kInf);
  float huge[2] = {1e30f, 1e30f};  // shifting by the max keeps exp in range
  EXPECT_NEAR(LogSumExp(huge, 2), 1e30, 1e24);
  SoftmaxInPlace(huge, 2);
  EXPECT_EQ(huge[0], 0.5f);
}

}  // namespace
}  // namespace edgepiece
