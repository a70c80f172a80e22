// libFuzzer target: encode random bytes with random options (alpha, <bos>,
// <eos>, offsets, seed) on the small tokenizer, or on a small SentencePiece
// model (also nbest_size; see EncodeSentencePiece). Every id is in the
// vocabulary, offsets are ordered ranges inside the normalized text, and the
// ids decode to the NFC form of valid UTF-8 input (BytePiece is lossless).
#include <algorithm>
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

// Flag 16: the small SentencePiece model (flag 32: its BPE form) with sampling options,
// nbest_size included: the encode succeeds exactly when the options are supported, its ids
// are in the vocabulary with <bos>/<eos> in place, offsets are ranges inside the text,
// decoding them in pieces of any size gives the one-shot text, and deterministic BPE (merged
// segment by segment) equals BPE-dropout at 0 (merged whole).
void EncodeSentencePiece(edgepiece::fuzz::FuzzInput& input, uint8_t flags) {
  const bool bpe = flags & 32;
  const edgepiece::Tokenizer& tokenizer = edgepiece::fuzz::SmallSpmTokenizer(bpe);
  edgepiece::EncodeOptions options;
  options.alpha = input.Alpha();
  static const int32_t kNBest[] = {-1, -1, 2, 3, 8, 0, 1, 513, -7};
  options.nbest_size = kNBest[input.Below(9)];
  options.add_bos = flags & 1;
  options.add_eos = flags & 2;
  options.with_offsets = flags & 4;
  options.with_pieces = flags & 64;
  const auto rng = flags & 8 ? edgepiece::RngKind::kGlibc : edgepiece::RngKind::kDefault;
  edgepiece::Encoder encoder(tokenizer, rng, input.U32());
  const uint8_t split = input.Byte();
  const std::string_view text = input.Rest();
  const bool supported =
      options.alpha < 0 ||
      (bpe ? options.nbest_size < 0 && options.alpha <= 1
           : options.nbest_size < 0 || (options.nbest_size > 1 && options.nbest_size <= 512));
  edgepiece::Encoding encoding;
  const edgepiece::Status status = encoder.Encode(text, options, &encoding);
  // The one input the model itself rejects: a character spelled like the control piece.
  if (!status.ok() && status.detail().find("control piece") != std::string::npos) return;
  if (status.ok() != supported) Fail("encode status: " + status.ToString());
  if (!status.ok()) return;
  const std::vector<int32_t>& ids = encoding.ids;
  const size_t n = ids.size();
  for (int32_t id : ids) {
    if (id < 0 || id >= tokenizer.vocab_size()) Fail("id outside the vocabulary");
  }
  if ((options.add_bos && (n == 0 || ids[0] != tokenizer.bos_id())) ||
      (options.add_eos && (n == 0 || ids[n - 1] != tokenizer.eos_id()))) {
    Fail("<bos>/<eos> misplaced");
  }
  if (options.with_offsets) {
    if (encoding.offsets.size() != 2 * n) Fail("offsets: not two per id");
    for (size_t i = 0; i < n; ++i) {
      if (encoding.offsets[2 * i] > encoding.offsets[2 * i + 1] ||
          encoding.offsets[2 * i + 1] > text.size()) {
        Fail("offsets: not a range inside the text");
      }
    }
  }
  if (options.with_pieces && encoding.pieces.size() != n) Fail("pieces: not one per id");
  if (bpe && options.alpha < 0 && options.nbest_size < 0) {
    // BPE-dropout at 0 (BPE samples only with nbest_size < 0) merges the whole text in one
    // pass, with no segments and no cache.
    edgepiece::EncodeOptions whole = options;
    whole.alpha = 0;
    edgepiece::Encoding merged;
    if (!encoder.Encode(text, whole, &merged).ok() || merged.ids != ids) {
      Fail("BPE by segments differs from BPE over the whole text");
    }
  }
  std::string once, streamed;
  if (!tokenizer.DecodeText(ids.data(), n, &once).ok()) Fail("decode");
  edgepiece::TokenDecoder decoder(tokenizer);
  const size_t step = 1 + split % 7;
  for (size_t at = 0; at < n; at += step) {
    if (!decoder.Feed(ids.data() + at, std::min(step, n - at), &streamed).ok()) Fail("feed");
  }
  if (!decoder.Finish(&streamed).ok()) Fail("finish");
  if (streamed != once) Fail("streamed decode differs from the one-shot decode");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  edgepiece::fuzz::FuzzInput input(data, size);
  const edgepiece::Tokenizer& tokenizer = edgepiece::fuzz::SmallTokenizer();
  const uint8_t flags = input.Byte();
  if (flags & 16) {
    EncodeSentencePiece(input, flags);
    return 0;
  }
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
