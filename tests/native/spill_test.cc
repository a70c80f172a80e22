// Bounded memory for both passes (runtime/trainer/spill.h): n-gram and piece
// counts spilled as sorted runs and merged back are exactly the counts kept
// in memory, however often and from however many counters they spill (the
// goldens come out byte for byte from piece runs), and a spill that cannot
// be written is an error, not a crash or a silent loss.
#include "runtime/trainer/spill.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "runtime/trainer/chunker.h"
#include "runtime/trainer/segmenter.h"
#include "runtime/trainer/shard_file.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/test_budget.h"

namespace edgepiece {
namespace {

// Chunks over a small alphabet (so n-grams repeat) with 0xFF runs (the hash
// table's marker key at order 8).
std::vector<std::string> Chunks(size_t count, unsigned seed) {
  std::vector<std::string> chunks;
  uint32_t state = seed;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (size_t i = 0; i < count; ++i) {
    std::string chunk(1 + (next() >> 8) % 40, 'a');
    for (char& c : chunk) {
      const uint32_t r = (next() >> 8) % 7;
      c = r == 6 ? '\xff' : static_cast<char>('a' + r);
    }
    if (i % 50 == 0) chunk += std::string(10, '\xff');
    chunks.push_back(chunk);
  }
  return chunks;
}

std::string TempDir() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

ShardSettings Settings(int order, uint64_t min_count) {
  ShardSettings s;
  s.order = order;
  s.min_count = min_count;
  return s;
}

// Runs `spill` with writes limited to `bytes` per file, as a full disk would
// limit them (EFBIG once SIGXFSZ is ignored).
template <typename F>
Status WithFileSizeLimit(rlim_t bytes, F&& spill) {
  rlimit old_limit;
  EXPECT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  struct sigaction ignore = {}, old_action;
  ignore.sa_handler = SIG_IGN;
  EXPECT_EQ(sigaction(SIGXFSZ, &ignore, &old_action), 0);
  rlimit small = old_limit;
  small.rlim_cur = bytes;
  EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const Status status = spill();
  setrlimit(RLIMIT_FSIZE, &old_limit);
  sigaction(SIGXFSZ, &old_action, nullptr);
  return status;
}

// Counts `chunks` on `counters` counters (chunk i on counter i % counters),
// each spilling every `spill_every` chunks, then merges the runs.
NgramCounter CountSpilled(const std::vector<std::string>& chunks, int order, size_t counters,
                          size_t spill_every, uint64_t min_count, size_t* runs) {
  auto file = NgramSpillFile::Create(TempDir());
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  std::vector<NgramCounter> parts(counters, NgramCounter(order));
  for (size_t i = 0; i < chunks.size(); ++i) {
    NgramCounter& counter = parts[i % counters];
    counter.AddChunk(chunks[i]);
    if ((i + 1) % spill_every == 0) {
      EXPECT_TRUE((*file)->Spill(&counter).ok());
    }
  }
  NgramCounter merged(order);
  for (NgramCounter& counter : parts) {
    EXPECT_TRUE((*file)->Spill(&counter).ok());
    for (int n = 2; n <= order; ++n) EXPECT_EQ(counter.table(n).size(), 0u);
    EXPECT_TRUE(merged.MergeLength(1, counter).ok());
  }
  EXPECT_TRUE((*file)->MergeInto(&merged, min_count).ok());
  *runs = (*file)->runs();
  return merged;
}

TEST(NgramSpillTest, MergedRunsAreExactlyTheCountsInMemory) {
  for (const int order : {3, 8}) {
    const std::vector<std::string> chunks = Chunks(3000, 7 + order);
    NgramCounter whole(order);
    for (const std::string& chunk : chunks) whole.AddChunk(chunk);
    const std::string expected = SerializeNgramCounts(whole, Settings(order, 1));
    for (const size_t counters : {size_t{1}, size_t{3}}) {
      for (const size_t spill_every : {size_t{1}, size_t{97}, size_t{100000}}) {
        size_t runs = 0;
        const NgramCounter merged = CountSpilled(chunks, order, counters, spill_every, 1, &runs);
        EXPECT_GE(runs, counters);
        EXPECT_EQ(SerializeNgramCounts(merged, Settings(order, 1)), expected)
            << "order " << order << ", " << counters << " counters, spill every " << spill_every;
      }
    }
  }
}

TEST(NgramSpillTest, MergeKeepsTheNgramsOfTheModelAndTheModelIsTheSame) {
  const int order = 4;
  const uint64_t min_count = 5;
  const std::vector<std::string> chunks = Chunks(2000, 3);
  NgramCounter whole(order);
  for (const std::string& chunk : chunks) whole.AddChunk(chunk);
  // The pruned counts: what a .counts file keeps for the model.
  auto pruned = ParseNgramCounts(SerializeNgramCounts(whole, Settings(order, min_count)),
                                 /*model_ngrams_only=*/true);
  ASSERT_TRUE(pruned.ok());
  size_t runs = 0;
  const NgramCounter merged = CountSpilled(chunks, order, 2, 50, min_count, &runs);
  EXPECT_GT(runs, 10u);
  EXPECT_EQ(SerializeNgramCounts(merged, Settings(order, 1)),
            SerializeNgramCounts(pruned->counter, Settings(order, 1)));
  EXPECT_LT(merged.table(order).size(), whole.table(order).size());  // pruning did drop some

  TrainerOptions options;
  options.order = order;
  options.min_count = min_count;
  auto expected = NgramModel::Build(whole, options);
  auto actual = NgramModel::Build(merged, options);
  ASSERT_TRUE(expected.ok() && actual.ok());
  EXPECT_EQ(actual->size(), expected->size());
  for (int b = 0; b < 256; ++b) EXPECT_EQ(actual->unigram(b), expected->unigram(b));
  for (int n = 2; n <= order; ++n) {
    whole.table(n).ForEach([&](uint64_t key, uint64_t) {
      double want = 0, got = 0;
      const bool kept = expected->Find(n, key, &want);
      ASSERT_EQ(actual->Find(n, key, &got), kept);
      if (kept) {
        EXPECT_EQ(got, want);
      }
    });
  }
}

TEST(NgramSpillTest, NoRunFileInAMissingDirectory) {
  auto file = NgramSpillFile::Create("/nonexistent-edgepiece-dir");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kIoError);
  EXPECT_NE(file.status().detail().find("/nonexistent-edgepiece-dir"), std::string::npos);
}

TEST(NgramSpillTest, AWriteFailureIsAnError) {
  auto file = NgramSpillFile::Create(TempDir());
  ASSERT_TRUE(file.ok());
  NgramCounter counter(6);
  for (const std::string& chunk : Chunks(2000, 5)) counter.AddChunk(chunk);
  // A file size limit stands in for a full disk.
  const Status status = WithFileSizeLimit(4096, [&] { return (*file)->Spill(&counter); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.detail().find("cannot write the temporary n-gram run file"), std::string::npos)
      << status.ToString();
}

// Every (piece, count) of a source, in the order it visits them.
std::vector<std::pair<std::string, uint64_t>> Walk(const PieceSource& source) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (size_t part = 0; part < source.parts; ++part) {
    const Status status = source.walk(part, [&](std::string_view piece, uint64_t count) {
      out.emplace_back(piece, count);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  return out;
}

TEST(PieceSpillTest, MergedRunsAreExactlyTheCountsInMemory) {
  // Pieces: the chunks' substrings at a few cut points, so they repeat.
  const std::vector<std::string> chunks = Chunks(3000, 11);
  std::vector<std::string> pieces;
  for (const std::string& chunk : chunks) {
    for (size_t at = 0; at < chunk.size(); at += 3) pieces.push_back(chunk.substr(at, 3));
  }
  PieceCounter whole;
  for (const std::string& piece : pieces) whole.Add(piece);
  std::vector<std::pair<std::string, uint64_t>> expected;
  for (const auto& [piece, count] : whole.Sorted()) expected.emplace_back(piece, count);
  for (const size_t counters : {size_t{1}, size_t{3}}) {
    for (const size_t spill_every : {size_t{1}, size_t{97}, size_t{100000}}) {
      auto file = PieceSpillFile::Create(TempDir());
      ASSERT_TRUE(file.ok()) << file.status().ToString();
      std::vector<PieceCounter> parts(counters);
      for (size_t i = 0; i < pieces.size(); ++i) {
        PieceCounter& part = parts[i % counters];
        part.Add(pieces[i]);
        if ((i + 1) % spill_every == 0) {
          ASSERT_TRUE((*file)->Spill(&part).ok());
        }
      }
      for (PieceCounter& part : parts) {
        ASSERT_TRUE((*file)->Spill(&part).ok());
        EXPECT_EQ(part.size(), 0u);
      }
      EXPECT_GE((*file)->runs(), counters);
      // Ascending, each piece once, counts summed; and the same on a second walk.
      EXPECT_EQ(Walk((*file)->Source()), expected)
          << counters << " counters, spill every " << spill_every;
      EXPECT_EQ(Walk((*file)->Source()), expected);
    }
  }
}

TEST(PieceSpillTest, MergedCountersVisitEachPieceOnceWithItsTotal) {
  PieceCounter a, b, c;
  a.Add("x", 1);
  a.Add("y", 2);
  b.Add("y", 3);
  b.Add("z", 4);
  c.Add("x", 5);
  c.Add(std::string(100000, 'w'), 6);  // longer than an arena block
  for (const size_t parts : {size_t{1}, size_t{3}, size_t{200}}) {
    std::map<std::string, uint64_t> seen;
    for (const auto& [piece, count] : Walk(MergedPieceSource({&a, &b, &c}, parts))) {
      EXPECT_TRUE(seen.emplace(piece, count).second) << piece << " visited twice";
    }
    EXPECT_EQ(seen, (std::map<std::string, uint64_t>{
                        {"x", 6}, {"y", 5}, {"z", 4}, {std::string(100000, 'w'), 6}}))
        << parts << " parts";
  }
}

TEST(PieceSpillTest, SpilledPiecesReproduceTheGoldensOnOneAndTwoCounters) {
  struct Case {
    const char* file;
    int order;
    uint64_t vocab, min_count;
    bool digits, ensure_unicode;
  };
  for (const Case& c : {Case{"public.o3.v2000.m16.nounicode.model", 3, 2000, 16, false, false},
                        Case{"public.o6.v8000.m4.model", 6, 8000, 4, false, true}}) {
    if (testing::kTestWorkDivisor > 1 && c.order != 3) continue;  // optimized builds only
    TrainerOptions options;
    options.order = c.order;
    options.max_vocab_size = c.vocab;
    options.min_count = c.min_count;
    options.isolate_digits = c.digits;
    options.ensure_unicode = c.ensure_unicode;
    const std::string expected =
        testing::ReadGzipFile(testing::BytePieceGoldenDir() + "/../trainer/" + c.file);
    NgramCounter counter(options.order);
    std::vector<std::string_view> chunks;
    for (const std::string& doc : testing::PublicDocuments()) {
      ASSERT_TRUE(SplitTrainingChunks(doc, options.isolate_digits, &chunks).ok());
      for (const auto chunk : chunks) counter.AddChunk(chunk);
    }
    auto model = NgramModel::Build(counter, options);
    ASSERT_TRUE(model.ok());
    for (const size_t counters : {size_t{1}, size_t{2}}) {
      // Documents dealt round-robin; each counter spills past 256 KiB, as a
      // tight --memory-limit makes pass 2's workers do.
      auto file = PieceSpillFile::Create(TempDir());
      ASSERT_TRUE(file.ok());
      Segmenter segmenter(*model, options);
      std::vector<PieceCounter> parts(counters);
      size_t d = 0;
      for (const std::string& doc : testing::PublicDocuments()) {
        PieceCounter& part = parts[d++ % counters];
        ASSERT_TRUE(SplitTrainingChunks(doc, options.isolate_digits, &chunks).ok());
        for (const auto chunk : chunks) segmenter.SegmentChunk(chunk, &part);
        if (part.MemoryUsage() > (256u << 10)) {
          ASSERT_TRUE((*file)->Spill(&part).ok());
        }
      }
      for (PieceCounter& part : parts) ASSERT_TRUE((*file)->Spill(&part).ok());
      EXPECT_GT((*file)->runs(), 10u);
      auto vocab = FinishModel((*file)->Source(), options);
      ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
      EXPECT_TRUE(ModelFileJson(*vocab) == expected) << c.file << ", " << counters << " counters";
    }
  }
}

TEST(PieceSpillTest, NoRunFileInAMissingDirectory) {
  auto file = PieceSpillFile::Create("/nonexistent-edgepiece-dir");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kIoError);
  EXPECT_NE(file.status().detail().find("cannot create a temporary piece run file in "
                                        "/nonexistent-edgepiece-dir"),
            std::string::npos)
      << file.status().ToString();
}

TEST(PieceSpillTest, AWriteFailureIsAnError) {
  auto file = PieceSpillFile::Create(TempDir());
  ASSERT_TRUE(file.ok());
  PieceCounter pieces;
  for (const std::string& chunk : Chunks(2000, 5)) pieces.Add(chunk);
  const Status status = WithFileSizeLimit(4096, [&] { return (*file)->Spill(&pieces); });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.detail().find("cannot write the temporary piece run file"), std::string::npos)
      << status.ToString();
}

TEST(NgramSpillTest, ParseMemorySize) {
  EXPECT_EQ(*ParseMemorySize("1048576"), 1048576u);
  EXPECT_EQ(*ParseMemorySize("64K"), 64u << 10);
  EXPECT_EQ(*ParseMemorySize("64M"), 64u << 20);
  EXPECT_EQ(*ParseMemorySize("2g"), uint64_t{2} << 30);
  EXPECT_EQ(*ParseMemorySize("3T"), uint64_t{3} << 40);
  for (const char* bad :
       {"", "M", "0", "0M", "12MB", "-1", "1.5G", " 1M", "99999999999999999999", "20000000T"}) {
    EXPECT_FALSE(ParseMemorySize(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace edgepiece
