// Tests for model loading: Vocab parsing and validation
// (runtime/tokenizer/vocab.h) and Tokenizer::FromBytes / FromFile.
#include "runtime/tokenizer/vocab.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/text/base64.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/native/support/golden.h"

namespace edgepiece {
namespace {

// ---------------------------------------------------------------------------
// Building tokenizer files

struct Piece {
  std::string bytes;
  uint64_t count;
};

// One "key": value member of the model object, as raw JSON text.
struct Member {
  std::string key;    // JSON string contents (already escaped)
  std::string value;  // JSON value text
};

// A JSON string body for `bytes`: ASCII kept (escaped as needed), other
// bytes dropped, like the lossy display field of real files.
std::string Display(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", c);
      out += escape;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Value(int64_t id, const std::string& display, uint64_t count) {
  return "[" + std::to_string(id) + ", \"" + display + "\", " + std::to_string(count) + "]";
}

// Members for `pieces` in id order, ids from 3.
std::vector<Member> Members(const std::vector<Piece>& pieces) {
  std::vector<Member> members;
  for (size_t i = 0; i < pieces.size(); ++i) {
    members.push_back(
        {EncodeBase64(pieces[i].bytes), Value(static_cast<int64_t>(i) + kFirstPieceId,
                                              Display(pieces[i].bytes), pieces[i].count)});
  }
  return members;
}

// The tokenizer file text, pretty-printed like the reference's.
std::string ToJson(const std::vector<Member>& members) {
  std::string out = "{\n";
  for (size_t i = 0; i < members.size(); ++i) {
    out += "    \"" + members[i].key + "\": " + members[i].value;
    out += i + 1 < members.size() ? ",\n" : "\n";
  }
  return out + "}";
}

// All 256 single bytes (ids 3..258), then a few longer pieces in
// (length, bytes) order.
std::vector<Piece> SmallPieces() {
  std::vector<Piece> pieces;
  for (int b = 0; b < 256; ++b) {
    pieces.push_back({std::string(1, static_cast<char>(b)), static_cast<uint64_t>(b % 7 + 1)});
  }
  pieces.push_back({"ab", 40});
  pieces.push_back({"he", 55});
  pieces.push_back({"th", 60});
  pieces.push_back({"the", 100});
  pieces.push_back({"\xE4\xBD\xA0", 12});
  pieces.push_back({"hello", 3});
  return pieces;
}

int IndexOfByte(int b) { return b; }  // single bytes come first

std::string SmallJson() { return ToJson(Members(SmallPieces())); }

// Loads `json` and expects failure with `code` and a detail mentioning
// every word in `words`.
void ExpectError(const std::string& json, StatusCode code, const std::vector<std::string>& words) {
  Result<Vocab> vocab = Vocab::Parse(json);
  ASSERT_FALSE(vocab.ok()) << "accepted a malformed model";
  EXPECT_EQ(vocab.status().code(), code) << vocab.status().ToString();
  for (const std::string& word : words) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, word, vocab.status().detail());
  }
  // The tokenizer entry point reports the same status.
  Result<Tokenizer> tokenizer = Tokenizer::FromBytes(json);
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), code);
  EXPECT_EQ(tokenizer.status().detail(), vocab.status().detail());
}

// Small model with the value of piece `index` replaced by `value`.
std::string WithValue(size_t index, const std::string& value) {
  auto members = Members(SmallPieces());
  members[index].value = value;
  return ToJson(members);
}

std::string WithKey(size_t index, const std::string& key) {
  auto members = Members(SmallPieces());
  members[index].key = key;
  return ToJson(members);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A file in the test's temporary folder, removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    path_ = ::testing::TempDir() + "edgepiece_vocab_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter_++) + ".model";
    std::ofstream out(path_, std::ios::binary);
    out << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

// ---------------------------------------------------------------------------
// Valid models

TEST(VocabTest, SmallModelLoadsWithExactScores) {
  const std::vector<Piece> pieces = SmallPieces();
  Result<Vocab> vocab = Vocab::Parse(SmallJson());
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  ASSERT_EQ(vocab->num_pieces(), static_cast<int32_t>(pieces.size()));
  EXPECT_EQ(vocab->vocab_size(), static_cast<int32_t>(pieces.size()) + 3);
  EXPECT_EQ(vocab->max_piece_length(), 5u);
  uint64_t total = 0;
  for (const Piece& p : pieces) total += p.count;
  EXPECT_EQ(vocab->total_count(), total);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const int32_t index = static_cast<int32_t>(i);
    EXPECT_EQ(vocab->piece(index), pieces[i].bytes) << i;
    EXPECT_EQ(vocab->count(index), pieces[i].count) << i;
    // Bit-exact: the reference's expression in double with the C log.
    EXPECT_EQ(vocab->score(index),
              std::log(static_cast<double>(pieces[i].count)) - std::log(static_cast<double>(total)))
        << i;
  }
  EXPECT_GT(vocab->MemoryUsage(), 0u);
}

