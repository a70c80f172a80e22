// Tests for the int8-weight kernels (runtime/ops/matmul_i8.h) against a
// scalar reference of the header's definition: the results must be equal
// bit for bit (the definition is exact), on every SIMD target, with odd
// sizes and groups, misaligned inputs and outputs, and extreme values.
#include "runtime/ops/matmul_i8.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "tests/native/support/per_target_test.h"

namespace edgepiece {
namespace {

// The header's definition, read literally (rounding through nearbyint, not
// the kernel's float trick), to [-qmax, qmax].
void ReferenceQuantize(const float* x, size_t cols, int16_t* q, float* scale,
                       float qmax = 32767.0f) {
  float amax = 0.0f;
  for (size_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(x[c]));
  if (!(amax >= 7.9e-31f)) {
    for (size_t c = 0; c < cols; ++c) q[c] = 0;
    *scale = 0.0f;
    return;
  }
  const float inv = qmax / amax;
  *scale = amax / qmax;
  for (size_t c = 0; c < cols; ++c) {
    const float scaled = x[c] * inv;
    q[c] = static_cast<int16_t>(std::nearbyint(scaled));
  }
}

float ReferenceRow(const int8_t* w, const float* scales, size_t rows, size_t r, size_t cols,
                   size_t group, const int16_t* q, float x_scale) {
  float acc = 0.0f;
  for (size_t g = 0; g < cols / group; ++g) {
    int64_t sum = 0;
    for (size_t c = g * group; c < (g + 1) * group; ++c) sum += int64_t{w[r * cols + c]} * q[c];
    EXPECT_EQ(sum, static_cast<int32_t>(sum));
    const float product = static_cast<float>(static_cast<int32_t>(sum)) * scales[g * rows + r];
    acc = acc + product;
  }
  return acc * x_scale;
}

// Buffers starting one element into their allocation: misaligned for
// every vector width.
template <typename T>
class Misaligned {
 public:
  explicit Misaligned(size_t n) : storage_(n + 1) {}
  T* data() { return storage_.data() + 1; }
  T& operator[](size_t i) { return data()[i]; }

