// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The kernels live in matmul-inl.h so that model code can inline them into
// its own per-target step; these wrappers dispatch per call, for tests and
// one-off callers.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/matmul.cc"
#include "runtime/ops/matmul.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/matmul-inl.h"

// Standard headers after the foreach_target block, which re-includes this file.
#include <algorithm>
#include <vector>

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(MatVec);
HWY_EXPORT(MatMul);
HWY_EXPORT(MatVecF16);
HWY_EXPORT(MatMulF16);
HWY_EXPORT(MatVecPanels);
HWY_EXPORT(MatMulPanels);
HWY_EXPORT(MatMulAccumulate);

void MatVec(const float* w, size_t rows, size_t cols, const float* x, float* y) {
  HWY_DYNAMIC_DISPATCH(MatVec)(w, rows, cols, x, y);
}

void MatMul(const float* x, size_t tokens, const float* w, size_t rows, size_t cols, float* y) {
  HWY_DYNAMIC_DISPATCH(MatMul)(x, tokens, w, rows, cols, y);
}

void MatVecF16(const uint16_t* w, size_t rows, size_t cols, const float* x, float* y) {
  HWY_DYNAMIC_DISPATCH(MatVecF16)(reinterpret_cast<const hwy::float16_t*>(w), rows, cols, x, y);
}

void MatMulF16(const float* x, size_t tokens, const uint16_t* w, size_t rows, size_t cols,
               float* y) {
  HWY_DYNAMIC_DISPATCH(MatMulF16)
  (x, tokens, reinterpret_cast<const hwy::float16_t*>(w), rows, cols, y);
}

void MatVecPanels(const float* w, size_t rows, size_t cols, const float* x, float* y) {
  HWY_DYNAMIC_DISPATCH(MatVecPanels)(w, rows, cols, x, y);
}

void MatMulPanels(const float* x, size_t tokens, const float* w, size_t rows, size_t cols,
                  float* y) {
  HWY_DYNAMIC_DISPATCH(MatMulPanels)(x, tokens, w, rows, cols, y);
}

void PackRowPanels(float* w, size_t rows, size_t cols) {
  std::vector<float> rows_of_panel(kPanelRows * cols);
  for (size_t r0 = 0; r0 + kPanelRows <= rows; r0 += kPanelRows) {
    float* panel = w + r0 * cols;
    std::copy(panel, panel + kPanelRows * cols, rows_of_panel.begin());
    for (size_t c = 0; c < cols; ++c) {
      for (size_t k = 0; k < kPanelRows; ++k) {
        panel[c * kPanelRows + k] = rows_of_panel[k * cols + c];
      }
    }
  }
}

void CopyPanelRow(const float* w, size_t rows, size_t cols, size_t r, float* out) {
  if (r >= rows / kPanelRows * kPanelRows) {  // the row-major tail
    std::copy_n(w + r * cols, cols, out);
    return;
  }
  const float* row = w + (r - r % kPanelRows) * cols + r % kPanelRows;
  for (size_t c = 0; c < cols; ++c) out[c] = row[c * kPanelRows];
}

void MatMulAccumulate(const float* x, size_t x_stride, size_t tokens, const float* m,
                      size_t m_stride, size_t rows, size_t cols, float scale, float* y,
                      size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(MatMulAccumulate)
  (x, x_stride, tokens, m, m_stride, rows, cols, scale, y, y_stride);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
