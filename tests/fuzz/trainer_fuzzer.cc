// libFuzzer target: the BytePiece trainer on a random small corpus with
// random options (order, vocabulary size, piece length, min_count, digits,
// ensure_unicode). Training fails cleanly (invalid UTF-8, empty corpus) or
// writes a tokenizer file that loads and encodes the corpus losslessly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/text/nfc.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/trainer/trainer.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
using edgepiece::fuzz::Fail;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // small corpora keep each run fast
  edgepiece::fuzz::FuzzInput input(data, size);
  edgepiece::TrainerOptions options;
  options.order = 1 + input.Below(edgepiece::kMaxTrainerOrder + 1);  // 1..9: 9 is invalid
  options.max_vocab_size = 256 + input.Below(64);                    // below 259 is invalid
  options.max_piece_length = input.Below(12);                        // 0 is invalid
  options.min_count = input.Below(4);
  const uint8_t flags = input.Byte();
  options.isolate_digits = flags & 1;
  options.ensure_unicode = flags & 2;
  const bool valid_options = edgepiece::ValidateTrainerOptions(options).ok();
  auto trainer = edgepiece::Trainer::Create(options);
  if (trainer.ok() != valid_options) Fail("Create disagrees with ValidateTrainerOptions");
  if (!trainer.ok()) return 0;
  // Documents are the rest split at 0xff bytes (never in UTF-8).
  std::vector<std::string_view> docs;
  std::string_view rest = input.Rest();
  while (!rest.empty()) {
    const size_t cut = rest.find('\xff');
    docs.push_back(rest.substr(0, cut));
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  }
  for (std::string_view doc : docs) {
    if (!trainer->CountDocument(doc).ok()) return 0;
  }
  if (!trainer->EndCounting().ok()) return 0;
  for (std::string_view doc : docs) {
    if (!trainer->SegmentDocument(doc).ok()) Fail("pass 2 rejects what pass 1 took");
  }
  auto vocab = trainer->Finish();
  if (!vocab.ok()) return 0;
  const std::string file = edgepiece::ModelFileJson(*vocab);
  auto tokenizer = edgepiece::Tokenizer::FromBytes(file);
  if (!tokenizer.ok()) Fail("the trained tokenizer file does not load");
  if (static_cast<uint64_t>(tokenizer->vocab_size()) > options.max_vocab_size) {
    Fail("vocabulary larger than max_vocab_size");
  }
  edgepiece::Encoder encoder(*tokenizer, edgepiece::RngKind::kDefault, 0);
  for (std::string_view doc : docs) {
    auto ids = encoder.Encode(doc);
    if (!ids.ok()) Fail("encode with the trained tokenizer");
    std::string bytes, scratch;
    if (!tokenizer->DecodeBytes(ids->data(), ids->size(), &bytes).ok()) Fail("decode");
    auto normalized = edgepiece::NormalizeNfc(doc, &scratch);
    if (!normalized.ok() || bytes != *normalized) Fail("trained tokenizer is not lossless");
  }
  return 0;
}
