// libFuzzer target: encode random bytes with random options (alpha, <bos>,
// <eos>, offsets, seed) on the small tokenizer. Every id is in the
// vocabulary, offsets are ordered ranges inside the normalized text, and the
// ids decode to the NFC form of valid UTF-8 input (BytePiece is lossless).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/text/nfc.h"
#include "runtime/text/utf8.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
using edgepiece::fuzz::Fail;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  edgepiece::fuzz::FuzzInput input(data, size);
  const edgepiece::Tokenizer& tokenizer = edgepiece::fuzz::SmallTokenizer();
  const uint8_t flags = input.Byte();
  edgepiece::EncodeOptions options;
  options.alpha = input.Alpha();
  options.add_bos = flags & 1;
  options.add_eos = flags & 2;
  options.with_offsets = flags & 4;
  const auto rng = flags & 8 ? edgepiece::RngKind::kGlibc : edgepiece::RngKind::kDefault;
  edgepiece::Encoder encoder(tokenizer, rng, input.U32());
  const std::string_view text = input.Rest();
  edgepiece::Encoding encoding;
  if (!encoder.Encode(text, options, &encoding).ok()) Fail("encode failed");
  const std::vector<int32_t>& ids = encoding.ids;
  const size_t n = ids.size();
  for (int32_t id : ids) {
    if (id < 0 || id >= tokenizer.vocab_size()) Fail("id outside the vocabulary");
  }
  const size_t first = options.add_bos ? 1 : 0;
  const size_t last = n - (options.add_eos ? 1 : 0);
  if (n < first + (n - last) || (options.add_bos && ids[0] != 1) ||
      (options.add_eos && ids[n - 1] != 2)) {
    Fail("<bos>/<eos> misplaced");
  }
  std::string bytes;
  if (!tokenizer.DecodeBytes(ids.data() + first, last - first, &bytes).ok()) Fail("decode");
  std::string scratch;
  auto normalized = edgepiece::NormalizeNfc(text, &scratch);
  if (edgepiece::IsValidUtf8(text)) {
    if (!normalized.ok()) Fail("valid UTF-8 does not normalize");
    if (bytes != *normalized) Fail("decode(encode(text)) is not NFC(text)");
  }
  if (options.with_offsets) {
    if (encoding.offsets.size() != 2 * n) Fail("offsets: not two per id");
    uint32_t end = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t b = encoding.offsets[2 * i], e = encoding.offsets[2 * i + 1];
      if (b != end || e < b) Fail("offsets: not consecutive ranges");
      if (i >= first && i < last) {
        auto piece = tokenizer.IdToBytes(ids[i]);
        if (!piece.ok() || piece->size() != e - b) Fail("offsets: range is not the piece");
      } else if (e != b) {
        Fail("offsets: <bos>/<eos> not empty");
      }
      end = e;
    }
    if (end != bytes.size()) Fail("offsets: do not end at the text's end");
  }
  return 0;
}
