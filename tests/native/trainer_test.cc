// The BytePiece trainer: the reference's models byte for byte on the public
// corpus (goldens in ../shared/golden/trainer), and each trap of
// docs/bytepiece.md section 4 on tiny inline corpora.
#include "runtime/trainer/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "runtime/text/nfc.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/trainer/chunker.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/test_budget.h"

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
  // Sanitized and unoptimized builds train only the quickest setting (order 3).
  if (testing::kTestWorkDivisor > 1 && c.options.order != 3) {
    GTEST_SKIP() << "the full-size training runs only in optimized builds";
  }
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

// ---- Chunking (section 4.1) ----

std::vector<std::string> Chunks(const std::string& text, bool isolate_digits) {
  std::vector<std::string_view> views;
  const Status status = SplitTrainingChunks(text, isolate_digits, &views);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return std::vector<std::string>(views.begin(), views.end());
}

using Strings = std::vector<std::string>;

TEST(TrainerChunksTest, EndAfterNewlineRunsOfAtMost100) {
  EXPECT_EQ(Chunks("", false), Strings{});
  EXPECT_EQ(Chunks("ab\n\ncd\nef", false), (Strings{"ab\n\n", "cd\n", "ef"}));
  EXPECT_EQ(Chunks("\n\nx", false), (Strings{"\n\n", "x"}));
  // 250 newlines: 100 with the text, then newline-only chunks (not capped away).
  EXPECT_EQ(
      Chunks("x" + std::string(250, '\n') + "y", false),
      (Strings{"x" + std::string(100, '\n'), std::string(100, '\n'), std::string(50, '\n'), "y"}));
  // Only '\n' separates: '\r' is an ordinary character.
  EXPECT_EQ(Chunks("a\r\nb\rc", false), (Strings{"a\r\n", "b\rc"}));
}

TEST(TrainerChunksTest, LimitIs10000CharactersNotBytes) {
  const std::string e_acute = "\xC3\xA9";  // 2 bytes, 1 character
  std::string run;
  for (int i = 0; i < 10000; ++i) run += e_acute;
  // Exactly 10,000 characters: the newline stays with them.
  EXPECT_EQ(Chunks(run + "\n\nz", false), (Strings{run + "\n\n", "z"}));
  EXPECT_EQ(Chunks(run, false), (Strings{run}));
  // One more: the first 10,000 go alone, the rest takes the newline.
  EXPECT_EQ(Chunks(run + "ab\ncd", false), (Strings{run, "ab\n", "cd"}));
  const std::string long_run(25000, 'q');
  EXPECT_EQ(Chunks(long_run, false), (Strings{long_run.substr(0, 10000), long_run.substr(0, 10000),
                                              long_run.substr(0, 5000)}));
}

TEST(TrainerChunksTest, IsolatedDigitsAreUnicodeDecimalDigits) {
  EXPECT_EQ(Chunks("ab12\n\ncd", false), (Strings{"ab12\n\n", "cd"}));
  // A newline run after a digit becomes its own chunk.
  EXPECT_EQ(Chunks("ab12\n\ncd", true), (Strings{"ab", "1", "2", "\n\n", "cd"}));
  // U+0663 ARABIC-INDIC DIGIT THREE is Nd; U+00B2 SUPERSCRIPT TWO is No.
  EXPECT_EQ(Chunks("x\xD9\xA3y\xC2\xB2z", true), (Strings{"x", "\xD9\xA3", "y\xC2\xB2z"}));
  EXPECT_TRUE(IsUnicodeDigit(U'7'));
  EXPECT_TRUE(IsUnicodeDigit(0xFF13));  // FULLWIDTH DIGIT THREE
  EXPECT_FALSE(IsUnicodeDigit(0x00B2));
  EXPECT_FALSE(IsUnicodeDigit(0x2167));  // ROMAN NUMERAL EIGHT (Nl)
  // The 10,000 limit counts characters between digits.
  const std::string run(10001, 'r');
  EXPECT_EQ(Chunks(run + "5", true), (Strings{run.substr(0, 10000), "r", "5"}));
}

