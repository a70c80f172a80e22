// The C ABI (runtime/capi/edgepiece.h): handles, results, statuses and
// messages, as every binding sees them.
#include "runtime/capi/edgepiece.h"
#include "runtime/capi/edgepiece_trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/base/file.h"
#include "runtime/model/generator.h"
#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "runtime/trainer/trainer.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/tiny_model.h"

namespace {

std::string BundledModel() {
  std::string bytes;
  EXPECT_TRUE(
      edgepiece::ReadFile(std::string(EDGEPIECE_SOURCE_DIR) + "/models/kjvzh-8k.model", &bytes)
          .ok());
  return bytes;
}

TEST(CApiTest, EncodeDecodeMatchesTheCppApi) {
  const std::string model = BundledModel();
  ep_tokenizer* tokenizer = nullptr;
  ASSERT_EQ(
      ep_tokenizer_create(reinterpret_cast<const uint8_t*>(model.data()), model.size(), &tokenizer),
      EP_STATUS_OK);
  EXPECT_EQ(ep_tokenizer_vocab_size(tokenizer), 7999);
  ep_encoder* encoder = nullptr;
  ASSERT_EQ(ep_encoder_create(tokenizer, EP_RNG_GLIBC, 123, &encoder), EP_STATUS_OK);
  ep_tokenizer_destroy(tokenizer);  // the encoder keeps the data alive

  const std::string text = "In the beginning God created the heaven and the earth.";
  size_t count = 0;
  ASSERT_EQ(ep_encoder_encode(encoder, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                              -1.0, EP_ENCODE_BOS | EP_ENCODE_OFFSETS, &count),
            EP_STATUS_OK);
  const std::vector<int32_t> ids(ep_encoder_ids(encoder), ep_encoder_ids(encoder) + count);
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[0], 1);
  EXPECT_EQ(ep_encoder_offsets(encoder)[2 * count - 1], text.size());

  edgepiece::Encoder cpp(edgepiece::testing::LoadGoldenTokenizer("kjvzh-8k"));
  auto expected = cpp.Encode(text);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(std::vector<int32_t>(ids.begin() + 1, ids.end()), *expected);

  size_t size = 0;
  ASSERT_EQ(ep_encoder_decode(encoder, ids.data(), ids.size(), 1, &size), EP_STATUS_OK);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ep_encoder_bytes(encoder)), size), text);

  ASSERT_EQ(ep_encoder_pack(encoder, &size), EP_STATUS_OK);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ep_encoder_bytes(encoder)), size),
            edgepiece::testing::LoadGoldenTokenizer("kjvzh-8k").vocab().Pack());
  EXPECT_EQ(ep_encoder_pack(nullptr, &size), EP_STATUS_INVALID_ARGUMENT);

  // A token as the tokenizer spells it: a piece's bytes, "" for <bos>, an error out of range.
  ASSERT_EQ(ep_encoder_piece(encoder, ids[1], &size), EP_STATUS_OK);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ep_encoder_bytes(encoder)), size),
            *cpp.tokenizer().IdToBytes(ids[1]));
  EXPECT_EQ(
      text.rfind(std::string(reinterpret_cast<const char*>(ep_encoder_bytes(encoder)), size), 0),
      0u);
  ASSERT_EQ(ep_encoder_piece(encoder, 1, &size), EP_STATUS_OK);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(ep_encoder_piece(encoder, 99999, &size), EP_STATUS_OUT_OF_RANGE);
  EXPECT_EQ(ep_encoder_piece(nullptr, 0, &size), EP_STATUS_INVALID_ARGUMENT);
  ep_encoder_destroy(encoder);
}

