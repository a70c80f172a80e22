// IEEE 754 half precision (binary16) to float, exactly: the one scalar
// conversion used by the weights loader and by the kernels' scalar tails.
#ifndef EDGEPIECE_RUNTIME_BASE_HALF_H_
#define EDGEPIECE_RUNTIME_BASE_HALF_H_

#include <cstdint>
#include <cstring>

namespace edgepiece {

// Every half value is exactly representable as a float; infinities and NaN
// (with its payload) carry over.
inline float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000) << 16;
  const uint32_t exponent = (half >> 10) & 0x1F;
  const uint32_t mantissa = half & 0x3FF;
  uint32_t bits;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float32 (normal there).
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    std::memcpy(&bits, &magnitude, sizeof(bits));
    bits |= sign;
  } else if (exponent == 31) {
    bits = sign | 0x7F800000u | mantissa << 13;  // infinity, or NaN with its payload
  } else {
    bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;  // rebias the exponent
  }
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_BASE_HALF_H_
