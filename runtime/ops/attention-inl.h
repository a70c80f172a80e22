// Per-target relu^2 attention (no softmax), for inlining into a caller's
// own foreach_target code (runtime/ops/attention.h has the dispatching
// wrappers).
//
// Layout: keys [n, key_size] and values [n, value_size], row-major; one
// output row of value_size floats per query. The weight of key j is
// relu(dot(q, k_j) * scale)^2 * norm, and out = sum_j weight_j * v_j.
//
// Why this shape: there is no softmax, so no running max or rescaling: keys
// are taken in blocks of kAttendBlock. A block's scores come from MatVec
// (eight keys per tile); the keys with a positive score (relu zeroes a large
// share of them) are compacted into a short list, and their value rows are
// added into the output with register-resident strips of four vectors, so
// the output is loaded and stored once per block rather than once per key.
// Per output element the weighted rows are added in key order, so a causal
// prefill row gives exactly what a decode step over the same keys gives.
#include <cstddef>
#include <cstdint>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_ATTENTION_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_ATTENTION_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_ATTENTION_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_ATTENTION_INL_H_
#endif

#include "hwy/highway.h"
#include "runtime/ops/matmul-inl.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Keys scored per block (stack arrays of this many floats and indices).
constexpr size_t kAttendBlock = 64;

// out[c] += sum_i weight[i] * values[index[i] * value_size + c], i < count,
// added in order i = 0, 1, ... for every c.
HWY_INLINE void AddWeightedRows(const float* HWY_RESTRICT weight,
                                const uint32_t* HWY_RESTRICT index, size_t count,
                                const float* HWY_RESTRICT values, size_t value_size,
                                float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t c = 0;
  for (; c + 4 * lanes <= value_size; c += 4 * lanes) {
    auto a0 = hn::LoadU(d, out + c);
    auto a1 = hn::LoadU(d, out + c + lanes);
    auto a2 = hn::LoadU(d, out + c + 2 * lanes);
    auto a3 = hn::LoadU(d, out + c + 3 * lanes);
    for (size_t i = 0; i < count; ++i) {
      const float* HWY_RESTRICT row = values + index[i] * value_size + c;
      const auto w = hn::Set(d, weight[i]);
      a0 = hn::MulAdd(w, hn::LoadU(d, row), a0);
      a1 = hn::MulAdd(w, hn::LoadU(d, row + lanes), a1);
      a2 = hn::MulAdd(w, hn::LoadU(d, row + 2 * lanes), a2);
      a3 = hn::MulAdd(w, hn::LoadU(d, row + 3 * lanes), a3);
    }
    hn::StoreU(a0, d, out + c);
    hn::StoreU(a1, d, out + c + lanes);
    hn::StoreU(a2, d, out + c + 2 * lanes);
    hn::StoreU(a3, d, out + c + 3 * lanes);
  }
  for (; c + lanes <= value_size; c += lanes) {
    auto a0 = hn::LoadU(d, out + c);
    for (size_t i = 0; i < count; ++i) {
      a0 = hn::MulAdd(hn::Set(d, weight[i]), hn::LoadU(d, values + index[i] * value_size + c), a0);
    }
    hn::StoreU(a0, d, out + c);
  }
  for (; c < value_size; ++c) {
    float sum = out[c];
    for (size_t i = 0; i < count; ++i) {
      sum += weight[i] * values[index[i] * value_size + c];
    }
    out[c] = sum;
  }
}

// out[c] = sum_{j < n} relu(dot(q, keys_j) * scale)^2 * norm * values_j[c]
// for c < value_size; out is overwritten (zero when n == 0).
inline void Relu2Attend(const float* HWY_RESTRICT q, const float* HWY_RESTRICT keys,
                        const float* HWY_RESTRICT values, size_t n, size_t key_size,
                        size_t value_size, float scale, float norm, float* HWY_RESTRICT out) {
  for (size_t c = 0; c < value_size; ++c) out[c] = 0.0f;
  float score[kAttendBlock];
  float weight[kAttendBlock];
  uint32_t index[kAttendBlock];
  for (size_t start = 0; start < n; start += kAttendBlock) {
    const size_t block = n - start < kAttendBlock ? n - start : kAttendBlock;
    MatVec(keys + start * key_size, block, key_size, q, score);
    size_t count = 0;
    for (size_t j = 0; j < block; ++j) {
      const float s = score[j] * scale;
      if (!(s > 0.0f)) continue;  // relu(s) == 0 adds nothing
      weight[count] = s * s * norm;
      index[count++] = static_cast<uint32_t>(start + j);
    }
    if (count != 0) {
      AddWeightedRows(weight, index, count, values, value_size, out);
    }
  }
}

// Causal prefill: q, k [n, key_size], v [n, value_size], out
// [n, value_size]; row i attends to keys 0..i as Relu2Attend would.
inline void Relu2AttendCausal(const float* HWY_RESTRICT q, const float* HWY_RESTRICT k,
                              const float* HWY_RESTRICT v, size_t n, size_t key_size,
                              size_t value_size, float scale, float norm, float* HWY_RESTRICT out) {
  for (size_t i = 0; i < n; ++i) {
    Relu2Attend(q + i * key_size, k, v, i + 1, key_size, value_size, scale, norm,
                out + i * value_size);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
