// Rotary position embedding (half-split layout: element i pairs with
// element i + size / 2). Plain declarations; model code inlines rope-inl.h
// into its own per-target step instead of calling RopeHalfSplit.
#ifndef EDGEPIECE_RUNTIME_OPS_ROPE_H_
#define EDGEPIECE_RUNTIME_OPS_ROPE_H_

#include <cstddef>

namespace edgepiece {

// Rotates (x[i], x[i + size / 2]) by angle i: cos / sin hold size / 2 values
// from RopeTables; size is even.
void RopeHalfSplit(float* x, size_t size, const float* cos, const float* sin);

// cos[i], sin[i] of position * base^(-i / (size / 2)) for i < size / 2,
// computed in double and rounded once.
void RopeTables(size_t position, size_t size, double base, float* cos, float* sin);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_ROPE_H_