TEST(TrainerChunksTest, InvalidUtf8IsAnErrorWithItsOffset) {
  std::vector<std::string_view> views;
  const Status status = SplitTrainingChunks("abc\xFF", false, &views);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.detail().find("offset 3"), std::string::npos) << status.detail();
}

// ---- N-gram counting and the model (section 4.2) ----

TEST(TrainerNgramTest, CountsStayInsideChunksAndMerge) {
  NgramCounter counter(3);
  counter.AddChunk("aba");
  counter.AddChunk("ba");
  EXPECT_EQ(counter.total_bytes(), 5u);
  EXPECT_EQ(counter.byte_count('a'), 3u);
  auto count = [&](const NgramCounter& c, const std::string& ngram) -> uint64_t {
    const uint64_t* v = c.table(static_cast<int>(ngram.size()))
                            .Find(PackNgram(reinterpret_cast<const uint8_t*>(ngram.data()),
                                            static_cast<int>(ngram.size())));
    return v == nullptr ? 0 : *v;
  };
  EXPECT_EQ(count(counter, "ab"), 1u);
  EXPECT_EQ(count(counter, "ba"), 2u);
  EXPECT_EQ(count(counter, "aba"), 1u);
  EXPECT_EQ(count(counter, "aab"), 0u);  // "a" + "ba" across chunks: never counted
  NgramCounter other(3);
  other.AddChunk("ab");
  ASSERT_TRUE(counter.Merge(other).ok());
  EXPECT_EQ(count(counter, "ab"), 2u);
  EXPECT_EQ(counter.total_bytes(), 7u);
  EXPECT_FALSE(counter.Merge(NgramCounter(2)).ok());
}

TEST(TrainerNgramTest, LogProbabilitiesAreTwoLogsAndUnseenBytesCountOne) {
  NgramCounter counter(2);
  for (int i = 0; i < 3; ++i) counter.AddChunk("ab");
  counter.AddChunk("ac");
  TrainerOptions options;
  options.order = 2;
  options.min_count = 2;
  auto model = NgramModel::Build(counter, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  // 8 bytes counted + 253 unseen bytes at count 1.
  const double log_total = std::log(261.0);
  EXPECT_EQ(model->unigram('a'), std::log(4.0) - log_total);
  EXPECT_EQ(model->unigram('z'), std::log(1.0) - log_total);
  double log_prob;
  ASSERT_TRUE(model->Find(2, PackNgram(reinterpret_cast<const uint8_t*>("ab"), 2), &log_prob));
  EXPECT_EQ(log_prob, std::log(3.0) - std::log(4.0));
  // "ac" occurs once, below min_count: dropped.
  EXPECT_FALSE(model->Find(2, PackNgram(reinterpret_cast<const uint8_t*>("ac"), 2), &log_prob));
}

// ---- Segmentation (section 4.3) ----

std::array<double, 256> Unigrams(double value) {
  std::array<double, 256> unigrams;
  unigrams.fill(value);
  return unigrams;
}

Strings Segment(const NgramModel& model, bool ensure_unicode, const std::string& chunk) {
  TrainerOptions options;
  options.order = model.order();
  options.ensure_unicode = ensure_unicode;
  Segmenter segmenter(model, options);
  std::vector<uint32_t> starts;
  segmenter.Segment(chunk, &starts);
  Strings pieces;
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t end = k + 1 < starts.size() ? starts[k + 1] : chunk.size();
    pieces.push_back(chunk.substr(starts[k], end - starts[k]));
  }
  return pieces;
}

