// The CLI's streaming input: NextChunks runs end at chunk boundaries, so
// encoding them one by one equals encoding the whole text (ids, sampled ids
// and offsets); NextLine splits lines; any block size gives the same result.
#include "native/input_reader.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "tests/native/support/golden.h"

namespace edgepiece::cli {
namespace {

constexpr size_t kBlockSizes[] = {1, 2, 3, 7, 64, InputReader::kDefaultBlockBytes};

// ctest runs each test in its own process, several at once: the process id
// keeps their files apart (a counter alone gave every process the same names).
std::string WriteTempFile(const std::string& contents) {
  static int counter = 0;
  const std::string path = ::testing::TempDir() + "input_reader_test_" +
                           std::to_string(::getpid()) + "_" + std::to_string(++counter) + ".txt";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  EXPECT_NE(file, nullptr);
  std::fwrite(contents.data(), 1, contents.size(), file);
  std::fclose(file);
  return path;
}

// Text that stresses every boundary: runs of '\n', combining marks right
// after a '\n' (NFC reorders and composes them), "\r\n", invalid UTF-8.
std::string RandomText(std::mt19937* rng, size_t parts) {
  static const char* const kParts[] = {"a",         "In the beginning", " ",        "\n",
                                       "\n\n",      "\n\n\n",           "\xcc\x81", "\xcc\xa3",
                                       "e\xcc\x81", "\xe5\xa4\xa9",     "\r\n",     "\xff",
                                       "\xe4\xb8",  "\xef\xbc\x8c"};
  std::uniform_int_distribution<size_t> pick(0, std::size(kParts) - 1);
  std::string text;
  for (size_t i = 0; i < parts; ++i) text += kParts[pick(*rng)];
  return text;
}

std::vector<std::string> ReadChunks(const std::string& path, size_t block_bytes) {
  auto reader = InputReader::Open(path, block_bytes);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<std::string> runs;
  std::string_view text;
  for (;;) {
    auto more = reader->NextChunks(&text);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    runs.emplace_back(text);
  }
  return runs;
}

TEST(InputReaderTest, ChunkRunsEndAfterWholeNewlineRunsAndCoverTheInput) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 50; ++trial) {
    const std::string text = RandomText(&rng, 1 + trial * 7);
    const std::string path = WriteTempFile(text);
    for (const size_t block : kBlockSizes) {
      const std::vector<std::string> runs = ReadChunks(path, block);
      std::string joined;
      for (size_t i = 0; i < runs.size(); ++i) {
        ASSERT_FALSE(runs[i].empty());
        if (i + 1 < runs.size()) {
          ASSERT_EQ(runs[i].back(), '\n') << "block " << block;
          ASSERT_NE(runs[i + 1].front(), '\n') << "block " << block;
        }
        joined += runs[i];
      }
      EXPECT_EQ(joined, text) << "block " << block;
    }
    std::remove(path.c_str());
  }
}

TEST(InputReaderTest, EncodingRunByRunEqualsEncodingTheWholeText) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  std::mt19937 rng(2);
  for (int trial = 0; trial < 30; ++trial) {
    const std::string text = RandomText(&rng, 20 + trial * 11);
    const std::string path = WriteTempFile(text);
    for (const double alpha : {-1.0, 0.1}) {
      EncodeOptions options;
      options.alpha = alpha;
      options.with_offsets = true;
      Encoder whole_encoder(tokenizer, RngKind::kGlibc, 7);
      Encoding whole;
      ASSERT_TRUE(whole_encoder.Encode(text, options, &whole).ok());
      for (const size_t block : {size_t{1}, size_t{5}, size_t{64}}) {
        Encoder encoder(tokenizer, RngKind::kGlibc, 7);
        std::vector<int32_t> ids;
        std::vector<uint32_t> offsets;
        uint32_t base = 0;
        for (const std::string& run : ReadChunks(path, block)) {
          Encoding part;
          ASSERT_TRUE(encoder.Encode(run, options, &part).ok());
          ids.insert(ids.end(), part.ids.begin(), part.ids.end());
          for (const uint32_t offset : part.offsets) offsets.push_back(base + offset);
          if (!part.offsets.empty()) base += part.offsets.back();
        }
        EXPECT_EQ(ids, whole.ids) << "alpha " << alpha << ", block " << block;
        EXPECT_EQ(offsets, whole.offsets) << "alpha " << alpha << ", block " << block;
      }
    }
    std::remove(path.c_str());
  }
}

TEST(InputReaderTest, LinesWithAndWithoutAFinalNewline) {
  for (const std::string text : {"", "\n", "one", "one\n", "one\ntwo", "one\n\nthree\n"}) {
    std::vector<std::string> expected;
    size_t begin = 0;
    while (begin < text.size()) {
      size_t end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      expected.push_back(text.substr(begin, end - begin));
      begin = end + 1;
    }
    const std::string path = WriteTempFile(text);
    for (const size_t block : kBlockSizes) {
      auto reader = InputReader::Open(path, block);
      ASSERT_TRUE(reader.ok());
      std::vector<std::string> lines;
      std::string_view line;
      for (;;) {
        auto more = reader->NextLine(&line);
        ASSERT_TRUE(more.ok());
        if (!*more) break;
        lines.emplace_back(line);
      }
      EXPECT_EQ(lines, expected) << "text \"" << text << "\", block " << block;
    }
    std::remove(path.c_str());
  }
}

TEST(InputReaderTest, MissingFileIsAnIoError) {
  auto reader = InputReader::Open(::testing::TempDir() + "no/such/file.txt");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kIoError);
  EXPECT_EQ(InputReader::Open("", 0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgepiece::cli
