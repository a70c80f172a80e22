// Diagonal complex linear recurrence (LRU scan) over n channels, with the
// same rounding on every target. Plain declaration that dispatches per call;
// model code inlines lru_scan-inl.h into its own per-target step.
#ifndef EDGEPIECE_RUNTIME_OPS_LRU_SCAN_H_
#define EDGEPIECE_RUNTIME_OPS_LRU_SCAN_H_

#include <cstddef>

namespace edgepiece {

// For t < steps, k < n: h[k] = lambda[k] * h[k] + in[t * n + k] (complex,
// evaluated as re' = (l_re * re - l_im * im) + in_re, im' = (l_re * im +
// l_im * re) + in_im, unfused); out[t * n + k] = h[k]. in / out are
// [steps, n]; state_re / state_im [n] hold h on entry and on return.
void ComplexDiagonalScan(const float* lambda_re, const float* lambda_im, size_t n, size_t steps,
                         const float* in_re, const float* in_im, float* state_re, float* state_im,
                         float* out_re, float* out_im);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_LRU_SCAN_H_