TEST(VocabTest, FromBytesFromFileAndFromPiecesAgree) {
  const std::vector<Piece> pieces = SmallPieces();
  std::vector<std::string> bytes;
  std::vector<uint64_t> counts;
  for (const Piece& p : pieces) {
    bytes.push_back(p.bytes);
    counts.push_back(p.count);
  }
  const std::string json = SmallJson();
  TempFile file(json);
  Result<Tokenizer> from_bytes = Tokenizer::FromBytes(json);
  Result<Tokenizer> from_file = Tokenizer::FromFile(file.path());
  Result<Tokenizer> from_pieces = Tokenizer::FromPieces(bytes, counts);
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status().ToString();
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  ASSERT_TRUE(from_pieces.ok()) << from_pieces.status().ToString();
  for (const Tokenizer* t : {&*from_file, &*from_pieces}) {
    ASSERT_EQ(t->vocab_size(), from_bytes->vocab_size());
    for (int32_t i = 0; i < t->vocab().num_pieces(); ++i) {
      EXPECT_EQ(t->vocab().piece(i), from_bytes->vocab().piece(i));
      EXPECT_EQ(t->vocab().score(i), from_bytes->vocab().score(i));
    }
  }
}

TEST(VocabTest, AcceptsFormattingVariants) {
  // Compact JSON, trailing whitespace, escaped keys and displays, and the
  // longest allowed piece.
  auto members = Members(SmallPieces());
  std::string compact = "{";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) compact += ",";
    compact += "\"" + members[i].key + "\":" + members[i].value;
  }
  compact += "}";
  EXPECT_TRUE(Vocab::Parse(compact).ok());
  EXPECT_TRUE(Vocab::Parse(SmallJson() + "\n  \t\r\n").ok());

  members[IndexOfByte('A')].key = "QQ\\u003d\\u003d";  // "QQ==" escaped
  members[IndexOfByte('B')].value = "[69, \"\\u00e9\\n\\\"\", 1]";
  Result<Vocab> escaped = Vocab::Parse(ToJson(members));
  ASSERT_TRUE(escaped.ok()) << escaped.status().ToString();
  EXPECT_EQ(escaped->piece(IndexOfByte('A')), "A");

  auto pieces = SmallPieces();
  pieces.push_back({std::string(kMaxPieceBytes, 'z'), 1});
  Result<Vocab> longest = Vocab::Parse(ToJson(Members(pieces)));
  ASSERT_TRUE(longest.ok()) << longest.status().ToString();
  EXPECT_EQ(longest->max_piece_length(), kMaxPieceBytes);
}

TEST(VocabTest, BytesOnlyModelLoads) {
  std::vector<Piece> pieces = SmallPieces();
  pieces.resize(256);
  Result<Vocab> vocab = Vocab::Parse(ToJson(Members(pieces)));
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->vocab_size(), 259);
  EXPECT_EQ(vocab->max_piece_length(), 1u);
}

// ---------------------------------------------------------------------------
// Malformed JSON

TEST(VocabTest, RejectsNonJson) {
  ExpectError("", StatusCode::kMalformedJson, {"tokenizer file"});
  ExpectError("   ", StatusCode::kMalformedJson, {"tokenizer file"});
  ExpectError("not json", StatusCode::kMalformedJson, {"tokenizer file"});
  ExpectError("{\"AA==\": [3, \"\", 1]", StatusCode::kMalformedJson, {});
  ExpectError("{\"AA==\" [3, \"\", 1]}", StatusCode::kMalformedJson, {});
  ExpectError("{\"AA==\": [3, \"\", 1],}", StatusCode::kMalformedJson, {});
  ExpectError("{\"AA==: [3, \"\", 1]}", StatusCode::kMalformedJson, {});
  ExpectError("{\"A\\xA==\": [3, \"\", 1]}", StatusCode::kMalformedJson, {});
}

