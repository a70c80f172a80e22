// Float32 elementwise kernels, activations and reductions over contiguous
// arrays. Plain declarations that dispatch to the best SIMD target on every
// call; model code inlines elementwise-inl.h into its own per-target step.
// Any alignment and length; outputs may alias inputs where noted.
#ifndef EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_H_
#define EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_H_

#include <cstddef>

namespace edgepiece {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]; out may alias x.
void RmsNorm(const float* x, const float* weight, size_t n, float eps, float* out);

// x[i] = x[i] * sigmoid(x[i]) (SiLU / swish).
void Silu(float* x, size_t n);

// x[i] = gelu(x[i]) with the tanh approximation (torch approximate="tanh").
void GeluTanh(float* x, size_t n);

// out[i] = a[i] * sigmoid(b[i]) (GLU); out may alias a or b.
void SigmoidGate(const float* a, const float* b, size_t n, float* out);

// x[i] *= a[i].
void Mul(const float* a, float* x, size_t n);

// x[i] += a[i].
void Add(const float* a, float* x, size_t n);

// x[i] *= s.
void Scale(float s, float* x, size_t n);

// Largest x[i]; -inf for n == 0.
float MaxValue(const float* x, size_t n);

// out[i] = exp((x[i] - shift) * scale) (out may alias x).
void ExpShiftedScaled(const float* x, size_t n, float shift, float scale, float* out);

// x = exp(x - max(x)) / sum(exp(x - max(x))); needs one finite x[i].
void SoftmaxInPlace(float* x, size_t n);

// log(sum(exp(x))), computed as max + log(sum(exp(x - max))); -inf for
// n == 0 or all x[i] == -inf.
float LogSumExp(const float* x, size_t n);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_ELEMENTWISE_H_
