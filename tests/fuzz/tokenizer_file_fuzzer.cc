// libFuzzer target: any bytes as a tokenizer file, through Tokenizer::FromBytes
// (BytePiece JSON, its packed form, a SentencePiece .model). Loading must
// fail cleanly or give a tokenizer that encodes and decodes; a BytePiece one
// also packs, and the packed form must load again with the same pieces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/vocab.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  auto tokenizer = edgepiece::Tokenizer::FromBytes(file);
  if (!tokenizer.ok()) return 0;
  edgepiece::Encoder encoder(*tokenizer, edgepiece::RngKind::kDefault, 1);
  edgepiece::EncodeOptions options;
  options.with_offsets = true;
  edgepiece::Encoding encoding;
  // Text drawn from the file itself, so that its pieces match.
  const std::string_view text = file.substr(0, 96);
  if (tokenizer->sentencepiece() != nullptr) {
    // A SentencePiece model: deterministic encoding (sampling is refused for
    // .model files), with pieces, offsets and bos/eos; no packed form.
    options.with_pieces = true;
    options.add_bos = options.add_eos = true;
    for (std::string_view sample : {text, std::string_view("  Hello,  World! 123 <s>")}) {
      if (!encoder.Encode(sample, options, &encoding).ok()) edgepiece::fuzz::Fail("encode failed");
      std::string decoded;
      if (!tokenizer->DecodeText(encoding.ids.data(), encoding.ids.size(), &decoded).ok()) {
        edgepiece::fuzz::Fail("decode of encoded ids failed");
      }
    }
    return 0;
  }
  for (double alpha : {-1.0, 0.3}) {
    options.alpha = alpha;
    if (!encoder.Encode(text, options, &encoding).ok()) edgepiece::fuzz::Fail("encode failed");
    std::string bytes;
    if (!tokenizer->DecodeBytes(encoding.ids.data(), encoding.ids.size(), &bytes).ok()) {
      edgepiece::fuzz::Fail("decode of encoded ids failed");
    }
  }
  const std::string packed = tokenizer->vocab().Pack();
  auto again = edgepiece::Tokenizer::FromBytes(packed);
  if (!again.ok()) edgepiece::fuzz::Fail("the packed form does not load");
  if (again->vocab_size() != tokenizer->vocab_size()) {
    edgepiece::fuzz::Fail("the packed form has another vocabulary size");
  }
  for (int32_t id = 0; id < tokenizer->vocab_size(); ++id) {
    auto a = tokenizer->IdToBytes(id);
    auto b = again->IdToBytes(id);
    if (a.ok() != b.ok() || (a.ok() && *a != *b)) {
      edgepiece::fuzz::Fail("the packed form has other pieces");
    }
  }
  return 0;
}
