// SentencePiece .model files: the wire reader on hand-built ModelProto bytes (valid and
// malformed), the normalizer's charsmap and whitespace rules, offsets, Unigram and BPE
// segmentation rules and spm_decode's decoding. Parity with the real SentencePiece on trained
// models is tests/spm/spm_matrix.py. The expected ids, offsets and texts below are what
// python3-sentencepiece 0.1.97 gives for the same hand-built files.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/tokenizer/spm_model.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/native/support/spm_model_file.h"

namespace edgepiece {
namespace {

Tokenizer Load(const std::string& file) {
  auto t = Tokenizer::FromBytes(file);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(t).value();
}

std::vector<int32_t> Ids(const Tokenizer& t, const std::string& text) {
  Encoder e(t);
  auto ids = e.Encode(text);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  return ids.ok() ? *ids : std::vector<int32_t>{};
}

std::string Decoded(const Tokenizer& t, const std::vector<int32_t>& ids) {
  std::string text;
  EXPECT_TRUE(t.DecodeText(ids.data(), ids.size(), &text).ok());
  return text;
}

TEST(SpmModel, DetectedFromTheBytes) {
  const std::string file = ModelFile(SmallPieces(), Trainer(1), Normalizer(""));
  EXPECT_TRUE(LooksLikeSpmModel(file));
  EXPECT_FALSE(LooksLikeSpmModel("{\"QQ==\": [3, \"A\", 1]}"));
  EXPECT_FALSE(LooksLikeSpmModel("\n\n{\"QQ==\": [3, \"A\", 1]}"));
  EXPECT_FALSE(
      LooksLikeSpmModel("\x89"
                        "BPK\r\n\x1a\n"));
  const Tokenizer t = Load(file);
  ASSERT_NE(t.sentencepiece(), nullptr);
  EXPECT_EQ(t.vocab_size(), 11);
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
  EXPECT_EQ(*t.IdToBytes(3), kSp + "ab");
}

TEST(SpmModel, ReadsEveryField) {
  std::string trainer = Trainer(2, true);
  VarintField(24, 1, &trainer);
  VarintField(25, 1, &trainer);
  VarintField(41, static_cast<uint64_t>(-1), &trainer);  // bos_id -1: ten-byte varint
  Bytes(44, "??", &trainer);
  Bytes(99, "unknown field", &trainer);  // skipped
  const std::vector<Piece> pieces = WithBytePieces(SmallPieces());
  auto model = ParseSpmModel(ModelFile(pieces, trainer, Normalizer("", false, false)));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->model_type, SpmModelType::kBpe);
  EXPECT_TRUE(model->byte_fallback);
  EXPECT_TRUE(model->treat_whitespace_as_suffix);
  EXPECT_TRUE(model->split_digits);
  EXPECT_EQ(model->bos_id, -1);
  EXPECT_EQ(model->unk_surface, "??");
  EXPECT_EQ(model->normalizer.name, "test");
  EXPECT_FALSE(model->normalizer.add_dummy_prefix);
  EXPECT_FALSE(model->normalizer.remove_extra_whitespaces);
  EXPECT_EQ(model->pieces.size(), 11u + 256u);
  EXPECT_FLOAT_EQ(model->scores[7], -2.5f);
  EXPECT_EQ(model->types[10], SpmPieceType::kUserDefined);
}

TEST(SpmModel, MalformedFilesGiveSpecificErrors) {
  const std::string good = ModelFile(SmallPieces(), Trainer(1), Normalizer(""));
  struct Case {
    std::string file, expected;
  };
  std::string wrong_wire = good;
  wrong_wire[0] = '\x08';  // field 1 as a varint
  std::string absurd;
  Tag(1, 2, &absurd);
  Varint(uint64_t{1} << 40, &absurd);
  absurd += "xx";
  std::string unknown_type = ModelFile({{"<unk>", 0, 2}, {"a", 0, 9}}, Trainer(1), "");
  std::string no_unk = ModelFile({{"a", 0, 1}}, Trainer(1), "");
  std::string twice = ModelFile({{"<unk>", 0, 2}, {"a", 0, 1}, {"a", 0, 1}}, Trainer(1), "");
  std::string empty_piece = ModelFile({{"<unk>", 0, 2}, {"", 0, 1}}, Trainer(1), "");
  std::string byte_no_fallback = ModelFile({{"<unk>", 0, 2}, {"<0x41>", 0, 6}}, Trainer(1), "");
  std::string missing_bytes = ModelFile({{"<unk>", 0, 2}, {"<0x41>", 0, 6}}, Trainer(1, true), "");
  std::string bad_byte = ModelFile({{"<unk>", 0, 2}, {"<0x4g>", 0, 6}}, Trainer(1, true), "");
  std::string word = ModelFile({{"<unk>", 0, 2}}, Trainer(3), "");
  std::string group = good + std::string("\x0b", 1);  // field 1, wire type 3
  // The node of "A" (unit 64) with its leaf outside the array (64 ^ 128), or on a unit that
  // is not a value: found by tokenizer_file_fuzzer, loaded and then failed the first encode.
  std::string leaf_outside = Charsmap();
  const uint32_t far_leaf = (128u << 10) | (1u << 8) | 'A';
  leaf_outside.replace(4 + 64 * 4, 4, reinterpret_cast<const char*>(&far_leaf), 4);
  const std::vector<Case> cases = {
      {"", "has no pieces"},
      {ModelFile({}, Trainer(1), ""), "has no pieces"},
      {wrong_wire, "has wire type 0, expected 2"},
      {absurd, "runs past the end"},
      {good.substr(0, good.size() - 3), "runs past the end"},
      {std::string("\x0a\x80", 2), "varint cut off"},
      {unknown_type, "unknown piece type 9"},
      {no_unk, "no <unk> piece"},
      {twice, "is defined twice"},
      {empty_piece, "is empty"},
      {byte_no_fallback, "byte_fallback is false"},
      {missing_bytes, "byte piece <0x00> is missing"},
      {bad_byte, "not of the form <0xHH>"},
      {word, "WORD is not supported"},
      {group, "wire type 3"},
      {ModelFile(SmallPieces(), Trainer(1), Normalizer(Charsmap(0x80000000u | 7))),
       "points to offset 7, outside"},
      {ModelFile(SmallPieces(), Trainer(1), Normalizer(Charsmap().substr(0, 100))),
       "leaves no room"},
      {ModelFile(SmallPieces(), Trainer(1), Normalizer(Charsmap() + "x")), "do not end with a NUL"},
      {ModelFile(SmallPieces(), Trainer(1), Normalizer("abc")), "too short"},
      {ModelFile(SmallPieces(), Trainer(1), Normalizer(leaf_outside)),
       "trie unit 64 has its value at unit 192, which is outside the array"},
      {ModelFile(SmallPieces(), Trainer(1), Normalizer(Charsmap(0))),
       "trie unit 64 has its value at unit 65, which is not a value unit"},
  };
  for (const Case& c : cases) {
    auto model = ParseSpmModel(c.file);
    const Status status =
        model.ok() ? SpmProcessor::Create(std::move(model).value()).status() : model.status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidModel) << c.expected;
    EXPECT_NE(status.detail().find(c.expected), std::string::npos)
        << "expected \"" << c.expected << "\" in: " << status.detail();
  }
}