TEST(CApiTest, ErrorsReturnCodesAndMessages) {
  const std::string bad = R"({"QQ==": [3, "A", 1]})";
  ep_tokenizer* tokenizer = nullptr;
  EXPECT_EQ(
      ep_tokenizer_create(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), &tokenizer),
      EP_STATUS_INVALID_MODEL);
  EXPECT_EQ(tokenizer, nullptr);
  EXPECT_NE(std::string(ep_last_error()).find("0x00"), std::string::npos) << ep_last_error();
  EXPECT_EQ(ep_tokenizer_create(nullptr, 0, nullptr), EP_STATUS_INVALID_ARGUMENT);

  const std::string model = BundledModel();
  ASSERT_EQ(
      ep_tokenizer_create(reinterpret_cast<const uint8_t*>(model.data()), model.size(), &tokenizer),
      EP_STATUS_OK);
  ep_encoder* encoder = nullptr;
  EXPECT_EQ(ep_encoder_create(tokenizer, 7, 0, &encoder), EP_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(ep_encoder_create(tokenizer, EP_RNG_DEFAULT, 0, &encoder), EP_STATUS_OK);
  const int32_t ids[] = {5, 99999};
  size_t size = 0;
  EXPECT_EQ(ep_encoder_decode(encoder, ids, 2, 0, &size), EP_STATUS_OUT_OF_RANGE);
  EXPECT_NE(std::string(ep_last_error()).find("ids[1]"), std::string::npos) << ep_last_error();
  size_t count = 0;
  EXPECT_EQ(
      ep_encoder_encode(encoder, reinterpret_cast<const uint8_t*>("x"), 1, HUGE_VAL, 0, &count),
      EP_STATUS_INVALID_ARGUMENT);
  ep_encoder_destroy(encoder);
  ep_tokenizer_destroy(tokenizer);
}

TEST(CApiTest, ModelSessionFeedSampleScore) {
  const std::string bytes =
      edgepiece::testing::WriteSafetensors(edgepiece::testing::RandomTinyModel(3));
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  ep_model* model = nullptr;
  EXPECT_EQ(ep_model_create(data, bytes.size() - 1, &model), EP_STATUS_INVALID_MODEL);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(ep_last_error()).find("truncated"), std::string::npos) << ep_last_error();
  ASSERT_EQ(ep_model_create(data, bytes.size(), &model), EP_STATUS_OK);
  EXPECT_EQ(ep_model_vocab_size(model), 16);
  EXPECT_EQ(ep_model_eos_id(model), 2);
  ep_session* session = nullptr;
  ASSERT_EQ(ep_session_create(model, 5, &session), EP_STATUS_OK);
  // At least a byte per parameter; the state does not grow with the tokens fed.
  EXPECT_GE(ep_model_memory_bytes(model), ep_model_num_parameters(model));
  EXPECT_EQ(ep_model_memory_bytes(nullptr), 0u);
  const size_t state_bytes = ep_session_state_bytes(session);
  EXPECT_GT(state_bytes, 0u);
  ep_model_destroy(model);  // the session keeps the weights alive
  int32_t id = -1;
  EXPECT_EQ(ep_session_sample(session, 1.0f, 0, 1.0f, &id), EP_STATUS_INVALID_ARGUMENT);
  const int32_t prompt[] = {1, 7, 9};
  ASSERT_EQ(ep_session_feed(session, prompt, 3), EP_STATUS_OK);
  EXPECT_EQ(ep_session_position(session), 3u);
  EXPECT_EQ(ep_session_state_bytes(session), state_bytes);
  EXPECT_EQ(ep_session_state_bytes(nullptr), 0u);
  std::vector<float> logits(16);
  EXPECT_EQ(ep_session_logits(session, logits.data(), 15), EP_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(ep_session_logits(session, logits.data(), 16), EP_STATUS_OK);
  ASSERT_EQ(ep_session_sample(session, 0.0f, 0, 1.0f, &id), EP_STATUS_OK);
  EXPECT_EQ(logits[id], *std::max_element(logits.begin(), logits.end()));
  EXPECT_EQ(ep_session_sample(session, -1.0f, 0, 1.0f, &id), EP_STATUS_INVALID_ARGUMENT);
  const int32_t bad[] = {16};
  EXPECT_EQ(ep_session_feed(session, bad, 1), EP_STATUS_OUT_OF_RANGE);
  double log2_prob = 0;
  ASSERT_EQ(ep_session_score(session, prompt, 3, &log2_prob), EP_STATUS_OK);
  EXPECT_LT(log2_prob, 0);
  ep_session_reset(session);
  EXPECT_EQ(ep_session_position(session), 0u);
  ep_session_destroy(session);
}