TEST(TrainerSegmentTest, ExactTiesGoToTheLowestState) {
  // "a" + "b" and "ab" both score -2 at "b": the end's argmax takes state 0.
  auto model = NgramModel::FromLogProbs(2, Unigrams(-1.0), {{"ab", -1.0}});
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(Segment(*model, true, "ab"), (Strings{"a", "b"}));
  // At "c" the new piece comes from state 0 ("a","b") or state 1 ("ab"),
  // both -2: the route takes the lower one.
  EXPECT_EQ(Segment(*model, true, "abc"), (Strings{"a", "b", "c"}));
  // Without the tie the longer piece wins.
  auto better = NgramModel::FromLogProbs(2, Unigrams(-1.0), {{"ab", -0.5}});
  ASSERT_TRUE(better.ok());
  EXPECT_EQ(Segment(*better, true, "abc"), (Strings{"ab", "c"}));
}

TEST(TrainerSegmentTest, CappedStateContinuesPieces) {
  // Order 2: state 1 continues from itself, so one piece can be longer than 2.
  auto model = NgramModel::FromLogProbs(2, Unigrams(-5.0), {{"aa", -0.1}});
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(Segment(*model, true, "aaaa"), (Strings{"aaaa"}));
}

TEST(TrainerSegmentTest, DeadEndCutsTheRestOfTheChunkIntoBytes) {
  // "é" = C3 A9 with no bigram: with ensure_unicode its continuation byte
  // has every state at -inf, so from its lead byte to the end of the chunk
  // every byte is a piece, though "bc" would score far better.
  const std::vector<std::pair<std::string, double>> ngrams = {{"a\xC3", -1.0},
                                                              {"bc", -0.01},
                                                              {"\xA9"
                                                               "b",
                                                               -1.0}};
  auto model = NgramModel::FromLogProbs(2, Unigrams(-3.0), ngrams);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(Segment(*model, true,
                    "a\xC3\xA9"
                    "bc"),
            (Strings{"a", "\xC3", "\xA9", "b", "c"}));
  // Without ensure_unicode a continuation byte may start a piece: no dead end.
  EXPECT_EQ(Segment(*model, false,
                    "a\xC3\xA9"
                    "bc"),
            (Strings{"a\xC3",
                     "\xA9"
                     "bc"}));
}

// The reference's _tokenize read literally: the full nodes matrix, the
// trans matrix with -inf, numpy's max and argmax (first maximum) per column.
Strings ReferenceSegment(const NgramModel& model, bool ensure_unicode, const std::string& text) {
  const int order = model.order();
  const size_t n = text.size();
  const double inf = std::numeric_limits<double>::infinity();
  const auto* t = reinterpret_cast<const uint8_t*>(text.data());
  std::vector<std::vector<double>> nodes(n, std::vector<double>(order, -inf));
  for (int j = 0; j < order; ++j) {
    for (size_t i = j; i < n; ++i) {
      if (j == 0) {
        nodes[i][0] = model.unigram(t[i]);
      } else {
        double v;
        if (model.Find(j + 1, PackNgram(t + i - j, j + 1), &v)) nodes[i][j] = v;
      }
    }
  }
  if (ensure_unicode) {
    for (size_t i = 0; i < n; ++i) {
      if (t[i] >= 128 && t[i] < 192) nodes[i][0] -= inf;
    }
  }
  std::vector<std::vector<double>> trans(order, std::vector<double>(order, -inf));
  for (int i = 0; i < order; ++i) {
    trans[i][0] = 0;
    trans[i][std::min(i + 1, order - 1)] = 0;
  }
  std::vector<std::vector<int>> routes(n, std::vector<int>(order, 0));
  for (size_t i = 1; i < n; ++i) {
    std::vector<double> next(order);
    for (int s = 0; s < order; ++s) {
      int arg = 0;
      double best = nodes[i - 1][0] + trans[0][s] + nodes[i][s];
      for (int p = 1; p < order; ++p) {
        const double score = nodes[i - 1][p] + trans[p][s] + nodes[i][s];
        if (score > best) best = score, arg = p;
      }
      routes[i - 1][s] = arg;
      next[s] = best;
    }
    nodes[i] = next;
  }
  std::vector<int> states(n);
  int last = 0;
  for (int s = 1; s < order; ++s) {
    if (nodes[n - 1][s] > nodes[n - 1][last]) last = s;
  }
  states[n - 1] = last;
  for (size_t i = n - 1; i > 0; --i) states[i - 1] = routes[i - 1][states[i]];
  Strings pieces;
  std::vector<size_t> starts;
  for (size_t i = 0; i < n; ++i) {
    if (states[i] == 0) starts.push_back(i);
  }
  for (size_t k = 0; k < starts.size(); ++k) {
    pieces.push_back(
        text.substr(starts[k], (k + 1 < starts.size() ? starts[k + 1] : n) - starts[k]));
  }
  return pieces;
}

