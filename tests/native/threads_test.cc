// What the runtime shares between threads, exercised from several threads at
// once: one Tokenizer under many Encoders, one Model under many Sessions, and
// trainer parts counted on their own threads then merged. Each thread's
// results equal a one-thread run; the `tsan` preset (tools/tsan.sh) runs this
// under ThreadSanitizer, which reports any data race.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "runtime/text/nfc.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/trainer/chunker.h"
#include "runtime/trainer/finish.h"
#include "runtime/trainer/ngram_counter.h"
#include "runtime/trainer/segmenter.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/tiny_model.h"

namespace edgepiece {
namespace {

constexpr int kThreads = 4;

// Runs fn(t) on kThreads threads at once.
template <typename Fn>
void OnThreads(Fn fn) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(fn, t);
  for (std::thread& thread : threads) thread.join();
}

TEST(ThreadsTest, OneTokenizerManyEncoders) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const std::vector<std::string>& all = testing::PublicDocuments();
  const std::vector<std::string> docs(all.begin(), all.begin() + 40);
  // Per thread: deterministic, and sampling with the thread's seed.
  auto run = [&](int t, std::vector<std::vector<int32_t>>* out) {
    Encoder encoder(tokenizer, RngKind::kDefault, 100 + t);
    EncodeOptions options;
    for (const std::string& doc : docs) {
      options.alpha = out->size() % 2 ? 0.1 : -1.0;
      auto ids = encoder.Encode(doc, options);
      EXPECT_TRUE(ids.ok());
      out->push_back(ids.ok() ? *ids : std::vector<int32_t>{});
      std::string text;
      EXPECT_TRUE(tokenizer.DecodeText(out->back().data(), out->back().size(), &text).ok());
    }
  };
  std::vector<std::vector<std::vector<int32_t>>> alone(kThreads), together(kThreads);
  for (int t = 0; t < kThreads; ++t) run(t, &alone[t]);
  OnThreads([&](int t) {
    const Tokenizer copy = tokenizer;  // copies share the loaded data
    (void)copy.vocab_size();
    run(t, &together[t]);
  });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(together[t], alone[t]) << "thread " << t;
}

TEST(ThreadsTest, OneModelManySessions) {
  auto model = Model::FromBytes(testing::WriteSafetensors(testing::RandomTinyModel(3)));
  ASSERT_TRUE(model.ok());
  auto run = [&](int t, std::vector<float>* logits) {
    auto session = Session::Create(*model);
    ASSERT_TRUE(session.ok());
    std::vector<int32_t> ids;
    for (int i = 0; i < 37; ++i) ids.push_back((i * (t + 3) + 1) % model->config().vocab_size);
    ASSERT_TRUE(session->Feed(ids.data(), ids.size()).ok());
    const std::string snapshot = session->Snapshot();
    ASSERT_TRUE(session->Restore(snapshot).ok());
    logits->assign(session->logits(), session->logits() + session->vocab_size());
  };
  std::vector<std::vector<float>> alone(kThreads), together(kThreads);
  for (int t = 0; t < kThreads; ++t) run(t, &alone[t]);
  OnThreads([&](int t) { run(t, &together[t]); });
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(together[t], alone[t]) << "thread " << t;
}

TEST(ThreadsTest, TrainerPartsCountedOnThreadsThenMerged) {
  const std::vector<std::string>& all = testing::PublicDocuments();
  const std::vector<std::string> docs(all.begin(), all.begin() + 120);
  TrainerOptions options;
  options.max_vocab_size = 1000;
  std::vector<std::vector<std::string>> chunks(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    std::string scratch;
    auto normalized = NormalizeNfc(docs[i], &scratch);
    ASSERT_TRUE(normalized.ok());
    std::vector<std::string_view> views;
    const std::string text(*normalized);
    ASSERT_TRUE(SplitTrainingChunks(text, options.isolate_digits, &views).ok());
    chunks[i].assign(views.begin(), views.end());
  }
  // Document i belongs to part i % kThreads.
  auto train = [&](bool threaded) {
    std::vector<std::unique_ptr<NgramCounter>> counters;
    for (int t = 0; t < kThreads; ++t)
      counters.push_back(std::make_unique<NgramCounter>(options.order));
    auto count = [&](int t) {
      for (size_t i = t; i < docs.size(); i += kThreads) {
        for (const std::string& c : chunks[i]) counters[t]->AddChunk(c);
      }
    };
    if (threaded) {
      OnThreads(count);
    } else {
      for (int t = 0; t < kThreads; ++t) count(t);
    }
    for (int t = 1; t < kThreads; ++t) EXPECT_TRUE(counters[0]->Merge(*counters[t]).ok());
    auto model = NgramModel::Build(*counters[0], options);
    EXPECT_TRUE(model.ok());
    if (!model.ok()) return std::string();
    // One n-gram model shared by a segmenter per thread.
    std::vector<PieceCounter> pieces(kThreads);
    auto segment = [&](int t) {
      Segmenter segmenter(*model, options);
      for (size_t i = t; i < docs.size(); i += kThreads) {
        for (const std::string& c : chunks[i]) segmenter.SegmentChunk(c, &pieces[t]);
      }
    };
    if (threaded) {
      OnThreads(segment);
    } else {
      for (int t = 0; t < kThreads; ++t) segment(t);
    }
    for (int t = 1; t < kThreads; ++t) pieces[0].Merge(pieces[t]);
    auto vocab = FinishModel(pieces[0], options);
    EXPECT_TRUE(vocab.ok());
    return vocab.ok() ? ModelFileJson(*vocab) : std::string();
  };
  const std::string alone = train(false);
  EXPECT_FALSE(alone.empty());
  EXPECT_TRUE(train(true) == alone);
}

}  // namespace
}  // namespace edgepiece
