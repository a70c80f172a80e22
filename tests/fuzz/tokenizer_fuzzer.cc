// libFuzzer target: the first byte picks a mode; the rest is either a
// tokenizer file (must load or fail cleanly: BytePiece JSON/packed, or a
// SentencePiece .model, whose loaded models then encode and decode a few
// texts) or text for the bundled-size test vocabulary (encode, sample,
// decode must round-trip to the NFC form). Seeds for .model files: any
// spm_train output (tests/spm/spm_matrix.py leaves them in the build dir).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/text/base64.h"
#include "runtime/tokenizer/tokenizer.h"

namespace {

// A small valid model: the 256 single bytes plus a few multi-byte pieces.
const edgepiece::Tokenizer& SmallTokenizer() {
  static const edgepiece::Tokenizer* tokenizer = [] {
    std::vector<std::string> pieces;
    for (int b = 0; b < 256; ++b) pieces.push_back(std::string(1, static_cast<char>(b)));
    // Ids must follow (length, bytes) order.
    for (const char* p : {"ab", "he", "in", "th", "abc", "ing", "the", "\xe5\xa4\xa9"}) {
      pieces.push_back(p);
    }
    std::string json = "{";
    int id = 3;
    for (size_t i = 0; i < pieces.size(); ++i) {
      json += (i ? "," : "") + std::string("\"") + edgepiece::EncodeBase64(pieces[i]) + "\":[" +
              std::to_string(id++) + ",\"x\"," + std::to_string(1 + (i * 37) % 50) + "]";
    }
    json += "}";
    auto result = edgepiece::Tokenizer::FromBytes(json);
    if (!result.ok()) std::abort();
    return new edgepiece::Tokenizer(std::move(result).value());
  }();
  return *tokenizer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto tokenizer = edgepiece::Tokenizer::FromBytes(rest);
    if (!tokenizer.ok() || tokenizer->sentencepiece() == nullptr) return 0;
    // A SentencePiece model that loads must encode and decode any text.
    edgepiece::Encoder encoder(*tokenizer);
    edgepiece::EncodeOptions options;
    options.with_offsets = true;
    options.with_pieces = true;
    options.add_bos = options.add_eos = true;
    edgepiece::Encoding encoding;
    for (const char* text : {"", "  Hello,  World! ", "ï¼¡â  Ã xÿ", "ä½ å¥½ 123 <s>"}) {
      if (!encoder.Encode(text, options, &encoding).ok()) continue;
      std::string decoded;
      (void)tokenizer->DecodeText(encoding.ids.data(), encoding.ids.size(), &decoded);
    }
    return 0;
  }
  edgepiece::Encoder encoder(SmallTokenizer(), edgepiece::RngKind::kGlibc, data[0]);
  edgepiece::EncodeOptions options;
  options.alpha = data[0] % 4 == 1 ? -1.0 : 0.5;
  options.with_offsets = true;
  edgepiece::Encoding encoding;
  if (!encoder.Encode(rest, options, &encoding).ok()) std::abort();
  std::string bytes;
  if (!SmallTokenizer().DecodeBytes(encoding.ids.data(), encoding.ids.size(), &bytes).ok()) {
    std::abort();
  }
  return 0;
}
