// Unicode decimal digits (category Nd, Python's \d on str) from a compact
// generated table (unicode_digit_ranges.inc, tools/text/gen_unicode_digits.py), so
// the WebAssembly build classifies them without utf8proc, exactly as utf8proc
// does natively (a test compares the two on every code point).
#ifndef EDGEPIECE_RUNTIME_TEXT_UNICODE_DIGITS_H_
#define EDGEPIECE_RUNTIME_TEXT_UNICODE_DIGITS_H_

namespace edgepiece {

// The Unicode version the table was generated from (utf8proc's, e.g. "15.0.0").
extern const char kUnicodeDigitsVersion[];

// True for code points in Unicode category Nd (Python's \d on str).
bool IsUnicodeDigit(char32_t codepoint);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TEXT_UNICODE_DIGITS_H_
