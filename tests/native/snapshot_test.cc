// Session snapshots (docs/model.md, "Session snapshots"): restoring gives the
// same bits as never having stopped, wherever the sequence stood in a GAU
// chunk and whatever the restoring session held before; every malformed,
// altered or foreign snapshot is a specific InvalidArgument that leaves the
// session as it was; the Generator continues a restored sequence and stream
// token for token.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/base/hash.h"
#include "runtime/model/generator.h"
#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "tests/native/support/demo_lm.h"
#include "tests/native/support/tiny_model.h"

namespace edgepiece {
namespace {

using testing::Demo;
using testing::RandomTinyModel;
using testing::WriteSafetensors;

const std::string kRoot = EDGEPIECE_SOURCE_DIR;

Model TinyModel(uint32_t seed, const std::string& layers = "gau,lru,gau") {
  Result<Model> model = Model::FromBytes(WriteSafetensors(RandomTinyModel(seed, layers)));
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

Session NewSession(const Model& model) {
  Result<Session> session = Session::Create(model);
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return std::move(session).value();
}

std::vector<int32_t> RandomIds(size_t n, int vocab, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = static_cast<int32_t>(gen() % vocab);
  return ids;
}

std::vector<float> Logits(const Session& session) {
  return std::vector<float>(session.logits(), session.logits() + session.vocab_size());
}

// Bitwise equality (EXPECT_EQ on floats would let -0 == 0 pass).
bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Feeds ids one by one, collecting the logits after each.
std::vector<std::vector<float>> FeedEach(Session* session, const std::vector<int32_t>& ids) {
  std::vector<std::vector<float>> out;
  for (const int32_t id : ids) {
    EXPECT_TRUE(session->Feed(&id, 1).ok());
    out.push_back(Logits(*session));
  }
  return out;
}

TEST(Hash64, KnownValuesPinTheFormat) {
  // Snapshots written by any build carry these values: changing the hash is
  // a format change (a new version), not a refactoring.
  std::string bytes;
  for (int i = 0; i < 100; ++i) bytes.push_back(static_cast<char>(i * 7 + 3));
  const std::pair<size_t, uint64_t> known[] = {
      {0, 0xd7d72e411b7f9f84ull},  {1, 0x26e5773de39a4cd9ull},  {7, 0x26f34d6bd69d6ab8ull},
      {8, 0xd3660b9c63a70587ull},  {31, 0x2e75f56b9be3d53dull}, {32, 0xbf6391b1f00ffb9cull},
      {33, 0x0058d13beba4957full}, {100, 0xfd2f1322fc3f24f2ull}};
  for (const auto& [size, hash] : known) EXPECT_EQ(Hash64(bytes.data(), size), hash) << size;
  // Every single-bit change shows.
  const uint64_t base = Hash64(bytes.data(), bytes.size());
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string flipped = bytes;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE(Hash64(flipped.data(), flipped.size()), base) << bit;
  }
}

TEST(ModelFingerprint, NamesTheWeightsFile) {
  const std::string bytes = WriteSafetensors(RandomTinyModel(1));
  const Model a = *Model::FromBytes(bytes);
  const Model b = *Model::FromBytes(bytes);
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.fingerprint(), Hash64(bytes.data(), bytes.size()));
  EXPECT_NE(a.fingerprint(), TinyModel(2).fingerprint());
}

// The central claim, at every place in a chunk (C = 4 in the tiny models:
// empty, inside, at the end of a chunk before its fold, after the fold) and
// for GAU-only, LRU-only and mixed stacks.
TEST(SessionSnapshot, RestoredContinuationIsBitIdentical) {
  for (const std::string layers : {"gau,lru,gau", "gau", "lru"}) {
    const Model model = TinyModel(5, layers);
    const int vocab = model.config().vocab_size;
    const std::vector<int32_t> b = RandomIds(11, vocab, 99);
    for (const size_t a_len : {0, 1, 3, 4, 5, 8, 9, 13}) {
      SCOPED_TRACE(layers + ", prefix of " + std::to_string(a_len));
      const std::vector<int32_t> a = RandomIds(a_len, vocab, 7 + a_len);
      Session original = NewSession(model);
      ASSERT_TRUE(original.Feed(a.data(), a.size()).ok());
      const std::string snapshot = original.Snapshot();
      EXPECT_EQ(snapshot.size(), original.SnapshotSize());
      const std::vector<float> at_snapshot = Logits(original);
      ASSERT_TRUE(original.Feed(b.data(), b.size()).ok());  // prefill of B
      const std::vector<float> expected = Logits(original);

      // A fresh session, and one that has gone elsewhere (into another
      // chunk, with other state) before restoring.
      Session fresh = NewSession(model);
      Session busy = NewSession(model);
      const std::vector<int32_t> other = RandomIds(6, vocab, 1234);
      ASSERT_TRUE(busy.Feed(other.data(), other.size()).ok());
      for (Session* restored : {&fresh, &busy}) {
        ASSERT_TRUE(restored->Restore(snapshot).ok());
        EXPECT_EQ(restored->position(), a_len);
        EXPECT_TRUE(SameBits(Logits(*restored), at_snapshot));
        EXPECT_TRUE(restored->Snapshot() == snapshot) << "a restored state snapshots the same";
        ASSERT_TRUE(restored->Feed(b.data(), b.size()).ok());
        EXPECT_TRUE(SameBits(Logits(*restored), expected));
      }
      // Token by token after the restore, against token by token without one.
      Session stepped = NewSession(model);
      ASSERT_TRUE(stepped.Feed(a.data(), a.size()).ok());
      const auto want = FeedEach(&stepped, b);
      Session again = NewSession(model);
      ASSERT_TRUE(again.Restore(snapshot).ok());
      const auto got = FeedEach(&again, b);
      for (size_t i = 0; i < b.size(); ++i) EXPECT_TRUE(SameBits(got[i], want[i])) << i;
    }
  }
}

TEST(SessionSnapshot, CarriesTheSamplingStream) {
  const Model model = TinyModel(3);
  Session session = NewSession(model);
  const int32_t bos = 1;
  ASSERT_TRUE(session.Feed(&bos, 1).ok());
  Sampler sampler(77);
  const SamplingOptions options{1.0f, 0, 1.0f};
  for (int i = 0; i < 5; ++i) sampler.Sample(session.logits(), session.vocab_size(), options);
  const std::string snapshot = session.Snapshot(&sampler);
  std::vector<int32_t> expected;
  for (int i = 0; i < 50; ++i) {
    expected.push_back(sampler.Sample(session.logits(), session.vocab_size(), options));
  }
  Session other = NewSession(model);
  Sampler restored(1);
  ASSERT_TRUE(other.Restore(snapshot, &restored).ok());
  std::vector<int32_t> got;
  for (int i = 0; i < 50; ++i) {
    got.push_back(restored.Sample(other.logits(), other.vocab_size(), options));
  }
  EXPECT_EQ(got, expected);
  // A snapshot without a stream leaves the sampler's alone.
  Sampler untouched(5), reference(5);
  ASSERT_TRUE(other.Restore(session.Snapshot(), &untouched).ok());
  EXPECT_EQ(untouched.Sample(other.logits(), other.vocab_size(), options),
            reference.Sample(other.logits(), other.vocab_size(), options));
}

// ---- Malformed snapshots ----------------------------------------------------

// Header offsets (docs/model.md): version 8, flags 12, vocabulary 32, chunk 48,
// layer count 56, stream 60, reserved 76, layer kinds from 80.
void WriteU32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>(v >> (8 * i));
}
// Recomputes the trailing checksum, as a deliberate forger would.
std::string Reseal(std::string s) {
  const uint64_t hash = Hash64(s.data(), s.size() - 8);
  for (int i = 0; i < 8; ++i) s[s.size() - 8 + i] = static_cast<char>(hash >> (8 * i));
  return s;
}

