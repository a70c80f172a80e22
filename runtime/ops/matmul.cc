// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The kernels live in matmul-inl.h so that model code can inline them into
// its own per-target step; these wrappers dispatch per call, for tests and
// one-off callers.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/matmul.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/matmul-inl.h"
#include "runtime/ops/matmul.h"

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(MatVec);
HWY_EXPORT(MatMul);
HWY_EXPORT(MatVecF16);
HWY_EXPORT(MatMulF16);
HWY_EXPORT(VecMat);
HWY_EXPORT(OuterAdd);
HWY_EXPORT(MatMulAccumulate);

void MatVec(const float* w, size_t rows, size_t cols, const float* x,
            float* y) {
  HWY_DYNAMIC_DISPATCH(MatVec)(w, rows, cols, x, y);
}

void MatMul(const float* x, size_t tokens, const float* w, size_t rows,
            size_t cols, float* y) {
  HWY_DYNAMIC_DISPATCH(MatMul)(x, tokens, w, rows, cols, y);
}

void MatVecF16(const uint16_t* w, size_t rows, size_t cols, const float* x, float* y) {
  HWY_DYNAMIC_DISPATCH(MatVecF16)(reinterpret_cast<const hwy::float16_t*>(w), rows, cols, x, y);
}

void MatMulF16(const float* x, size_t tokens, const uint16_t* w, size_t rows, size_t cols,
               float* y) {
  HWY_DYNAMIC_DISPATCH(MatMulF16)(x, tokens, reinterpret_cast<const hwy::float16_t*>(w), rows,
                                  cols, y);
}

void VecMat(const float* x, const float* m, size_t rows, size_t cols,
            float scale, float* y) {
  HWY_DYNAMIC_DISPATCH(VecMat)(x, m, rows, cols, scale, y);
}

void OuterAdd(const float* a, size_t rows, const float* b, size_t cols,
              float* m) {
  HWY_DYNAMIC_DISPATCH(OuterAdd)(a, rows, b, cols, m);
}

void MatMulAccumulate(const float* x, size_t x_stride, size_t tokens, const float* m,
                      size_t m_stride, size_t rows, size_t cols, float scale, float* y,
                      size_t y_stride) {
  HWY_DYNAMIC_DISPATCH(MatMulAccumulate)(x, x_stride, tokens, m, m_stride, rows, cols, scale, y,
                                         y_stride);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
