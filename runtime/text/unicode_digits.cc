#include "runtime/text/unicode_digits.h"

#include <cstddef>
#include <cstdint>

namespace edgepiece {

// kUnicodeDigitsVersion and kDigitRanges (sorted [first, last] code points),
// written by tools/text/gen_unicode_digits.py from utf8proc.
#include "runtime/text/unicode_digit_ranges.inc"

bool IsUnicodeDigit(char32_t codepoint) {
  if (codepoint < 0x80) return codepoint >= '0' && codepoint <= '9';
  // Binary search for the last range starting at or before codepoint.
  size_t lo = 0;
  size_t hi = sizeof(kDigitRanges) / sizeof(kDigitRanges[0]);
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (kDigitRanges[mid][0] <= codepoint) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo > 0 && codepoint <= kDigitRanges[lo - 1][1];
}

}  // namespace edgepiece
