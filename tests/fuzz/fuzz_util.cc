#include "tests/fuzz/fuzz_util.h"

#include <random>
#include <string>
#include <vector>

#include "runtime/text/base64.h"
#include "tests/native/support/tiny_model.h"

namespace edgepiece::fuzz {

const std::string& SmallTokenizerJson() {
  static const std::string* json = [] {
    std::vector<std::string> pieces;
    for (int b = 0; b < 256; ++b) pieces.push_back(std::string(1, static_cast<char>(b)));
    // Ids must follow (length, bytes) order.
    for (const char* p : {"ab", "he", "in", "th", "abc", "ing", "the", "\xe5\xa4\xa9"}) {
      pieces.push_back(p);
    }
    auto* out = new std::string("{");
    int id = 3;
    for (size_t i = 0; i < pieces.size(); ++i) {
      *out += (i ? "," : "") + std::string("\"") + EncodeBase64(pieces[i]) + "\":[" +
              std::to_string(id++) + ",\"x\"," + std::to_string(1 + (i * 37) % 50) + "]";
    }
    *out += "}";
    return out;
  }();
  return *json;
}

const Tokenizer& SmallTokenizer() {
  static const Tokenizer* tokenizer = [] {
    auto result = Tokenizer::FromBytes(SmallTokenizerJson());
    if (!result.ok()) Fail("the small tokenizer does not load");
    return new Tokenizer(std::move(result).value());
  }();
  return *tokenizer;
}

const std::string& TinyModelBytes() {
  static const std::string* bytes = [] {
    const size_t vocab = static_cast<size_t>(SmallTokenizer().vocab_size()), d = 12;
    testing::TinyModelSpec spec = testing::RandomTinyModel(7, "gau,lru");
    spec.metadata["vocab_size"] = std::to_string(vocab);
    std::mt19937 gen(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    testing::TinyTensor embed{{vocab, d}, std::vector<float>(vocab * d)};
    for (float& v : embed.values) v = normal(gen);
    spec.tensors["embed.weight"] = embed;
    return new std::string(testing::WriteSafetensors(spec));
  }();
  return *bytes;
}

const Model& TinyModel() {
  static const Model* model = [] {
    auto result = Model::FromBytes(TinyModelBytes());
    if (!result.ok()) Fail("the tiny model does not load");
    return new Model(std::move(result).value());
  }();
  return *model;
}

}  // namespace edgepiece::fuzz
