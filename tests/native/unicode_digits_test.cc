// The generated digit table (runtime/text/unicode_digit_ranges.inc) against utf8proc,
// which the native build links: equal on every code point, so the trainer
// chunks digits the same natively and in WebAssembly.
#include "runtime/text/unicode_digits.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <string>

namespace edgepiece {
namespace {

TEST(UnicodeDigitsTest, EqualsUtf8procOnEveryCodePoint) {
  ASSERT_EQ(std::string(kUnicodeDigitsVersion), std::string(utf8proc_unicode_version()))
      << "regenerate with tools/text/gen_unicode_digits.py";
  size_t digits = 0;
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    const bool expected =
        utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_ND;
    ASSERT_EQ(IsUnicodeDigit(cp), expected) << "U+" << std::hex << static_cast<uint32_t>(cp);
    digits += expected;
  }
  EXPECT_EQ(digits, 680u);  // Unicode 15.0
}

TEST(UnicodeDigitsTest, OutsideTheCodeSpaceIsNoDigit) {
  EXPECT_FALSE(IsUnicodeDigit(0x110000));
  EXPECT_FALSE(IsUnicodeDigit(0xFFFFFFFF));
  EXPECT_TRUE(IsUnicodeDigit(0x1FBF9));  // the table's last range ends here
  EXPECT_FALSE(IsUnicodeDigit(0x1FBFA));
}

}  // namespace
}  // namespace edgepiece
