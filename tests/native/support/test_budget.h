// How much work the heavier randomized tests do: unoptimized or sanitized
// builds run 1/kTestWorkDivisor of it, so the ASan+UBSan suite stays fast.
// The tests stay valid with less work, only less powerful.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_TEST_BUDGET_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_TEST_BUDGET_H_

namespace edgepiece::testing {

#if defined(__SANITIZE_ADDRESS__)
#define EDGEPIECE_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDGEPIECE_TEST_SANITIZED 1
#endif
#endif
#if defined(NDEBUG) && !defined(EDGEPIECE_TEST_SANITIZED)
inline constexpr int kTestWorkDivisor = 1;
#else
inline constexpr int kTestWorkDivisor = 2;
#endif

}  // namespace edgepiece::testing

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_TEST_BUDGET_H_