// Int8 weights load through the same call and give the C++ session's logits.
TEST(CApiTest, Int8ModelLoadsAndMatchesTheCppSession) {
  std::string bytes;
  ASSERT_TRUE(
      edgepiece::ReadFile(
          std::string(EDGEPIECE_SOURCE_DIR) + "/models/int8/kjvzh-lm-int8.safetensors", &bytes)
          .ok());
  ep_model* model = nullptr;
  ASSERT_EQ(ep_model_create(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &model),
            EP_STATUS_OK)
      << ep_last_error();
  ep_session* session = nullptr;
  ASSERT_EQ(ep_session_create(model, 1, &session), EP_STATUS_OK);
  const int32_t prompt[] = {1, 100, 200, 300};
  ASSERT_EQ(ep_session_feed(session, prompt, 4), EP_STATUS_OK);
  std::vector<float> logits(ep_model_vocab_size(model));
  ASSERT_EQ(ep_session_logits(session, logits.data(), logits.size()), EP_STATUS_OK);
  auto cpp_model = edgepiece::Model::FromBytes(bytes);
  ASSERT_TRUE(cpp_model.ok());
  EXPECT_TRUE(cpp_model->int8());
  auto cpp = edgepiece::Session::Create(*cpp_model);
  ASSERT_TRUE(cpp.ok());
  ASSERT_TRUE(cpp->Feed(prompt, 4).ok());
  for (size_t v = 0; v < logits.size(); ++v) ASSERT_EQ(logits[v], cpp->logits()[v]) << v;
  ep_session_destroy(session);
  ep_model_destroy(model);
}

TEST(CApiTest, EncodeBatchEqualsOneCallPerText) {
  const std::string model = BundledModel();
  ep_tokenizer* tokenizer = nullptr;
  ASSERT_EQ(
      ep_tokenizer_create(reinterpret_cast<const uint8_t*>(model.data()), model.size(), &tokenizer),
      EP_STATUS_OK);
  ep_encoder* encoder = nullptr;
  ASSERT_EQ(ep_encoder_create(tokenizer, EP_RNG_DEFAULT, 3, &encoder), EP_STATUS_OK);
  const std::vector<std::string> texts = {"In the beginning", "", "\xe4\xb8", "天行健", "a\nb"};
  std::string joined;
  std::vector<uint32_t> ends;
  for (const auto& t : texts) {
    joined += t;
    ends.push_back(static_cast<uint32_t>(joined.size()));
  }
  size_t total = 0;
  ASSERT_EQ(ep_encoder_encode_batch(encoder, reinterpret_cast<const uint8_t*>(joined.data()),
                                    ends.data(), texts.size(), 0.1, EP_ENCODE_BOS, &total),
            EP_STATUS_OK);
  const std::vector<int32_t> batch(ep_encoder_ids(encoder), ep_encoder_ids(encoder) + total);
  const std::vector<uint32_t> id_ends(ep_encoder_batch_ends(encoder),
                                      ep_encoder_batch_ends(encoder) + texts.size());
  ep_encoder_seed(encoder, 3);
  uint32_t begin = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    size_t count = 0;
    ASSERT_EQ(ep_encoder_encode(encoder, reinterpret_cast<const uint8_t*>(texts[i].data()),
                                texts[i].size(), 0.1, EP_ENCODE_BOS, &count),
              EP_STATUS_OK);
    const std::vector<int32_t> one(ep_encoder_ids(encoder), ep_encoder_ids(encoder) + count);
    EXPECT_EQ(std::vector<int32_t>(batch.begin() + begin, batch.begin() + id_ends[i]), one) << i;
    begin = id_ends[i];
  }
  const uint32_t bad_ends[] = {3, 1};
  EXPECT_EQ(ep_encoder_encode_batch(encoder, reinterpret_cast<const uint8_t*>("abc"), bad_ends, 2,
                                    -1, 0, &total),
            EP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(ep_encoder_encode_batch(encoder, reinterpret_cast<const uint8_t*>("abc"), bad_ends, 1,
                                    -1, EP_ENCODE_OFFSETS, &total),
            EP_STATUS_INVALID_ARGUMENT);
  ep_encoder_destroy(encoder);
  ep_tokenizer_destroy(tokenizer);
}

std::string DemoWeights() {
  std::string bytes;
  EXPECT_TRUE(edgepiece::ReadFile(
                  std::string(EDGEPIECE_SOURCE_DIR) + "/models/kjvzh-lm.safetensors", &bytes)
                  .ok());
  return bytes;
}

const uint8_t* Bytes(std::string_view text) {
  return reinterpret_cast<const uint8_t*>(text.data());
}

