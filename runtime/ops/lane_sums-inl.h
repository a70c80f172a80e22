// Horizontal sums of four vectors at once, for inlining into a kernel's own
// foreach_target code: the dot-product tiles of matmul-inl.h (f32) and
// matmul_i8-inl.h (int32) end with one sum per output, and pay it once per
// four outputs this way.
#include <cstddef>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_LANE_SUMS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_LANE_SUMS_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_LANE_SUMS_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_LANE_SUMS_INL_H_
#endif

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET != HWY_SCALAR
// Adds the 128-bit blocks of v: lanes i, i + 4, i + 8, ... into lane i.
template <class D>
HWY_INLINE hn::Vec<hn::Full128<hn::TFromD<D>>> FoldBlocks(D d, hn::Vec<D> v) {
  if constexpr (hn::MaxLanes(D()) * sizeof(hn::TFromD<D>) <= 16) {
    return v;
  } else {
    const hn::Half<D> dh;
    return FoldBlocks(dh, hn::Add(hn::LowerHalf(dh, v), hn::UpperHalf(dh, v)));
  }
}

// [sum(a), sum(b), sum(c), sum(e)] of 32-bit lanes as one 128-bit vector: a
// 4x4 transpose within each block, interleaved with the adds, then a fold
// across blocks.
template <class D, class V>
HWY_INLINE hn::Vec<hn::Full128<hn::TFromD<D>>> SumOf4(D d, V a, V b, V c, V e) {
  static_assert(sizeof(hn::TFromD<D>) == 4, "four 32-bit sums per 128-bit vector");
  // ab = [a0+a2, b0+b2, a1+a3, b1+b3] per block; ce likewise.
  const V ab = hn::Add(hn::InterleaveLower(d, a, b), hn::InterleaveUpper(d, a, b));
  const V ce = hn::Add(hn::InterleaveLower(d, c, e), hn::InterleaveUpper(d, c, e));
  const hn::Repartition<uint64_t, D> d64;
  const auto ab64 = hn::BitCast(d64, ab);
  const auto ce64 = hn::BitCast(d64, ce);
  const V lo = hn::BitCast(d, hn::InterleaveLower(d64, ab64, ce64));
  const V hi = hn::BitCast(d, hn::InterleaveUpper(d64, ab64, ce64));
  return FoldBlocks(d, hn::Add(lo, hi));
}
#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
