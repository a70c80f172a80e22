// The stepping Generator: the same tokens and text as the plain loop it
// replaced (sample, stop at <eos>, feed), UTF-8 held back across tokens,
// the stop reasons, the sampling stream and the one set of defaults.
#include "runtime/model/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/model/model.h"
#include "runtime/text/utf8.h"
#include "tests/native/support/demo_lm.h"
#include "tests/native/support/tiny_model.h"

namespace edgepiece {
namespace {

using testing::Demo;

const std::string kRoot = EDGEPIECE_SOURCE_DIR;

struct Stream {
  std::vector<int32_t> ids;  // returned tokens
  std::string text;          // their final text, concatenated
  std::vector<std::string> pieces;
  StopReason stop = StopReason::kNone;
};

// Drives a started generator to its end.
Stream Drain(Generator* generator) {
  Stream run;
  for (;;) {
    GeneratedToken token;
    EXPECT_TRUE(generator->Next(&token).ok());
    if (token.id >= 0) run.ids.push_back(token.id);
    run.text.append(token.text);
    run.pieces.emplace_back(token.text);
    if (token.stop != StopReason::kNone) {
      run.stop = token.stop;
      return run;
    }
  }
}

// The loop the CLI ran before the Generator existed: a fresh sampler per
// call, sample, stop at <eos>, decode, feed all but the last token.
Stream Reference(Session* session, const Tokenizer& tokenizer, std::string_view prompt,
                 const GenerateOptions& options) {
  Stream run;
  Encoder encoder(tokenizer);
  EncodeOptions encode;
  encode.add_bos = true;
  const std::vector<int32_t> ids = *encoder.Encode(prompt, encode);
  session->Reset();
  EXPECT_TRUE(session->Feed(ids.data(), ids.size()).ok());
  Sampler sampler(options.seed.value_or(0));
  std::string bytes;
  run.stop = StopReason::kMaxTokens;
  for (int i = 0; i < options.max_tokens; ++i) {
    const int32_t id = sampler.Sample(session->logits(), session->vocab_size(), options.sampling);
    if (options.stop_at_eos && id == session->model().config().eos_id) {
      run.stop = StopReason::kEos;
      break;
    }
    run.ids.push_back(id);
    bytes.append(*tokenizer.IdToBytes(id));
    if (i + 1 < options.max_tokens) {
      EXPECT_TRUE(session->Feed(&id, 1).ok());
    }
  }
  AppendUtf8Ignoring(bytes, &run.text);
  return run;
}

TEST(Generator, DefaultsAreTheOnesTheFrontEndsShow) {
  const GenerateOptions options;
  EXPECT_EQ(options.sampling.temperature, 0.8f);
  EXPECT_EQ(options.sampling.top_k, 0);
  EXPECT_EQ(options.sampling.top_p, 0.95f);
  EXPECT_EQ(options.max_tokens, 200);
  EXPECT_TRUE(options.stop_at_eos);
  EXPECT_FALSE(options.seed.has_value());
}

TEST(Generator, SteppingEqualsThePlainLoopOnTheDemoModel) {
  Result<Session> session = Session::Create(Demo().model);
  ASSERT_TRUE(session.ok());
  Sampler sampler(12345);  // reseeded by every Start below
  Result<Generator> generator = Generator::Create(&*session, &sampler, Demo().tokenizer);
  ASSERT_TRUE(generator.ok()) << generator.status().ToString();
  struct Case {
    const char* prompt;
    float temperature;
    float top_p;
    int top_k;
    int max_tokens;
    bool stop_at_eos;
    uint32_t seed;
  };
  bool saw_eos = false;
  for (const Case& c :
       {Case{"In the beginning", 0.0f, 1.0f, 0, 64, true, 0},
        Case{"In the beginning", 0.8f, 0.95f, 0, 200, true, 1},
        Case{"In the beginning", 1.0f, 1.0f, 0, 400, true, 3},
        Case{"起初，神创造天地。", 0.8f, 0.95f, 0, 150, false, 3},
        Case{"And God said", 1.2f, 0.9f, 40, 100, true, 42}, Case{"", 1.0f, 1.0f, 0, 120, true, 5},
        Case{"耶稣", 1.0f, 1.0f, 0, 300, true, 11}}) {
    GenerateOptions options;
    options.sampling = {c.temperature, c.top_k, c.top_p};
    options.max_tokens = c.max_tokens;
    options.stop_at_eos = c.stop_at_eos;
    options.seed = c.seed;
    ASSERT_TRUE(generator->Start(c.prompt, options).ok());
    const Stream run = Drain(&*generator);
    const size_t position = session->position();
    const Stream expected = Reference(&*session, Demo().tokenizer, c.prompt, options);
    EXPECT_EQ(run.ids, expected.ids) << c.prompt << " seed " << c.seed;
    EXPECT_EQ(run.text, expected.text) << c.prompt << " seed " << c.seed;
    EXPECT_EQ(run.stop, expected.stop) << c.prompt << " seed " << c.seed;
    EXPECT_EQ(position, session->position()) << "the last token is not fed";
    EXPECT_EQ(generator->stats().generated_tokens, run.ids.size());
    EXPECT_EQ(generator->stats().stopped_at_eos, run.stop == StopReason::kEos);
    for (const std::string& piece : run.pieces) EXPECT_TRUE(IsValidUtf8(piece));
    saw_eos |= run.stop == StopReason::kEos;
  }
  EXPECT_TRUE(saw_eos) << "no case stopped at <eos>: pick other seeds";
}

// log2 softmax(logits)[id], summed in double apart from the runtime's kernels.
double ReferenceLog2Prob(const float* logits, size_t vocab, int32_t id) {
  double max = logits[0];
  for (size_t i = 1; i < vocab; ++i) max = std::max<double>(max, logits[i]);
  double sum = 0;
  for (size_t i = 0; i < vocab; ++i) sum += std::exp(logits[i] - max);
  return (logits[id] - max - std::log(sum)) / std::log(2.0);
}

// Each token's log2_prob is the model's own (temperature 1, unfiltered)
// probability of it given the logits it was sampled from, whatever the
// sampling options; over a run they add up to Session::Score of its ids.
TEST(Generator, ReportsEachTokensLog2ProbUnderTheModel) {
  Result<Session> session = Session::Create(Demo().model);
  ASSERT_TRUE(session.ok());
  Sampler sampler;
  Result<Generator> generator = Generator::Create(&*session, &sampler, Demo().tokenizer);
  ASSERT_TRUE(generator.ok());
  const std::string prompt = "In the beginning";
  for (const float temperature : {0.0f, 1.5f}) {
    GenerateOptions options;
    options.sampling = {temperature, temperature > 0 ? 20 : 0, 0.9f};
    options.max_tokens = 48;
    options.seed = 9;
    ASSERT_TRUE(generator->Start(prompt, options).ok());
    std::vector<int32_t> ids;
    double sum = 0;
    for (;;) {
      GeneratedToken token;
      ASSERT_TRUE(generator->Next(&token).ok());
      if (token.id < 0) {
        EXPECT_EQ(token.log2_prob, 0);
        break;
      }
      // The token is not fed yet: the session's logits are those it was sampled from.
      const double expected = ReferenceLog2Prob(session->logits(), session->vocab_size(), token.id);
      EXPECT_NEAR(token.log2_prob, expected, 1e-4) << ids.size();
      EXPECT_LE(token.log2_prob, 0);
      ids.push_back(token.id);
      sum += token.log2_prob;
    }
    ASSERT_EQ(ids.size(), 48u);
    if (temperature > 0) EXPECT_LT(sum, -1) << "a sampled run is not all near-certain tokens";
    // Score the prompt and the same ids from scratch: the same sum.
    Encoder encoder(Demo().tokenizer);
    EncodeOptions encode;
    encode.add_bos = true;
    const std::vector<int32_t> prompt_ids = *encoder.Encode(prompt, encode);
    session->Reset();
    ASSERT_TRUE(session->Feed(prompt_ids.data(), prompt_ids.size()).ok());
    double scored = 0;
    ASSERT_TRUE(session->Score(ids.data(), ids.size(), &scored).ok());
    EXPECT_NEAR(sum, scored, 1e-3 * (1 + std::abs(scored))) << temperature;
  }
}

// A byte-level tokenizer (256 byte pieces + "ab": 260 ids) and random tiny
// models of that vocabulary, for fast runs of many tokens.
Tokenizer TinyTokenizer() {
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.emplace_back(1, static_cast<char>(b));
  pieces.emplace_back("ab");
  Result<Tokenizer> tokenizer = Tokenizer::FromPieces(pieces, std::vector<uint64_t>(257, 5));
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  return *tokenizer;
}

Model TinyModel(uint32_t seed) {
  testing::TinyModelSpec spec = testing::RandomTinyModel(seed);
  const size_t d = spec.tensors["embed.weight"].shape[1];
  spec.metadata["vocab_size"] = "260";
  testing::TinyTensor& embed = spec.tensors["embed.weight"];
  embed.shape[0] = 260;
  embed.values.resize(260 * d);
  for (size_t i = 16 * d; i < embed.values.size(); ++i) embed.values[i] = std::sin(i * 0.7f);
  Result<Model> model = Model::FromBytes(testing::WriteSafetensors(spec));
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return *model;
}

// Characters split across tokens come whole with their last token: the
// pieces are the whole stream's text, which per-token decoding is not.
TEST(Generator, HoldsBackCharactersSplitAcrossTokens) {
  Result<Session> session = Session::Create(Demo().model);
  ASSERT_TRUE(session.ok());
  Sampler sampler;
  Result<Generator> generator = Generator::Create(&*session, &sampler, Demo().tokenizer);
  ASSERT_TRUE(generator.ok());
  GenerateOptions options;
  options.sampling = {1.5f, 0, 1.0f};  // hot: rare characters, spelled in byte tokens
  options.max_tokens = 600;
  options.stop_at_eos = false;
  options.seed = 2;
  ASSERT_TRUE(generator->Start("天地玄黄，宇宙洪荒。", options).ok());
  const Stream run = Drain(&*generator);
  ASSERT_EQ(run.ids.size(), 600u);
  EXPECT_EQ(run.stop, StopReason::kMaxTokens);
  std::string bytes, per_token;
  size_t held = 0;  // tokens that ended inside a character
  for (size_t i = 0; i < run.ids.size(); ++i) {
    const std::string_view piece = *Demo().tokenizer.IdToBytes(run.ids[i]);
    bytes.append(piece);
    AppendUtf8Ignoring(piece, &per_token);
    EXPECT_TRUE(IsValidUtf8(run.pieces[i]));
    Utf8StreamDecoder decoder;
    std::string ignored;
    decoder.Feed(bytes, &ignored);
    held += decoder.pending() > 0;
  }
  std::string expected;
  AppendUtf8Ignoring(bytes, &expected);
  EXPECT_EQ(run.text, expected);
  EXPECT_GT(held, 0u);
  EXPECT_NE(per_token, expected) << "no character was split across tokens: pick another seed";
}

TEST(Generator, StopsAtEosOrMaxTokensAndStaysStopped) {
  const Model model = TinyModel(3);
  Result<Session> session = Session::Create(model);
  ASSERT_TRUE(session.ok());
  Sampler sampler;
  Result<Generator> generator = Generator::Create(&*session, &sampler, TinyTokenizer());
  ASSERT_TRUE(generator.ok());
  GeneratedToken token;
  EXPECT_EQ(generator->Next(&token).code(), StatusCode::kInvalidArgument);  // before Start

  GenerateOptions options;
  options.sampling.temperature = 3.0f;
  options.max_tokens = 1000;
  options.seed = 1;
  ASSERT_TRUE(generator->Start("ab", options).ok());
  EXPECT_EQ(generator->stats().prompt_tokens, 2u);  // <bos> ab
  const Stream eos = Drain(&*generator);
  ASSERT_EQ(eos.stop, StopReason::kEos) << "no <eos> in 1000 tokens: pick another seed";
  EXPECT_LT(eos.ids.size(), 1000u);
  EXPECT_TRUE(generator->stats().stopped_at_eos);
  for (int32_t id : eos.ids) EXPECT_NE(id, 2);
  ASSERT_TRUE(generator->Next(&token).ok());
  EXPECT_EQ(token.id, -1);
  EXPECT_EQ(token.stop, StopReason::kEos);

  // The same stream without the stop: <eos> becomes a token, and max_tokens ends it.
  options.stop_at_eos = false;
  options.max_tokens = static_cast<int>(eos.ids.size()) + 5;
  ASSERT_TRUE(generator->Start("ab", options).ok());
  const Stream ignoring = Drain(&*generator);
  EXPECT_EQ(ignoring.stop, StopReason::kMaxTokens);
  ASSERT_EQ(ignoring.ids.size(), eos.ids.size() + 5);
  EXPECT_EQ(std::vector<int32_t>(ignoring.ids.begin(), ignoring.ids.begin() + eos.ids.size()),
            eos.ids);
  EXPECT_EQ(ignoring.ids[eos.ids.size()], 2);
  EXPECT_EQ(session->position(), 2 + ignoring.ids.size() - 1);
  ASSERT_TRUE(generator->Next(&token).ok());
  EXPECT_EQ(token.id, -1);
  EXPECT_EQ(token.stop, StopReason::kMaxTokens);

  options.max_tokens = 0;
  ASSERT_TRUE(generator->Start("ab", options).ok());
  ASSERT_TRUE(generator->Next(&token).ok());
  EXPECT_EQ(token.id, -1);
  EXPECT_EQ(token.stop, StopReason::kMaxTokens);
  EXPECT_EQ(session->position(), 2u);
}

TEST(Generator, SeedRestartsTheSamplersStreamAndNoSeedContinuesIt) {
  const Model model = TinyModel(5);
  Result<Session> session = Session::Create(model);
  ASSERT_TRUE(session.ok());
  Sampler sampler;
  Result<Generator> generator = Generator::Create(&*session, &sampler, TinyTokenizer());
  ASSERT_TRUE(generator.ok());
  GenerateOptions options;
  options.sampling.temperature = 2.0f;
  options.max_tokens = 30;
  options.stop_at_eos = false;
  options.seed = 77;
  ASSERT_TRUE(generator->Start("a", options).ok());
  const Stream first = Drain(&*generator);
  ASSERT_TRUE(generator->Start("a", options).ok());
  EXPECT_EQ(Drain(&*generator).ids, first.ids);
  options.seed.reset();
  ASSERT_TRUE(generator->Start("a", options).ok());
  EXPECT_NE(Drain(&*generator).ids, first.ids);  // the stream went on
  // A sampler seeded by hand is the same stream as options.seed.
  sampler.Seed(77);
  ASSERT_TRUE(generator->Start("a", options).ok());
  EXPECT_EQ(Drain(&*generator).ids, first.ids);
}

TEST(Generator, RejectsBadOptionsAndMismatchedVocabularies) {
  const Model model = TinyModel(5);
  Result<Session> session = Session::Create(model);
  ASSERT_TRUE(session.ok());
  Sampler sampler;
  EXPECT_EQ(Generator::Create(&*session, &sampler, Demo().tokenizer).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Generator::Create(&*session, nullptr, TinyTokenizer()).status().code(),
            StatusCode::kInvalidArgument);
  Result<Generator> generator = Generator::Create(&*session, &sampler, TinyTokenizer());
  ASSERT_TRUE(generator.ok());
  GenerateOptions options;
  options.max_tokens = -1;
  EXPECT_EQ(generator->Start("a", options).code(), StatusCode::kInvalidArgument);
  options = GenerateOptions();
  options.sampling.top_p = 0;
  EXPECT_EQ(generator->Start("a", options).code(), StatusCode::kInvalidArgument);
  GeneratedToken token;
  EXPECT_EQ(generator->Next(&token).code(), StatusCode::kInvalidArgument);  // no generation
  ASSERT_TRUE(generator->Start("a", GenerateOptions()).ok());
  EXPECT_TRUE(generator->Next(&token).ok());
}

}  // namespace
}  // namespace edgepiece
