// Tests for relu^2 attention (runtime/ops/attention.h) against a double
// reference: odd sizes, n = 0, inputs misaligned by one float, every SIMD
// target; causal prefill rows equal single-query calls bit for bit.
#include "runtime/ops/attention.h"

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

Buffer Random(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Buffer b(n);
  for (size_t i = 0; i < n; ++i) b[i] = dist(rng);
  return b;
}

// Checks out[value_size] against the double reference for query q over
// keys / values [n, *]. The tolerance follows the error of the float
// score s_j (about 1e-5 of a_j = |scale| sum |q k_j|) through
// weight = relu(s)^2 norm: |d weight| <~ norm (2 |s_j| + ...) d s_j.
void ExpectMatchesReference(const float* q, const float* keys, const float* values, size_t n,
                            size_t key_size, size_t value_size, float scale, float norm,
                            const float* out, const std::string& what) {
  std::vector<double> want(value_size, 0.0), tol(value_size, 0.0);
  for (size_t j = 0; j < n; ++j) {
    double s = 0.0, a = 0.0;
    for (size_t i = 0; i < key_size; ++i) {
      s += double{q[i]} * keys[j * key_size + i];
      a += std::abs(double{q[i]} * keys[j * key_size + i]);
    }
    s *= scale;
    a *= std::abs(scale);
    const double weight = s > 0.0 ? s * s * norm : 0.0;
    for (size_t c = 0; c < value_size; ++c) {
      const double v = values[j * value_size + c];
      want[c] += weight * v;
      tol[c] += 3e-5 * a * a * norm * std::abs(v);
    }
  }
  for (size_t c = 0; c < value_size; ++c) {
    ASSERT_NEAR(out[c], want[c], tol[c] + 1e-30) << what << " c " << c;
  }
}

// Runs each test once per SIMD target that is compiled in and supported.
class AttentionTest : public testing::PerTargetTest {};

EDGEPIECE_INSTANTIATE_PER_TARGET(AttentionTest);

TEST_P(AttentionTest, Relu2AttendMatchesReference) {
  std::mt19937 rng(1);
  for (size_t n : {0, 1, 3, 7, 17, 31, 64, 65, 100, 129, 257}) {
    for (size_t key_size : {1, 3, 7, 17, 64}) {
      for (size_t value_size : {1, 3, 7, 17, 31, 64, 100}) {
        Buffer q = Random(key_size, rng);
        Buffer keys = Random(n * key_size, rng);
        Buffer values = Random(n * value_size, rng);
        Buffer out = Random(value_size, rng);  // overwritten
        const float scale = 1.0f / std::sqrt(static_cast<float>(key_size));
        const float norm = 1.0f / 128;
        Relu2Attend(q.data(), keys.data(), values.data(), n, key_size, value_size, scale, norm,
                    out.data());
        ExpectMatchesReference(q.data(), keys.data(), values.data(), n, key_size, value_size, scale,
                               norm, out.data(),
                               "n " + std::to_string(n) + " key_size " + std::to_string(key_size) +
                                   " value_size " + std::to_string(value_size));
        if (n == 0) {
          for (size_t c = 0; c < value_size; ++c) ASSERT_EQ(out[c], 0.0f);
        }
      }
    }
  }
}

TEST_P(AttentionTest, CausalRowsEqualSingleQueries) {
  std::mt19937 rng(2);
  for (size_t n : {0, 1, 3, 7, 17, 64, 65, 130}) {
    for (size_t key_size : {3, 16, 64}) {
      for (size_t value_size : {5, 64, 100}) {
        Buffer q = Random(n * key_size, rng);
        Buffer k = Random(n * key_size, rng);
        Buffer v = Random(n * value_size, rng);
        Buffer out = Random(n * value_size, rng);  // overwritten
        Buffer row(value_size);
        const float scale = 0.25f, norm = 0.5f;
        Relu2AttendCausal(q.data(), k.data(), v.data(), n, key_size, value_size, scale, norm,
                          out.data());
        for (size_t i = 0; i < n; ++i) {
          const std::string what = "n " + std::to_string(n) + " row " + std::to_string(i) +
                                   " value_size " + std::to_string(value_size);
          Relu2Attend(q.data() + i * key_size, k.data(), v.data(), i + 1, key_size, value_size,
                      scale, norm, row.data());
          for (size_t c = 0; c < value_size; ++c) {
            ASSERT_EQ(out[i * value_size + c], row[c]) << what;
          }
          ExpectMatchesReference(q.data() + i * key_size, k.data(), v.data(), i + 1, key_size,
                                 value_size, scale, norm, out.data() + i * value_size, what);
        }
      }
    }
  }
}

}  // namespace
}  // namespace edgepiece
