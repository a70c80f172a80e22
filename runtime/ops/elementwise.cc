// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The kernels live in elementwise-inl.h so that model code can inline them
// into its own per-target step; these wrappers dispatch per call, for tests
// and one-off callers (sampling, scoring).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/elementwise.cc"
#include "runtime/ops/elementwise.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/elementwise-inl.h"

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(RmsNorm);
HWY_EXPORT(Silu);
HWY_EXPORT(GeluTanh);
HWY_EXPORT(SigmoidGate);
HWY_EXPORT(Mul);
HWY_EXPORT(Add);
HWY_EXPORT(Scale);
HWY_EXPORT(MaxValue);
HWY_EXPORT(ExpShiftedScaled);
HWY_EXPORT(SoftmaxInPlace);
HWY_EXPORT(LogSumExp);

void RmsNorm(const float* x, const float* weight, size_t n, float eps, float* out) {
  HWY_DYNAMIC_DISPATCH(RmsNorm)(x, weight, n, eps, out);
}

void Silu(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(Silu)(x, n); }

void GeluTanh(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(GeluTanh)(x, n); }

void SigmoidGate(const float* a, const float* b, size_t n, float* out) {
  HWY_DYNAMIC_DISPATCH(SigmoidGate)(a, b, n, out);
}

void Mul(const float* a, float* x, size_t n) { HWY_DYNAMIC_DISPATCH(Mul)(a, x, n); }

void Add(const float* a, float* x, size_t n) { HWY_DYNAMIC_DISPATCH(Add)(a, x, n); }

void Scale(float s, float* x, size_t n) { HWY_DYNAMIC_DISPATCH(Scale)(s, x, n); }

float MaxValue(const float* x, size_t n) { return HWY_DYNAMIC_DISPATCH(MaxValue)(x, n); }

void ExpShiftedScaled(const float* x, size_t n, float shift, float scale, float* out) {
  HWY_DYNAMIC_DISPATCH(ExpShiftedScaled)(x, n, shift, scale, out);
}

void SoftmaxInPlace(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(SoftmaxInPlace)(x, n); }

float LogSumExp(const float* x, size_t n) { return HWY_DYNAMIC_DISPATCH(LogSumExp)(x, n); }

}  // namespace edgepiece
#endif  // HWY_ONCE
