// The single-core floating-point peak of the dispatched SIMD target,
// measured (not looked up), so benchmarks can report their efficiency.
#ifndef EDGEPIECE_RUNTIME_OPS_PEAK_FLOPS_H_
#define EDGEPIECE_RUNTIME_OPS_PEAK_FLOPS_H_

#include <cstddef>

namespace edgepiece {

// Runs `iterations` rounds of independent f32 vector multiply-adds and
// returns the FLOPs done (2 per lane per multiply-add); time it outside.
double RunPeakFlopsLoop(size_t iterations);

// Name of the SIMD target the dispatcher picks ("AVX3", "AVX2", "WASM"...).
const char* DispatchedTargetName();

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_PEAK_FLOPS_H_