// An ep_model of `weights`, the bundled ep_tokenizer and an ep_session of
// the model, destroyed together (destroying a null handle is allowed).
struct CHandles {
  explicit CHandles(const std::string& weights) {
    const std::string tokenizer_file = BundledModel();
    EXPECT_EQ(ep_model_create(Bytes(weights), weights.size(), &model), EP_STATUS_OK);
    EXPECT_EQ(ep_tokenizer_create(Bytes(tokenizer_file), tokenizer_file.size(), &tokenizer),
              EP_STATUS_OK);
    if (model != nullptr) {
      EXPECT_EQ(ep_session_create(model, 0, &session), EP_STATUS_OK);
    }
  }
  ~CHandles() {
    ep_session_destroy(session);
    ep_tokenizer_destroy(tokenizer);
    ep_model_destroy(model);
  }
  bool ok() const { return model != nullptr && tokenizer != nullptr && session != nullptr; }

  ep_model* model = nullptr;
  ep_tokenizer* tokenizer = nullptr;
  ep_session* session = nullptr;
};

// The C++ model of `weights` and a session of it.
struct CppLm {
  explicit CppLm(const std::string& weights)
      : model(edgepiece::Model::FromBytes(weights)),
        session(model.ok() ? edgepiece::Session::Create(*model)
                           : edgepiece::Result<edgepiece::Session>(model.status())) {}
  edgepiece::Result<edgepiece::Model> model;
  edgepiece::Result<edgepiece::Session> session;
};

TEST(CApiTest, GenerateOptionsDefaultsAreTheLibraryDefaults) {
  ep_generate_options options;
  ep_generate_options_init(&options);
  const edgepiece::GenerateOptions cpp;
  EXPECT_EQ(options.temperature, cpp.sampling.temperature);
  EXPECT_EQ(options.top_k, cpp.sampling.top_k);
  EXPECT_EQ(options.top_p, cpp.sampling.top_p);
  EXPECT_EQ(options.max_tokens, cpp.max_tokens);
  EXPECT_EQ(options.stop_at_eos, 1);
  EXPECT_EQ(options.reseed, 0);
}

