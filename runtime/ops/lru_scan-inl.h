// Per-target diagonal complex linear recurrence (the LRU scan), for
// inlining into a caller's own foreach_target code (runtime/ops/lru_scan.h
// has the dispatching wrapper).
//
// Layout: n independent channels with complex state h[k] (split into re /
// im arrays) and complex decay lambda[k]; inputs and outputs are [steps, n]
// row-major, one row per time step. h_t = lambda * h_{t-1} + in_t.
//
// Why this shape: channels are independent, so vectors run over k and the
// time loop runs inside, keeping lambda and h in registers for all steps.
// The operations are plain Mul / Sub / Add in a fixed order (no fused
// multiply-add): the scalar tail rounds like the vector lanes, so the
// recurrence is bit-identical on every target, WebAssembly included, and
// errors cannot drift apart over long sequences. This relies on the
// project-wide -ffp-contract=off: GCC may otherwise fuse Mul and Add, even
// of intrinsics, in any file that includes this header.
#include <cstddef>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_LRU_SCAN_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_LRU_SCAN_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_LRU_SCAN_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_LRU_SCAN_INL_H_
#endif

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// For t < steps, k < n: h[k] = lambda[k] * h[k] + in[t * n + k] (complex),
// out[t * n + k] = h[k]; state_re / state_im [n] hold h in and out.
inline void ComplexDiagonalScan(const float* HWY_RESTRICT lambda_re,
                                const float* HWY_RESTRICT lambda_im, size_t n, size_t steps,
                                const float* HWY_RESTRICT in_re, const float* HWY_RESTRICT in_im,
                                float* HWY_RESTRICT state_re, float* HWY_RESTRICT state_im,
                                float* HWY_RESTRICT out_re, float* HWY_RESTRICT out_im) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t k = 0;
  for (; k + lanes <= n; k += lanes) {
    const auto l_re = hn::LoadU(d, lambda_re + k);
    const auto l_im = hn::LoadU(d, lambda_im + k);
    auto re = hn::LoadU(d, state_re + k);
    auto im = hn::LoadU(d, state_im + k);
    for (size_t t = 0; t < steps; ++t) {
      const size_t at = t * n + k;
      const auto next_re =
          hn::Add(hn::Sub(hn::Mul(l_re, re), hn::Mul(l_im, im)), hn::LoadU(d, in_re + at));
      const auto next_im =
          hn::Add(hn::Add(hn::Mul(l_re, im), hn::Mul(l_im, re)), hn::LoadU(d, in_im + at));
      re = next_re;
      im = next_im;
      hn::StoreU(re, d, out_re + at);
      hn::StoreU(im, d, out_im + at);
    }
    hn::StoreU(re, d, state_re + k);
    hn::StoreU(im, d, state_im + k);
  }
  for (; k < n; ++k) {
    float re = state_re[k];
    float im = state_im[k];
    for (size_t t = 0; t < steps; ++t) {
      const size_t at = t * n + k;
      const float next_re = (lambda_re[k] * re - lambda_im[k] * im) + in_re[at];
      const float next_im = (lambda_re[k] * im + lambda_im[k] * re) + in_im[at];
      re = next_re;
      im = next_im;
      out_re[at] = re;
      out_im[at] = im;
    }
    state_re[k] = re;
    state_im[k] = im;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
