// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The kernels live in matmul_i8-inl.h so that model code can inline them
// into its own per-target step; these wrappers dispatch per call, for tests
// and one-off callers.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/matmul_i8.cc"
#include "runtime/ops/matmul_i8.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/matmul_i8-inl.h"

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(QuantizeRowsI16);
HWY_EXPORT(MatVecI8);
HWY_EXPORT(MatMulI8);
HWY_EXPORT(QuantizeRowsI6);
HWY_EXPORT(MatMulI6);

void QuantizeRowsI16(const float* x, size_t tokens, size_t cols, int16_t* q, float* scales) {
  HWY_DYNAMIC_DISPATCH(QuantizeRowsI16)(x, tokens, cols, q, scales);
}

void MatVecI8(const int8_t* w, const float* scales, size_t rows, size_t cols, size_t group,
              const int16_t* xq, float x_scale, float* y) {
  HWY_DYNAMIC_DISPATCH(MatVecI8)(w, scales, rows, cols, group, xq, x_scale, y);
}

void MatMulI8(const int16_t* xq, const float* x_scales, size_t tokens, const int8_t* w,
              const float* scales, size_t rows, size_t cols, size_t group, float* y) {
  HWY_DYNAMIC_DISPATCH(MatMulI8)(xq, x_scales, tokens, w, scales, rows, cols, group, y);
}

void QuantizeRowsI6(const float* x, size_t tokens, size_t cols, size_t group, int8_t* q,
                    float* scales, int32_t* sums) {
  HWY_DYNAMIC_DISPATCH(QuantizeRowsI6)(x, tokens, cols, group, q, scales, sums);
}

void MatMulI6(const int8_t* xq, const float* x_scales, const int32_t* x_sums, size_t tokens,
              const int8_t* w, const float* scales, size_t rows, size_t cols, size_t group,
              float* y) {
  HWY_DYNAMIC_DISPATCH(MatMulI6)(xq, x_scales, x_sums, tokens, w, scales, rows, cols, group, y);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