class MalformedSnapshot : public ::testing::Test {
 protected:
  MalformedSnapshot() : model_(TinyModel(8)), session_(NewSession(model_)) {
    const std::vector<int32_t> ids = RandomIds(6, model_.config().vocab_size, 3);
    Session source = NewSession(model_);
    EXPECT_TRUE(source.Feed(ids.data(), ids.size()).ok());
    Sampler sampler(9);
    good_ = source.Snapshot(&sampler);
    // The victim holds a state of its own, which every failure must keep.
    const std::vector<int32_t> mine = RandomIds(3, model_.config().vocab_size, 4);
    EXPECT_TRUE(session_.Feed(mine.data(), mine.size()).ok());
    before_ = session_.Snapshot();
  }

  // Restore fails with InvalidArgument mentioning `needle`, and nothing changed.
  void ExpectRejected(const std::string& bytes, const std::string& needle) {
    Sampler sampler(1), reference(1);
    const Status status = session_.Restore(bytes, &sampler);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_NE(status.detail().find(needle), std::string::npos) << status.detail();
    EXPECT_TRUE(session_.Snapshot() == before_) << "a failed restore changed the session";
    const SamplingOptions options{1.0f, 0, 1.0f};
    EXPECT_EQ(sampler.Sample(session_.logits(), session_.vocab_size(), options),
              reference.Sample(session_.logits(), session_.vocab_size(), options));
  }

  Model model_;
  Session session_;
  std::string good_, before_;
};

