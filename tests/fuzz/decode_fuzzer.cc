// libFuzzer target: decode random ids (in and out of the vocabulary) with
// DecodeBytes and DecodeText, and feed the pieces to the incremental decoder
// (Utf8StreamDecoder) in random splits: out-of-range ids are an error that
// writes nothing, and the stream's text equals DecodeText's; TokenDecoder in
// splits equals DecodeText, on the small BytePiece and SentencePiece models.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/text/utf8.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
using edgepiece::fuzz::Fail;

// TokenDecoder fed `ids` in pieces of 1..5 ids (sizes taken from the ids) gives DecodeText's
// text, holding back at most 3 bytes between calls.
void CheckTokenDecoder(const edgepiece::Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
  std::string once, streamed;
  if (!tokenizer.DecodeText(ids.data(), ids.size(), &once).ok()) Fail("DecodeText");
  edgepiece::TokenDecoder decoder(tokenizer);
  for (size_t at = 0; at < ids.size();) {
    const size_t step = std::min<size_t>(1 + static_cast<uint32_t>(ids[at]) % 5, ids.size() - at);
    if (!decoder.Feed(ids.data() + at, step, &streamed).ok()) Fail("TokenDecoder::Feed");
    if (decoder.pending() > 3) Fail("TokenDecoder holds back more than 3 bytes");
    at += step;
  }
  if (!decoder.Finish(&streamed).ok()) Fail("TokenDecoder::Finish");
  if (streamed != once) Fail("TokenDecoder's text differs from DecodeText");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  edgepiece::fuzz::FuzzInput input(data, size);
  const edgepiece::Tokenizer& tokenizer = edgepiece::fuzz::SmallTokenizer();
  const int32_t vocab = tokenizer.vocab_size();
  std::vector<int32_t> ids;
  bool all_valid = true;
  while (!input.empty() && ids.size() < 4096) {
    const uint8_t kind = input.Byte();
    int32_t id;
    if (kind < 250) {
      id = static_cast<int32_t>(input.Below(static_cast<uint32_t>(vocab)));
    } else {
      id = static_cast<int32_t>(input.U32());  // anything, usually out of range
    }
    all_valid = all_valid && id >= 0 && id < vocab;
    ids.push_back(id);
  }
  std::string bytes, text;  // both calls append
  const bool bytes_ok = tokenizer.DecodeBytes(ids.data(), ids.size(), &bytes).ok();
  const bool text_ok = tokenizer.DecodeText(ids.data(), ids.size(), &text).ok();
  if (bytes_ok != all_valid || text_ok != all_valid) Fail("status disagrees with the ids");
  if (!all_valid) return 0;
  std::string ignoring;
  edgepiece::AppendUtf8Ignoring(bytes, &ignoring);
  if (text != ignoring) Fail("DecodeText is not DecodeBytes with invalid UTF-8 dropped");
  edgepiece::Utf8StreamDecoder stream;
  std::string streamed;
  for (int32_t id : ids) {
    auto piece = tokenizer.IdToBytes(id);
    if (!piece.ok()) Fail("IdToBytes of a valid id");
    stream.Feed(*piece, &streamed);
    if (stream.pending() > 3) Fail("stream holds back more than 3 bytes");
  }
  stream.Finish(&streamed);
  if (streamed != text) Fail("stream text differs from DecodeText");
  if (!edgepiece::IsValidUtf8(text)) Fail("DecodeText is not valid UTF-8");
  CheckTokenDecoder(tokenizer, ids);
  // The same ids on the small SentencePiece models (Unigram and BPE share one vocabulary).
  const edgepiece::Tokenizer& spm = edgepiece::fuzz::SmallSpmTokenizer(false);
  for (int32_t& id : ids) id %= spm.vocab_size();
  std::string spm_text;
  if (!spm.DecodeText(ids.data(), ids.size(), &spm_text).ok()) Fail("SentencePiece decode");
  if (!edgepiece::IsValidUtf8(spm_text)) Fail("SentencePiece decode is not valid UTF-8");
  CheckTokenDecoder(spm, ids);
  return 0;
}