TEST(TrainerSegmentTest, MatchesTheLiteralReferenceOnRandomCorpora) {
  // Few symbols (spaces, a 2-byte and a 3-byte character) make runs, exact
  // ties and, with min_count, dead ends.
  const std::vector<std::string> symbols = {"a", "b", " ", " ", "\xC3\xA9", "\xE4\xB8\xAD", "\n"};
  std::mt19937 rng(7);
  const int rounds = 40 / testing::kTestWorkDivisor;
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::string> docs(20);
    for (std::string& doc : docs) {
      const int length = 1 + static_cast<int>(rng() % 60);
      for (int k = 0; k < length; ++k) doc += symbols[rng() % symbols.size()];
    }
    TrainerOptions options;
    options.order = 1 + static_cast<int>(rng() % 6);
    options.min_count = 1 + rng() % 4;
    options.ensure_unicode = rng() % 4 != 0;
    NgramCounter counter(options.order);
    std::vector<std::string_view> chunks;
    for (const std::string& doc : docs) {
      ASSERT_TRUE(SplitTrainingChunks(doc, false, &chunks).ok());
      for (const auto chunk : chunks) counter.AddChunk(chunk);
    }
    auto model = NgramModel::Build(counter, options);
    ASSERT_TRUE(model.ok());
    for (const std::string& doc : docs) {
      ASSERT_TRUE(SplitTrainingChunks(doc, false, &chunks).ok());
      for (const auto chunk : chunks) {
        ASSERT_EQ(Segment(*model, options.ensure_unicode, std::string(chunk)),
                  ReferenceSegment(*model, options.ensure_unicode, std::string(chunk)))
            << "round " << round << " order " << options.order;
      }
    }
  }
}

// ---- Pieces: pruning, the wasted-pieces loop and the cut (section 4.4) ----

std::map<std::string, uint64_t> AsMap(const TrainedVocab& vocab) {
  std::map<std::string, uint64_t> map;
  for (size_t i = 0; i < vocab.pieces.size(); ++i) map[vocab.pieces[i]] = vocab.counts[i];
  return map;
}

TEST(TrainerFinishTest, CompletesBytesAndRetokenizesRareAndLongPieces) {
  PieceCounter pieces;
  pieces.Add("a", 5);
  pieces.Add("b", 5);
  pieces.Add("ab", 1);  // below min_count 2
  pieces.Add("cd", 4);
  pieces.Add("cde", 3);  // longer than max_piece_length 2
  TrainerOptions options;
  options.max_piece_length = 2;
  auto vocab = FinishModel(pieces, options);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  auto map = AsMap(*vocab);
  EXPECT_EQ(vocab->pieces.size(), 257u);  // 256 bytes + "cd"
  EXPECT_EQ(map["a"], 6u);
  EXPECT_EQ(map["b"], 6u);
  EXPECT_EQ(map["cd"], 7u);
  EXPECT_EQ(map["e"], 4u);  // 1 for completing the bytes, 3 from "cde"
  EXPECT_EQ(map["z"], 1u);
  EXPECT_EQ(map.count("ab"), 0u);
  // Id order: bytes 0x00..0xFF, then longer pieces.
  EXPECT_EQ(vocab->pieces[0], std::string(1, '\0'));
  EXPECT_EQ(vocab->pieces[256], "cd");
}

