// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The scan lives in lru_scan-inl.h so that model code can inline it into
// its own per-target step; the wrapper here dispatches per call.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/lru_scan.cc"
#include "runtime/ops/lru_scan.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/lru_scan-inl.h"

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(ComplexDiagonalScan);

void ComplexDiagonalScan(const float* lambda_re, const float* lambda_im, size_t n, size_t steps,
                         const float* in_re, const float* in_im, float* state_re, float* state_im,
                         float* out_re, float* out_im) {
  HWY_DYNAMIC_DISPATCH(ComplexDiagonalScan)
  (lambda_re, lambda_im, n, steps, in_re, in_im, state_re, state_im, out_re, out_im);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
