// libFuzzer target: decode random ids (in and out of the vocabulary) with
// DecodeBytes and DecodeText, and feed the pieces to the incremental decoder
// (Utf8StreamDecoder) in random splits: out-of-range ids are an error that
// writes nothing, and the stream's text equals DecodeText's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/text/utf8.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
using edgepiece::fuzz::Fail;
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
  return 0;
}