TEST(TrainerFinishTest, WastedPiecesDisappearAndTheirCountsMove) {
  PieceCounter pieces;
  pieces.Add("ab", 100);
  pieces.Add("c", 100);
  pieces.Add("abc", 2);  // "ab" + "c" scores better than "abc" itself
  auto vocab = FinishModel(pieces, TrainerOptions());
  ASSERT_TRUE(vocab.ok());
  auto map = AsMap(*vocab);
  EXPECT_EQ(map.count("abc"), 0u);
  EXPECT_EQ(map["ab"], 102u);
  EXPECT_EQ(map["c"], 102u);
}

TEST(TrainerFinishTest, TheCutIsNotRefilled) {
  // Room for the bytes and 2 pieces. The cut keeps "ab" and "abc" and moves
  // the 40 "c?" pieces into their bytes; "c" then grows so much that "abc"
  // is wasted: 257 pieces remain, and none is brought back.
  PieceCounter pieces;
  pieces.Add("ab", 50);
  pieces.Add("abc", 5);
  for (int k = 0; k < 40; ++k) pieces.Add(std::string("c") + static_cast<char>(0x80 + k), 5);
  TrainerOptions options;
  options.max_vocab_size = 256 + 2 + 3;
  auto vocab = FinishModel(pieces, options);
  ASSERT_TRUE(vocab.ok());
  auto map = AsMap(*vocab);
  EXPECT_EQ(vocab->pieces.size(), 257u);
  EXPECT_EQ(map.count("abc"), 0u);
  EXPECT_EQ(map["ab"], 55u);
  EXPECT_EQ(map["c"], 1u + 200u + 5u);
  // Without the cut all 43 pieces stay.
  auto uncut = FinishModel(pieces, TrainerOptions());
  ASSERT_TRUE(uncut.ok());
  EXPECT_EQ(uncut->pieces.size(), 256u + 42u);
}

TEST(TrainerFinishTest, TheCutRanksBytesThenCountThenLengthThenBytes) {
  PieceCounter pieces;
  pieces.Add("xy", 9);
  pieces.Add("pq", 9);
  pieces.Add("pqr", 9);
  TrainerOptions options;
  options.max_vocab_size = 256 + 2 + 3;  // keeps "pqr" (longer) and "pq" (bytes before "xy")
  auto vocab = FinishModel(pieces, options);
  ASSERT_TRUE(vocab.ok());
  auto map = AsMap(*vocab);
  EXPECT_EQ(map.count("xy"), 0u);
  EXPECT_EQ(map["pq"], 9u);
  EXPECT_EQ(map["pqr"], 9u);
  EXPECT_EQ(map["x"], 10u);
}

// ---- The model file (section 1) ----

TEST(TrainerFileTest, WritesWhatPythonsJsonDumpWrites) {
  TrainedVocab vocab;
  vocab.pieces = {"\n", "\"", "\\", std::string(1, '\x1f'), "\x7f", "\xff", "a\xe4\xbd"};
  vocab.counts = {7, 1, 2, 3, 4, 5, 12345678901234ull};
  const std::string expected =
      "{\n"
      "    \"Cg==\": [\n        3,\n        \"\\n\",\n        7\n    ],\n"
      "    \"Ig==\": [\n        4,\n        \"\\\"\",\n        1\n    ],\n"
      "    \"XA==\": [\n        5,\n        \"\\\\\",\n        2\n    ],\n"
      "    \"Hw==\": [\n        6,\n        \"\\u001f\",\n        3\n    ],\n"
      "    \"fw==\": [\n        7,\n        \"\x7f\",\n        4\n    ],\n"
      "    \"/w==\": [\n        8,\n        \"\",\n        5\n    ],\n"
      "    \"YeS9\": [\n        9,\n        \"a\",\n        12345678901234\n    ]\n"
      "}";
  EXPECT_EQ(ModelFileJson(vocab), expected);
}

