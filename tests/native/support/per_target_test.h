// Shared scaffolding of the kernel tests: a fixture that runs each test once
// per SIMD target compiled in and supported by this CPU, and a misaligned
// float buffer.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_PER_TARGET_TEST_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_PER_TARGET_TEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hwy/targets.h"

namespace edgepiece::testing {

// Derive a fixture from this and instantiate it with
// EDGEPIECE_INSTANTIATE_PER_TARGET(Fixture): HWY_DYNAMIC_DISPATCH then
// picks GetParam()'s target inside each test.
class PerTargetTest : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override { hwy::SetSupportedTargetsForTest(GetParam()); }
  void TearDown() override { hwy::SetSupportedTargetsForTest(0); }
};

inline std::string TargetParamName(const ::testing::TestParamInfo<int64_t>& info) {
  return hwy::TargetName(info.param);
}

// n floats starting one float into an allocation of exactly n + 1, so data
// is misaligned and ASan sees any access past the end.
class MisalignedFloats {
 public:
  explicit MisalignedFloats(size_t n) : storage_(n + 1) {}
  float* data() { return storage_.data() + 1; }
  float& operator[](size_t i) { return data()[i]; }

 private:
  std::vector<float> storage_;
};

}  // namespace edgepiece::testing

#define EDGEPIECE_INSTANTIATE_PER_TARGET(fixture)                                    \
  INSTANTIATE_TEST_SUITE_P(AllTargets, fixture,                                      \
                           ::testing::ValuesIn(hwy::SupportedAndGeneratedTargets()), \
                           ::edgepiece::testing::TargetParamName)

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_PER_TARGET_TEST_H_