TEST_F(MalformedSnapshot, TheGoodOneRestores) {
  Session other = NewSession(model_);
  EXPECT_TRUE(other.Restore(good_).ok());
}

TEST_F(MalformedSnapshot, EveryTruncation) {
  for (size_t n = 0; n < good_.size(); ++n) ExpectRejected(good_.substr(0, n), "truncated");
}

TEST_F(MalformedSnapshot, TrailingBytes) { ExpectRejected(good_ + '\0', "trailing bytes"); }

TEST_F(MalformedSnapshot, WrongMagic) {
  std::string bytes = good_;
  bytes[0] = 'X';
  ExpectRejected(bytes, "wrong magic");
  ExpectRejected(std::string(200, '\0'), "wrong magic");
}

TEST_F(MalformedSnapshot, OtherVersion) {
  std::string bytes = good_;
  WriteU32(&bytes, 8, 2);
  ExpectRejected(bytes, "format version 2");
}

TEST_F(MalformedSnapshot, AlteredBytesFailTheChecksum) {
  // Any byte after the version (whose change would name itself), payload
  // or header, including the checksum itself.
  for (size_t at : {size_t{16}, size_t{24}, size_t{60}, size_t{100}, good_.size() / 2,
                    good_.size() - 9, good_.size() - 1}) {
    std::string bytes = good_;
    bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
    ExpectRejected(bytes, "checksum mismatch");
  }
}

TEST_F(MalformedSnapshot, HeaderSizesThatDisagreeWithTheBytes) {
  std::string bytes = good_;
  WriteU32(&bytes, 56, 1000);  // layer count
  ExpectRejected(bytes, "truncated");
  bytes = good_;
  WriteU32(&bytes, 48, 0);  // chunk
  ExpectRejected(bytes, "chunk length is 0");
  bytes = good_;
  WriteU32(&bytes, 80, 7);  // layer kind
  ExpectRejected(bytes, "unknown kind 7");
  bytes = good_;
  WriteU32(&bytes, 32, 0xffffffffu);  // vocabulary: a payload far beyond the bytes
  ExpectRejected(bytes, "truncated");
}

TEST_F(MalformedSnapshot, AnotherConfig) {
  // Same vocabulary, other layer stack: the sizes differ, the message names both configs.
  const Model other = TinyModel(8, "lru,gau");
  Session source = NewSession(other);
  const int32_t bos = 1;
  ASSERT_TRUE(source.Feed(&bos, 1).ok());
  ExpectRejected(source.Snapshot(), "another config");
  ExpectRejected(source.Snapshot(), "(lru,gau)");
}

TEST_F(MalformedSnapshot, AnotherModelOfTheSameConfig) {
  const Model other = TinyModel(123);
  ASSERT_EQ(other.config().Summary(), model_.config().Summary());
  Session source = NewSession(other);
  const int32_t bos = 1;
  ASSERT_TRUE(source.Feed(&bos, 1).ok());
  ExpectRejected(source.Snapshot(), "another model of the same config");
}

TEST_F(MalformedSnapshot, ForgedButSealedContent) {
  // Bytes with a valid checksum whose content is still impossible.
  std::string bytes = good_;
  WriteU32(&bytes, 12, 6);  // unknown flag bit
  ExpectRejected(Reseal(bytes), "unknown flags");
  bytes = good_;
  WriteU32(&bytes, 76, 1);  // reserved
  ExpectRejected(Reseal(bytes), "reserved");
  bytes = good_;
  for (int i = 0; i < 4; ++i) WriteU32(&bytes, 60 + 4 * i, 0);  // all-zero stream
  ExpectRejected(Reseal(bytes), "all zeros");
  // Found by tests/fuzz/snapshot_fuzzer: stream words without the flag were
  // ignored, so two byte strings restored to the same state.
  bytes = good_;
  WriteU32(&bytes, 12, 0);  // flags: no stream, while the stream words stay set
  ExpectRejected(Reseal(bytes), "without the stream flag");
  bytes = good_;
  const size_t payload = 80 + 4 * model_.config().layers.size();
  WriteU32(&bytes, payload + 4 * 3, 0x7fc00000u);  // NaN logit
  ExpectRejected(Reseal(bytes), "not finite");
  bytes = good_;
  WriteU32(&bytes, bytes.size() - 12, 0x7f800000u);  // inf in the last float
  ExpectRejected(Reseal(bytes), "not finite");
}

TEST_F(MalformedSnapshot, RandomCorruptionNeverCrashes) {
  std::mt19937 gen(42);
  for (int round = 0; round < 300; ++round) {
    std::string bytes = good_;
    const int edits = 1 + gen() % 4;
    for (int i = 0; i < edits; ++i) bytes[gen() % bytes.size()] = static_cast<char>(gen());
    if (bytes == good_) continue;
    if (round % 2) bytes = Reseal(bytes);  // get past the checksum half the time
    Sampler sampler(1);
    const Status status = session_.Restore(bytes, &sampler);
    if (status.ok()) {  // a resealed edit of payload floats is a valid state
      ASSERT_TRUE(session_.Restore(before_).ok());
      continue;
    }
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(session_.Snapshot() == before_);
  }
}