// ---- The whole trainer ----

TEST(TrainerTest, DeadEndsProduceContinuationBytePieces) {
  // "é" three times with min_count 5: its bigram is dropped, so each of its
  // chunks is cut into single bytes from "é" on, continuation byte included.
  std::vector<std::string> docs;
  for (int i = 0; i < 20; ++i) docs.push_back("hello world\n");
  for (int i = 0; i < 3; ++i) docs.push_back("hello w\xC3\xA9xyz\n");
  TrainerOptions options;
  options.min_count = 5;
  auto tokenizer = Tokenizer::FromBytes(TrainModel(docs, options));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  // Without the dead ends no piece would start on 0xA9: it would have count 1.
  EXPECT_EQ(tokenizer->vocab().count(0xA9), 3u);
  EXPECT_EQ(tokenizer->vocab().count(0xC3), 3u);
}

TEST(TrainerTest, IsolatedDigitsNeverShareAPiece) {
  std::vector<std::string> docs;
  for (int i = 0; i < 50; ++i)
    docs.push_back(
        "room 12 and 34, floor \xD9\xA3"
        "5\n");
  for (const bool isolate : {false, true}) {
    TrainerOptions options;
    options.isolate_digits = isolate;
    auto tokenizer = Tokenizer::FromBytes(TrainModel(docs, options));
    ASSERT_TRUE(tokenizer.ok());
    bool digit_in_longer_piece = false;
    const Vocab& vocab = tokenizer->vocab();
    for (int32_t i = 256; i < vocab.num_pieces(); ++i) {
      const std::string_view piece = vocab.piece(i);
      if (piece.find_first_of("0123456789") != std::string_view::npos ||
          (piece.find("\xD9\xA3") != std::string_view::npos && piece != "\xD9\xA3")) {
        digit_in_longer_piece = true;
      }
    }
    EXPECT_EQ(digit_in_longer_piece, !isolate);
  }
}

TEST(TrainerTest, BadInputIsAnError) {
  TrainerOptions options;
  options.max_vocab_size = 258;
  EXPECT_EQ(Trainer::Create(options).status().code(), StatusCode::kInvalidArgument);
  options = TrainerOptions();
  options.order = 9;
  EXPECT_FALSE(Trainer::Create(options).ok());
  auto trainer = Trainer::Create(TrainerOptions());
  ASSERT_TRUE(trainer.ok());
  EXPECT_FALSE(trainer->CountDocument("ok\xC0").ok());
  ASSERT_TRUE(trainer->CountDocument("").ok());
  // Nothing counted: an empty corpus.
  EXPECT_EQ(trainer->EndCounting().code(), StatusCode::kInvalidArgument);
  auto other = Trainer::Create(TrainerOptions());
  ASSERT_TRUE(other->CountDocument("some text").ok());
  ASSERT_TRUE(other->EndCounting().ok());
  ASSERT_TRUE(other->SegmentDocument("some").ok());
  EXPECT_FALSE(other->Finish().ok());  // pass 2 saw another corpus
}

