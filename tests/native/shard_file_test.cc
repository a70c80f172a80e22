// The shard files of sharded training (runtime/trainer/shard_file.h): they
// round-trip counts exactly, their bytes depend only on the counts, and a
// damaged file is an error naming the byte where it goes wrong.
#include "runtime/trainer/shard_file.h"

#include <gtest/gtest.h>

#include <string>

namespace edgepiece {
namespace {

ShardSettings Settings() {
  ShardSettings s;
  s.order = 3;
  s.isolate_digits = true;
  s.ensure_unicode = false;
  s.min_count = 5;
  return s;
}

NgramCounter Count(const std::vector<std::string>& chunks) {
  NgramCounter counter(3);
  for (const std::string& chunk : chunks) counter.AddChunk(chunk);
  return counter;
}

void PutU64At(std::string* bytes, size_t at, uint64_t v) {
  for (int k = 0; k < 8; ++k) (*bytes)[at + k] = static_cast<char>(v >> (8 * k));
}

TEST(ShardFileTest, NgramCountsRoundTripAndMergeToTheWholeCorpusBytes) {
  const NgramCounter whole = Count({"abracadabra", "cadabra\n", "\xff\xff\xff"});
  const std::string bytes = SerializeNgramCounts(whole, Settings());
  EXPECT_EQ(DetectShardFile(bytes), ShardFileKind::kNgramCounts);
  auto parsed = ParseNgramCounts(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(DescribeSettingsDifference(parsed->settings, Settings()), "");
  EXPECT_EQ(parsed->counter.total_bytes(), whole.total_bytes());
  EXPECT_EQ(SerializeNgramCounts(parsed->counter, Settings()), bytes);
  // Parts counted apart and merged (in either order) are the same file.
  NgramCounter a = Count({"\xff\xff\xff", "cadabra\n"}), b = Count({"abracadabra"});
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_EQ(SerializeNgramCounts(a, Settings()), bytes);
  // The 8-byte key of eight 0xFF (the tables' empty marker) survives too.
  NgramCounter eight(8);
  eight.AddChunk(std::string(9, '\xff'));
  ShardSettings s8 = Settings();
  s8.order = 8;
  const std::string bytes8 = SerializeNgramCounts(eight, s8);
  auto parsed8 = ParseNgramCounts(bytes8);
  ASSERT_TRUE(parsed8.ok()) << parsed8.status().ToString();
  EXPECT_EQ(SerializeNgramCounts(parsed8->counter, s8), bytes8);
}

TEST(ShardFileTest, LoadingOnlyTheModelsNgramsBuildsTheSameModel) {
  const NgramCounter whole = Count({"abracadabra abracadabra", "cadabra\n", "abc abd abe"});
  ShardSettings settings = Settings();
  settings.min_count = 2;
  const std::string bytes = SerializeNgramCounts(whole, settings);
  auto pruned = ParseNgramCounts(bytes, /*model_ngrams_only=*/true);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_LT(pruned->counter.table(3).size(), whole.table(3).size());
  const TrainerOptions options = WithShardSettings(TrainerOptions(), settings);
  auto full_model = NgramModel::Build(whole, options);
  auto pruned_model = NgramModel::Build(pruned->counter, options);
  ASSERT_TRUE(full_model.ok() && pruned_model.ok());
  EXPECT_EQ(pruned_model->size(), full_model->size());
  for (int b = 0; b < 256; ++b) EXPECT_EQ(pruned_model->unigram(b), full_model->unigram(b));
  for (int n = 2; n <= 3; ++n) {
    whole.table(n).ForEach([&](uint64_t key, uint64_t) {
      double a = 0, b = 0;
      const bool in_full = full_model->Find(n, key, &a);
      EXPECT_EQ(pruned_model->Find(n, key, &b), in_full);
      EXPECT_EQ(a, b);
    });
  }
}

TEST(ShardFileTest, PieceCountsRoundTrip) {
  PieceCounter pieces;
  pieces.Add("b", 3);
  pieces.Add("ab", 2);
  pieces.Add(std::string("\xe4\xb8\x80\0", 4), 7);
  const std::string bytes = SerializePieceCounts(pieces, Settings(), 12);
  EXPECT_EQ(DetectShardFile(bytes), ShardFileKind::kPieceCounts);
  auto parsed = ParsePieceCounts(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->total_bytes, 12u);
  EXPECT_EQ(parsed->pieces.Sorted(), pieces.Sorted());
  EXPECT_EQ(SerializePieceCounts(parsed->pieces, parsed->settings, 12), bytes);
}

// The error of parsing `bytes` as a .counts file ("" when it parses).
std::string CountsError(const std::string& bytes) {
  auto parsed = ParseNgramCounts(bytes);
  return parsed.ok() ? "" : parsed.status().detail();
}

TEST(ShardFileTest, DamagedCountsFilesNameTheByte) {
  const std::string good = SerializeNgramCounts(Count({"abcabc"}), Settings());
  ASSERT_EQ(CountsError(good), "");
  EXPECT_NE(CountsError("EPPIECES" + good.substr(8)).find("byte 0: not an n-gram counts"),
            std::string::npos);
  std::string bad = good;
  bad[8] = 2;
  EXPECT_NE(CountsError(bad).find("byte 8: format version 2"), std::string::npos);
  bad = good;
  bad[12] = 9;
  EXPECT_NE(CountsError(bad).find("byte 12: order 9"), std::string::npos);
  EXPECT_NE(CountsError(good.substr(0, 100)).find("byte 96: truncated"), std::string::npos);
  EXPECT_NE(CountsError(good + "x").find("bytes after the last entry"), std::string::npos);
  // Byte counts that do not add up; n-gram keys out of order, too long, or counted 0.
  bad = good;
  PutU64At(&bad, 24, 7);
  EXPECT_NE(CountsError(bad).find("byte 24: byte counts do not add up"), std::string::npos);
  const size_t table2 = 24 + 8 + 256 * 8;  // the 2-gram table's size, then its entries
  bad = good;
  PutU64At(&bad, table2 + 8 + 16, 0);  // second key below the first
  EXPECT_NE(CountsError(bad).find("byte " + std::to_string(table2 + 24) + ": n-gram keys not"),
            std::string::npos);
  bad = good;
  PutU64At(&bad, table2 + 8, uint64_t{1} << 16);
  EXPECT_NE(CountsError(bad).find("key of more than 2 bytes"), std::string::npos);
  bad = good;
  PutU64At(&bad, table2 + 16, 0);
  EXPECT_NE(CountsError(bad).find("byte " + std::to_string(table2 + 16) + ": n-gram count 0"),
            std::string::npos);
  bad = good;
  PutU64At(&bad, table2, uint64_t{1} << 40);
  EXPECT_NE(CountsError(bad).find("beyond the end of the file"), std::string::npos);
}

TEST(ShardFileTest, DamagedPiecesFilesNameTheByte) {
  PieceCounter pieces;
  pieces.Add("a", 1);
  pieces.Add("b", 2);
  const std::string good = SerializePieceCounts(pieces, Settings(), 3);
  auto error = [](const std::string& bytes) {
    auto parsed = ParsePieceCounts(bytes);
    return parsed.ok() ? std::string() : parsed.status().detail();
  };
  ASSERT_EQ(error(good), "");
  EXPECT_NE(error("EPNGRAMS" + good.substr(8)).find("byte 0: not a piece counts"),
            std::string::npos);
  const size_t first = 24 + 16;  // after the header, the byte total and the piece count
  std::string bad = good;
  bad[first + 4] = 'c';  // "c" before "b"
  EXPECT_NE(error(bad).find("byte " + std::to_string(first + 13) + ": pieces not strictly"),
            std::string::npos);
  bad = good;
  bad[first] = 0;
  EXPECT_NE(error(bad).find("byte " + std::to_string(first) + ": empty piece"), std::string::npos);
  // Too short for its pieces: the piece count is the byte named.
  EXPECT_NE(error(good.substr(0, good.size() - 1)).find("byte 32: number of pieces 2 beyond"),
            std::string::npos);
  EXPECT_NE(error(good.substr(0, 20)).find("byte 16: truncated in the header"), std::string::npos);
}

TEST(ShardFileTest, SettingsDifferencesAreNamed) {
  ShardSettings a = Settings(), b = Settings();
  b.min_count = 4;
  EXPECT_EQ(DescribeSettingsDifference(a, b), "min-count 5 vs 4");
  b = Settings();
  b.isolate_digits = false;
  EXPECT_EQ(DescribeSettingsDifference(a, b), "isolate-digits on vs off");
  TrainerOptions options = WithShardSettings(TrainerOptions(), a);
  EXPECT_EQ(DescribeSettingsDifference(ShardSettingsOf(options), a), "");
  EXPECT_EQ(options.max_vocab_size, TrainerOptions().max_vocab_size);
}

}  // namespace
}  // namespace edgepiece
