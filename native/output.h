// Buffered stdout for the CLI: numbers formatted in place into a string
// that goes out in large writes.
#ifndef EDGEPIECE_NATIVE_OUTPUT_H_
#define EDGEPIECE_NATIVE_OUTPUT_H_

#include <cstdint>
#include <string>

#include "runtime/base/status.h"

namespace edgepiece::cli {

// Appends `count` numbers as decimal text, each preceded by `separator`
// except the first when `leading_separator` is false.
void AppendDecimal(const int32_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out);
// As above, for unsigned 64-bit numbers.
void AppendDecimal(const uint64_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out);

// How much output a buffer holds before FlushIfLarge writes it.
constexpr size_t kFlushBytes = 1 << 16;
// Writes *out to stdout and clears it once it holds more than kFlushBytes
// (an I/O error "cannot write stdout" on failure).
Status FlushIfLarge(std::string* out);
// Writes *out and flushes stdout.
Status FlushAll(std::string* out);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_OUTPUT_H_
