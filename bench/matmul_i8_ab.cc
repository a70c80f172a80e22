// matmul_i8_ab: the int8-weight products with 16-bit activations (MatMulI8,
// what the model runs) against 6-bit int8 ones (MatMulI6, int8 x int8), on
// the demo model's projection shapes for a 64-token chunk, quantization
// included. Rounds interleave the two kernels, so a loaded machine slows
// both alike; each round prints GMAC per CPU-second of this thread (best of
// its passes) and the ratio I6 / I8.
//
//   matmul_i8_ab [ROUNDS]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "native/clocks.h"
#include "runtime/ops/matmul_i8.h"

namespace {

using edgepiece::cli::ThreadCpuSeconds;

constexpr size_t kTokens = 64, kGroup = 256, kPasses = 10;

// [rows, cols]: W_in, W_out, the LRU's B / C / GLU, and the head.
struct Shape {
  const char* name;
  size_t rows, cols;
};
constexpr Shape kShapes[] = {
    {"w_in", 1152, 256}, {"w_out", 256, 512}, {"lru_b", 512, 256}, {"head", 7999, 256}};

struct Case {
  Shape shape;
  std::vector<int8_t> w, q8;
  std::vector<int32_t> sums;
  std::vector<int16_t> q16;
  std::vector<float> scales, x, x_scales, y;
};

Case MakeCase(const Shape& shape, std::mt19937& rng) {
  Case c;
  c.shape = shape;
  std::uniform_int_distribution<int> weight(-127, 127);
  std::normal_distribution<float> value;
  c.w.resize(shape.rows * shape.cols);
  for (int8_t& w : c.w) w = static_cast<int8_t>(weight(rng));
  c.scales.assign(shape.rows * shape.cols / kGroup, 0.01f);
  c.x.resize(kTokens * shape.cols);
  for (float& x : c.x) x = value(rng);
  c.q8.resize(kTokens * shape.cols);
  c.q16.resize(kTokens * shape.cols);
  c.sums.resize(kTokens * shape.cols / kGroup);
  c.x_scales.resize(kTokens);
  c.y.resize(kTokens * shape.rows);
  return c;
}

// Best CPU seconds of kPasses runs of `run`.
template <typename F>
double Best(F run) {
  double best = 1e30;
  for (size_t i = 0; i < kPasses; ++i) {
    const double start = ThreadCpuSeconds();
    run();
    best = std::min(best, ThreadCpuSeconds() - start);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 3;
  std::mt19937 rng(1);
  std::vector<Case> cases;
  for (const Shape& shape : kShapes) cases.push_back(MakeCase(shape, rng));
  std::printf("round shape      rows x cols   I8 GMAC/s  I6 GMAC/s  I6/I8\n");
  for (int round = 1; round <= rounds; ++round) {
    for (Case& c : cases) {
      const size_t rows = c.shape.rows, cols = c.shape.cols;
      const double i8 = Best([&] {
        edgepiece::QuantizeRowsI16(c.x.data(), kTokens, cols, c.q16.data(), c.x_scales.data());
        edgepiece::MatMulI8(c.q16.data(), c.x_scales.data(), kTokens, c.w.data(), c.scales.data(),
                            rows, cols, kGroup, c.y.data());
      });
      const double i6 = Best([&] {
        edgepiece::QuantizeRowsI6(c.x.data(), kTokens, cols, kGroup, c.q8.data(), c.x_scales.data(),
                                  c.sums.data());
        edgepiece::MatMulI6(c.q8.data(), c.x_scales.data(), c.sums.data(), kTokens, c.w.data(),
                            c.scales.data(), rows, cols, kGroup, c.y.data());
      });
      const double macs = static_cast<double>(kTokens * rows * cols) * 1e-9;
      std::printf("%5d %-6s %6zu x %-6zu %9.1f %10.1f %6.2f\n", round, c.shape.name, rows, cols,
                  macs / i8, macs / i6, i8 / i6);
    }
  }
  return 0;
}
