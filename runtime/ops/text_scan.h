// Byte scans over text, vectorized with Highway. Plain declarations only:
// callers never see Highway types.
#ifndef EDGEPIECE_RUNTIME_OPS_TEXT_SCAN_H_
#define EDGEPIECE_RUNTIME_OPS_TEXT_SCAN_H_

#include <cstddef>
#include <cstdint>

namespace edgepiece {

// Number of leading bytes of p[0, n) that are ASCII (< 0x80).
size_t CountAsciiPrefix(const uint8_t* p, size_t n);

// Index of the first occurrence of `byte` in p[0, n), or n if absent.
size_t FindByte(const uint8_t* p, size_t n, uint8_t byte);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_TEXT_SCAN_H_
