// Tests for the matrix kernels (runtime/ops/matmul.h) against scalar loops
// that accumulate in double: odd sizes, inputs and outputs misaligned by one
// float, every SIMD target. Tolerances scale with sum |terms|.
#include "runtime/ops/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "hwy/targets.h"
#include "tests/native/support/per_target_test.h"

namespace edgepiece {
namespace {

// Float accumulation error relative to sum |terms| (sizes up to 257).
constexpr double kRelTol = 1e-5;
constexpr float kSentinel = -12345.0f;

// n floats starting one float into an allocation of exactly n + 1, so data
// is misaligned, [-1] is a sentinel and ASan sees any access past the end.
class Buffer {
 public:
  explicit Buffer(size_t n) : storage_(n + 1) { storage_[0] = kSentinel; }
  float* data() { return storage_.data() + 1; }
  float& operator[](size_t i) { return data()[i]; }
  bool SentinelIntact() const { return storage_[0] == kSentinel; }

 private:
  std::vector<float> storage_;
};

Buffer Random(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Buffer b(n);
  for (size_t i = 0; i < n; ++i) b[i] = dist(rng);
  return b;
}

// sum_i a[i * a_step] * b[i * b_step] for i < n in double, and the sum of
// the terms' magnitudes (the scale of float rounding error).
struct ReferenceDot {
  double sum = 0.0, abs_sum = 0.0;
};
ReferenceDot DotInDouble(const float* a, size_t a_step, const float* b, size_t b_step, size_t n) {
  ReferenceDot dot;
  for (size_t i = 0; i < n; ++i) {
    const double term = double{a[i * a_step]} * b[i * b_step];
    dot.sum += term;
    dot.abs_sum += std::abs(term);
  }
  return dot;
}

// Runs each test once per SIMD target that is compiled in and supported.
class MatmulTest : public testing::PerTargetTest {};

EDGEPIECE_INSTANTIATE_PER_TARGET(MatmulTest);

const size_t kCols[] = {1, 3, 7, 16, 17, 31, 64, 100, 257};
const size_t kRows[] = {1, 3, 4, 5, 7, 8, 9, 12, 17, 31, 64};
const size_t kTokens[] = {1, 2, 3, 4, 5, 7, 9, 17};

TEST_P(MatmulTest, MatVecMatchesReference) {
  std::mt19937 rng(1);
  for (size_t rows : kRows) {
    for (size_t cols : kCols) {
      Buffer w = Random(rows * cols, rng);
      Buffer x = Random(cols, rng);
      Buffer y(rows);
      MatVec(w.data(), rows, cols, x.data(), y.data());
      for (size_t r = 0; r < rows; ++r) {
        const ReferenceDot dot = DotInDouble(w.data() + r * cols, 1, x.data(), 1, cols);
        ASSERT_NEAR(y[r], dot.sum, kRelTol * dot.abs_sum)
            << "rows " << rows << " cols " << cols << " r " << r;
      }
      EXPECT_TRUE(y.SentinelIntact());
    }
  }
}

TEST_P(MatmulTest, MatMulMatchesReference) {
  std::mt19937 rng(2);
  for (size_t tokens : kTokens) {
    for (size_t rows : kRows) {
      for (size_t cols : kCols) {
        Buffer x = Random(tokens * cols, rng);
        Buffer w = Random(rows * cols, rng);
        Buffer y(tokens * rows);
        MatMul(x.data(), tokens, w.data(), rows, cols, y.data());
        for (size_t t = 0; t < tokens; ++t) {
          for (size_t r = 0; r < rows; ++r) {
            const ReferenceDot dot =
                DotInDouble(x.data() + t * cols, 1, w.data() + r * cols, 1, cols);
            ASSERT_NEAR(y[t * rows + r], dot.sum, kRelTol * dot.abs_sum)
                << "tokens " << tokens << " rows " << rows << " cols " << cols << " at " << t << ","
                << r;
          }
        }
        EXPECT_TRUE(y.SentinelIntact());
      }
    }
  }
}

// IEEE half bits -> double, by the definition.
double HalfToDouble(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double magnitude =
      exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, exponent - 25);
  return (h & 0x8000) ? -magnitude : magnitude;
}

// Half-float weights one element into their allocation (misaligned), with
// normal values in +-2 and some subnormals.
std::vector<uint16_t> RandomHalves(size_t n, std::mt19937& rng) {
  std::vector<uint16_t> h(n + 1);
  for (size_t i = 1; i <= n; ++i) {
    const uint16_t sign = (rng() & 1) << 15;
    h[i] = rng() % 8 == 0 ? sign | (rng() % 1024)  // subnormal
                          : sign | ((rng() % 16 + 1) << 10) | (rng() % 1024);
  }
  return h;
}

TEST_P(MatmulTest, HalfFloatWeightsMatchReference) {
  std::mt19937 rng(5);
  for (size_t tokens : {1, 2, 5}) {
    for (size_t rows : kRows) {
      for (size_t cols : kCols) {
        Buffer x = Random(tokens * cols, rng);
        const std::vector<uint16_t> w = RandomHalves(rows * cols, rng);
        Buffer y(tokens * rows);
        if (tokens == 1) {
          MatVecF16(w.data() + 1, rows, cols, x.data(), y.data());
        } else {
          MatMulF16(x.data(), tokens, w.data() + 1, rows, cols, y.data());
        }
        for (size_t t = 0; t < tokens; ++t) {
          for (size_t r = 0; r < rows; ++r) {
            double sum = 0.0, abs_sum = 0.0;
            for (size_t c = 0; c < cols; ++c) {
              const double term = double{x[t * cols + c]} * HalfToDouble(w[1 + r * cols + c]);
              sum += term;
              abs_sum += std::abs(term);
            }
            ASSERT_NEAR(y[t * rows + r], sum, kRelTol * abs_sum + 1e-30)
                << "tokens " << tokens << " rows " << rows << " cols " << cols;
          }
        }
        EXPECT_TRUE(y.SentinelIntact());
      }
    }
  }
}

TEST_P(MatmulTest, MatMulAccumulateMatchesReference) {
  std::mt19937 rng(6);
  for (size_t tokens : {1, 3, 4, 5, 9}) {
    // 300 rows: more than a strip copied into contiguous rows holds.
    for (size_t rows : {1, 3, 8, 17, 300}) {
      for (size_t cols : kCols) {
        // Row strides larger than the rows, as for views into wider buffers.
        const size_t x_stride = rows + 3, m_stride = cols + 5, y_stride = cols + 2;
        Buffer x = Random(tokens * x_stride, rng);
        Buffer m = Random(rows * m_stride, rng);
        Buffer y = Random(tokens * y_stride, rng);
        std::vector<float> before(y.data(), y.data() + tokens * y_stride);
        MatMulAccumulate(x.data(), x_stride, tokens, m.data(), m_stride, rows, cols, 0.5f, y.data(),
                         y_stride);
        for (size_t t = 0; t < tokens; ++t) {
          for (size_t c = 0; c < y_stride; ++c) {
            const size_t i = t * y_stride + c;
            if (c >= cols) {  // outside the block: untouched
              ASSERT_EQ(y[i], before[i]);
              continue;
            }
            const ReferenceDot dot =
                DotInDouble(x.data() + t * x_stride, 1, m.data() + c, m_stride, rows);
            ASSERT_NEAR(y[i], before[i] + 0.5 * dot.sum,
                        kRelTol * (dot.abs_sum + std::abs(before[i])))
                << "tokens " << tokens << " rows " << rows << " cols " << cols;
          }
        }
        EXPECT_TRUE(y.SentinelIntact());
      }
    }
  }
}

// One row at a time (decoding) gives the bits of the same row in a block of
// rows (prefill): the one-row path sums each column as the tile does.
TEST_P(MatmulTest, MatMulAccumulateOneRowEqualsBlockRow) {
  std::mt19937 rng(7);
  for (size_t tokens : {2, 3, 4, 5, 7}) {  // tiles of 4 and each remainder
    for (size_t rows : {1, 3, 17, 64}) {
      for (size_t cols : {1, 7, 16, 33, 64, 100, 257, 512}) {
        const size_t x_stride = rows + 1, m_stride = cols + 3;
        Buffer x = Random(tokens * x_stride, rng);
        Buffer m = Random(rows * m_stride, rng);
        Buffer y_block = Random(tokens * cols, rng);
        std::vector<float> y_rows(y_block.data(), y_block.data() + tokens * cols);
        MatMulAccumulate(x.data(), x_stride, tokens, m.data(), m_stride, rows, cols, 0.37f,
                         y_block.data(), cols);
        for (size_t t = 0; t < tokens; ++t) {
          MatMulAccumulate(x.data() + t * x_stride, x_stride, 1, m.data(), m_stride, rows, cols,
                           0.37f, y_rows.data() + t * cols, cols);
        }
        for (size_t i = 0; i < tokens * cols; ++i) {
          ASSERT_EQ(y_rows[i], y_block[i])
              << "tokens " << tokens << " rows " << rows << " cols " << cols << " at " << i;
        }
      }
    }
  }
}

// The sum row panels promise for every output: x[0] w[0] + x[1] w[1] + ...
// in order, each product rounded, then added (no FMA: -ffp-contract=off).
float SequentialSum(const float* x, const float* w, size_t n) {
  float sum = 0.0f;
  for (size_t c = 0; c < n; ++c) sum += x[c] * w[c];
  return sum;
}

TEST_P(MatmulTest, RowPanelsMatchSequentialSumsAndMatVec) {
  std::mt19937 rng(3);
  for (size_t rows : kRows) {
    // Around the 256-column blocks MatMulPanels packs its input in.
    for (size_t cols : {1, 4, 7, 12, 64, 100, 255, 256, 257, 600}) {
      Buffer w = Random(rows * cols, rng);
      std::vector<float> panels(w.data(), w.data() + rows * cols);
      PackRowPanels(panels.data(), rows, cols);
      for (size_t r = 0; r < rows; ++r) {  // every row comes back
        std::vector<float> row(cols);
        CopyPanelRow(panels.data(), rows, cols, r, row.data());
        ASSERT_EQ(0, std::memcmp(row.data(), w.data() + r * cols, cols * sizeof(float)))
            << "rows " << rows << " cols " << cols << " r " << r;
      }
      // Around the tiles of four tokens and the blocks of sixteen.
      for (size_t tokens : {1, 2, 3, 5, 9, 16, 17, 35}) {
        Buffer x = Random(tokens * cols, rng);
        Buffer y(tokens * rows), y_one(rows);
        MatMulPanels(x.data(), tokens, panels.data(), rows, cols, y.data());
        for (size_t t = 0; t < tokens; ++t) {
          // One token at a time gives the same bits (decoding == prefill).
          MatVecPanels(panels.data(), rows, cols, x.data() + t * cols, y_one.data());
          for (size_t r = 0; r < rows; ++r) {
            const ReferenceDot dot =
                DotInDouble(x.data() + t * cols, 1, w.data() + r * cols, 1, cols);
            const float got = y[t * rows + r];
            ASSERT_NEAR(got, dot.sum, kRelTol * dot.abs_sum) << "rows " << rows << " cols " << cols;
            ASSERT_EQ(got, SequentialSum(x.data() + t * cols, w.data() + r * cols, cols))
                << "rows " << rows << " cols " << cols << " tokens " << tokens << " r " << r;
            ASSERT_EQ(got, y_one[r]) << "rows " << rows << " cols " << cols << " r " << r;
          }
        }
        EXPECT_TRUE(y.SentinelIntact() && y_one.SentinelIntact());
      }
    }
  }
}

TEST_P(MatmulTest, PrefillSizedMatMulMatchesMatVec) {
  // The shapes the model runs: every token row of MatMul agrees with a
  // MatVec of that row to float rounding.
  std::mt19937 rng(5);
  const size_t tokens = 19, rows = 1152, cols = 256;
  Buffer x = Random(tokens * cols, rng);
  Buffer w = Random(rows * cols, rng);
  Buffer y(tokens * rows);
  Buffer row(rows);
  MatMul(x.data(), tokens, w.data(), rows, cols, y.data());
  for (size_t t = 0; t < tokens; ++t) {
    MatVec(w.data(), rows, cols, x.data() + t * cols, row.data());
    for (size_t r = 0; r < rows; ++r) {
      ASSERT_NEAR(y[t * rows + r], row[r], 1e-5 * cols) << t << "," << r;
    }
  }
}

}  // namespace
}  // namespace edgepiece
