// Relu^2 attention (no softmax): the weight of key j is
// relu(dot(q, k_j) * scale)^2 * norm. Plain declarations that dispatch per
// call; model code inlines attention-inl.h into its own per-target step.
#ifndef EDGEPIECE_RUNTIME_OPS_ATTENTION_H_
#define EDGEPIECE_RUNTIME_OPS_ATTENTION_H_

#include <cstddef>

namespace edgepiece {

// out[c] = sum_{j < n} relu(dot(q, keys_j) * scale)^2 * norm *
// values[j * value_size + c]; keys [n, key_size], values [n, value_size];
// out [value_size] is overwritten (zeros when n == 0).
void Relu2Attend(const float* q, const float* keys, const float* values, size_t n, size_t key_size,
                 size_t value_size, float scale, float norm, float* out);

// Causal prefill: q, k [n, key_size], v [n, value_size], out [n, value_size];
// row i is Relu2Attend(q_i, k, v, i + 1, ...), bit for bit.
void Relu2AttendCausal(const float* q, const float* k, const float* v, size_t n, size_t key_size,
                       size_t value_size, float scale, float norm, float* out);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_ATTENTION_H_