TEST(TrainerTest, CountsMergedFromPartsGiveTheSameModel) {
  // The seam for threads and shards: count and segment two halves of a
  // corpus separately, merge the counters, and get the same file.
  const std::vector<std::string>& all = PublicDocuments();
  const std::vector<std::string> docs(all.begin(), all.begin() + 300);
  TrainerOptions options;
  options.max_vocab_size = 2000;
  options.isolate_digits = true;
  const std::string whole = TrainModel(docs, options);
  std::vector<std::string_view> chunks;
  auto chunk = [&](const std::string& doc) {
    std::string scratch;
    auto normalized = NormalizeNfc(doc, &scratch);
    EXPECT_TRUE(normalized.ok());
    std::string text(*normalized);
    EXPECT_TRUE(SplitTrainingChunks(text, options.isolate_digits, &chunks).ok());
    return std::vector<std::string>(chunks.begin(), chunks.end());
  };
  NgramCounter first(options.order), second(options.order);
  for (size_t i = 0; i < docs.size(); ++i) {
    for (const std::string& c : chunk(docs[i])) (i < 100 ? first : second).AddChunk(c);
  }
  ASSERT_TRUE(second.Merge(first).ok());
  auto model = NgramModel::Build(second, options);
  ASSERT_TRUE(model.ok());
  Segmenter segmenter(*model, options);
  PieceCounter head, tail;
  for (size_t i = 0; i < docs.size(); ++i) {
    for (const std::string& c : chunk(docs[i])) segmenter.SegmentChunk(c, i < 200 ? &head : &tail);
  }
  head.Merge(tail);
  auto vocab = FinishModel(head, options);
  ASSERT_TRUE(vocab.ok());
  EXPECT_TRUE(ModelFileJson(*vocab) == whole);
}

TEST(TrainerTest, TasksOnThreadsAndPartsOfTheWalksGiveTheSameModel) {
  // NgramModel::Build's lengths and FinishModel's walks split into tasks
  // (run on threads here, as the CLI's --threads does) and parts.
  const std::vector<std::string>& all = PublicDocuments();
  const std::vector<std::string> docs(all.begin(), all.begin() + 300);
  TrainerOptions options;
  options.max_vocab_size = 2000;
  const std::string whole = TrainModel(docs, options);
  size_t runs = 0;  // of the runner: the steps do hand their work to it
  const TaskRunner on_threads = [&](size_t tasks, const std::function<void(size_t)>& task) {
    ++runs;
    std::vector<std::thread> threads;
    for (size_t t = tasks; t-- > 0;) threads.emplace_back(task, t);  // all at once
    for (std::thread& thread : threads) thread.join();
  };
  NgramCounter counter(options.order);
  std::vector<std::string> chunks;
  for (const std::string& doc : docs) {
    std::string scratch;
    auto normalized = NormalizeNfc(doc, &scratch);
    ASSERT_TRUE(normalized.ok());
    std::vector<std::string_view> views;
    ASSERT_TRUE(SplitTrainingChunks(*normalized, options.isolate_digits, &views).ok());
    for (const auto view : views) {
      chunks.emplace_back(view);
      counter.AddChunk(view);
    }
  }
  auto model = NgramModel::Build(counter, options, on_threads);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(runs, 1u);
  auto serial = NgramModel::Build(counter, options);
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(model->size(), serial->size());
  Segmenter segmenter(*model, options);
  PieceCounter first, second;
  for (size_t i = 0; i < chunks.size(); ++i)
    segmenter.SegmentChunk(chunks[i], i % 2 ? &first : &second);
  for (const size_t parts : {size_t{1}, size_t{7}}) {
    auto vocab =
        FinishModel(MergedPieceSource({&first, &second}, parts), options, nullptr, on_threads);
    ASSERT_TRUE(vocab.ok());
    EXPECT_TRUE(ModelFileJson(*vocab) == whole) << parts << " parts";
  }
  EXPECT_EQ(runs, 1u + 2 * 2);  // the two walks of each FinishModel
}

TEST(TrainerTest, DocumentsMayComeInPartsEndingAfterNewlines) {
  const std::string doc = "line one\n\nline two, line two\nend";
  std::vector<std::string> whole = {doc, doc, doc};
  std::vector<std::string> parts;
  for (int i = 0; i < 3; ++i) {
    parts.push_back("line one\n\n");
    parts.push_back("line two, line two\n");
    parts.push_back("end");
  }
  TrainerOptions options;
  options.min_count = 1;
  EXPECT_EQ(TrainModel(whole, options), TrainModel(parts, options));
}

}  // namespace
}  // namespace edgepiece
