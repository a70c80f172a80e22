// SentencePiece subword sampling and the streaming decoder, on hand-built models.
//
// Sampling is tested as a distribution, not against SentencePiece's RNG: for short texts the
// test enumerates every outcome with its exact probability (every segmentation of the lattice;
// the n best; every run of the BPE-dropout process) and runs a chi-square test of 20,000 draws
// with a fixed seed against it, and checks that the same draws fail against a wrong
// distribution. tests/spm/spm_sampling.py compares with libsentencepiece's own draws on
// trained models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/capi/edgepiece.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/native/support/spm_model_file.h"

namespace edgepiece {
namespace {

using Ids = std::vector<int32_t>;
using Distribution = std::map<Ids, double>;

constexpr int kDraws = 20000;

Tokenizer Load(const std::string& file) {
  auto t = Tokenizer::FromBytes(file);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

std::map<Ids, int> Draw(const Tokenizer& t, const std::string& text, double alpha,
                        int32_t nbest_size) {
  Encoder encoder(t, RngKind::kDefault, /*seed=*/7);
  EncodeOptions options;
  options.alpha = alpha;
  options.nbest_size = nbest_size;
  std::map<Ids, int> counts;
  for (int i = 0; i < kDraws; ++i) {
    auto ids = encoder.Encode(text, options);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    if (!ids.ok()) break;
    ++counts[*ids];
  }
  return counts;
}

// Pearson's chi-square of `counts` against `expected`, outcomes expected fewer than 5 times
// pooled; an outcome with probability 0 makes it infinite. *bins gets the bins used.
double ChiSquare(const std::map<Ids, int>& counts, const Distribution& expected, int* bins) {
  double chi2 = 0, pooled_expected = 0, pooled_count = 0;
  *bins = 0;
  for (const auto& [ids, count] : counts) {
    if (expected.count(ids) == 0) return INFINITY;
  }
  for (const auto& [ids, p] : expected) {
    const auto it = counts.find(ids);
    const double count = it == counts.end() ? 0 : it->second;
    const double e = p * kDraws;
    if (e < 5) {
      pooled_expected += e;
      pooled_count += count;
      continue;
    }
    chi2 += (count - e) * (count - e) / e;
    ++*bins;
  }
  if (pooled_expected > 0) {
    chi2 += (pooled_count - pooled_expected) * (pooled_count - pooled_expected) / pooled_expected;
    ++*bins;
  }
  return chi2;
}

// A loose acceptance bound: mean + 5 standard deviations of chi-square with bins - 1 degrees
// of freedom (a fixed seed makes the test deterministic; this only keeps it meaningful).
double Bound(int bins) {
  const double df = std::max(1, bins - 1);
  return df + 5 * std::sqrt(2 * df) + 5;
}

// The draws fit `exact` and not `wrong`.
void ExpectFits(const std::map<Ids, int>& counts, const Distribution& exact,
                const Distribution& wrong) {
  int bins = 0;
  const double chi2 = ChiSquare(counts, exact, &bins);
  EXPECT_LT(chi2, Bound(bins)) << bins << " bins";
  EXPECT_GE(bins, 3);
  int wrong_bins = 0;
  const double wrong_chi2 = ChiSquare(counts, wrong, &wrong_bins);
  EXPECT_GT(wrong_chi2, Bound(wrong_bins));
}

// A BytePiece tokenizer: the 256 bytes (ids 3..258), then `more` (from 259).
Tokenizer BytePieceTokenizer(const std::vector<std::string>& more) {
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.emplace_back(1, static_cast<char>(b));
  pieces.insert(pieces.end(), more.begin(), more.end());
  auto t = Tokenizer::FromPieces(pieces, std::vector<uint64_t>(pieces.size(), 5));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

// ---- Unigram -----------------------------------------------------------------------------

struct VocabEntry {
  std::string text;
  float score;
  int type;
};

// A Unigram model with a multi-byte user-defined symbol (◆: one character, three bytes).
std::vector<VocabEntry> UnigramVocab() {
  return {{"<unk>", 0, 2},
          {"<s>", 0, 3},
          {"</s>", 0, 3},
          {kSp, -2, 1},
          {"a", -3, 1},
          {"b", -3, 1},
          {"ab", -2.5f, 1},
          {kSp + "a", -2.2f, 1},
          {kSp + "ab", -1, 1},
          {"c", -4, 1},
          {"bc", -3.5f, 1},
          {"abc", -4.5f, 1},
          {"\xe2\x97\x86", 0, 4},
          {"ca", -3.2f, 1},
          {"\xe2\x97\x86"
           "c",
           -3, 1},
          {"zz", 0.5f, 1}};  // max_score 0.5: the user-defined score counts characters
}

std::string ModelOf(const std::vector<VocabEntry>& vocab, int model_type) {
  std::vector<Piece> pieces;
  for (const VocabEntry& e : vocab) pieces.push_back({e.text, e.score, e.type});
  return ModelFile(pieces, Trainer(model_type), Normalizer(""));
}

// Every segmentation of `normalized` in SentencePiece's lattice, with its score: pieces begin
// and end on characters, a user-defined piece scores characters * max_score - 0.1, a character
// no piece of one character covers is <unk> (min_score - 10).
std::vector<std::pair<Ids, double>> Segmentations(const std::vector<VocabEntry>& vocab,
                                                  const std::string& normalized) {
  float min_score = FLT_MAX, max_score = FLT_MIN;  // as SentencePiece starts them
  for (const VocabEntry& e : vocab) {
    if (e.type == 1)
      min_score = std::min(min_score, e.score), max_score = std::max(max_score, e.score);
  }
  auto char_length = [&](size_t at) {
    const auto lead = static_cast<uint8_t>(normalized[at]);
    return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  };
  std::vector<std::pair<Ids, double>> out;
  std::function<void(size_t, Ids, double)> walk = [&](size_t at, Ids ids, double score) {
    if (at == normalized.size()) {
      out.emplace_back(ids, score);
      return;
    }
    bool single = false;
    for (size_t id = 0; id < vocab.size(); ++id) {
      const VocabEntry& e = vocab[id];
      if ((e.type != 1 && e.type != 4) || normalized.compare(at, e.text.size(), e.text) != 0) {
        continue;
      }
      size_t chars = 0;
      for (const char c : e.text) chars += (static_cast<uint8_t>(c) & 0xc0) != 0x80;
      single |= e.text.size() == static_cast<size_t>(char_length(at));
      const float s = e.type == 4 ? static_cast<float>(chars * max_score - 0.1) : e.score;
      Ids next = ids;
      next.push_back(static_cast<int32_t>(id));
      walk(at + e.text.size(), next, score + s);
    }
    if (!single) {
      Ids next = ids;
      next.push_back(0);
      walk(at + char_length(at), next, score + (min_score - 10));
    }
  };
  walk(0, {}, 0);
  return out;
}

// exp(alpha * score) normalized over `paths`.
Distribution Weighted(const std::vector<std::pair<Ids, double>>& paths, double alpha) {
  Distribution d;
  double total = 0;
  for (const auto& [ids, score] : paths) total += std::exp(alpha * score);
  for (const auto& [ids, score] : paths) d[ids] += std::exp(alpha * score) / total;
  return d;
}

std::vector<std::pair<Ids, double>> Best(std::vector<std::pair<Ids, double>> paths, size_t n) {
  std::stable_sort(paths.begin(), paths.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  paths.resize(std::min(n, paths.size()));
  return paths;
}

// The smallest n >= at_least where the n best segmentations are not tied with the next one
// (which of two tied ones is in is SentencePiece's search order, not a rule to test).
int32_t UntiedCut(std::vector<std::pair<Ids, double>> paths, size_t at_least) {
  paths = Best(paths, paths.size());
  size_t n = at_least;
  while (n < paths.size() && paths[n - 1].second - paths[n].second < 1e-6) ++n;
  return static_cast<int32_t>(n);
}

TEST(SpmSampling, UnigramLatticeDrawsEachSegmentationWithItsProbability) {
  const std::vector<VocabEntry> vocab = UnigramVocab();
  const Tokenizer t = Load(ModelOf(vocab, 1));
  for (const std::string text : {"abc",
                                 "ab\xe2\x97\x86"
                                 "ca",
                                 "cabz"}) {
    SCOPED_TRACE(text);
    const auto paths = Segmentations(vocab, kSp + text);
    ASSERT_GE(paths.size(), 3u);
    for (const double alpha : {0.0, 0.3, 1.0}) {
      SCOPED_TRACE(alpha);
      ExpectFits(Draw(t, text, alpha, -1), Weighted(paths, alpha), Weighted(paths, alpha + 0.5));
    }
  }
}

TEST(SpmSampling, UnigramNBestDrawsAmongTheBestSegmentations) {
  const std::vector<VocabEntry> vocab = UnigramVocab();
  const Tokenizer t = Load(ModelOf(vocab, 1));
  const std::string text = "abcab";
  const auto paths = Segmentations(vocab, kSp + text);
  ASSERT_GT(paths.size(), 8u);
  for (const size_t at_least : {3, 6}) {
    const int32_t nbest = UntiedCut(paths, at_least);
    const int32_t more = UntiedCut(paths, nbest + 1);
    ASSERT_LT(more, static_cast<int32_t>(paths.size()));
    for (const double alpha : {0.0, 0.5}) {
      SCOPED_TRACE(std::to_string(nbest) + " best, alpha " + std::to_string(alpha));
      ExpectFits(Draw(t, text, alpha, nbest), Weighted(Best(paths, nbest), alpha),
                 Weighted(Best(paths, more), alpha));
    }
  }
  // More best than segmentations: all of them.
  const auto few = Segmentations(vocab, kSp + "ab");
  const auto counts = Draw(t, "ab", 0.5, 64);
  int bins = 0;
  const double chi2 = ChiSquare(counts, Weighted(few, 0.5), &bins);
  EXPECT_LT(chi2, Bound(bins));
}

// ---- BPE-dropout -------------------------------------------------------------------------

std::vector<VocabEntry> BpeVocab() {
  return {{"<unk>", 0, 2},  {"<s>", 0, 3},       {"</s>", 0, 3},        {kSp, -5, 1},
          {"a", -5, 1},     {"b", -5, 1},        {"c", -5, 1},          {"ab", -1, 1},
          {"bc", -2, 1},    {"abc", -3, 1},      {kSp + "a", -1.5f, 1}, {kSp + "ab", -2.5f, 1},
          {"ca", -2.2f, 1}, {kSp + "abc", -4, 1}};
}

// Every run of SentencePiece's BPE with dropout, with its probability: the best remaining
// adjacent pair (highest score, then leftmost) is merged with probability 1 - dropout, or
// dropped for good.
Distribution DropoutRuns(const std::vector<VocabEntry>& vocab, const std::string& normalized,
                         double dropout) {
  struct Symbol {
    std::string text;
    int serial;  // identifies the symbol (a dropped pair is one of two given symbols)
  };
  std::vector<Symbol> start;
  int serial = 0;
  for (size_t i = 0; i < normalized.size();) {
    const auto lead = static_cast<uint8_t>(normalized[i]);
    const size_t n = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    start.push_back({normalized.substr(i, n), serial++});
    i += n;
  }
  auto find = [&](const std::string& text) {
    for (size_t id = 0; id < vocab.size(); ++id) {
      if (vocab[id].type == 1 && vocab[id].text == text) return static_cast<int32_t>(id);
    }
    return -1;
  };
  Distribution d;
  std::function<void(std::vector<Symbol>, std::vector<std::pair<int, int>>, double, int)> run =
      [&](std::vector<Symbol> symbols, std::vector<std::pair<int, int>> dropped, double p,
          int next_serial) {
        if (p == 0) return;
        int best = -1;
        float best_score = 0;
        for (size_t i = 0; i + 1 < symbols.size(); ++i) {
          const int32_t id = find(symbols[i].text + symbols[i + 1].text);
          const std::pair<int, int> pair(symbols[i].serial, symbols[i + 1].serial);
          if (id < 0 || std::count(dropped.begin(), dropped.end(), pair) > 0) continue;
          if (best < 0 || vocab[id].score > best_score) {
            best = static_cast<int>(i);
            best_score = vocab[id].score;
          }
        }
        if (best < 0) {
          Ids ids;
          for (const Symbol& s : symbols) ids.push_back(find(s.text));
          d[ids] += p;
          return;
        }
        auto drop = dropped;
        drop.emplace_back(symbols[best].serial, symbols[best + 1].serial);
        run(symbols, drop, p * dropout, next_serial);
        symbols[best] = {symbols[best].text + symbols[best + 1].text, next_serial};
        symbols.erase(symbols.begin() + best + 1);
        run(symbols, dropped, p * (1 - dropout), next_serial + 1);
      };
  run(start, {}, 1.0, serial);
  return d;
}

TEST(SpmSampling, BpeDropoutDrawsEachRunWithItsProbability) {
  const std::vector<VocabEntry> vocab = BpeVocab();
  const Tokenizer t = Load(ModelOf(vocab, 2));
  for (const std::string text : {"abc", "abcab", "cab abc"}) {
    SCOPED_TRACE(text);
    // normalized: the dummy prefix and spaces as U+2581.
    std::string normalized = kSp;
    for (const char c : text) normalized += c == ' ' ? kSp : std::string(1, c);
    for (const double dropout : {0.1, 0.5}) {
      SCOPED_TRACE(dropout);
      ExpectFits(Draw(t, text, dropout, -1), DropoutRuns(vocab, normalized, dropout),
                 DropoutRuns(vocab, normalized, dropout + 0.2));
    }
    // Dropout 0 is the deterministic encoding; 1 leaves the characters.
    Encoder deterministic(t);
    const auto best = deterministic.Encode(text);
    ASSERT_TRUE(best.ok());
    const auto zero = Draw(t, text, 0.0, -1);
    EXPECT_EQ(zero.size(), 1u);
    EXPECT_EQ(zero.begin()->first, *best);
    const auto one = Draw(t, text, 1.0, -1);
    ASSERT_EQ(one.size(), 1u);
    std::string joined;
    for (const int32_t id : one.begin()->first) {
      const std::string piece(*t.IdToBytes(id));
      EXPECT_TRUE(piece.size() == 1 || piece == kSp) << piece;
      joined += piece;
    }
    EXPECT_EQ(joined, normalized);
  }
}

TEST(SpmSampling, BpeDropoutOfOneGivesBytesWithByteFallback) {
  const std::vector<Piece> pieces = WithBytePieces(SmallPieces());
  const Tokenizer t = Load(ModelFile(pieces, Trainer(2, true), Normalizer("")));
  Encoder encoder(t);
  EncodeOptions options;
  options.alpha = 1;
  // ▁ a b, then é as its two bytes.
  EXPECT_EQ(*encoder.Encode("ab\xc3\xa9", options), (Ids{4, 5, 6, 11 + 0xC3, 11 + 0xA9}));
}

TEST(SpmSampling, UnsupportedCombinationsAreErrors) {
  const Tokenizer unigram = Load(ModelOf(UnigramVocab(), 1));
  const Tokenizer bpe = Load(ModelOf(BpeVocab(), 2));
  auto fails = [](const Tokenizer& t, double alpha, int32_t nbest, const char* detail) {
    Encoder encoder(t);
    EncodeOptions options;
    options.alpha = alpha;
    options.nbest_size = nbest;
    Encoding out;
    const Status status = encoder.Encode("ab", options, &out);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << alpha << " " << nbest;
    EXPECT_NE(status.detail().find(detail), std::string::npos) << status.detail();
  };
  fails(unigram, 0.5, 0, "nbest_size 0 samples nothing");
  fails(unigram, 0.5, 1, "nbest_size 1 samples nothing");
  fails(unigram, 0.5, 513, "above 512");
  fails(bpe, 0.5, 4, "BPE-dropout");
  fails(bpe, 1.5, -1, "in [0, 1]");
  const Tokenizer bytepiece = BytePieceTokenizer({"ab"});
  fails(bytepiece, 0.5, 2, "BytePiece");
  // Deterministic encoding ignores nbest_size, as SentencePiece's Encode does.
  Encoder encoder(unigram);
  EncodeOptions options;
  options.nbest_size = 0;
  EXPECT_TRUE(encoder.Encode("ab", options).ok());
}

// ---- Streaming decoder -------------------------------------------------------------------

std::vector<Piece> ByteFallbackPieces() {
  std::vector<Piece> pieces = SmallPieces();
  pieces.push_back({kSp + kSp, -6, 1});
  return WithBytePieces(std::move(pieces));
}
constexpr int32_t kFirstByte = 12;  // <0x00> in ByteFallbackPieces()

// Decodes `ids` in chunks of the given sizes (cycled).
std::string Streamed(const Tokenizer& t, const Ids& ids, const std::vector<size_t>& chunks) {
  TokenDecoder decoder(t);
  std::string text;
  size_t k = 0;
  for (size_t at = 0; at < ids.size(); ++k) {
    const size_t n = std::min(chunks[k % chunks.size()], ids.size() - at);
    EXPECT_TRUE(decoder.Feed(ids.data() + at, n, &text).ok());
    at += n;
  }
  EXPECT_TRUE(decoder.Finish(&text).ok());
  return text;
}

TEST(SpmDecoder, HandsOutTextAsSoonAsItIsFinal) {
  const Tokenizer t = Load(ModelFile(ByteFallbackPieces(), Trainer(1, true), Normalizer("")));
  TokenDecoder decoder(t);
  std::string text;
  const int32_t space_a = 8, space_ab = 3;
  // The dummy prefix's space goes only at the start of the stream.
  ASSERT_TRUE(decoder.Feed(&space_a, 1, &text).ok());
  EXPECT_EQ(text, "a");
  ASSERT_TRUE(decoder.Feed(&space_ab, 1, &text).ok());
  EXPECT_EQ(text, "a ab");
  // 中 = E4 B8 AD in three byte pieces: held back until whole.
  const Ids zhong = {kFirstByte + 0xE4, kFirstByte + 0xB8, kFirstByte + 0xAD};
  ASSERT_TRUE(decoder.Feed(&zhong[0], 2, &text).ok());
  EXPECT_EQ(text, "a ab");
  EXPECT_EQ(decoder.pending(), 2u);
  ASSERT_TRUE(decoder.Feed(&zhong[2], 1, &text).ok());
  EXPECT_EQ(text, "a ab\xe4\xb8\xad");
  EXPECT_EQ(decoder.pending(), 0u);
  // An incomplete sequence at the end: U+FFFD per byte, as the one-shot decode.
  ASSERT_TRUE(decoder.Feed(&zhong[0], 2, &text).ok());
  ASSERT_TRUE(decoder.Finish(&text).ok());
  EXPECT_EQ(text, "a ab\xe4\xb8\xad\xef\xbf\xbd\xef\xbf\xbd");
  // Finish starts a new stream: the leading space is removed again; <unk> is " ⁇ ".
  text.clear();
  const Ids more = {space_a, 0};
  ASSERT_TRUE(decoder.Feed(more.data(), 2, &text).ok());
  EXPECT_EQ(text, "a \xe2\x81\x87 ");
  // An id out of range decodes nothing of its call.
  const Ids bad = {space_a, 100000};
  const Status status = decoder.Feed(bad.data(), 2, &text);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(text, "a \xe2\x81\x87 ");
}

TEST(SpmDecoder, AnyChunkingGivesTheOneShotText) {
  std::mt19937 gen(5);
  for (const bool dummy : {true, false}) {
    for (const bool extra : {true, false}) {
      const Tokenizer t =
          Load(ModelFile(ByteFallbackPieces(), Trainer(1, true), Normalizer("", dummy, extra)));
      for (int trial = 0; trial < 300; ++trial) {
        Ids ids(gen() % 12);
        for (int32_t& id : ids) {
          // Mostly byte pieces of UTF-8 lead and continuation bytes, and spaces.
          const int kind = static_cast<int>(gen() % 4);
          id = kind == 0   ? static_cast<int32_t>(gen() % 12)
               : kind == 1 ? kFirstByte + 0x80 + static_cast<int32_t>(gen() % 0x40)
               : kind == 2 ? kFirstByte + 0xC0 + static_cast<int32_t>(gen() % 0x40)
                           : static_cast<int32_t>(gen() % 2 ? 4 : 11);
        }
        std::string once;
        ASSERT_TRUE(t.DecodeText(ids.data(), ids.size(), &once).ok());
        EXPECT_EQ(Streamed(t, ids, {1}), once);
        EXPECT_EQ(Streamed(t, ids, {1 + gen() % 3, 1 + gen() % 4}), once);
        EXPECT_EQ(Streamed(t, ids, {ids.size() + 1}), once);
      }
    }
  }
}

TEST(SpmDecoder, CApiStreamsLikeTheOneShotDecode) {
  const std::string file = ModelFile(ByteFallbackPieces(), Trainer(1, true), Normalizer(""));
  ep_tokenizer* tokenizer = nullptr;
  ASSERT_EQ(
      ep_tokenizer_create(reinterpret_cast<const uint8_t*>(file.data()), file.size(), &tokenizer),
      EP_STATUS_OK);
  ep_decoder* decoder = nullptr;
  ASSERT_EQ(ep_decoder_create(tokenizer, &decoder), EP_STATUS_OK);
  ep_tokenizer_destroy(tokenizer);  // the decoder keeps its own reference
  const Ids ids = {8, kFirstByte + 0xE4, kFirstByte + 0xB8, kFirstByte + 0xAD, 3};
  std::string text;
  size_t size = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(ep_decoder_push(decoder, &ids[i], 1, &size), EP_STATUS_OK);
    text.append(reinterpret_cast<const char*>(ep_decoder_text(decoder)), size);
    EXPECT_EQ(ep_decoder_pending(decoder), i == 1 ? 1u : i == 2 ? 2u : 0u);
  }
  const int32_t bad = -1;
  EXPECT_EQ(ep_decoder_push(decoder, &bad, 1, &size), EP_STATUS_OUT_OF_RANGE);
  ASSERT_EQ(ep_decoder_end(decoder, &size), EP_STATUS_OK);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(text, "a\xe4\xb8\xad ab");
  ep_decoder_destroy(decoder);
}

TEST(SpmDecoder, BytePieceStreamsToo) {
  // "a", the first two bytes of 中, its last byte, its first two bytes.
  const Tokenizer t = BytePieceTokenizer({"\xe4\xb8"});
  TokenDecoder decoder(t);
  std::string text;
  const Ids ids = {3 + 'a', 259, 3 + 0xad, 259};
  ASSERT_TRUE(decoder.Feed(&ids[0], 2, &text).ok());
  EXPECT_EQ(text, "a");
  EXPECT_EQ(decoder.pending(), 2u);
  ASSERT_TRUE(decoder.Feed(&ids[2], 2, &text).ok());
  ASSERT_TRUE(decoder.Finish(&text).ok());
  EXPECT_EQ(text, "a\xe4\xb8\xad");  // the cut character at the end is dropped, as DecodeText
}

// With EDGEPIECE_SPM_MATRIX (ctest spm_decoder_matrix, after spm_matrix has trained the
// models): every line of spm_encode's ids for each model, decoded in random chunks, is
// spm_decode's text.
TEST(SpmDecoder, MatrixModelsStreamToSpmDecodeText) {
  const char* dir = std::getenv("EDGEPIECE_SPM_MATRIX");
  if (dir == nullptr) GTEST_SKIP() << "EDGEPIECE_SPM_MATRIX is not set";
  std::mt19937 gen(11);
  int models = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".model") continue;
    SCOPED_TRACE(entry.path().string());
    std::string base = entry.path().string();
    base.resize(base.size() - 6);
    auto t = Tokenizer::FromFile(entry.path().string());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    std::ifstream id_lines(base + ".spm.id"), text_lines(base + ".spm.txt");
    ASSERT_TRUE(id_lines.good() && text_lines.good());
    std::string id_line, text_line;
    int lines = 0;
    while (std::getline(id_lines, id_line) && std::getline(text_lines, text_line)) {
      Ids ids;
      std::istringstream in(id_line);
      for (int32_t id; in >> id;) ids.push_back(id);
      const std::string streamed = Streamed(*t, ids, {1 + gen() % 4, 1 + gen() % 9, 1});
      ASSERT_EQ(streamed, text_line) << "line " << lines + 1 << ": " << id_line;
      ++lines;
    }
    EXPECT_GT(lines, 100);
    ++models;
  }
  EXPECT_GT(models, 10);
}

}  // namespace
}  // namespace edgepiece