TEST(VocabTest, RejectsRootThatIsNotAnObject) {
  for (const char* json : {"[]", "[1, 2]", "42", "\"text\"", "null", "true"}) {
    SCOPED_TRACE(json);
    ExpectError(json, StatusCode::kMalformedJson, {"object"});
  }
}

const char* const kTrailingTails[] = {"x", "}", "{}", " []", ",", "\n{\"AA==\": [3, \"\", 1]}"};

TEST(VocabTest, RejectsTrailingContent) {
  for (const char* tail : kTrailingTails) {
    SCOPED_TRACE(tail);
    ExpectError(SmallJson() + tail, StatusCode::kMalformedJson, {});
  }
}

TEST(VocabTest, TrailingContentIsNamedInTheDetail) {
  // The object itself is complete and valid: the message must blame what
  // follows it, not call the file truncated or not an object.
  for (const char* tail : kTrailingTails) {
    SCOPED_TRACE(tail);
    Result<Vocab> vocab = Vocab::Parse(SmallJson() + tail);
    ASSERT_FALSE(vocab.ok());
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "trailing", vocab.status().detail());
  }
}

TEST(VocabTest, RejectsValueThatIsNotAnArray) {
  for (const char* value : {"3", "\"x\"", "{\"id\": 3}", "null"}) {
    SCOPED_TRACE(value);
    ExpectError(WithValue(5, value), StatusCode::kMalformedJson,
                {"entry #5", "[id, display, count]"});
  }
}

TEST(VocabTest, RejectsArraysOfTheWrongLength) {
  ExpectError(WithValue(7, "[]"), StatusCode::kInvalidModel, {"entry #7", "0 elements"});
  ExpectError(WithValue(7, "[10]"), StatusCode::kInvalidModel, {"entry #7", "1 elements"});
  ExpectError(WithValue(7, "[10, \"\"]"), StatusCode::kInvalidModel, {"entry #7", "2 elements"});
  ExpectError(WithValue(7, "[10, \"\", 1, 1]"), StatusCode::kInvalidModel,
              {"entry #7", "4 elements"});
  ExpectError(WithValue(7, "[10, \"\", 1, [1, 2], {\"a\": 1}]"), StatusCode::kInvalidModel,
              {"entry #7", "5 elements"});
}

TEST(VocabTest, RejectsIdThatIsNotAnInteger) {
  for (const char* id : {"\"10\"", "10.5", "1e1", "true", "null", "[10]", "99999999999999999999"}) {
    SCOPED_TRACE(id);
    ExpectError(WithValue(7, std::string("[") + id + ", \"\", 1]"), StatusCode::kMalformedJson,
                {"entry #7", "id"});
  }
}

TEST(VocabTest, RejectsDisplayThatIsNotAString) {
  ExpectError(WithValue(7, "[10, 5, 1]"), StatusCode::kMalformedJson, {"entry #7", "display"});
  ExpectError(WithValue(7, "[10, null, 1]"), StatusCode::kMalformedJson, {"entry #7", "display"});
}

TEST(VocabTest, RejectsBadCounts) {
  ExpectError(WithValue(9, "[12, \"\", 0]"), StatusCode::kInvalidModel, {"entry #9", "count 0"});
  ExpectError(WithValue(9, "[12, \"\", -3]"), StatusCode::kInvalidModel, {"entry #9", "count -3"});
  for (const char* count : {"\"5\"", "2.5", "null", "18446744073709551615"}) {
    SCOPED_TRACE(count);
    ExpectError(WithValue(9, std::string("[12, \"\", ") + count + "]"), StatusCode::kMalformedJson,
                {"entry #9", "count"});
  }
}

TEST(VocabTest, RejectsTotalCountOverflow) {
  auto pieces = SmallPieces();
  for (int b : {1, 2, 3}) pieces[b].count = INT64_MAX;
  ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {"overflow"});
}

