// The C ABI (runtime/capi/edgepiece.h): handles, results, statuses and
// messages, as every binding sees them.
#include "runtime/capi/edgepiece.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/base/file.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/tiny_model.h"

namespace {

std::string BundledModel() {
  std::string bytes;
  EXPECT_TRUE(edgepiece::ReadFile(std::string(EDGEPIECE_SOURCE_DIR) + "/models/kjvzh-8k.model",
                                  &bytes).ok());
  return bytes;
}

TEST(CApiTest, EncodeDecodeMatchesTheCppApi) {
  const std::string model = BundledModel();
  ep_tokenizer* tokenizer = nullptr;
  ASSERT_EQ(ep_tokenizer_create(reinterpret_cast<const uint8_t*>(model.data()), model.size(),
                                &tokenizer),
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
  ep_encoder_destroy(encoder);
}

TEST(CApiTest, ErrorsReturnCodesAndMessages) {
  const std::string bad = R"({"QQ==": [3, "A", 1]})";
  ep_tokenizer* tokenizer = nullptr;
  EXPECT_EQ(ep_tokenizer_create(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(),
                                &tokenizer),
            EP_STATUS_INVALID_MODEL);
  EXPECT_EQ(tokenizer, nullptr);
  EXPECT_NE(std::string(ep_last_error()).find("0x00"), std::string::npos) << ep_last_error();
  EXPECT_EQ(ep_tokenizer_create(nullptr, 0, nullptr), EP_STATUS_INVALID_ARGUMENT);

  const std::string model = BundledModel();
  ASSERT_EQ(ep_tokenizer_create(reinterpret_cast<const uint8_t*>(model.data()), model.size(),
                                &tokenizer),
            EP_STATUS_OK);
  ep_encoder* encoder = nullptr;
  EXPECT_EQ(ep_encoder_create(tokenizer, 7, 0, &encoder), EP_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(ep_encoder_create(tokenizer, EP_RNG_DEFAULT, 0, &encoder), EP_STATUS_OK);
  const int32_t ids[] = {5, 99999};
  size_t size = 0;
  EXPECT_EQ(ep_encoder_decode(encoder, ids, 2, 0, &size), EP_STATUS_OUT_OF_RANGE);
  EXPECT_NE(std::string(ep_last_error()).find("ids[1]"), std::string::npos) << ep_last_error();
  size_t count = 0;
  EXPECT_EQ(ep_encoder_encode(encoder, reinterpret_cast<const uint8_t*>("x"), 1, HUGE_VAL, 0,
                              &count),
            EP_STATUS_INVALID_ARGUMENT);
  ep_encoder_destroy(encoder);
  ep_tokenizer_destroy(tokenizer);
}

TEST(CApiTest, ModelSessionFeedSampleScore) {
  const std::string bytes = edgepiece::testing::WriteSafetensors(edgepiece::testing::RandomTinyModel(3));
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
  ep_model_destroy(model);  // the session keeps the weights alive
  int32_t id = -1;
  EXPECT_EQ(ep_session_sample(session, 1.0f, 0, 1.0f, &id), EP_STATUS_INVALID_ARGUMENT);
  const int32_t prompt[] = {1, 7, 9};
  ASSERT_EQ(ep_session_feed(session, prompt, 3), EP_STATUS_OK);
  EXPECT_EQ(ep_session_position(session), 3u);
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

TEST(CApiTest, EncodeBatchEqualsOneCallPerText) {
  const std::string model = BundledModel();
  ep_tokenizer* tokenizer = nullptr;
  ASSERT_EQ(ep_tokenizer_create(reinterpret_cast<const uint8_t*>(model.data()), model.size(),
                                &tokenizer),
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

}  // namespace
