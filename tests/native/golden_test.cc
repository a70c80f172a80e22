// Golden parity: every public document, both models, all four runs of the
// reference implementation (glibc generator): ids must be identical.
#include <gtest/gtest.h>

#include "tests/native/support/golden.h"

namespace edgepiece {
namespace {

struct GoldenRun {
  const char* model;
  const char* run;
  double alpha;  // < 0: deterministic
  uint32_t seed;
};

class GoldenTest : public ::testing::TestWithParam<GoldenRun> {};

TEST_P(GoldenTest, IdsMatchReferenceForEveryDocument) {
  const GoldenRun& g = GetParam();
  const auto& docs = testing::PublicDocuments();
  const auto expected = testing::GoldenIds(g.model, g.run);
  ASSERT_EQ(docs.size(), 3430u);
  ASSERT_EQ(expected.size(), docs.size());
  // One RNG stream, seeded once, documents in file order (as the reference).
  Encoder encoder(testing::LoadGoldenTokenizer(g.model), RngKind::kGlibc, g.seed);
  EncodeOptions options;
  options.alpha = g.alpha;
  size_t mismatches = 0;
  for (size_t d = 0; d < docs.size(); ++d) {
    auto ids = encoder.Encode(docs[d], options);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    if (*ids != expected[d] && ++mismatches <= 3) {
      size_t k = 0;
      while (k < ids->size() && k < expected[d].size() && (*ids)[k] == expected[d][k]) ++k;
      ADD_FAILURE() << g.model << " " << g.run << ": document " << d << " differs at token " << k
                    << " of " << expected[d].size();
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << docs.size() << " documents";
}

INSTANTIATE_TEST_SUITE_P(AllRuns, GoldenTest,
                         ::testing::Values(GoldenRun{"kjvzh-8k", "det", -1.0, 0},
                                           GoldenRun{"kjvzh-8k", "a0.1_s123", 0.1, 123},
                                           GoldenRun{"kjvzh-8k", "a1.0_s123", 1.0, 123},
                                           GoldenRun{"kjvzh-8k", "a0.0_s5", 0.0, 5},
                                           GoldenRun{"plus40k", "det", -1.0, 0},
                                           GoldenRun{"plus40k", "a0.1_s123", 0.1, 123},
                                           GoldenRun{"plus40k", "a1.0_s123", 1.0, 123},
                                           GoldenRun{"plus40k", "a0.0_s5", 0.0, 5}),
                         [](const auto& info) {
                           std::string name = std::string(info.param.model) + "_" + info.param.run;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace edgepiece