// ---------------------------------------------------------------------------
// Invalid content

TEST(VocabTest, RejectsBadBase64Keys) {
  ExpectError(WithKey(65, "QQ"), StatusCode::kInvalidModel, {"entry #65", "QQ", "multiple of 4"});
  ExpectError(WithKey(65, "QQ=!"), StatusCode::kInvalidModel, {"entry #65", "character"});
  ExpectError(WithKey(65, "QR=="), StatusCode::kInvalidModel, {"entry #65", "padding"});
  ExpectError(WithKey(65, "Q=Q="), StatusCode::kInvalidModel, {"entry #65"});
  ExpectError(WithKey(65, "QQ-_"), StatusCode::kInvalidModel, {"entry #65"});
}

TEST(VocabTest, RejectsEmptyKey) {
  ExpectError(WithKey(0, ""), StatusCode::kInvalidModel, {"entry #0", "empty"});
  ExpectError(WithKey(260, ""), StatusCode::kInvalidModel, {"entry #260", "empty"});
}

TEST(VocabTest, RejectsPieceLongerThanTheLimit) {
  auto pieces = SmallPieces();
  pieces.push_back({std::string(kMaxPieceBytes + 1, 'z'), 1});
  const std::string where = "entry #" + std::to_string(pieces.size() - 1);
  ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel,
              {where, std::to_string(kMaxPieceBytes + 1), "exceeds"});
}

TEST(VocabTest, RejectsDuplicatePieces) {
  // The key of byte 'B' (id 69) replaced by that of 'A' (id 68).
  ExpectError(WithKey(IndexOfByte('B'), "QQ=="), StatusCode::kInvalidModel,
              {"QQ==", "twice", "68", "69"});
  // A multi-byte piece repeated at consecutive ids.
  auto pieces = SmallPieces();
  pieces.insert(pieces.begin() + 257, pieces[256]);  // "ab" at ids 259, 260
  ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {EncodeBase64("ab"), "twice"});
  // The same key again at the end, with a new id.
  auto members = Members(SmallPieces());
  members.push_back({"QQ==", Value(static_cast<int64_t>(members.size()) + 3, "A", 1)});
  Result<Vocab> vocab = Vocab::Parse(ToJson(members));
  ASSERT_FALSE(vocab.ok());
  EXPECT_EQ(vocab.status().code(), StatusCode::kInvalidModel);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "QQ==", vocab.status().detail());
}

TEST(VocabTest, RejectsNonContiguousIds) {
  const auto pieces = SmallPieces();
  // A gap: the last id skips one.
  {
    auto members = Members(pieces);
    const size_t last = members.size() - 1;
    members[last].value = Value(static_cast<int64_t>(last) + 4, "hello", 3);
    ExpectError(ToJson(members), StatusCode::kInvalidModel,
                {"contiguous", std::to_string(last + 3), std::to_string(last + 4)});
  }
  // Ids starting at 4 or at 0.
  for (int64_t first : {0, 4}) {
    auto members = Members(pieces);
    for (size_t i = 0; i < members.size(); ++i) {
      members[i].value = Value(static_cast<int64_t>(i) + first, "", pieces[i].count);
    }
    ExpectError(ToJson(members), StatusCode::kInvalidModel,
                {"contiguous", "expected id 3", "found " + std::to_string(first)});
  }
  // A negative id.
  ExpectError(WithValue(0, "[-1, \"\", 1]"), StatusCode::kInvalidModel, {"-1"});
}

TEST(VocabTest, RejectsDuplicateIds) {
  // Byte 0x03 (id 6) claims id 5.
  ExpectError(WithValue(3, Value(5, "", 1)), StatusCode::kInvalidModel, {"id 5", "twice"});
  // The last piece repeats the id of the one before it.
  auto members = Members(SmallPieces());
  const size_t last = members.size() - 1;
  members[last].value = Value(static_cast<int64_t>(last) + 2, "", 1);
  ExpectError(ToJson(members), StatusCode::kInvalidModel,
              {"id " + std::to_string(last + 2), "twice"});
}

