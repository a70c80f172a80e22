// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The rotation lives in rope-inl.h so that model code can inline it into
// its own per-target step; the wrapper here dispatches per call. The tables
// are scalar double math, compiled once.
#include <cmath>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/rope.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/rope-inl.h"
#include "runtime/ops/rope.h"

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(RopeHalfSplit);

void RopeHalfSplit(float* x, size_t size, const float* cos, const float* sin) {
  HWY_DYNAMIC_DISPATCH(RopeHalfSplit)(x, size, cos, sin);
}

// Double precision so that angles at large positions (position * inv_freq
// up to ~1e5 radians) keep their low bits before the single rounding.
void RopeTables(size_t position, size_t size, double base, float* cos, float* sin) {
  const size_t half = size / 2;
  for (size_t i = 0; i < half; ++i) {
    const double inv_freq = std::pow(base, -static_cast<double>(i) / static_cast<double>(half));
    const double angle = static_cast<double>(position) * inv_freq;
    cos[i] = static_cast<float>(std::cos(angle));
    sin[i] = static_cast<float>(std::sin(angle));
  }
}

}  // namespace edgepiece
#endif  // HWY_ONCE
