// Encoder vs reference, round trips, chunks, offsets, errors, RNG streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/rng.h"
#include "runtime/base/status.h"
#include "runtime/text/nfc.h"
#include "runtime/text/utf8.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/vocab.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/reference_encoder.h"
#include "tests/native/support/test_budget.h"

namespace edgepiece {
namespace {

// Unoptimized or sanitized builds run half the iterations.
constexpr int kScaleDown = testing::kTestWorkDivisor;

constexpr double kAlphas[] = {-1.0, 0.0, 0.1, 0.5, 1.0, 3.0};

// Printable form of arbitrary bytes for failure messages.
std::string Escape(std::string_view bytes) {
  std::string out = "\"";
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02X", c);
      out += hex;
    }
  }
  return out + "\"";
}

std::string IdsToString(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

std::string Nfc(std::string_view text) {
  std::string scratch;
  auto normalized = NormalizeNfc(text, &scratch);
  EXPECT_TRUE(normalized.ok()) << normalized.status().ToString();
  if (!normalized.ok()) return std::string(text);
  return std::string(*normalized);
}

std::vector<int32_t> EncodeIds(Encoder& encoder, std::string_view text, double alpha) {
  EncodeOptions options;
  options.alpha = alpha;
  auto ids = encoder.Encode(text, options);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  if (!ids.ok()) return {};
  return std::move(ids).value();
}

std::string Decode(const Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
  std::string bytes;
  const Status status = tokenizer.DecodeBytes(ids.data(), ids.size(), &bytes);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return bytes;
}

int32_t ByteId(unsigned char byte) { return kFirstPieceId + byte; }

// ---------------------------------------------------------------------------
// 1a. Random small vocabularies vs the reference encoder.

struct RandomVocab {
  std::vector<std::string> alphabet;  // single characters the texts use
  std::vector<std::string> pieces;    // in (length, bytes) order
  std::vector<uint64_t> counts;
};

RandomVocab MakeRandomVocab(std::mt19937& rng) {
  static const char kAllChars[] = {'a', 'b', 'c', '\n', ' ', '\xE4'};
  RandomVocab v;
  v.alphabet = {"a", "b"};
  for (size_t i = 2; i < sizeof(kAllChars); ++i) {
    if (rng() % 2 == 0) v.alphabet.emplace_back(1, kAllChars[i]);
  }
  if (rng() % 3 == 0) v.alphabet.emplace_back("\n");  // more newline runs
  // Count modes: 0 all equal, 1 a few values, 2 wide range, 3 equal
  // multi-byte counts with distinct byte counts. Modes 0, 1, 3 make exact
  // Viterbi ties and equal sampling weights common.
  const int mode = static_cast<int>(rng() % 4);
  const uint64_t equal = 1 + rng() % 50;
  auto draw_count = [&](bool multi_byte) -> uint64_t {
    switch (mode) {
      case 0:
        return equal;
      case 1:
        return 1 + rng() % 3;
      case 2:
        return 1 + rng() % 1000;
      default:
        return multi_byte ? equal : 1 + rng() % 1000;
    }
  };
  std::set<std::string> multi;
  const size_t wanted = 5 + rng() % 56;
  for (int attempt = 0; multi.size() < wanted && attempt < 2000; ++attempt) {
    const size_t length = 2 + rng() % 5;
    std::string piece;
    for (size_t i = 0; i < length; ++i) piece += v.alphabet[rng() % v.alphabet.size()];
    multi.insert(piece);
  }
  std::vector<std::string> sorted(multi.begin(), multi.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
    return a.size() < b.size();  // std::set order is (unsigned) byte order
  });
  for (int b = 0; b < 256; ++b) {
    v.pieces.emplace_back(1, static_cast<char>(b));
    v.counts.push_back(draw_count(false));
  }
  for (auto& piece : sorted) {
    v.pieces.push_back(std::move(piece));
    v.counts.push_back(draw_count(true));
  }
  return v;
}

