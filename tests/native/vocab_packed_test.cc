// The packed tokenizer file form (Vocab::Pack / ParsePacked, docs/tokenizer.md):
// lossless for the golden models, the same ids as JSON, and every malformed
// file a specific error.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/vocab.h"
#include "tests/native/support/golden.h"

namespace edgepiece {
namespace {

constexpr char kSignature[] =
    "\x89"
    "BPK\r\n\x1a\n";                // 8 bytes
constexpr size_t kHeaderBytes = 9;  // signature + version

// The 256 single bytes plus a few longer pieces, in id order.
struct SmallModel {
  std::vector<std::string> pieces;
  std::vector<uint64_t> counts;
};
SmallModel Small() {
  SmallModel m;
  for (int b = 0; b < 256; ++b) {
    m.pieces.push_back(std::string(1, static_cast<char>(b)));
    m.counts.push_back(static_cast<uint64_t>(b % 7 + 1));
  }
  for (const char* p : {"ab", "he", "th", "the", "\xE4\xBD\xA0", "hello"}) {
    m.pieces.push_back(p);
    m.counts.push_back(40);
  }
  m.counts.back() = uint64_t{1} << 40;  // a count that needs a 6-byte varint
  return m;
}

// Hand-built packed bytes: header, piece count, then (length, bytes, count).
std::string Varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>(0x80 | (v & 0x7f)));
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Packed(const SmallModel& m) {
  std::string out(kSignature, 8);
  out.push_back('\x01');
  out += Varint(m.pieces.size());
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    out += Varint(m.pieces[i].size()) + m.pieces[i] + Varint(m.counts[i]);
  }
  return out;
}

void ExpectError(const std::string& packed, const std::vector<std::string>& words) {
  Result<Tokenizer> tokenizer = Tokenizer::FromBytes(packed);
  ASSERT_FALSE(tokenizer.ok()) << "accepted a malformed packed tokenizer file";
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidModel) << tokenizer.status().ToString();
  for (const std::string& word : words) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, word, tokenizer.status().detail());
  }
}

TEST(VocabPackedTest, PackIsTheDocumentedLayoutAndRoundTrips) {
  const SmallModel m = Small();
  auto vocab = Vocab::FromPieces(m.pieces, m.counts);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  const std::string packed = vocab->Pack();
  EXPECT_EQ(packed, Packed(m));
  EXPECT_TRUE(Vocab::IsPacked(packed));
  auto back = Vocab::ParsePacked(packed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->num_pieces(), vocab->num_pieces());
  for (int32_t i = 0; i < vocab->num_pieces(); ++i) {
    EXPECT_EQ(back->piece(i), vocab->piece(i));
    EXPECT_EQ(back->count(i), vocab->count(i));
    EXPECT_EQ(back->score(i), vocab->score(i));
  }
}

TEST(VocabPackedTest, GoldenModelsPackLosslesslyAndEncodeTheSame) {
  const std::vector<std::string>& docs = testing::PublicDocuments();
  for (const char* name : {"kjvzh-8k", "plus40k"}) {
    const Tokenizer json = testing::LoadGoldenTokenizer(name);
    const std::string packed = json.vocab().Pack();
    auto tokenizer = Tokenizer::FromBytes(packed);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
    EXPECT_EQ(tokenizer->vocab().Pack(), packed) << name;
    const auto json_bytes =
        std::filesystem::file_size(testing::BytePieceGoldenDir() + "/" + name + ".model");
    EXPECT_LT(packed.size() * 5, json_bytes) << name << ": not 5x smaller than its JSON";
    Encoder from_json(json, RngKind::kGlibc, 123), from_packed(*tokenizer, RngKind::kGlibc, 123);
    for (size_t d = 0; d < docs.size(); d += 7) {
      for (const double alpha : {-1.0, 0.1}) {
        EncodeOptions options;
        options.alpha = alpha;
        auto a = from_json.Encode(docs[d], options);
        auto b = from_packed.Encode(docs[d], options);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(*a, *b) << name << " document " << d << " alpha " << alpha;
      }
    }
  }
}

TEST(VocabPackedTest, EveryTruncationIsASpecificError) {
  const std::string packed = Packed(Small());
  for (size_t n = 1; n < packed.size(); ++n) {
    Result<Tokenizer> tokenizer = Tokenizer::FromBytes(packed.substr(0, n));
    ASSERT_FALSE(tokenizer.ok()) << "accepted the first " << n << " bytes";
    EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidModel)
        << n << ": " << tokenizer.status().ToString();
    if (n < 8) {
      EXPECT_PRED_FORMAT2(::testing::IsSubstring, "bad signature", tokenizer.status().detail());
    }
  }
}

