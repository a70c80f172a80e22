// Per-target float32 elementwise kernels and reductions over contiguous
// arrays, for inlining into a caller's own foreach_target code (dispatch
// once per step; runtime/ops/elementwise.h has the dispatching wrappers).
//
// Layout: any pointer alignment and length. Maps go through Map1/Map2, which
// run the last partial vector through a zero-padded stack copy, so every
// element takes the same vector code path (results do not depend on an
// element's position). Outputs may alias inputs element for element.
//
// Transcendentals use hwy/contrib/math. Sigmoid is computed from
// e = exp(-|x|), which lies in (0, 1]: Exp never leaves its valid range
// (float32 (-inf, 104]) and there is no inf / inf, so any finite input,
// +-1e4 included, gives a finite result, accurate on both tails (no
// 1 - sigmoid cancellation for negative x).
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_INL_H_
#endif

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// out[i] = func(d, a[i]) for i < n, one vector at a time.
template <class Func>
HWY_INLINE void Map1(const float* a, size_t n, float* out, const Func& func) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(func(d, hn::LoadU(d, a + i)), d, out + i);
  }
  if (i == n) return;
  HWY_ALIGN float buf[hn::MaxLanes(d)] = {};
  std::memcpy(buf, a + i, (n - i) * sizeof(float));
  hn::Store(func(d, hn::Load(d, buf)), d, buf);
  std::memcpy(out + i, buf, (n - i) * sizeof(float));
}

// out[i] = func(d, a[i], b[i]) for i < n, one vector at a time.
template <class Func>
HWY_INLINE void Map2(const float* a, const float* b, size_t n, float* out, const Func& func) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(func(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  }
  if (i == n) return;
  HWY_ALIGN float buf_a[hn::MaxLanes(d)] = {};
  HWY_ALIGN float buf_b[hn::MaxLanes(d)] = {};
  std::memcpy(buf_a, a + i, (n - i) * sizeof(float));
  std::memcpy(buf_b, b + i, (n - i) * sizeof(float));
  hn::Store(func(d, hn::Load(d, buf_a), hn::Load(d, buf_b)), d, buf_a);
  std::memcpy(out + i, buf_a, (n - i) * sizeof(float));
}

// 1 / (1 + exp(-x)), from e = exp(-|x|) (see the top of the file).
template <class D, class V>
HWY_INLINE V Sigmoid(D d, V x) {
  const V one = hn::Set(d, 1.0f);
  const V e = hn::Exp(d, hn::Neg(hn::Abs(x)));
  const V r = hn::Div(one, hn::Add(one, e));
  return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Mul(e, r), r);
}

// x[i] /= sqrt(mean(x^2) + eps), times weight[i]; out may alias x.
inline void RmsNorm(const float* x, const float* HWY_RESTRICT weight, size_t n, float eps,
                    float* out) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  auto acc = hn::Zero(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::LoadU(d, x + i);
    acc = hn::MulAdd(v, v, acc);
  }
  float sum = hn::GetLane(hn::SumOfLanes(d, acc));
  for (; i < n; ++i) sum += x[i] * x[i];
  const float mean = n == 0 ? 0.0f : sum / static_cast<float>(n);
  const auto scale = hn::Set(d, 1.0f / std::sqrt(mean + eps));
  Map2(x, weight, n, out,
       [scale](auto d, auto v, auto w) { return hn::Mul(hn::Mul(v, scale), w); });
}

// x = x * sigmoid(x).
inline void Silu(float* x, size_t n) {
  Map1(x, n, x, [](auto d, auto v) { return hn::Mul(v, Sigmoid(d, v)); });
}

// x = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), evaluated as
// x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)): the same function, but
// without the cancellation in 1 + tanh(z) for negative x.
inline void GeluTanh(float* x, size_t n) {
  Map1(x, n, x, [](auto d, auto v) {
    const auto k2 = hn::Set(d, 2.0f * 0.7978845608028654f);  // 2 sqrt(2/pi)
    const auto cubic = hn::Mul(hn::Set(d, 0.044715f), hn::Mul(hn::Mul(v, v), v));
    return hn::Mul(v, Sigmoid(d, hn::Mul(k2, hn::Add(v, cubic))));
  });
}

// out = a * sigmoid(b); out may alias a or b.
inline void SigmoidGate(const float* a, const float* b, size_t n, float* out) {
  Map2(a, b, n, out, [](auto d, auto va, auto vb) { return hn::Mul(va, Sigmoid(d, vb)); });
}

// x *= a.
inline void Mul(const float* a, float* x, size_t n) {
  Map2(a, x, n, x, [](auto, auto va, auto vx) { return hn::Mul(vx, va); });
}

// x += a.
inline void Add(const float* a, float* x, size_t n) {
  Map2(a, x, n, x, [](auto, auto va, auto vx) { return hn::Add(vx, va); });
}

// x *= s.
inline void Scale(float s, float* x, size_t n) {
  Map1(x, n, x, [s](auto d, auto v) { return hn::Mul(v, hn::Set(d, s)); });
}

// max_i x[i]; -inf for n == 0.
inline float MaxValue(const float* x, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  auto acc = hn::Set(d, kNegInf);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) acc = hn::Max(acc, hn::LoadU(d, x + i));
  float max = hn::GetLane(hn::MaxOfLanes(d, acc));
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;
  return max;
}

// sum_i exp(x[i] - max), summed in float. Padding lanes of the last vector
// are masked out rather than relying on exp of a sentinel.
inline float SumExpShifted(const float* x, size_t n, float max) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  const auto vmax = hn::Set(d, max);
  auto acc = hn::Zero(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    acc = hn::Add(acc, hn::Exp(d, hn::Sub(hn::LoadU(d, x + i), vmax)));
  }
  if (i < n) {
    HWY_ALIGN float buf[hn::MaxLanes(d)] = {};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    const auto e = hn::Exp(d, hn::Sub(hn::Load(d, buf), vmax));
    acc = hn::Add(acc, hn::IfThenElseZero(hn::FirstN(d, n - i), e));
  }
  return hn::GetLane(hn::SumOfLanes(d, acc));
}

// out[i] = exp((x[i] - shift) * scale): the weights of a tempered softmax.
inline void ExpShiftedScaled(const float* x, size_t n, float shift, float scale, float* out) {
  Map1(x, n, out, [shift, scale](auto d, auto v) {
    return hn::Exp(d, hn::Mul(hn::Sub(v, hn::Set(d, shift)), hn::Set(d, scale)));
  });
}

// x = exp(x - max) / sum exp(x - max). Needs at least one finite x[i].
inline void SoftmaxInPlace(float* x, size_t n) {
  if (n == 0) return;
  const float max = MaxValue(x, n);
  Map1(x, n, x, [max](auto d, auto v) { return hn::Exp(d, hn::Sub(v, hn::Set(d, max))); });
  // x now holds the terms, all in [0, 1]: a sum of x is the denominator.
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  auto acc = hn::Zero(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) acc = hn::Add(acc, hn::LoadU(d, x + i));
  float sum = hn::GetLane(hn::SumOfLanes(d, acc));
  for (; i < n; ++i) sum += x[i];
  Map1(x, n, x, [sum](auto d, auto v) { return hn::Div(v, hn::Set(d, sum)); });
}

// log sum_i exp(x[i]) = max + log(sum exp(x - max)); -inf for n == 0 or
// when every x[i] is -inf.
inline float LogSumExp(const float* x, size_t n) {
  const float max = MaxValue(x, n);
  if (!(std::isfinite(max))) return max;
  return max + std::log(SumExpShifted(x, n, max));
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