TEST(VocabTest, RejectsPiecesOutOfOrder) {
  // "he" and "th" swapped: ids 260 and 261.
  {
    auto pieces = SmallPieces();
    std::swap(pieces[257], pieces[258]);
    ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel,
                {"order", "261", EncodeBase64("he")});
  }
  // A longer piece before a shorter one ("the" before "th").
  {
    auto pieces = SmallPieces();
    std::swap(pieces[258], pieces[259]);
    ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {"order"});
  }
  // Bytes compare unsigned: 0xFF sorts after 0x41.
  {
    auto pieces = SmallPieces();
    std::swap(pieces[0x41], pieces[0xFF]);
    ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {"order"});
  }
  // A two-byte piece among the single bytes.
  {
    auto pieces = SmallPieces();
    std::swap(pieces[255], pieces[256]);
    ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {"order"});
  }
}

TEST(VocabTest, RejectsMissingSingleBytes) {
  for (int missing : {0x00, 0x41, 0x80, 0xFF}) {
    auto pieces = SmallPieces();
    pieces.erase(pieces.begin() + IndexOfByte(missing));  // ids renumbered
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02X", missing);
    SCOPED_TRACE(hex);
    ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {hex, "missing"});
  }
  // Only 255 pieces in all.
  std::vector<Piece> pieces = SmallPieces();
  pieces.resize(255);
  ExpectError(ToJson(Members(pieces)), StatusCode::kInvalidModel, {"0xFF", "missing"});
  ExpectError("{}", StatusCode::kInvalidModel, {"0x00", "missing"});
}

TEST(VocabTest, FromPiecesValidatesToo) {
  std::vector<std::string> bytes;
  std::vector<uint64_t> counts;
  for (const Piece& p : SmallPieces()) {
    bytes.push_back(p.bytes);
    counts.push_back(p.count);
  }
  EXPECT_TRUE(Vocab::FromPieces(bytes, counts).ok());
  {
    auto c = counts;
    c.pop_back();
    EXPECT_EQ(Vocab::FromPieces(bytes, c).status().code(), StatusCode::kInvalidArgument);
  }
  {
    auto c = counts;
    c[4] = 0;
    EXPECT_EQ(Vocab::FromPieces(bytes, c).status().code(), StatusCode::kInvalidModel);
  }
  {
    auto b = bytes;
    b.push_back("");
    auto c = counts;
    c.push_back(1);
    EXPECT_EQ(Vocab::FromPieces(b, c).status().code(), StatusCode::kInvalidModel);
  }
  {
    auto b = bytes;
    std::swap(b[258], b[259]);
    EXPECT_EQ(Vocab::FromPieces(b, counts).status().code(), StatusCode::kInvalidModel);
  }
}

// ---------------------------------------------------------------------------
// Truncation and damage never crash

TEST(VocabTest, EveryPrefixOfASmallModelIsRejected) {
  const std::string json = SmallJson();
  const size_t end = json.rfind('}');
  for (size_t cut = 0; cut < end; cut += 3) {
    Result<Vocab> vocab = Vocab::Parse(json.substr(0, cut));
    ASSERT_FALSE(vocab.ok()) << "prefix of " << cut << " bytes accepted";
    EXPECT_FALSE(vocab.status().detail().empty());
  }
}

TEST(VocabTest, TruncatedGoldenModelIsRejected) {
  const std::string json = ReadWholeFile(testing::BytePieceGoldenDir() + "/kjvzh-8k.model");
  ASSERT_FALSE(json.empty());
  const size_t end = json.rfind('}');  // everything after it is whitespace
  std::mt19937 rng(8000);
  for (int t = 0; t < 200; ++t) {
    const size_t cut = rng() % end;  // drops at least the closing brace
    Result<Tokenizer> tokenizer = Tokenizer::FromBytes(std::string_view(json).substr(0, cut));
    ASSERT_FALSE(tokenizer.ok()) << "prefix of " << cut << " bytes accepted";
    const StatusCode code = tokenizer.status().code();
    EXPECT_TRUE(code == StatusCode::kMalformedJson || code == StatusCode::kInvalidModel)
        << tokenizer.status().ToString();
    EXPECT_FALSE(tokenizer.status().detail().empty());
  }
  // A few through FromFile, which parses in place with its own padding.
  for (int t = 0; t < 10; ++t) {
    const size_t cut = rng() % end;
    TempFile file(json.substr(0, cut));
    Result<Tokenizer> tokenizer = Tokenizer::FromFile(file.path());
    ASSERT_FALSE(tokenizer.ok()) << "prefix of " << cut << " bytes accepted";
    EXPECT_NE(tokenizer.status().code(), StatusCode::kIoError);
  }
}