std::string MakeRandomText(const RandomVocab& v, std::mt19937& rng) {
  const size_t length = rng() % 8 == 0 ? rng() % 3 : rng() % 201;
  std::string text;
  while (text.size() < length) {
    const unsigned kind = rng() % 10;
    if (kind < 4) {
      text += v.alphabet[rng() % v.alphabet.size()];
    } else if (kind < 9) {  // a whole multi-byte piece: long matches
      text += v.pieces[256 + rng() % (v.pieces.size() - 256)];
    } else {
      text.append(1 + rng() % 4, '\n');
    }
  }
  text.resize(length);
  return text;
}

TEST(EncoderTest, MatchesReferenceOnRandomVocabularies) {
  std::mt19937 rng(20240611);
  const int kVocabs = 400 / kScaleDown;
  const int kTextsPerVocab = 8;
  int encodes = 0;
  for (int v = 0; v < kVocabs; ++v) {
    const RandomVocab random_vocab = MakeRandomVocab(rng);
    auto tokenizer = Tokenizer::FromPieces(random_vocab.pieces, random_vocab.counts);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
    const testing::ReferenceEncoder reference(tokenizer->vocab());
    const uint32_t seed = v % 7 == 0 ? 0 : static_cast<uint32_t>(rng());
    Encoder encoder(*tokenizer, RngKind::kGlibc, seed);
    GlibcRandom reference_rng(seed);
    for (int t = 0; t < kTextsPerVocab; ++t) {
      const std::string text = MakeRandomText(random_vocab, rng);
      const std::string normalized = Nfc(text);
      for (const double alpha : kAlphas) {
        const std::vector<int32_t> ids = EncodeIds(encoder, text, alpha);
        const std::vector<int32_t> expected = reference.Encode(normalized, alpha, &reference_rng);
        ++encodes;
        ASSERT_EQ(ids, expected) << "vocabulary " << v << " (" << random_vocab.pieces.size()
                                 << " pieces), seed " << seed << ", text " << t << " "
                                 << Escape(text) << ", alpha " << alpha << "\n  got "
                                 << IdsToString(ids) << "\n  want " << IdsToString(expected);
      }
    }
  }
  EXPECT_EQ(encodes, kVocabs * kTextsPerVocab * 6);
}

// A vocabulary where every piece has the same count: Viterbi ties
// everywhere (fewest pieces wins, then the longest last piece).
TEST(EncoderTest, ViterbiTiesGoToTheLongerLastPiece) {
  std::vector<std::string> pieces;
  std::vector<uint64_t> counts;
  for (int b = 0; b < 256; ++b) pieces.emplace_back(1, static_cast<char>(b));
  for (const char* p : {"aa", "ab", "bc", "abc"}) pieces.emplace_back(p);
  counts.assign(pieces.size(), 7);
  auto tokenizer = Tokenizer::FromPieces(pieces, counts);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  Encoder encoder(*tokenizer);
  const int32_t aa = 259, ab = 260, abc = 262;  // "bc" is 261
  // "abcc": abc|c (2 pieces) beats ab|c|c and a|bc|c.
  EXPECT_EQ(EncodeIds(encoder, "abcc", -1), (std::vector<int32_t>{abc, ByteId('c')}));
  // "aab": a|ab and aa|b tie; at e=3 "ab" (from 1) is visited before "b"
  // (from 2), so the longer last piece wins.
  EXPECT_EQ(EncodeIds(encoder, "aab", -1), (std::vector<int32_t>{ByteId('a'), ab}));
  // "aabc": a|abc and aa|bc both have 2 pieces; the tie goes to the longer
  // last piece "abc".
  EXPECT_EQ(EncodeIds(encoder, "aabc", -1), (std::vector<int32_t>{ByteId('a'), abc}));
  EXPECT_EQ(EncodeIds(encoder, "aaaa", -1), (std::vector<int32_t>{aa, aa}));
  // The reference agrees.
  const testing::ReferenceEncoder reference(tokenizer->vocab());
  for (const char* text : {"abcc", "aab", "aabc", "aaaa", "bcabcaab"}) {
    EXPECT_EQ(EncodeIds(encoder, text, -1), reference.Encode(text, -1, nullptr)) << text;
  }
}