TEST(CApiTest, GeneratorStreamsWhatTheCppGeneratorDoes) {
  const std::string weights = DemoWeights();
  CHandles c(weights);
  ASSERT_TRUE(c.ok());
  ep_session* session = c.session;
  ep_generator* generator = nullptr;
  EXPECT_EQ(ep_generator_create(session, nullptr, &generator), EP_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(ep_generator_create(session, c.tokenizer, &generator), EP_STATUS_OK);
  ep_tokenizer_destroy(c.tokenizer);  // the generator keeps its own reference
  c.tokenizer = nullptr;

  int32_t id = 0, done = 0;
  size_t size = 0;
  EXPECT_EQ(ep_generator_next(generator, &id, &size, &done), EP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(ep_last_error()).find("Start"), std::string::npos) << ep_last_error();
  ep_generate_options options;
  ep_generate_options_init(&options);
  options.top_p = 2;
  EXPECT_EQ(ep_generator_start(generator, Bytes("x"), 1, &options), EP_STATUS_INVALID_ARGUMENT);

  // The C++ Generator on its own session and sampler: the expected stream.
  CppLm lm(weights);
  ASSERT_TRUE(lm.session.ok());
  edgepiece::Sampler cpp_sampler(0);
  auto cpp = edgepiece::Generator::Create(&*lm.session, &cpp_sampler,
                                          edgepiece::testing::LoadGoldenTokenizer("kjvzh-8k"));
  ASSERT_TRUE(cpp.ok());

  const std::string prompt = "起初，神创造天地。";
  ep_generate_options_init(&options);
  options.max_tokens = 80;
  options.stop_at_eos = 0;
  for (int round = 0; round < 3; ++round) {
    // Round 0 reseeds; rounds 1 and 2 continue the session's stream, which
    // ep_session_seed restarts before round 2.
    options.reseed = round == 0;
    options.seed = 4;
    edgepiece::GenerateOptions cpp_options;
    cpp_options.max_tokens = 80;
    cpp_options.stop_at_eos = false;
    if (round == 0) cpp_options.seed = 4;
    if (round == 2) {
      ep_session_seed(session, 4);
      cpp_sampler.Seed(4);
    }
    ASSERT_EQ(ep_generator_start(generator, Bytes(prompt), prompt.size(), &options), EP_STATUS_OK);
    ASSERT_TRUE(cpp->Start(prompt, cpp_options).ok());
    std::string text, expected_text;
    for (int i = 0; i < 80; ++i) {
      ASSERT_EQ(ep_generator_next(generator, &id, &size, &done), EP_STATUS_OK);
      text.append(reinterpret_cast<const char*>(ep_generator_text(generator)), size);
      edgepiece::GeneratedToken token;
      ASSERT_TRUE(cpp->Next(&token).ok());
      expected_text.append(token.text);
      EXPECT_EQ(id, token.id);
      EXPECT_EQ(ep_generator_log2_prob(generator), token.log2_prob);
      EXPECT_EQ(done, i == 79 ? EP_GENERATE_STOP_MAX_TOKENS : EP_GENERATE_RUNNING);
    }
    EXPECT_EQ(text, expected_text) << round;
    ASSERT_EQ(ep_generator_next(generator, &id, &size, &done), EP_STATUS_OK);
    EXPECT_EQ(id, -1);
    EXPECT_EQ(size, 0u);
    EXPECT_EQ(ep_generator_log2_prob(generator), 0) << "no token, no probability";
    EXPECT_EQ(done, EP_GENERATE_STOP_MAX_TOKENS);
  }
  EXPECT_EQ(ep_generator_log2_prob(nullptr), 0);
  size_t prompt_tokens = 0, generated = 0;
  double prefill = -1;
  ep_generator_stats(generator, &prompt_tokens, &generated, &prefill, nullptr);
  EXPECT_EQ(prompt_tokens, cpp->stats().prompt_tokens);
  EXPECT_EQ(generated, 80u);
  EXPECT_GE(prefill, 0);

  // Defaults (options NULL) stop at <eos> within 200 tokens, like the C++ defaults.
  ASSERT_EQ(ep_generator_start(generator, Bytes(prompt), prompt.size(), nullptr), EP_STATUS_OK);
  int tokens = 0;
  do {
    ASSERT_EQ(ep_generator_next(generator, &id, &size, &done), EP_STATUS_OK);
    tokens += id >= 0;
  } while (done == EP_GENERATE_RUNNING);
  EXPECT_LE(tokens, 200);
  ep_generator_destroy(generator);
}

// Snapshot, flush and append as a binding drives them: a generation saved
// after its last token (ep_generator_flush) and continued in another session
// with append gives the tokens of one uninterrupted generation.
TEST(CApiTest, SnapshotRestoreAndAppendContinueAGeneration) {
  const std::string weights = DemoWeights();
  CHandles a(weights), b(weights);
  ASSERT_TRUE(a.ok() && b.ok());
  ep_generator *first = nullptr, *second = nullptr;
  ASSERT_EQ(ep_generator_create(a.session, a.tokenizer, &first), EP_STATUS_OK);
  ASSERT_EQ(ep_generator_create(b.session, b.tokenizer, &second), EP_STATUS_OK);
  ep_generate_options options;
  ep_generate_options_init(&options);
  EXPECT_EQ(options.append, 0);
  options.stop_at_eos = 0;
  options.reseed = 1;
  options.seed = 21;
  auto run = [](ep_generator* generator, int tokens) {
    std::vector<int32_t> ids;
    int32_t id = 0, done = 0;
    size_t size = 0;
    for (int i = 0; i < tokens; ++i) {
      EXPECT_EQ(ep_generator_next(generator, &id, &size, &done), EP_STATUS_OK);
      ids.push_back(id);
    }
    return ids;
  };
  const std::string prompt = "And God said";
  options.max_tokens = 90;
  ASSERT_EQ(ep_generator_start(first, Bytes(prompt), prompt.size(), &options), EP_STATUS_OK);
  const std::vector<int32_t> expected = run(first, 90);

  options.max_tokens = 40;
  ASSERT_EQ(ep_generator_start(first, Bytes(prompt), prompt.size(), &options), EP_STATUS_OK);
  std::vector<int32_t> got = run(first, 40);
  ASSERT_EQ(ep_generator_flush(first), EP_STATUS_OK);
  const size_t size = ep_session_snapshot_size(a.session);
  std::vector<uint8_t> snapshot(size);
  size_t written = 0;
  EXPECT_EQ(ep_session_snapshot(a.session, snapshot.data(), size - 1, &written),
            EP_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(ep_session_snapshot(a.session, snapshot.data(), size, &written), EP_STATUS_OK);
  EXPECT_EQ(written, size);

  EXPECT_EQ(ep_session_restore(b.session, snapshot.data(), size - 1), EP_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(ep_last_error()).find("truncated"), std::string::npos) << ep_last_error();
  ASSERT_EQ(ep_session_restore(b.session, snapshot.data(), size), EP_STATUS_OK);
  EXPECT_EQ(ep_session_position(b.session), ep_session_position(a.session));
  options.reseed = 0;  // the restored stream continues
  options.append = 1;
  options.max_tokens = 50;
  ASSERT_EQ(ep_generator_start(second, nullptr, 0, &options), EP_STATUS_OK);
  for (const int32_t id : run(second, 50)) got.push_back(id);
  EXPECT_EQ(got, expected);
  ep_generator_destroy(first);
  ep_generator_destroy(second);
}

TEST(CApiTest, GeneratorRefusesATokenizerOfAnotherVocabulary) {
  CHandles c(edgepiece::testing::WriteSafetensors(edgepiece::testing::RandomTinyModel(3)));
  ASSERT_TRUE(c.ok());
  ep_generator* generator = nullptr;
  EXPECT_EQ(ep_generator_create(c.session, c.tokenizer, &generator), EP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(generator, nullptr);
  ep_score_result result;
  EXPECT_EQ(ep_session_score_text(c.session, c.tokenizer, Bytes("ab"), 2, &result),
            EP_STATUS_INVALID_ARGUMENT);
}

TEST(CApiTest, ScoreTextEqualsTheCppScoreText) {
  const std::string weights = DemoWeights();
  CHandles c(weights);
  ASSERT_TRUE(c.ok());
  ep_session* session = c.session;
  ep_tokenizer* tokenizer = c.tokenizer;
  const std::string text =
      "In the beginning God created the heaven and the earth. 起初，神创造天地。";
  ep_score_result result;
  EXPECT_EQ(ep_session_score_text(session, tokenizer, nullptr, 3, &result),
            EP_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(ep_session_score_text(session, tokenizer, Bytes(text), text.size(), &result),
            EP_STATUS_OK);
  CppLm lm(weights);
  ASSERT_TRUE(lm.session.ok());
  edgepiece::ScoreResult expected;
  const edgepiece::Tokenizer cpp_tokenizer = edgepiece::testing::LoadGoldenTokenizer("kjvzh-8k");
  ASSERT_TRUE(edgepiece::ScoreText(&*lm.session, cpp_tokenizer, text, &expected).ok());
  EXPECT_EQ(result.bits_per_byte, expected.bits_per_byte);
  EXPECT_EQ(result.log2_prob, expected.log2_prob);
  EXPECT_EQ(result.tokens, expected.tokens);
  EXPECT_EQ(result.bytes, text.size());
  EXPECT_GT(result.bits_per_byte, 0);
}

// Trains through the C ABI; "" (and a test failure) on error.
std::string TrainThroughCApi(const std::vector<std::string>& docs,
                             const ep_trainer_options& options) {
  ep_trainer* trainer = nullptr;
  EXPECT_EQ(ep_trainer_create(&options, &trainer), EP_STATUS_OK) << ep_last_error();
  if (trainer == nullptr) return "";
  for (const std::string& doc : docs) {
    EXPECT_EQ(ep_trainer_count(trainer, reinterpret_cast<const uint8_t*>(doc.data()), doc.size()),
              EP_STATUS_OK);
  }
  EXPECT_EQ(ep_trainer_end_counting(trainer), EP_STATUS_OK) << ep_last_error();
  for (const std::string& doc : docs) {
    EXPECT_EQ(ep_trainer_segment(trainer, reinterpret_cast<const uint8_t*>(doc.data()), doc.size()),
              EP_STATUS_OK);
  }
  uint64_t counted = 0;
  uint64_t segmented = 0;
  size_t ngrams = 0;
  size_t pieces = 0;
  ep_trainer_stats(trainer, &counted, &segmented, &ngrams, &pieces);
  EXPECT_GT(counted, 0u);
  EXPECT_EQ(counted, segmented);
  EXPECT_GT(ngrams, 0u);
  EXPECT_GT(pieces, 0u);
  size_t size = 0;
  std::string file;
  if (ep_trainer_finish(trainer, &size) == EP_STATUS_OK) {
    file.assign(reinterpret_cast<const char*>(ep_trainer_bytes(trainer)), size);
  } else {
    ADD_FAILURE() << ep_last_error();
  }
  ep_trainer_destroy(trainer);
  return file;
}

TEST(CApiTest, TrainerOptionsDefaultsAreTheCppOnes) {
  ep_trainer_options options;
  ep_trainer_options_init(&options);
  const edgepiece::TrainerOptions defaults;
  EXPECT_EQ(options.vocab_size, defaults.max_vocab_size);
  EXPECT_EQ(options.min_count, defaults.min_count);
  EXPECT_EQ(options.order, defaults.order);
  EXPECT_EQ(static_cast<size_t>(options.max_piece_length), defaults.max_piece_length);
  EXPECT_EQ(options.isolate_digits != 0, defaults.isolate_digits);
  EXPECT_EQ(options.ensure_unicode != 0, defaults.ensure_unicode);
}

TEST(CApiTest, TrainerWritesTheCppTrainersModelFile) {
  std::vector<std::string> docs;
  for (int i = 0; i < 200; ++i) {
    docs.push_back("doc " + std::to_string(i % 17) + " \xd9\xa3\xd9\xa4 the cat sat on the mat\n");
  }
  ep_trainer_options options;
  ep_trainer_options_init(&options);
  options.order = 4;
  options.vocab_size = 300;
  options.isolate_digits = 1;
  const std::string file = TrainThroughCApi(docs, options);

  edgepiece::TrainerOptions settings;
  settings.order = 4;
  settings.max_vocab_size = 300;
  settings.isolate_digits = true;
  auto trainer = edgepiece::Trainer::Create(settings);
  ASSERT_TRUE(trainer.ok());
  for (const std::string& doc : docs) ASSERT_TRUE(trainer->CountDocument(doc).ok());
  ASSERT_TRUE(trainer->EndCounting().ok());
  for (const std::string& doc : docs) ASSERT_TRUE(trainer->SegmentDocument(doc).ok());
  auto vocab = trainer->Finish();
  ASSERT_TRUE(vocab.ok());
  EXPECT_EQ(file, edgepiece::ModelFileJson(*vocab));
  ep_tokenizer* tokenizer = nullptr;
  EXPECT_EQ(
      ep_tokenizer_create(reinterpret_cast<const uint8_t*>(file.data()), file.size(), &tokenizer),
      EP_STATUS_OK);
  ep_tokenizer_destroy(tokenizer);
}

TEST(CApiTest, TrainerErrorsAreStatuses) {
  ep_trainer_options options;
  ep_trainer_options_init(&options);
  options.vocab_size = 258;
  ep_trainer* trainer = nullptr;
  EXPECT_EQ(ep_trainer_create(&options, &trainer), EP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(trainer, nullptr);
  EXPECT_NE(std::string(ep_last_error()).find("259"), std::string::npos);
  options.vocab_size = 1000;
  options.max_piece_length = -1;
  EXPECT_EQ(ep_trainer_create(&options, &trainer), EP_STATUS_INVALID_ARGUMENT);

  ASSERT_EQ(ep_trainer_create(nullptr, &trainer), EP_STATUS_OK);
  EXPECT_EQ(ep_trainer_segment(trainer, nullptr, 0), EP_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(ep_trainer_count(trainer, nullptr, 0), EP_STATUS_OK);
  EXPECT_EQ(ep_trainer_end_counting(trainer), EP_STATUS_INVALID_ARGUMENT);  // empty corpus
  EXPECT_NE(std::string(ep_last_error()).find("empty corpus"), std::string::npos);
  const uint8_t invalid[] = {'a', 0xff};
  EXPECT_EQ(ep_trainer_count(trainer, invalid, sizeof(invalid)), EP_STATUS_INVALID_ARGUMENT);
  size_t size = 0;
  EXPECT_EQ(ep_trainer_finish(trainer, &size), EP_STATUS_INVALID_ARGUMENT);
  ep_trainer_destroy(trainer);
}

}  // namespace