TEST(VocabTest, RandomByteDamageNeverCrashes) {
  const std::string json = SmallJson();
  std::mt19937 rng(4);
  const char kBytes[] = "{}[],:\"\\ 0123456789-.eE=QAaz\n\x80\xFF";
  for (int t = 0; t < 2000; ++t) {
    std::string damaged = json;
    for (int k = 1 + rng() % 3; k > 0; --k) {
      damaged[rng() % damaged.size()] = kBytes[rng() % (sizeof(kBytes) - 1)];
    }
    Result<Vocab> vocab = Vocab::Parse(damaged);
    if (!vocab.ok()) {
      const StatusCode code = vocab.status().code();
      EXPECT_TRUE(code == StatusCode::kMalformedJson || code == StatusCode::kInvalidModel)
          << vocab.status().ToString();
    }
  }
}

// ---------------------------------------------------------------------------
// Files

TEST(VocabTest, FromFileMissingIsIoError) {
  const std::string path = ::testing::TempDir() + "edgepiece_no_such_file.model";
  Result<Tokenizer> tokenizer = Tokenizer::FromFile(path);
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kIoError);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, path, tokenizer.status().detail());
}

TEST(VocabTest, FromFileOnADirectoryIsIoError) {
  Result<Tokenizer> tokenizer = Tokenizer::FromFile(::testing::TempDir());
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kIoError) << tokenizer.status().ToString();
}

TEST(VocabTest, FromFileEmptyIsMalformed) {
  TempFile file("");
  Result<Tokenizer> tokenizer = Tokenizer::FromFile(file.path());
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kMalformedJson);
}

// Number of top-level members of a pretty-printed tokenizer file: the lines
// that open an entry at the first indentation level.
int32_t CountEntries(const std::string& json) {
  int32_t entries = 0;
  std::istringstream lines(json);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("    \"", 0) == 0) ++entries;
  }
  return entries;
}

void ExpectWellFormedGolden(const Vocab& vocab) {
  for (int b = 0; b < 256; ++b) {
    ASSERT_EQ(vocab.piece(b), std::string(1, static_cast<char>(b)));
  }
  uint64_t total = 0;
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) total += vocab.count(i);
  EXPECT_EQ(vocab.total_count(), total);
  const double log_total = std::log(static_cast<double>(total));
  for (int32_t i = 0; i < vocab.num_pieces(); i += 97) {
    EXPECT_EQ(vocab.score(i), std::log(static_cast<double>(vocab.count(i))) - log_total);
  }
}

TEST(VocabTest, GoldenKjvzhLoads) {
  const std::string path = testing::BytePieceGoldenDir() + "/kjvzh-8k.model";
  const std::string json = ReadWholeFile(path);
  const int32_t entries = CountEntries(json);
  ASSERT_GT(entries, 256);
  Result<Tokenizer> from_file = Tokenizer::FromFile(path);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->vocab().num_pieces(), entries);
  EXPECT_EQ(from_file->vocab_size(), entries + 3);
  ExpectWellFormedGolden(from_file->vocab());
  Result<Tokenizer> from_bytes = Tokenizer::FromBytes(json);
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status().ToString();
  EXPECT_EQ(from_bytes->vocab_size(), entries + 3);
}

TEST(VocabTest, GoldenPlus40kLoads) {
  const std::string path = testing::BytePieceGoldenDir() + "/plus40k.model";
  Result<Tokenizer> tokenizer = Tokenizer::FromFile(path);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  const Vocab& vocab = tokenizer->vocab();
  EXPECT_EQ(tokenizer->vocab_size(), 39843);
  EXPECT_EQ(vocab.num_pieces(), 39840);
  EXPECT_EQ(vocab.max_piece_length(), 36u);
  EXPECT_NEAR(static_cast<double>(vocab.total_count()), 4.38e10, 0.01e10);
  ExpectWellFormedGolden(vocab);
}

}  // namespace
}  // namespace edgepiece
