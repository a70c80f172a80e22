// The BytePiece trainer: the reference's models byte for byte on the public
// corpus (goldens in ../shared/golden/trainer), and each trap of
// docs/bytepiece.md section 4 on tiny inline corpora.
#include "runtime/trainer/trainer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/trainer/chunker.h"
#include "tests/native/support/golden.h"

namespace edgepiece {
namespace {

using testing::BytePieceGoldenDir;
using testing::PublicDocuments;
using testing::ReadGzipFile;

std::string TrainerGoldenDir() { return BytePieceGoldenDir() + "/../trainer"; }

// Trains on `docs` and returns the model file; fails the test on error.
std::string TrainModel(const std::vector<std::string>& docs, const TrainerOptions& options) {
  auto trainer = Trainer::Create(options);
  EXPECT_TRUE(trainer.ok()) << trainer.status().ToString();
  if (!trainer.ok()) return "";
  for (const std::string& doc : docs) EXPECT_TRUE(trainer->CountDocument(doc).ok());
  Status status = trainer->EndCounting();
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (!status.ok()) return "";
  for (const std::string& doc : docs) EXPECT_TRUE(trainer->SegmentDocument(doc).ok());
  auto vocab = trainer->Finish();
  EXPECT_TRUE(vocab.ok()) << vocab.status().ToString();
  if (!vocab.ok()) return "";
  return ModelFileJson(*vocab);
}

struct GoldenCase {
  const char* file;
  TrainerOptions options;
};

TrainerOptions Options(int order, uint64_t vocab, uint64_t min_count, bool digits,
                       bool ensure_unicode) {
  TrainerOptions options;
  options.order = order;
  options.max_vocab_size = vocab;
  options.min_count = min_count;
  options.isolate_digits = digits;
  options.ensure_unicode = ensure_unicode;
  return options;
}

class TrainerGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(TrainerGoldenTest, ReproducesTheReferenceModelByteForByte) {
  const GoldenCase& c = GetParam();
  const std::string expected = ReadGzipFile(TrainerGoldenDir() + "/" + c.file);
  const std::string actual = TrainModel(PublicDocuments(), c.options);
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_TRUE(actual == expected);
}

INSTANTIATE_TEST_SUITE_P(Public, TrainerGoldenTest,
                         ::testing::Values(GoldenCase{"public.o6.v8000.m4.model",
                                                      Options(6, 8000, 4, false, true)},
                                           GoldenCase{"public.o6.v30000.m2.digits.model",
                                                      Options(6, 30000, 2, true, true)},
                                           GoldenCase{"public.o3.v2000.m16.nounicode.model",
                                                      Options(3, 2000, 16, false, false)}),
                         [](const auto& info) {
                           return std::string(info.param.options.isolate_digits   ? "Digits"
                                              : info.param.options.ensure_unicode ? "O6M4"
                                                                                  : "NoUnicode");
                         });

}  // namespace
}  // namespace edgepiece