TEST(SpmModel, EveryTruncationFailsCleanly) {
  const std::string good = ModelFile(SmallPieces(), Trainer(1), Normalizer(Charsmap()));
  ASSERT_TRUE(ParseSpmModel(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    auto model = ParseSpmModel(good.substr(0, n));
    if (!model.ok()) {
      EXPECT_EQ(model.status().code(), StatusCode::kInvalidModel);
    }
  }
}

TEST(SpmUnigram, ViterbiUnknownsAndUserDefined) {
  const Tokenizer t = Load(ModelFile(SmallPieces(), Trainer(1), Normalizer("")));
  // "▁ab" (-1) beats "▁a"+"b" (-5.2) and "▁"+"ab" (-4.5).
  EXPECT_EQ(Ids(t, "ab"), (std::vector<int32_t>{3}));
  // Leading, trailing and repeated spaces are removed; ' ' -> U+2581.
  EXPECT_EQ(Ids(t, "  ab   ab "), (std::vector<int32_t>{3, 3}));
  // Consecutive unknown characters merge into one <unk>; "x" and "yz" are unknown.
  EXPECT_EQ(Ids(t, "axyz"), (std::vector<int32_t>{8, 0}));
  // A user-defined symbol is one piece and is not normalized.
  EXPECT_EQ(Ids(t, "a<u>b"), (std::vector<int32_t>{8, 10, 6}));
  EXPECT_TRUE(Ids(t, "").empty());
  EXPECT_TRUE(Ids(t, "   ").empty());
}

TEST(SpmUnigram, OffsetsPointIntoTheOriginalText) {
  const Tokenizer t = Load(ModelFile(SmallPieces(), Trainer(1), Normalizer(Charsmap())));
  Encoder e(t);
  Encoding out;
  EncodeOptions options;
  options.with_offsets = true;
  options.add_bos = true;
  options.add_eos = true;
  // "A" normalizes to "a" through the charsmap; the two leading spaces are dropped.
  ASSERT_TRUE(e.Encode("  Ab  c", options, &out).ok());  // normalized: "▁ab▁c"
  EXPECT_EQ(out.ids, (std::vector<int32_t>{1, 3, 4, 9, 2}));
  EXPECT_EQ(out.offsets, (std::vector<uint32_t>{0, 0, 2, 4, 4, 6, 6, 7, 7, 7}));
  // Sampled segmentations (spm_sampling_test.cc has their distribution) map back the same way:
  // ranges in order, from the first kept character (2) to the end.
  options.alpha = 0;
  for (int draw = 0; draw < 50; ++draw) {
    ASSERT_TRUE(e.Encode("  Ab  c", options, &out).ok());
    ASSERT_EQ(out.offsets.size(), 2 * out.ids.size());
    EXPECT_EQ(out.offsets[2], 2u);
    EXPECT_EQ(out.offsets[out.offsets.size() - 3], 7u);
    for (size_t i = 1; i < out.offsets.size(); ++i) EXPECT_LE(out.offsets[i - 1], out.offsets[i]);
  }
}

TEST(SpmBpe, MergesByScoreAndDecodesBytes) {
  const std::vector<Piece> pieces = WithBytePieces(SmallPieces());
  const Tokenizer t = Load(ModelFile(pieces, Trainer(2, true), Normalizer("")));
  // "▁a" (-2.2) is merged before "ab" (-2.5), then "▁a" + "b" -> "▁ab".
  EXPECT_EQ(Ids(t, "ab"), (std::vector<int32_t>{3}));
  // Without "▁ab" in reach: "c" blocks nothing, "▁c" is not a piece.
  EXPECT_EQ(Ids(t, "cab"), (std::vector<int32_t>{4, 9, 7}));
  // "é" is unknown: byte fallback gives its two UTF-8 bytes as <0xC3> <0xA9>.
  const std::vector<int32_t> ids = Ids(t, "\xc3\xa9");
  EXPECT_EQ(ids, (std::vector<int32_t>{4, 11 + 0xC3, 11 + 0xA9}));
  EXPECT_EQ(Decoded(t, ids), "\xc3\xa9");
  // A lone continuation byte decodes as U+FFFD; the dummy prefix space is removed.
  EXPECT_EQ(Decoded(t, {4, 11 + 0xA9, 5}),
            "\xef\xbf\xbd"
            "a");
  EXPECT_EQ(Decoded(t, {8, 3, 1, 0}), "a ab \xe2\x81\x87 ");
}

TEST(SpmDecode, OutOfRangeIsAnError) {
  const Tokenizer t = Load(ModelFile(SmallPieces(), Trainer(1), Normalizer("")));
  std::string text;
  const int32_t ids[] = {3, 11};
  const Status s = t.DecodeText(ids, 2, &text);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.detail().find("ids[1]"), std::string::npos);
}

}  // namespace
}  // namespace edgepiece
