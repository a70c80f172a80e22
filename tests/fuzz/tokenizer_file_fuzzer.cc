// libFuzzer target: any bytes as a tokenizer file, through Tokenizer::FromBytes
// (BytePiece JSON, its packed form, a SentencePiece .model). Loading must
// fail cleanly or give a tokenizer that encodes and decodes; a BytePiece one
// also packs, and the packed form must load again with the same pieces.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  if (const edgepiece::SpmProcessor* spm = tokenizer->sentencepiece(); spm != nullptr) {
    // A SentencePiece model: deterministic encoding and sampling (the whole lattice and the
    // n best for Unigram, dropout for BPE), with pieces, offsets and bos/eos; decoding one-shot
    // and streamed in pieces of 1-3 ids, which must agree; no packed form.
    options.with_pieces = true;
    options.add_bos = options.add_eos = true;
    const bool bpe = spm->model().model_type == edgepiece::SpmModelType::kBpe;
    const std::pair<double, int32_t> samplings[] = {{-1.0, -1}, {0.3, -1}, {0.5, bpe ? -1 : 4}};
    for (std::string_view sample : {text, std::string_view("  Hello,  World! 123 <s>")}) {
      for (const auto& [alpha, nbest] : samplings) {
        options.alpha = alpha;
        options.nbest_size = nbest;
        const edgepiece::Status status = encoder.Encode(sample, options, &encoding);
        if (!status.ok()) {
          // A character spelled like a control piece is refused, as SentencePiece does.
          if (status.detail().find("control piece") != std::string::npos) continue;
          edgepiece::fuzz::Fail("encode failed: " + status.ToString());
        }
        std::string decoded, streamed;
        const std::vector<int32_t>& ids = encoding.ids;
        if (!tokenizer->DecodeText(ids.data(), ids.size(), &decoded).ok()) {
          edgepiece::fuzz::Fail("decode of encoded ids failed");
        }
        edgepiece::TokenDecoder decoder(*tokenizer);
        for (size_t at = 0; at < ids.size(); at += 1 + at % 3) {
          const size_t n = std::min(1 + at % 3, ids.size() - at);
          if (!decoder.Feed(ids.data() + at, n, &streamed).ok()) edgepiece::fuzz::Fail("feed");
        }
        if (!decoder.Finish(&streamed).ok() || streamed != decoded) {
          edgepiece::fuzz::Fail("streamed decode differs from the one-shot decode");
        }
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