// ---- Generation over snapshots ------------------------------------------------

std::vector<int32_t> Drain(Generator* generator) {
  std::vector<int32_t> ids;
  for (;;) {
    GeneratedToken token;
    EXPECT_TRUE(generator->Next(&token).ok());
    if (token.id >= 0) ids.push_back(token.id);
    if (token.stop != StopReason::kNone) return ids;
  }
}

// What `edgepiece generate --save-state` then `--load-state` does: the
// second half continues the first token for token, sampled, across chunk
// boundaries.
TEST(GeneratorSnapshot, SavedAndLoadedRunEqualsOneRun) {
  GenerateOptions options;
  options.seed = 31;
  options.stop_at_eos = false;
  options.max_tokens = 150;
  Session whole = NewSession(Demo().model);
  Sampler whole_sampler;
  Generator one = *Generator::Create(&whole, &whole_sampler, Demo().tokenizer);
  ASSERT_TRUE(one.Start("In the beginning", options).ok());
  const std::vector<int32_t> expected = Drain(&one);

  Session first = NewSession(Demo().model);
  Sampler first_sampler;
  Generator a = *Generator::Create(&first, &first_sampler, Demo().tokenizer);
  options.max_tokens = 57;
  ASSERT_TRUE(a.Start("In the beginning", options).ok());
  std::vector<int32_t> got = Drain(&a);
  ASSERT_TRUE(a.Flush().ok());
  ASSERT_TRUE(a.Flush().ok());  // a second flush feeds nothing
  const std::string snapshot = first.Snapshot(&first_sampler);

  Session second = NewSession(Demo().model);
  Sampler second_sampler(999);
  ASSERT_TRUE(second.Restore(snapshot, &second_sampler).ok());
  Generator b = *Generator::Create(&second, &second_sampler, Demo().tokenizer);
  GenerateOptions more = options;
  more.seed.reset();  // continue the restored stream
  more.append = true;
  more.max_tokens = 150 - 57;
  ASSERT_TRUE(b.Start("", more).ok());
  EXPECT_EQ(b.stats().prompt_tokens, 0u);
  for (const int32_t id : Drain(&b)) got.push_back(id);
  EXPECT_EQ(got, expected);
}

// A prompt prefilled once, restored for each continuation: each equals a run
// from scratch on the whole text.
TEST(GeneratorSnapshot, PrefilledPromptServesManyContinuations) {
  Session session = NewSession(Demo().model);
  Sampler sampler;
  Generator generator = *Generator::Create(&session, &sampler, Demo().tokenizer);
  GenerateOptions prefill;
  prefill.max_tokens = 0;
  ASSERT_TRUE(generator.Start("And God said, Let there be light", prefill).ok());
  Drain(&generator);
  const std::string cached = session.Snapshot();
  for (uint32_t seed : {1u, 2u, 3u}) {
    GenerateOptions options;
    options.seed = seed;
    options.max_tokens = 30;
    options.stop_at_eos = false;
    ASSERT_TRUE(session.Restore(cached).ok());
    options.append = true;
    ASSERT_TRUE(generator.Start("", options).ok());
    const std::vector<int32_t> got = Drain(&generator);
    options.append = false;
    ASSERT_TRUE(generator.Start("And God said, Let there be light", options).ok());
    EXPECT_EQ(got, Drain(&generator)) << seed;
  }
}

TEST(GeneratorSnapshot, FlushDropsATokenTheSessionMovedPast) {
  Session session = NewSession(Demo().model);
  Sampler sampler;
  Generator generator = *Generator::Create(&session, &sampler, Demo().tokenizer);
  GenerateOptions options;
  options.max_tokens = 3;
  options.seed = 1;
  options.stop_at_eos = false;
  ASSERT_TRUE(generator.Start("In", options).ok());
  Drain(&generator);
  const size_t after = session.position();
  session.Reset();
  ASSERT_TRUE(generator.Flush().ok());
  EXPECT_EQ(session.position(), 0u) << "the token was fed into a reset session";
  // Appending after a generation feeds its last token first.
  ASSERT_TRUE(generator.Start("In", options).ok());
  Drain(&generator);
  options.append = true;
  options.max_tokens = 0;
  ASSERT_TRUE(generator.Start(" the", options).ok());
  EXPECT_EQ(session.position(), after + 1 + generator.stats().prompt_tokens);
}

}  // namespace
}  // namespace edgepiece