TEST(VocabPackedTest, RejectsEachMalformedField) {
  const SmallModel m = Small();
  const std::string good = Packed(m);
  std::string bad = good;
  bad[8] = '\x02';
  ExpectError(bad, {"byte 8:", "version 2 is not supported"});
  ExpectError(good + "x",
              {"byte " + std::to_string(good.size()) + ":", "1 bytes after the last piece"});
  bad = good;
  bad[4] = '\n';  // a CR LF -> LF rewrite breaks the signature
  ExpectError(bad, {"byte 0:", "bad signature"});
  // The piece count, then a piece record, replaced.
  const std::string header = good.substr(0, kHeaderBytes);
  const std::string body = good.substr(kHeaderBytes + Varint(m.pieces.size()).size());
  ExpectError(header + Varint(1000000) + body, {"byte 9:", "1000000 pieces cannot fit"});
  ExpectError(header + std::string(10, '\xff') + "\x01" + body,
              {"byte 9:", "the piece count does not fit 64 bits"});
  ExpectError(header + "\x80", {"byte 9:", "the piece count is cut off"});
  auto with_piece = [&](size_t index, const std::string& record) {
    std::string out = header + Varint(m.pieces.size());
    for (size_t i = 0; i < m.pieces.size(); ++i) {
      out += i == index ? record : Varint(m.pieces[i].size()) + m.pieces[i] + Varint(m.counts[i]);
    }
    return out;
  };
  // Piece 257 ("ab") starts after the header, the count and 257 records.
  size_t record_257 = kHeaderBytes + Varint(m.pieces.size()).size();
  for (size_t i = 0; i < 257; ++i) {
    record_257 +=
        Varint(m.pieces[i].size()).size() + m.pieces[i].size() + Varint(m.counts[i]).size();
  }
  const std::string at_257 = "byte " + std::to_string(record_257) + ":";
  ExpectError(with_piece(257, Varint(0) + Varint(5)), {at_257, "piece id 260", "length 0"});
  ExpectError(with_piece(257, std::string(11, '\x80')),
              {at_257, "a piece length does not fit 64 bits"});
  // The last count, 2^40, is a 6-byte varint.
  ExpectError(good.substr(0, good.size() - 1),
              {"byte " + std::to_string(good.size() - 6) + ":", "a count is cut off"});
  ExpectError(with_piece(257, Varint(256) + std::string(256, 'a') + Varint(5)),
              {"piece id 260", "length 256"});
  ExpectError(with_piece(257, Varint(2) + "he" + Varint(0)), {"piece id 260", "count 0"});
  // Order, duplicates and the single bytes are the JSON loader's checks.
  ExpectError(with_piece(257, Varint(2) + "ab" + Varint(3)), {"appears twice"});
  ExpectError(with_piece(257, Varint(2) + "zz" + Varint(3)), {"out of (length, bytes) order"});
  SmallModel without_a = m;
  without_a.pieces.erase(without_a.pieces.begin() + 'A');
  without_a.counts.erase(without_a.counts.begin() + 'A');
  ExpectError(Packed(without_a), {"0x41 is missing"});
  ExpectError(std::string(kSignature, 8), {"byte 8:", "version is cut off"});
  SmallModel huge = m;
  huge.counts[0] = huge.counts[1] = UINT64_MAX / 2 + 1;
  ExpectError(Packed(huge), {"total count overflows 64 bits"});
}

TEST(VocabPackedTest, RandomByteDamageNeverCrashes) {
  const std::string good = testing::LoadGoldenTokenizer("kjvzh-8k").vocab().Pack();
  std::mt19937 rng(3);
  for (int trial = 0; trial < 300; ++trial) {
    std::string damaged = good;
    for (int k = 0; k < 1 + trial % 4; ++k) {
      damaged[kHeaderBytes + rng() % (damaged.size() - kHeaderBytes)] = static_cast<char>(rng());
    }
    auto tokenizer = Tokenizer::FromBytes(damaged);
    if (tokenizer.ok()) {  // damage that kept a valid model: it must work
      Encoder encoder(*tokenizer);
      ASSERT_TRUE(encoder.Encode("In the beginning", {}).ok());
    } else {
      EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidModel);
    }
  }
}

}  // namespace
}  // namespace edgepiece
