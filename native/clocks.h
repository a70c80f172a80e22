// Clocks for the CLI's timings.
#ifndef EDGEPIECE_NATIVE_CLOCKS_H_
#define EDGEPIECE_NATIVE_CLOCKS_H_

#include <chrono>

namespace edgepiece::cli {

// CPU seconds spent by the calling thread (benchmarks report per CPU-second:
// on a busy machine wall time mostly measures the other processes).
double ThreadCpuSeconds();

// Wall-clock seconds since `start`.
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_CLOCKS_H_