// 1b. The real kjvzh-8k model vs the reference on random substrings.
TEST(EncoderTest, MatchesReferenceOnGoldenModelSubstrings) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const auto& docs = testing::PublicDocuments();
  ASSERT_FALSE(docs.empty());
  const testing::ReferenceEncoder reference(tokenizer.vocab());
  const uint32_t seed = 4242;
  Encoder encoder(tokenizer, RngKind::kGlibc, seed);
  GlibcRandom reference_rng(seed);
  std::mt19937 rng(99);
  const double kSamplingAlphas[] = {0.0, 0.1, 1.0};
  const int kSubstrings = 200 / kScaleDown;
  for (int i = 0; i < kSubstrings; ++i) {
    const std::string& doc = docs[rng() % docs.size()];
    const size_t begin = doc.empty() ? 0 : rng() % doc.size();
    const size_t length = rng() % 501;
    std::string text = doc.substr(begin, length);  // may cut a character
    if (i % 4 == 0) {
      // Snap to character boundaries.
      while (!text.empty() && (static_cast<unsigned char>(text[0]) & 0xC0) == 0x80) {
        text.erase(0, 1);
      }
      while (!text.empty() && !IsValidUtf8(text)) text.pop_back();
    }
    const std::string normalized = Nfc(text);
    for (const double alpha : {-1.0, kSamplingAlphas[i % 3]}) {
      const std::vector<int32_t> ids = EncodeIds(encoder, text, alpha);
      const std::vector<int32_t> expected = reference.Encode(normalized, alpha, &reference_rng);
      ASSERT_EQ(ids, expected) << "substring " << i << " " << Escape(text) << ", alpha " << alpha;
    }
  }
}

// ---------------------------------------------------------------------------
// 2. Round trips.

// Valid UTF-8 units, several of which NFC changes or composes: é, ñ,
// combining acute / diaeresis / dot below, U+0344 (decomposes), the angstrom
// sign U+212B, Hangul jamo U+1100 U+1161 U+11A8 and syllable U+AC00, U+0958
// (a composition exclusion), CJK, U+FFFD, U+2028, emoji with a skin tone,
// the ligature U+FB01 and NBSP.
const std::vector<std::string>& Utf8Pool() {
  // clang-format off
  static const auto* pool = new std::vector<std::string>{
      "a", "e", "n", "Z", "0", " ", "\n", "\n", "\t", "\r", ".", "the ", "LORD",
      "\xC3\xA9", "\xC3\xB1", "\xCC\x81", "\xCC\x88", "\xCC\xA3", "\xCD\x84",
      "\xE2\x84\xAB", "\xE1\x84\x80", "\xE1\x85\xA1", "\xE1\x86\xA8",
      "\xEA\xB0\x80", "\xE0\xA5\x98", "\xE4\xB8\xAD", "\xE6\x96\x87",
      "\xE7\xA5\x9E", "\xEF\xBF\xBD", "\xE2\x80\xA8", "\xF0\x9F\x98\x80",
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\xEF\xAC\x81", "\xC2\xA0",
  };
  // clang-format on
  return *pool;
}

TEST(EncoderTest, RoundTripsRandomBytes) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  Encoder encoder(tokenizer, RngKind::kDefault, 17);
  const auto& pool = Utf8Pool();
  std::mt19937 rng(7);
  const int kStrings = 100000 / kScaleDown;
  int valid_strings = 0;
  int changed_by_nfc = 0;
  Encoding encoding;
  std::string decoded, text_decoded;
  for (int i = 0; i < kStrings; ++i) {
    std::string x;
    const unsigned kind = rng() % 5;
    if (kind < 2) {  // random bytes, mostly invalid UTF-8
      const size_t length = rng() % 65;
      for (size_t k = 0; k < length; ++k) x += static_cast<char>(rng() & 0xFF);
    } else if (kind < 4) {  // valid UTF-8 from the pool
      const size_t units = rng() % 21;
      for (size_t k = 0; k < units; ++k) x += pool[rng() % pool.size()];
    } else {  // both
      const size_t units = rng() % 16;
      for (size_t k = 0; k < units; ++k) {
        if (rng() % 3 == 0) {
          x += static_cast<char>(0x80 + rng() % 0x80);
        } else {
          x += pool[rng() % pool.size()];
        }
      }
    }
    const std::string nfc = Nfc(x);
    if (nfc != x) ++changed_by_nfc;
    EncodeOptions options;
    options.alpha = i % 3 == 0 ? -1.0 : (i % 3 == 1 ? 0.0 : 0.5);
    const Status status = encoder.Encode(x, options, &encoding);
    ASSERT_TRUE(status.ok()) << status.ToString() << " for " << Escape(x);
    for (const int32_t id : encoding.ids) {
      ASSERT_GE(id, kFirstPieceId) << Escape(x);
      ASSERT_LT(id, tokenizer.vocab_size()) << Escape(x);
    }
    decoded.clear();
    ASSERT_TRUE(tokenizer.DecodeBytes(encoding.ids.data(), encoding.ids.size(), &decoded).ok());
    ASSERT_EQ(decoded, nfc) << "input " << Escape(x) << ", alpha " << options.alpha;
    if (kind >= 2 && kind < 4) {
      ASSERT_TRUE(IsValidUtf8(x)) << Escape(x);
    }
    if (IsValidUtf8(x)) {
      ++valid_strings;
      text_decoded.clear();
      ASSERT_TRUE(
          tokenizer.DecodeText(encoding.ids.data(), encoding.ids.size(), &text_decoded).ok());
      ASSERT_EQ(text_decoded, nfc) << "input " << Escape(x);
    }
  }
  // The generator really produced both kinds of input and NFC work.
  EXPECT_GT(valid_strings, kStrings / 3);
  EXPECT_LT(valid_strings, kStrings);
  EXPECT_GT(changed_by_nfc, kStrings / 20);
}

// Round trips against hand-written NFC forms, independent of NormalizeNfc.
TEST(EncoderTest, RoundTripIsTheNfcForm) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  Encoder encoder(tokenizer);
  const std::pair<std::string, std::string> kCases[] = {
      {"e\xCC\x81", "\xC3\xA9"},                                 // e + acute -> é
      {"\xE2\x84\xAB", "\xC3\x85"},                              // angstrom -> Å
      {"\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", "\xEA\xB0\x81"},  // jamo -> 각
      {"a\xCC\x81\xCC\xA3", "\xE1\xBA\xA1\xCC\x81"},             // reordered: ạ + acute
      {"\xFF\x65\xCC\x81\xFE", "\xFF\xC3\xA9\xFE"},              // invalid bytes kept
      {"\xE0\xA5\x98", "\xE0\xA4\x95\xE0\xA4\xBC"},              // exclusion stays split
      {"plain text\n\n", "plain text\n\n"},
  };
  for (const auto& [input, nfc] : kCases) {
    for (const double alpha : {-1.0, 0.3}) {
      EXPECT_EQ(Decode(tokenizer, EncodeIds(encoder, input, alpha)), nfc) << Escape(input);
    }
  }
  // DecodeText drops invalid bytes like errors='ignore'.
  std::string text;
  const std::vector<int32_t> ids = EncodeIds(encoder, std::string("\xFF") + "ab\xE4\xB8", -1);
  ASSERT_TRUE(tokenizer.DecodeText(ids.data(), ids.size(), &text).ok());
  EXPECT_EQ(text, "ab");
}

// ---------------------------------------------------------------------------
// 3. Empty input, long input, chunk independence, offsets.

// Options with offsets; flags bit 0 adds <bos>, bit 1 adds <eos>.
EncodeOptions OptionsWithOffsets(double alpha, int flags) {
  EncodeOptions options;
  options.alpha = alpha;
  options.add_bos = (flags & 1) != 0;
  options.add_eos = (flags & 2) != 0;
  options.with_offsets = true;
  return options;
}

TEST(EncoderTest, EmptyInputGivesOnlySpecialTokens) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  Encoder encoder(tokenizer, RngKind::kGlibc, 3);
  for (const double alpha : {-1.0, 0.0, 1.0}) {
    for (int flags = 0; flags < 4; ++flags) {
      const EncodeOptions options = OptionsWithOffsets(alpha, flags);
      Encoding out;
      out.ids = {42, 43};  // replaced, not appended to
      out.offsets = {9, 9};
      ASSERT_TRUE(encoder.Encode("", options, &out).ok());
      std::vector<int32_t> expected;
      if (options.add_bos) expected.push_back(kBosId);
      if (options.add_eos) expected.push_back(kEosId);
      EXPECT_EQ(out.ids, expected) << "flags " << flags << ", alpha " << alpha;
      EXPECT_EQ(out.offsets, std::vector<uint32_t>(2 * expected.size(), 0u));
    }
  }
  // Empty input draws nothing: the stream continues as if it were not there.
  Encoder a(tokenizer, RngKind::kGlibc, 11), b(tokenizer, RngKind::kGlibc, 11);
  EncodeIds(a, "", 0.5);
  EXPECT_EQ(EncodeIds(a, "In the beginning God created", 0.5),
            EncodeIds(b, "In the beginning God created", 0.5));
}

// About 1 MB of document text on one line (newlines turned into spaces).
std::string OneMegabyteLine() {
  std::string line;
  for (const std::string& doc : testing::PublicDocuments()) {
    for (const char c : doc) line += c == '\n' ? ' ' : c;
    if (line.size() >= (1u << 20)) break;
  }
  return line;
}

TEST(EncoderTest, LongSingleLineAndChunkIndependence) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const std::string x = OneMegabyteLine();
  ASSERT_GE(x.size(), 1u << 20);
  ASSERT_EQ(x.find('\n'), std::string::npos);
  const std::string& y = testing::PublicDocuments()[7];
  ASSERT_FALSE(y.empty());
  ASSERT_NE(y[0], '\n');

  Encoder encoder(tokenizer);
  const std::vector<int32_t> ids_x = EncodeIds(encoder, x, -1);
  ASSERT_FALSE(ids_x.empty());
  EXPECT_LT(ids_x.size(), x.size() / 2);  // real pieces, not byte fallback
  EXPECT_EQ(Decode(tokenizer, ids_x), Nfc(x));

  const std::string x_newline = x + "\n";
  std::vector<int32_t> concatenated = EncodeIds(encoder, x_newline, -1);
  const std::vector<int32_t> ids_y = EncodeIds(encoder, y, -1);
  concatenated.insert(concatenated.end(), ids_y.begin(), ids_y.end());
  const std::vector<int32_t> ids_xy = EncodeIds(encoder, x_newline + y, -1);
  EXPECT_EQ(ids_xy, concatenated);
  EXPECT_EQ(Decode(tokenizer, ids_xy), Nfc(x_newline + y));

  // Sampling: chunks draw from one stream in text order, so one call on
  // "X\nY" equals two calls with the same stream.
  for (const RngKind kind : {RngKind::kGlibc, RngKind::kDefault}) {
    Encoder whole(tokenizer, kind, 2024), parts(tokenizer, kind, 2024);
    const std::vector<int32_t> sampled_xy = EncodeIds(whole, x_newline + y, 0.1);
    std::vector<int32_t> sampled_parts = EncodeIds(parts, x_newline, 0.1);
    const std::vector<int32_t> sampled_y = EncodeIds(parts, y, 0.1);
    sampled_parts.insert(sampled_parts.end(), sampled_y.begin(), sampled_y.end());
    EXPECT_EQ(sampled_xy, sampled_parts) << RngKindName(kind);
    EXPECT_EQ(Decode(tokenizer, sampled_xy), Nfc(x_newline + y));
  }
}

TEST(EncoderTest, ChunksAreIndependentOnRandomDocumentPairs) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const auto& docs = testing::PublicDocuments();
  Encoder encoder(tokenizer);
  std::mt19937 rng(5);
  for (int i = 0; i < 50; ++i) {
    std::string x = docs[rng() % docs.size()].substr(0, 2000);
    std::string y = docs[rng() % docs.size()].substr(0, 2000);
    x.append(1 + rng() % 3, '\n');
    while (!y.empty() && y[0] == '\n') y.erase(0, 1);
    std::vector<int32_t> expected = EncodeIds(encoder, x, -1);
    const std::vector<int32_t> ids_y = EncodeIds(encoder, y, -1);
    expected.insert(expected.end(), ids_y.begin(), ids_y.end());
    EXPECT_EQ(EncodeIds(encoder, x + y, -1), expected) << "pair " << i;
  }
}

void CheckOffsets(const Tokenizer& tokenizer, std::string_view text, const EncodeOptions& options,
                  const Encoding& out) {
  const std::string normalized = Nfc(text);
  ASSERT_EQ(out.offsets.size(), 2 * out.ids.size());
  uint32_t position = 0;
  for (size_t i = 0; i < out.ids.size(); ++i) {
    const uint32_t begin = out.offsets[2 * i], end = out.offsets[2 * i + 1];
    ASSERT_EQ(begin, position) << "token " << i << " does not start where the last ended";
    auto piece = tokenizer.IdToBytes(out.ids[i]);
    ASSERT_TRUE(piece.ok());
    ASSERT_EQ(end - begin, piece->size()) << "token " << i;
    ASSERT_LE(end, normalized.size());
    ASSERT_EQ(normalized.substr(begin, end - begin), *piece) << "token " << i;
    position = end;
  }
  EXPECT_EQ(position, normalized.size());
  if (options.add_bos) {
    ASSERT_FALSE(out.ids.empty());
    EXPECT_EQ(out.ids.front(), kBosId);
    EXPECT_EQ(out.offsets[0], 0u);
    EXPECT_EQ(out.offsets[1], 0u);
  }
  if (options.add_eos) {
    ASSERT_FALSE(out.ids.empty());
    EXPECT_EQ(out.ids.back(), kEosId);
    EXPECT_EQ(out.offsets[out.offsets.size() - 2], normalized.size());
    EXPECT_EQ(out.offsets.back(), normalized.size());
  }
}

TEST(EncoderTest, OffsetsCoverTheNormalizedText) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const auto& docs = testing::PublicDocuments();
  Encoder encoder(tokenizer, RngKind::kGlibc, 8);
  std::vector<std::string> texts = {
      "",
      "a",
      "\n\n",
      "And God said, Let there be light: and there was light.\n",
      // Not NFC: offsets refer to the normalized text, which is shorter.
      "Cafe\xCC\x81 \xE2\x84\xAB\xE1\x84\x80\xE1\x85\xA1 "
      "\xE4\xB8\xAD\xE6\x96\x87\n\xFF\xFE",
  };
  for (int i = 0; i < 20; ++i) texts.push_back(docs[(i * 173) % docs.size()]);
  int checked = 0;
  for (const std::string& text : texts) {
    for (const double alpha : {-1.0, 0.2}) {
      for (int flags = 0; flags < 4; ++flags) {
        EncodeOptions options = OptionsWithOffsets(alpha, flags);
        Encoding out;
        ASSERT_TRUE(encoder.Encode(text, options, &out).ok());
        SCOPED_TRACE(Escape(text.substr(0, 60)) + " flags " + std::to_string(flags));
        CheckOffsets(tokenizer, text, options, out);
        ++checked;
        options.with_offsets = false;
        ASSERT_TRUE(encoder.Encode(text, options, &out).ok());
        EXPECT_TRUE(out.offsets.empty());
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(texts.size()) * 8);
  // The non-NFC text really is shortened by normalization.
  EXPECT_LT(Nfc(texts[4]).size(), texts[4].size());
}

// ---------------------------------------------------------------------------
// 4. Errors.

TEST(EncoderTest, NonFiniteAlphaIsInvalidArgument) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  Encoder encoder(tokenizer, RngKind::kGlibc, 1);
  for (const double alpha :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    EncodeOptions options;
    options.alpha = alpha;
    auto ids = encoder.Encode("some text", options);
    ASSERT_FALSE(ids.ok()) << alpha;
    EXPECT_EQ(ids.status().code(), StatusCode::kInvalidArgument) << alpha;
    Encoding out;
    const Status status = encoder.Encode("", options, &out);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << alpha;
  }
}

TEST(EncoderTest, OutOfRangeIdsAreErrors) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const int32_t size = tokenizer.vocab_size();
  for (const int32_t bad :
       {-1, size, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    auto piece = tokenizer.IdToBytes(bad);
    ASSERT_FALSE(piece.ok()) << bad;
    EXPECT_EQ(piece.status().code(), StatusCode::kOutOfRange);
    EXPECT_NE(piece.status().detail().find(std::to_string(bad)), std::string::npos)
        << piece.status().detail();

    const std::vector<int32_t> ids = {ByteId('o'), ByteId('k'), bad, ByteId('!')};
    std::string bytes;
    Status status = tokenizer.DecodeBytes(ids.data(), ids.size(), &bytes);
    EXPECT_EQ(status.code(), StatusCode::kOutOfRange) << bad;
    EXPECT_NE(status.detail().find("[2]"), std::string::npos) << status.detail();
    EXPECT_NE(status.detail().find(std::to_string(bad)), std::string::npos) << status.detail();
    std::string text;
    status = tokenizer.DecodeText(ids.data(), ids.size(), &text);
    EXPECT_EQ(status.code(), StatusCode::kOutOfRange) << bad;
  }
  auto last = tokenizer.IdToBytes(size - 1);
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last->empty());
}

TEST(EncoderTest, SpecialIdsDecodeToNothing) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  for (const int32_t id : {kPadId, kBosId, kEosId}) {
    auto piece = tokenizer.IdToBytes(id);
    ASSERT_TRUE(piece.ok());
    EXPECT_TRUE(piece->empty());
  }
  const std::vector<int32_t> ids = {kBosId, ByteId('h'), kPadId, ByteId('i'), kEosId, kPadId};
  EXPECT_EQ(Decode(tokenizer, ids), "hi");
  std::string text = "prefix:";
  ASSERT_TRUE(tokenizer.DecodeText(ids.data(), ids.size(), &text).ok());
  EXPECT_EQ(text, "prefix:hi");  // appended
  const std::vector<int32_t> specials = {0, 1, 2, 2, 1, 0};
  EXPECT_EQ(Decode(tokenizer, specials), "");
  // Byte pieces are ids 3..258.
  for (int b = 0; b < 256; ++b) {
    auto piece = tokenizer.IdToBytes(ByteId(static_cast<unsigned char>(b)));
    ASSERT_TRUE(piece.ok());
    EXPECT_EQ(*piece, std::string(1, static_cast<char>(b)));
  }
}

// ---------------------------------------------------------------------------
// 5. RNG streams.

