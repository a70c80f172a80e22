// The language model's next-token sampler: greedy ties, top-k / top-p support, frequencies that
// follow softmax(logits / T), seeded reproducibility, option validation.
#include <cmath>
#include <map>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/model/sampler.h"

namespace edgepiece {
namespace {

TEST(Sampler, GreedyTakesTheLowestIdAmongMaxima) {
  const std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f};
  Sampler sampler;
  SamplingOptions greedy;
  greedy.temperature = 0;
  EXPECT_EQ(sampler.Sample(logits.data(), logits.size(), greedy), 1);
  SamplingOptions top1;
  top1.top_k = 1;
  EXPECT_EQ(sampler.Sample(logits.data(), logits.size(), top1), 1);
}

std::map<int32_t, int> Histogram(const std::vector<float>& logits, const SamplingOptions& o,
                                 int draws, uint32_t seed = 1) {
  Sampler sampler(seed);
  std::map<int32_t, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[sampler.Sample(logits.data(), logits.size(), o)];
  return counts;
}

TEST(Sampler, FrequenciesFollowTheTemperedSoftmax) {
  const std::vector<float> logits = {1.0f, 0.0f, -1.0f, 2.0f, 0.5f};
  for (float temperature : {0.5f, 1.0f, 2.0f}) {
    SamplingOptions o;
    o.temperature = temperature;
    const int draws = 200000;
    auto counts = Histogram(logits, o, draws);
    double z = 0;
    for (float l : logits) z += std::exp(l / temperature);
    double chi2 = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
      const double expected = draws * std::exp(logits[i] / temperature) / z;
      const double diff = counts[static_cast<int32_t>(i)] - expected;
      chi2 += diff * diff / expected;
    }
    EXPECT_LT(chi2, 20.5) << "T=" << temperature;  // 4 dof, p = 0.0004
  }
}

TEST(Sampler, TopKAndTopPKeepOnlyTheirSupport) {
  const std::vector<float> logits = {0.0f, 3.0f, 1.0f, 2.9f, -2.0f, 1.0f};
  SamplingOptions k2;
  k2.top_k = 2;
  for (const auto& [id, n] : Histogram(logits, k2, 5000)) EXPECT_TRUE(id == 1 || id == 3) << id;
  // Probabilities ~ [.022 .448 .061 .405 .003 .061]: the nucleus for p = 0.7 is {1, 3}.
  SamplingOptions p7;
  p7.top_p = 0.7f;
  auto counts = Histogram(logits, p7, 5000);
  for (const auto& [id, n] : counts) EXPECT_TRUE(id == 1 || id == 3) << id;
  EXPECT_EQ(counts.size(), 2u);
  // {1, 3} hold .853; tied logits 2 and 5 are ordered by id, so p = 0.9
  // adds id 2 and never id 5.
  SamplingOptions p9;
  p9.top_p = 0.9f;
  counts = Histogram(logits, p9, 5000);
  EXPECT_GT(counts[2], 0);
  EXPECT_EQ(counts.count(5), 0u);
}

TEST(Sampler, SameSeedSameTokens) {
  std::vector<float> logits(1000);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(float(i)) * 3;
  SamplingOptions o;
  o.top_p = 0.9f;
  o.temperature = 0.8f;
  Sampler a(77), b(77), c(78);
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const int32_t x = a.Sample(logits.data(), logits.size(), o);
    EXPECT_EQ(x, b.Sample(logits.data(), logits.size(), o));
    differ += x != c.Sample(logits.data(), logits.size(), o);
  }
  EXPECT_GT(differ, 50);
}

TEST(Sampler, ValidatesOptions) {
  SamplingOptions o;
  EXPECT_TRUE(ValidateSamplingOptions(o).ok());
  for (float t : {-1.0f, NAN, INFINITY}) {
    o = {};
    o.temperature = t;
    EXPECT_EQ(ValidateSamplingOptions(o).code(), StatusCode::kInvalidArgument);
  }
  for (float p : {0.0f, 1.5f, NAN}) {
    o = {};
    o.top_p = p;
    EXPECT_EQ(ValidateSamplingOptions(o).code(), StatusCode::kInvalidArgument);
  }
  o = {};
  o.top_k = -1;
  EXPECT_EQ(ValidateSamplingOptions(o).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgepiece
