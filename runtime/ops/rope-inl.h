// Per-target rotary position embedding, for inlining into a caller's own
// foreach_target code (runtime/ops/rope.h has the dispatching wrapper and
// the scalar table builder).
//
// Layout: "half split" RoPE as in GPT-NeoX / Llama in Hugging Face form: a
// head of `size` floats pairs element i with element i + size / 2, and
// cos / sin hold size / 2 angles for one position (RopeTables).
//
// Why plain Mul / Sub / Add and no fused multiply-add: the rotation is cheap
// next to the matmuls around it, and unfused vector lanes round exactly like
// the scalar tail, so every target and every position within the head give
// bit-identical results (given the project-wide -ffp-contract=off).
#include <cstddef>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_ROPE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_ROPE_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_ROPE_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_ROPE_INL_H_
#endif

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rotates pairs (x[i], x[i + size / 2]) by the angles in cos / sin [size / 2].
inline void RopeHalfSplit(float* HWY_RESTRICT x, size_t size, const float* HWY_RESTRICT cos,
                          const float* HWY_RESTRICT sin) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  const size_t half = size / 2;
  float* HWY_RESTRICT x2 = x + half;
  size_t i = 0;
  for (; i + lanes <= half; i += lanes) {
    const auto a = hn::LoadU(d, x + i);
    const auto b = hn::LoadU(d, x2 + i);
    const auto c = hn::LoadU(d, cos + i);
    const auto s = hn::LoadU(d, sin + i);
    hn::StoreU(hn::Sub(hn::Mul(a, c), hn::Mul(b, s)), d, x + i);
    hn::StoreU(hn::Add(hn::Mul(a, s), hn::Mul(b, c)), d, x2 + i);
  }
  for (; i < half; ++i) {
    const float a = x[i];
    const float b = x2[i];
    x[i] = a * cos[i] - b * sin[i];
    x2[i] = a * sin[i] + b * cos[i];
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
