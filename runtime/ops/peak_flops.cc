// Highway skeleton (see text_scan.cc). Twelve independent accumulators hide
// the multiply-add latency (4 cycles x 2 ports on current x86 cores, 8 in
// flight, plus slack), so the loop runs at the target's throughput bound.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/peak_flops.cc"
#include "runtime/ops/peak_flops.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/targets.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

double RunPeakFlopsLoopImpl(size_t iterations) {
  const hn::ScalableTag<float> d;
  const auto mul = hn::Set(d, 0.999999f);
  const auto add = hn::Set(d, 1e-7f);
  auto a0 = hn::Set(d, 1.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
  auto a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (size_t i = 0; i < iterations; ++i) {
    a0 = hn::MulAdd(a0, mul, add);
    a1 = hn::MulAdd(a1, mul, add);
    a2 = hn::MulAdd(a2, mul, add);
    a3 = hn::MulAdd(a3, mul, add);
    a4 = hn::MulAdd(a4, mul, add);
    a5 = hn::MulAdd(a5, mul, add);
    a6 = hn::MulAdd(a6, mul, add);
    a7 = hn::MulAdd(a7, mul, add);
    a8 = hn::MulAdd(a8, mul, add);
    a9 = hn::MulAdd(a9, mul, add);
    a10 = hn::MulAdd(a10, mul, add);
    a11 = hn::MulAdd(a11, mul, add);
  }
  auto sum =
      hn::Add(hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)), hn::Add(hn::Add(a4, a5), hn::Add(a6, a7)));
  sum = hn::Add(sum, hn::Add(hn::Add(a8, a9), hn::Add(a10, a11)));
  // Use the result so the loop cannot be removed.
  volatile float sink = hn::GetLane(hn::SumOfLanes(d, sum));
  (void)sink;
  return 2.0 * 12 * hn::Lanes(d) * static_cast<double>(iterations);
}

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(RunPeakFlopsLoopImpl);
HWY_EXPORT(TargetNameImpl);

double RunPeakFlopsLoop(size_t iterations) {
  return HWY_DYNAMIC_DISPATCH(RunPeakFlopsLoopImpl)(iterations);
}

const char* DispatchedTargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

}  // namespace edgepiece
#endif  // HWY_ONCE
