// Language-model runtime on small synthetic models: the weights loader's
// validation, and the claim that every way of feeding a sequence (one
// prefill, token by token, odd segment sizes, scoring) computes the same
// function. Parity with the PyTorch reference is in model_golden_test.cc.
#include "runtime/model/model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/model/session.h"
#include "runtime/model/weights_layout.h"
#include "tests/native/support/session_logits.h"
#include "tests/native/support/tiny_model.h"

namespace edgepiece {
namespace {

using testing::LogitsAfterSegments;
using testing::RandomTinyModel;
using testing::TinyModelSpec;
using testing::WriteSafetensors;

Model LoadOrDie(const TinyModelSpec& spec) {
  Result<Model> model = Model::FromBytes(WriteSafetensors(spec));
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

std::vector<int32_t> RandomIds(size_t n, int vocab, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = static_cast<int32_t>(gen() % vocab);
  return ids;
}

TEST(ModelLoad, ReadsConfigAndCountsParameters) {
  const TinyModelSpec spec = RandomTinyModel(1);
  const Model model = LoadOrDie(spec);
  EXPECT_EQ(model.config().d_model, 12);
  EXPECT_EQ(model.config().layers.size(), 3u);
  size_t params = 0;
  for (const auto& [name, t] : spec.tensors) params += t.values.size();
  EXPECT_EQ(model.num_parameters(), params);
}

// The layout table names every file tensor exactly once, and the arena is
// the sum of its rows: the loader sizes and fills the arena from this table
// alone.
TEST(ModelLoad, LayoutTableCoversTheFileAndSizesTheArena) {
  for (const std::string layers : {"gau", "lru", "gau,lru,gau", "lru,lru,gau,gau"}) {
    const TinyModelSpec spec = RandomTinyModel(3, layers);
    const Model model = LoadOrDie(spec);
    std::map<std::string, int> named;
    uint64_t floats = 0;
    ModelWeights views;
    ASSERT_TRUE(ForEachTensor(model.config(), &views, [&](const TensorSpec& t) {
                  for (const FileTensor& source : t.sources) {
                    ++named[source.name];
                    EXPECT_EQ(source.shape, spec.tensors.at(source.name).shape) << source.name;
                  }
                  floats += ArenaFloats(t.storage == Storage::kF16 && model.embed_f16() == nullptr
                                            ? Storage::kF32
                                            : t.storage,
                                        t.rows, t.cols);
                  return Status::Ok();
                }).ok());
    EXPECT_EQ(named.size(), spec.tensors.size()) << layers;
    for (const auto& [name, count] : named) EXPECT_EQ(count, 1) << name;
    EXPECT_EQ(model.weight_bytes(), floats * sizeof(float)) << layers;
    ASSERT_EQ(views.layers.size(), model.layers().size());
  }
}

// Bit for bit, not within a tolerance: every output is summed in the same
// order whatever the segment size (matrix-vector and matrix-matrix tiles
// share one reduction, and a chunk's k_lin (x) v sum enters the state once,
// when the chunk ends).
TEST(ModelSession, PrefillEqualsTokenByTokenEqualsOddSegments) {
  for (const std::string layers : {"gau", "lru", "gau,lru,gau", "lru,lru,gau,gau"}) {
    const Model model = LoadOrDie(RandomTinyModel(7, layers));
    const std::vector<int32_t> ids = RandomIds(23, 16, 3);  // spans 6 chunks of 4
    // Reference: logits after each single token.
    const auto one = LogitsAfterSegments(model, ids, {1});
    for (const std::vector<size_t>& sizes :
         std::vector<std::vector<size_t>>{{23}, {3}, {2, 5, 1}, {4}, {7, 1, 1}}) {
      const auto fed = LogitsAfterSegments(model, ids, sizes);
      for (size_t p = 0; p < ids.size(); ++p) {
        if (fed[p].empty()) continue;  // inside a segment
        ASSERT_EQ(fed[p].size(), 16u);
        for (size_t v = 0; v < 16; ++v) {
          EXPECT_EQ(fed[p][v], one[p][v]) << layers << " prefix " << p + 1 << " id " << v;
        }
      }
    }
  }
}

// A tiny model with chunks of 32 tokens: a scored segment then spans several
// blocks of head rows (kHeadBlockRows), and a partial last block.
Model LongChunkModel(const std::string& layers) {
  TinyModelSpec spec = RandomTinyModel(11, layers);
  spec.metadata["chunk"] = "32";
  return LoadOrDie(spec);
}

// Score runs the prefill path and the head in blocks; each token's term is
// the very value token-by-token feeding gives (bit for bit: the logits are
// the same bits, summed in the same order), and within 1e-6 of a float64
// log-softmax.
TEST(ModelSession, ScoreEqualsLogSoftmaxOfFedLogits) {
  for (const std::string layers : {"gau,lru,gau", "lru"}) {
    const Model model = LongChunkModel(layers);
    const std::vector<int32_t> ids = RandomIds(150, 16, 5);  // 5 chunks, the last partial
    Result<Session> session = Session::Create(model);
    ASSERT_TRUE(session.ok());
    double expected = 0, reference = 0;
    ASSERT_TRUE(session->Feed(ids.data(), 1).ok());
    for (size_t i = 1; i < ids.size(); ++i) {
      const float* l = session->logits();
      expected += TokenLog2Prob(l, 16, ids[i]);
      double max = *std::max_element(l, l + 16), sum = 0;
      for (int v = 0; v < 16; ++v) sum += std::exp(double(l[v]) - max);
      reference += (l[ids[i]] - max - std::log(sum)) / std::log(2.0);
      ASSERT_TRUE(session->Feed(&ids[i], 1).ok());
    }
    session->Reset();
    double scored = 0;
    ASSERT_TRUE(session->Feed(ids.data(), 1).ok());
    ASSERT_TRUE(session->Score(ids.data() + 1, ids.size() - 1, &scored).ok());
    EXPECT_EQ(scored, expected) << layers;
    EXPECT_NEAR(scored, reference, 1e-6 * std::fabs(reference)) << layers;
    EXPECT_EQ(session->position(), ids.size());
  }
}

// Streaming a text through repeated Score calls (as the CLI does) gives the
// one call's bits, and leaves exactly the state Feed leaves: the logits then
// and after further tokens are the same bits.
TEST(ModelSession, ScoreInPiecesEqualsOneCallAndLeavesTheFedState) {
  const Model model = LongChunkModel("gau,lru,gau");
  const std::vector<int32_t> ids = RandomIds(200, 16, 8);
  Result<Session> fed = Session::Create(model);
  Result<Session> scored = Session::Create(model);
  ASSERT_TRUE(fed.ok() && scored.ok());
  ASSERT_TRUE(fed->Feed(ids.data(), 1).ok());
  ASSERT_TRUE(scored->Feed(ids.data(), 1).ok());
  double whole = 0;
  ASSERT_TRUE(scored->Score(ids.data() + 1, ids.size() - 1, &whole).ok());
  scored->Reset();
  ASSERT_TRUE(scored->Feed(ids.data(), 1).ok());
  double pieces = 0;
  size_t at = 1, k = 0;
  const size_t sizes[] = {1, 2, 13, 31, 33, 64, 5};
  while (at < ids.size()) {
    const size_t n = std::min(sizes[k++ % 7], ids.size() - at);
    ASSERT_TRUE(scored->Score(ids.data() + at, n, &pieces).ok());
    ASSERT_TRUE(fed->Feed(ids.data() + at, n).ok());
    at += n;
    ASSERT_EQ(scored->position(), fed->position());
    for (size_t v = 0; v < 16; ++v) ASSERT_EQ(scored->logits()[v], fed->logits()[v]) << at;
  }
  EXPECT_EQ(pieces, whole);
  const std::vector<int32_t> more = RandomIds(40, 16, 9);
  for (int32_t id : more) {
    ASSERT_TRUE(scored->Feed(&id, 1).ok());
    ASSERT_TRUE(fed->Feed(&id, 1).ok());
    for (size_t v = 0; v < 16; ++v) ASSERT_EQ(scored->logits()[v], fed->logits()[v]);
  }
}

TEST(ModelSession, RejectsIdsOutsideTheVocabularyAndKeepsWorking) {
  const Model model = LoadOrDie(RandomTinyModel(2));
  Result<Session> session = Session::Create(model);
  ASSERT_TRUE(session.ok());
  for (int32_t bad : {-1, 16, 1 << 30}) {
    const int32_t ids[] = {1, bad};
    Status s = session->Feed(ids, 2);
    EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
    EXPECT_EQ(session->position(), 0u);  // nothing fed
  }
  double lp = 0;
  const int32_t id = 3;
  EXPECT_EQ(session->Score(&id, 1, &lp).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(session->Feed(&id, 1).ok());
}

TEST(ModelSession, StateDoesNotGrowWithLength) {
  const Model model = LoadOrDie(RandomTinyModel(4));
  Result<Session> session = Session::Create(model);
  ASSERT_TRUE(session.ok());
  const size_t bytes = session->StateBytes();
  const std::vector<int32_t> ids = RandomIds(10000, 16, 9);
  for (int32_t id : ids) ASSERT_TRUE(session->Feed(&id, 1).ok());
  EXPECT_EQ(session->StateBytes(), bytes);
  double log2_prob = 0;  // Score's block of logits is part of the session from the start
  ASSERT_TRUE(session->Score(ids.data(), ids.size(), &log2_prob).ok());
  EXPECT_EQ(session->StateBytes(), bytes);
  for (size_t v = 0; v < 16; ++v) EXPECT_TRUE(std::isfinite(session->logits()[v]));
}

TEST(ModelSession, RefusesStateBeyondTheLimit) {
  // A GAU layer's M and P are [s, e] each: 16384 x 16384 floats is 1 GiB apiece.
  TinyModelSpec spec = RandomTinyModel(6, "gau");
  spec.metadata["expansion"] = spec.metadata["key_size"] = "16384";
  spec.tensors["layers.0.gau.w_in"] = {{3 * 16384, 12}, std::vector<float>(3 * 16384 * 12, 0.01f)};
  spec.tensors["layers.0.gau.gamma"] = {{4, 16384}, std::vector<float>(4 * 16384, 1.0f)};
  spec.tensors["layers.0.gau.beta"] = {{4, 16384}, std::vector<float>(4 * 16384, 0.0f)};
  spec.tensors["layers.0.gau.w_out"] = {{12, 16384}, std::vector<float>(12 * 16384, 0.01f)};
  const Model model = LoadOrDie(spec);
  Result<Session> session = Session::Create(model);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kOutOfMemory) << session.status().ToString();
}

// --- every malformed-weights class the loader must name -------------------

void ExpectLoadError(const TinyModelSpec& spec, StatusCode code, const std::string& needle) {
  Result<Model> model = Model::FromBytes(WriteSafetensors(spec));
  ASSERT_FALSE(model.ok()) << "loaded, expected: " << needle;
  EXPECT_EQ(model.status().code(), code) << model.status().ToString();
  EXPECT_NE(model.status().detail().find(needle), std::string::npos)
      << model.status().ToString() << "\n  expected to mention: " << needle;
}

TEST(ModelLoad, MissingTensor) {
  TinyModelSpec spec = RandomTinyModel(1);
  spec.tensors.erase("layers.1.lru.c_im");
  ExpectLoadError(spec, StatusCode::kInvalidModel, "missing tensor \"layers.1.lru.c_im\"");
}

TEST(ModelLoad, ExtraTensor) {
  TinyModelSpec spec = RandomTinyModel(1);
  spec.tensors["layers.9.gau.w_in"] = {{2}, {1, 2}};
  ExpectLoadError(spec, StatusCode::kInvalidModel, "unexpected tensor \"layers.9.gau.w_in\"");
}

TEST(ModelLoad, WrongShape) {
  TinyModelSpec spec = RandomTinyModel(1);
  spec.tensors["layers.0.gau.w_out"].shape = {20, 12};  // transposed
  ExpectLoadError(spec, StatusCode::kInvalidModel, "\"layers.0.gau.w_out\" has shape [20, 12]");
}

TEST(ModelLoad, NonFiniteWeight) {
  TinyModelSpec spec = RandomTinyModel(1);
  spec.tensors["norm.weight"].values[5] = NAN;
  ExpectLoadError(spec, StatusCode::kInvalidModel, "\"norm.weight\" element 5 is not finite");
}

TEST(ModelLoad, BadMetadata) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"format", "gpt2"},         {"version", "2"},         {"d_model", "abc"},
      {"d_model", "-3"},          {"chunk", "0"},           {"key_size", "7"},
      {"layers", "gau,mlp"},      {"layers", ""},           {"norm_eps", "nan"},
      {"rope_base", "-1"},        {"attention", "softmax"}, {"eos_id", "16"},
      {"vocab_size", "99999999"},
  };
  for (const auto& [key, value] : cases) {
    TinyModelSpec spec = RandomTinyModel(1);
    spec.metadata[key] = value;
    ExpectLoadError(spec, StatusCode::kInvalidModel, key);
  }
  TinyModelSpec spec = RandomTinyModel(1);
  spec.metadata.erase("lru_states");
  ExpectLoadError(spec, StatusCode::kInvalidModel, "\"lru_states\": missing");
}

TEST(ModelLoad, TruncationsNeverCrash) {
  const std::string bytes = WriteSafetensors(RandomTinyModel(3));
  std::mt19937 gen(5);
  for (int i = 0; i < 300; ++i) {
    const size_t cut = gen() % bytes.size();
    EXPECT_FALSE(Model::FromBytes(std::string_view(bytes.data(), cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace edgepiece