TEST(EncoderTest, SamplingContinuesOneStreamAcrossCalls) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const auto& docs = testing::PublicDocuments();
  const testing::ReferenceEncoder reference(tokenizer.vocab());
  // Short documents keep the quadratic reference fast.
  std::vector<std::string> texts;
  for (const std::string& doc : docs) {
    if (doc.size() > 20 && doc.size() < 400) texts.push_back(doc);
    if (texts.size() == 6) break;
  }
  ASSERT_EQ(texts.size(), 6u);
  const uint32_t seed = 77;
  Encoder encoder(tokenizer, RngKind::kGlibc, seed);
  GlibcRandom reference_rng(seed);
  std::vector<std::vector<int32_t>> first_pass;
  for (const std::string& text : texts) {
    first_pass.push_back(EncodeIds(encoder, text, 0.1));
    EXPECT_EQ(first_pass.back(), reference.Encode(Nfc(text), 0.1, &reference_rng));
  }
  // Continuing a stream gives another sample of the same text.
  Encoder fresh(tokenizer, RngKind::kGlibc, seed);
  const std::string long_text = docs[0] + docs[1] + docs[2];
  const std::vector<int32_t> fresh_ids = EncodeIds(fresh, long_text, 0.0);
  EXPECT_NE(EncodeIds(fresh, long_text, 0.0), fresh_ids);
  // Seed restarts the stream.
  encoder.Seed(seed);
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(EncodeIds(encoder, texts[i], 0.1), first_pass[i]) << "text " << i;
  }
  fresh.Seed(seed);
  EXPECT_EQ(EncodeIds(fresh, long_text, 0.0), fresh_ids);
  // Deterministic calls draw nothing.
  encoder.Seed(seed);
  EncodeIds(encoder, long_text, -1.0);
  EXPECT_EQ(EncodeIds(encoder, texts[0], 0.1), first_pass[0]);
}

TEST(EncoderTest, GlibcSeedZeroBehavesAsSeedOne) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const std::string& text = testing::PublicDocuments()[3];
  Encoder zero(tokenizer, RngKind::kGlibc, 0), one(tokenizer, RngKind::kGlibc, 1),
      two(tokenizer, RngKind::kGlibc, 2);
  const std::vector<int32_t> ids = EncodeIds(one, text, 0.0);
  EXPECT_EQ(EncodeIds(zero, text, 0.0), ids);
  EXPECT_NE(EncodeIds(two, text, 0.0), ids);
}

TEST(EncoderTest, DefaultGeneratorIsDeterministicPerSeed) {
  const Tokenizer tokenizer = testing::LoadGoldenTokenizer("kjvzh-8k");
  const auto& docs = testing::PublicDocuments();
  std::string text;
  for (size_t i = 0; i < 10; ++i) text += docs[i];
  ASSERT_GT(text.size(), 2000u);
  std::vector<std::vector<int32_t>> by_seed;
  for (const uint32_t seed : {0u, 1u, 2u, 12345u, 0xFFFFFFFFu}) {
    Encoder a(tokenizer, RngKind::kDefault, seed), b(tokenizer, RngKind::kDefault, seed);
    const std::vector<int32_t> ids = EncodeIds(a, text, 0.0);
    EXPECT_EQ(EncodeIds(b, text, 0.0), ids) << "seed " << seed;
    EXPECT_EQ(Decode(tokenizer, ids), Nfc(text));
    for (const auto& other : by_seed) EXPECT_NE(ids, other) << "seed " << seed;
    by_seed.push_back(ids);
  }
  // The two generators are different streams.
  Encoder glibc(tokenizer, RngKind::kGlibc, 12345);
  EXPECT_NE(EncodeIds(glibc, text, 0.0), by_seed[3]);
  // The default is the default generator.
  Encoder implicit(tokenizer);
  EXPECT_EQ(EncodeIds(implicit, text, 0.0), by_seed[0]);
}

}  // namespace
}  // namespace edgepiece