 private:
  std::vector<T> storage_;
};

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

class MatmulI8Test : public testing::PerTargetTest {};
EDGEPIECE_INSTANTIATE_PER_TARGET(MatmulI8Test);

struct Shape {
  size_t cols, group;
};
const Shape kShapes[] = {{1, 1},    {7, 7},     {16, 16},   {17, 17},  {24, 8},
                         {33, 11},  {64, 32},   {96, 32},   {100, 25}, {128, 64},
                         {256, 64}, {512, 512}, {1024, 512}};
const size_t kRows[] = {1, 3, 4, 5, 7, 8, 9, 17, 31};
const size_t kTokens[] = {1, 2, 3, 5, 7};

struct Problem {
  Misaligned<int8_t> w;
  Misaligned<float> scales;
  Problem(size_t rows, size_t cols, size_t group, std::mt19937& rng)
      : w(rows * cols), scales(rows * (cols / group)) {
    std::uniform_int_distribution<int> weight(-128, 127);
    std::uniform_real_distribution<float> scale(-0.02f, 0.05f);
    for (size_t i = 0; i < rows * cols; ++i) w[i] = static_cast<int8_t>(weight(rng));
    for (size_t i = 0; i < rows * (cols / group); ++i) scales[i] = scale(rng);
  }
};

Misaligned<float> RandomRows(size_t tokens, size_t cols, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, 2.0f);
  Misaligned<float> x(tokens * cols);
  for (size_t i = 0; i < tokens * cols; ++i) x[i] = dist(rng);
  if (tokens > 2) {
    for (size_t c = 0; c < cols; ++c) x[2 * cols + c] = 0.0f;  // an all-zero row
  }
  return x;
}

// Each of `rows` quantized rows (q, scales) is ReferenceQuantize's, to the bit.
template <typename Q>
void ExpectQuantizedAsReference(const float* x, size_t rows, size_t cols, const Q* q,
                                const float* scales, float qmax) {
  for (size_t t = 0; t < rows; ++t) {
    std::vector<int16_t> want(cols);
    float want_scale;
    ReferenceQuantize(x + t * cols, cols, want.data(), &want_scale, qmax);
    EXPECT_EQ(Bits(scales[t]), Bits(want_scale)) << cols << " " << t;
    for (size_t c = 0; c < cols; ++c) ASSERT_EQ(q[t * cols + c], want[c]) << cols << " " << c;
  }
}

TEST_P(MatmulI8Test, QuantizeMatchesReference) {
  std::mt19937 rng(3);
  for (size_t cols : {1, 2, 7, 8, 9, 31, 64, 257}) {
    Misaligned<float> x = RandomRows(3, cols, rng);
    Misaligned<int16_t> q(3 * cols);
    Misaligned<float> scales(3);
    QuantizeRowsI16(x.data(), 3, cols, q.data(), scales.data());
    ExpectQuantizedAsReference(x.data(), 3, cols, q.data(), scales.data(), 32767.0f);
  }
}

TEST_P(MatmulI8Test, QuantizeRoundsHalfToEven) {
  // max |x| = 32767 makes the multiplier exactly 1.
  const float x[] = {32767.0f, 2.5f, 3.5f, -2.5f, -3.5f, 0.5f, -0.5f, 1.5f, 2.4999998f};
  const int16_t want[] = {32767, 2, 4, -2, -4, 0, 0, 2, 2};
  int16_t q[9];
  float scale;
  QuantizeRowsI16(x, 1, 9, q, &scale);
  EXPECT_EQ(scale, 1.0f);
  for (size_t i = 0; i < 9; ++i) EXPECT_EQ(q[i], want[i]) << i;
}

TEST_P(MatmulI8Test, MatVecEqualsReferenceBitForBit) {
  std::mt19937 rng(1);
  for (const Shape& shape : kShapes) {
    for (size_t rows : kRows) {
      Problem p(rows, shape.cols, shape.group, rng);
      Misaligned<float> x = RandomRows(1, shape.cols, rng);
      Misaligned<int16_t> q(shape.cols);
      float x_scale;
      QuantizeRowsI16(x.data(), 1, shape.cols, q.data(), &x_scale);
      Misaligned<float> y(rows);
      MatVecI8(p.w.data(), p.scales.data(), rows, shape.cols, shape.group, q.data(), x_scale,
               y.data());
      for (size_t r = 0; r < rows; ++r) {
        const float want = ReferenceRow(p.w.data(), p.scales.data(), rows, r, shape.cols,
                                        shape.group, q.data(), x_scale);
        ASSERT_EQ(Bits(y[r]), Bits(want))
            << "rows " << rows << " cols " << shape.cols << " group " << shape.group << " r " << r;
      }
    }
  }
}

TEST_P(MatmulI8Test, MatMulRowsEqualMatVecBitForBit) {
  std::mt19937 rng(2);
  for (const Shape& shape : kShapes) {
    for (size_t rows : {1, 4, 5, 9}) {
      for (size_t tokens : kTokens) {
        Problem p(rows, shape.cols, shape.group, rng);
        Misaligned<float> x = RandomRows(tokens, shape.cols, rng);
        Misaligned<int16_t> q(tokens * shape.cols);
        Misaligned<float> x_scales(tokens);
        QuantizeRowsI16(x.data(), tokens, shape.cols, q.data(), x_scales.data());
        Misaligned<float> y(tokens * rows);
        MatMulI8(q.data(), x_scales.data(), tokens, p.w.data(), p.scales.data(), rows, shape.cols,
                 shape.group, y.data());
        for (size_t t = 0; t < tokens; ++t) {
          Misaligned<float> row(rows);
          MatVecI8(p.w.data(), p.scales.data(), rows, shape.cols, shape.group,
                   q.data() + t * shape.cols, x_scales[t], row.data());
          for (size_t r = 0; r < rows; ++r) {
            ASSERT_EQ(Bits(y[t * rows + r]), Bits(row[r]))
                << "tokens " << tokens << " rows " << rows << " cols " << shape.cols << " t " << t;
          }
        }
      }
    }
  }
}

// The largest group at full scale: int8 -128 and activations at +-32767 in
// every column, the int32 sum's worst case.
TEST_P(MatmulI8Test, LargestGroupAtFullScaleDoesNotOverflow) {
  const size_t cols = kMaxInt8Group, rows = 5;
  std::vector<int8_t> w(rows * cols, -128);
  std::vector<float> scales(rows, 1.0f), x(cols, -3.0f), y(rows);
  std::vector<int16_t> q(cols);
  float x_scale;
  QuantizeRowsI16(x.data(), 1, cols, q.data(), &x_scale);
  ASSERT_EQ(q[0], -32767);
  MatVecI8(w.data(), scales.data(), rows, cols, cols, q.data(), x_scale, y.data());
  const float want = static_cast<float>(128 * 32767 * 512) * x_scale;
  for (size_t r = 0; r < rows; ++r) EXPECT_EQ(y[r], want) << r;
}

// The definition approximates the float product it stands for: within
// int16 rounding of the activations (2^-16 of max |x| per term).
TEST_P(MatmulI8Test, ApproximatesTheDequantizedProduct) {
  std::mt19937 rng(4);
  const size_t rows = 9, cols = 96, group = 32;
  Problem p(rows, cols, group, rng);
  Misaligned<float> x = RandomRows(1, cols, rng);
  Misaligned<int16_t> q(cols);
  float x_scale;
  QuantizeRowsI16(x.data(), 1, cols, q.data(), &x_scale);
  std::vector<float> y(rows);
  MatVecI8(p.w.data(), p.scales.data(), rows, cols, group, q.data(), x_scale, y.data());
  float amax = 0.0f;
  for (size_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(x[c]));
  for (size_t r = 0; r < rows; ++r) {
    double exact = 0, bound = 0;
    for (size_t c = 0; c < cols; ++c) {
      const double weight = static_cast<double>(p.w[r * cols + c]) * p.scales[c / group * rows + r];
      exact += weight * x[c];
      bound += std::fabs(weight) * amax / 32767.0;
    }
    EXPECT_NEAR(y[r], exact, bound + 1e-5 * std::fabs(exact)) << r;
  }
}

// 6-bit int8 activations (QuantizeRowsI6, MatMulI6).

TEST_P(MatmulI8Test, QuantizeI6MatchesReference) {
  std::mt19937 rng(5);
  for (const Shape& shape : kShapes) {
    const size_t cols = shape.cols;
    Misaligned<float> x = RandomRows(3, cols, rng);
    Misaligned<int8_t> q(3 * cols);
    Misaligned<float> scales(3);
    Misaligned<int32_t> sums(3 * (cols / shape.group));
    QuantizeRowsI6(x.data(), 3, cols, shape.group, q.data(), scales.data(), sums.data());
    ExpectQuantizedAsReference(x.data(), 3, cols, q.data(), scales.data(), kMaxI6);
  }
}

// Every row of MatMulI6 is the header's definition of its 6-bit row, and so
// the same bits as MatMulI8 of that row widened to int16.
TEST_P(MatmulI8Test, MatMulI6EqualsReferenceBitForBit) {
  std::mt19937 rng(6);
  for (const Shape& shape : kShapes) {
    const size_t cols = shape.cols, group = shape.group;
    for (size_t rows : {1, 4, 5, 9}) {
      for (size_t tokens : kTokens) {
        Problem p(rows, cols, group, rng);
        Misaligned<float> x = RandomRows(tokens, cols, rng);
        Misaligned<int8_t> q(tokens * cols);
        Misaligned<float> x_scales(tokens);
        Misaligned<int32_t> sums(tokens * (cols / group));
        QuantizeRowsI6(x.data(), tokens, cols, group, q.data(), x_scales.data(), sums.data());
        Misaligned<float> y(tokens * rows);
        MatMulI6(q.data(), x_scales.data(), sums.data(), tokens, p.w.data(), p.scales.data(), rows,
                 cols, group, y.data());
        Misaligned<int16_t> wide(tokens * cols);
        for (size_t i = 0; i < tokens * cols; ++i) wide[i] = q[i];
        Misaligned<float> y16(tokens * rows);
        MatMulI8(wide.data(), x_scales.data(), tokens, p.w.data(), p.scales.data(), rows, cols,
                 group, y16.data());
        for (size_t t = 0; t < tokens; ++t) {
          for (size_t r = 0; r < rows; ++r) {
            const float want = ReferenceRow(p.w.data(), p.scales.data(), rows, r, cols, group,
                                            wide.data() + t * cols, x_scales[t]);
            ASSERT_EQ(Bits(y[t * rows + r]), Bits(want))
                << "tokens " << tokens << " rows " << rows << " cols " << cols << " t " << t;
            ASSERT_EQ(Bits(y16[t * rows + r]), Bits(want));
          }
        }
      }
    }
  }
}

// The byte multiply-add's worst cases: weights at 127 (255 once shifted),
// -127 and -128 against activations at +-31 in every column of the largest
// group; a saturated pair would show in the sums.
TEST_P(MatmulI8Test, MatMulI6AtFullScaleDoesNotSaturate) {
  const size_t cols = kMaxInt8Group, rows = 4, tokens = 2;
  for (int weight : {127, -127, -128}) {
    std::vector<int8_t> w(rows * cols, static_cast<int8_t>(weight));
    std::vector<float> scales(rows, 1.0f), x(tokens * cols), x_scales(tokens);
    for (size_t c = 0; c < cols; ++c) {
      x[c] = 5.0f;
      x[cols + c] = -5.0f;
    }
    std::vector<int8_t> q(tokens * cols);
    std::vector<int32_t> sums(tokens);
    QuantizeRowsI6(x.data(), tokens, cols, cols, q.data(), x_scales.data(), sums.data());
    ASSERT_EQ(q[0], kMaxI6);
    ASSERT_EQ(q[cols], -kMaxI6);
    std::vector<float> y(tokens * rows);
    MatMulI6(q.data(), x_scales.data(), sums.data(), tokens, w.data(), scales.data(), rows, cols,
             cols, y.data());
    for (size_t r = 0; r < rows; ++r) {
      EXPECT_EQ(y[r], static_cast<float>(weight * kMaxI6 * 512) * x_scales[0]) << weight;
      EXPECT_EQ(y[rows + r], static_cast<float>(weight * -kMaxI6 * 512) * x_scales[1]) << weight;
    }
  }
}

// The 6-bit product is within the activations' rounding (max |x| / 62 per
// term) of the float product it stands for.
TEST_P(MatmulI8Test, MatMulI6ApproximatesTheDequantizedProduct) {
  std::mt19937 rng(7);
  const size_t rows = 9, cols = 96, group = 32, tokens = 3;
  Problem p(rows, cols, group, rng);
  Misaligned<float> x = RandomRows(tokens, cols, rng);
  Misaligned<int8_t> q(tokens * cols);
  Misaligned<float> x_scales(tokens);
  Misaligned<int32_t> sums(tokens * (cols / group));
  QuantizeRowsI6(x.data(), tokens, cols, group, q.data(), x_scales.data(), sums.data());
  std::vector<float> y(tokens * rows);
  MatMulI6(q.data(), x_scales.data(), sums.data(), tokens, p.w.data(), p.scales.data(), rows, cols,
           group, y.data());
  for (size_t t = 0; t < tokens; ++t) {
    const float* row = x.data() + t * cols;
    float amax = 0.0f;
    for (size_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(row[c]));
    for (size_t r = 0; r < rows; ++r) {
      double exact = 0, bound = 0;
      for (size_t c = 0; c < cols; ++c) {
        const double weight =
            static_cast<double>(p.w[r * cols + c]) * p.scales[c / group * rows + r];
        exact += weight * row[c];
        bound += std::fabs(weight) * amax / (2.0 * kMaxI6);
      }
      EXPECT_NEAR(y[t * rows + r], exact, bound + 1e-5 * std::fabs(exact)) << t << " " << r;
    }
  }
}

}  // namespace
}  // namespace edgepiece
