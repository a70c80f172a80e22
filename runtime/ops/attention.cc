// Highway skeleton: compiled once per SIMD target through foreach_target.h.
// The kernels live in attention-inl.h so that model code can inline them
// into its own per-target step; these wrappers dispatch per call, for tests
// and one-off callers.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/attention.cc"
#include "runtime/ops/attention.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/attention-inl.h"

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(Relu2Attend);
HWY_EXPORT(Relu2AttendCausal);

void Relu2Attend(const float* q, const float* keys, const float* values, size_t n, size_t key_size,
                 size_t value_size, float scale, float norm, float* out) {
  HWY_DYNAMIC_DISPATCH(Relu2Attend)
  (q, keys, values, n, key_size, value_size, scale, norm, out);
}

void Relu2AttendCausal(const float* q, const float* k, const float* v, size_t n, size_t key_size,
                       size_t value_size, float scale, float norm, float* out) {
  HWY_DYNAMIC_DISPATCH(Relu2AttendCausal)
  (q, k, v, n, key_size, value_size, scale, norm, out);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
