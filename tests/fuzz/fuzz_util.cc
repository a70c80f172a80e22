#include "tests/fuzz/fuzz_util.h"

#include <random>
#include <string>
#include <vector>

#include "runtime/text/base64.h"
#include "tests/native/support/spm_model_file.h"
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

const std::string& SmallSpmModel(bool bpe) {
  static const std::string* files = [] {
    std::vector<Piece> pieces = {{"<unk>", 0, 2},
                                 {"<s>", 0, 3},
                                 {"</s>", 0, 3},
                                 {"<ctl>", 0, 3},
                                 {kSp, -2, 1},
                                 {kSp + "a", -2.2f, 1},
                                 {kSp + "ab", -1, 1},
                                 {kSp + "the", -1.5f, 1},
                                 {"a", -3, 1},
                                 {"b", -3, 1},
                                 {"ab", -2.5f, 1},
                                 {"c", -4, 1},
                                 {"bc", -3.5f, 1},
                                 {"abc", -4.5f, 1},
                                 {"t", -3, 1},
                                 {"h", -3, 1},
                                 {"e", -3, 1},
                                 {"th", -2, 1},
                                 {"he", -2, 1},
                                 {"the", -1.8f, 1},
                                 {kSp + "t", -2.5f, 1},
                                 {kSp + "th", -2, 1},
                                 {"\xe5\xa4\xa9", -5, 1},
                                 {"\xe2\x97\x86", 0, 4},
                                 {"ca", -3.2f, 1},
                                 {"cab", -6, 5},
                                 {kSp + kSp, -6, 1}};
    pieces = WithBytePieces(std::move(pieces));
    auto* out = new std::string[2];
    out[0] = ModelFile(pieces, Trainer(1, true), Normalizer(""));
    out[1] = ModelFile(pieces, Trainer(2, true), Normalizer(""));
    return out;
  }();
  return files[bpe ? 1 : 0];
}

const Tokenizer& SmallSpmTokenizer(bool bpe) {
  static const Tokenizer* tokenizers = [] {
    auto unigram = Tokenizer::FromBytes(SmallSpmModel(false));
    auto bpe_model = Tokenizer::FromBytes(SmallSpmModel(true));
    if (!unigram.ok() || !bpe_model.ok()) Fail("the small .model files do not load");
    return new Tokenizer[2]{std::move(unigram).value(), std::move(bpe_model).value()};
  }();
  return tokenizers[bpe ? 1 : 0];
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
