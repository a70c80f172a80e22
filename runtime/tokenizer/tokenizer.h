// Public tokenizer API: a Tokenizer (immutable, shareable) and an Encoder
// (per-thread scratch plus the RNG stream used for sampling).
//
//   auto tok = Tokenizer::FromFile("kjvzh-8k.model");   // Result<Tokenizer>
//   Encoder enc(*tok, RngKind::kGlibc, /*seed=*/123);
//   Encoding out;
//   Status s = enc.Encode(text, {.alpha = 0.1}, &out); // out.ids
//
// Input bytes need not be valid UTF-8: valid runs are NFC-normalized,
// invalid bytes pass through unchanged and are encoded by byte fallback, so
// Decode(Encode(x)) is x with its valid runs in NFC.
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_TOKENIZER_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/rng.h"
#include "runtime/base/status.h"
#include "runtime/text/utf8.h"
#include "runtime/tokenizer/lattice.h"
#include "runtime/tokenizer/piece_matcher.h"
#include "runtime/tokenizer/spm_processor.h"
#include "runtime/tokenizer/vocab.h"

namespace edgepiece {

struct EncodeOptions {
  // < 0: deterministic Viterbi. >= 0: sample a segmentation with
  // probability proportional to prod p(piece)^alpha. Must not be NaN/inf.
  double alpha = -1.0;
  // With alpha >= 0 and a SentencePiece Unigram model: < 0 samples from all segmentations,
  // > 1 among the nbest_size best (as SentencePiece's nbest_size; 0 and 1 are errors). A
  // SentencePiece BPE model samples by BPE-dropout (alpha = the probability of dropping a
  // merge) and BytePiece from all segmentations: both need -1 here.
  int32_t nbest_size = -1;
  bool add_bos = false;       // prepend <bos> (Tokenizer::bos_id())
  bool add_eos = false;       // append <eos> (Tokenizer::eos_id())
  bool with_offsets = false;  // fill Encoding::offsets
  bool with_pieces = false;   // SentencePiece models: fill Encoding::pieces
};

struct Encoding {
  std::vector<int32_t> ids;
  // With EncodeOptions::with_offsets: 2 entries per id, the [begin, end)
  // byte range of the token in the NFC-normalized input (which is the input
  // itself whenever it was already NFC); for a SentencePiece model, in the
  // input itself. <bos> and <eos> are empty ranges at the start and the end.
  std::vector<uint32_t> offsets;
  // With EncodeOptions::with_pieces and a SentencePiece model: each id's piece as
  // spm_encode --output_format=piece prints it (an <unk> shows the normalized text it
  // covers, which is not its vocabulary piece).
  std::vector<std::string> pieces;
};

class Tokenizer {
 public:
  // Parses and validates a tokenizer file: BytePiece (docs/bytepiece.md section 1), JSON
  // or packed (Vocab::Pack; told apart by the packed signature), or a SentencePiece .model
  // (docs/sentencepiece.md; told apart by its protobuf start, LooksLikeSpmModel).
  static Result<Tokenizer> FromBytes(std::string_view tokenizer_file);
  static Result<Tokenizer> FromFile(const std::string& path);
  // From pieces and counts in id order (tests and tools).
  static Result<Tokenizer> FromPieces(const std::vector<std::string>& pieces,
                                      const std::vector<uint64_t>& counts);

  // The BytePiece vocabulary and automaton (empty for a SentencePiece model).
  const Vocab& vocab() const { return state_->vocab; }
  const PieceMatcher& matcher() const { return state_->matcher; }
  // The SentencePiece model, or null for a BytePiece one.
  const SpmProcessor* sentencepiece() const { return state_->spm.get(); }
  int32_t vocab_size() const {
    return state_->spm != nullptr ? state_->spm->vocab_size() : vocab().vocab_size();
  }
  // The ids EncodeOptions::add_bos / add_eos add: 1 and 2 for BytePiece; the ids of the
  // model's bos/eos pieces for SentencePiece (as spm_encode --extra_options=bos:eos).
  int32_t bos_id() const { return state_->spm != nullptr ? state_->spm->bos_id() : kBosId; }
  int32_t eos_id() const { return state_->spm != nullptr ? state_->spm->eos_id() : kEosId; }

  // Bytes of a token: a piece, or "" for <pad>/<bos>/<eos>; for SentencePiece, the piece
  // as the model spells it ("\u2581the", "<0x41>", "<s>"). Out of range is an error.
  Result<std::string_view> IdToBytes(int32_t id) const;
  // Concatenated bytes of `ids` (ids 0..2 skipped), appended to `bytes`; for SentencePiece,
  // the text spm_decode writes.
  Status DecodeBytes(const int32_t* ids, size_t count, std::string* bytes) const;
  // Same as text: invalid UTF-8 dropped like Python's errors='ignore'.
  Status DecodeText(const int32_t* ids, size_t count, std::string* text) const;
  // Heap bytes held by the tokenizer (vocabulary + automaton).
  size_t MemoryUsage() const;

 private:
  struct State {
    Vocab vocab;
    PieceMatcher matcher;
    // Set for a SentencePiece model. shared_ptr: its deleter is made where it is set, so a
    // build without SentencePiece (EDGEPIECE_NO_SENTENCEPIECE) links no SpmProcessor code.
    std::shared_ptr<const SpmProcessor> spm;
  };
  static Result<Tokenizer> FromVocab(Result<Vocab> vocab);
  explicit Tokenizer(std::shared_ptr<const State> state) : state_(std::move(state)) {}

  std::shared_ptr<const State> state_;
};

// Encodes text with one tokenizer. Owns the sampling RNG (seeded once; each
// sampling call continues the stream, as the reference's process-wide rand()
// does) and scratch buffers. Not thread-safe: use one Encoder per thread.
class Encoder {
 public:
  explicit Encoder(Tokenizer tokenizer, RngKind rng = RngKind::kDefault, uint32_t seed = 0)
      : tokenizer_(std::move(tokenizer)), rng_(rng, seed) {}

  // Restarts the RNG stream.
  void Seed(uint32_t seed) { rng_.Seed(seed); }
  const Tokenizer& tokenizer() const { return tokenizer_; }

  // Replaces *out with the encoding of `text`.
  Status Encode(std::string_view text, const EncodeOptions& options, Encoding* out);
  // Convenience: ids only.
  Result<std::vector<int32_t>> Encode(std::string_view text, const EncodeOptions& options = {});

 private:
  Status EncodeChunk(const uint8_t* chunk, size_t n, double alpha, std::vector<int32_t>* ids);
  Status EncodeSentencePiece(const SpmProcessor& spm, std::string_view text,
                             const EncodeOptions& options, Encoding* out);

  Tokenizer tokenizer_;
  Rng rng_;
  LatticeBuffers buffers_;
  std::string normalized_;
  SpmScratch spm_scratch_;
};

// Decodes ids that arrive a few at a time (a generation loop): the text handed out, joined,
// is exactly Tokenizer::DecodeText of all the ids, each part as soon as later ids cannot
// change it. Held back: the start of a character split across tokens and, for SentencePiece,
// what SpmDecoder holds. Keeps its own reference to the tokenizer.
class TokenDecoder {
 public:
  explicit TokenDecoder(Tokenizer tokenizer);

  // Decodes `ids` after those fed before and appends the text that became final. An id
  // outside the vocabulary is kOutOfRange, with nothing of this call decoded.
  Status Feed(const int32_t* ids, size_t count, std::string* text);
  // Ends the stream: appends what was held back (as DecodeText would end) and starts over.
  Status Finish(std::string* text);
  // Bytes held back.
  size_t pending() const;

 private:
  Tokenizer tokenizer_;
  std::string bytes_;                // BytePiece: the bytes of the ids being fed
  Utf8StreamDecoder utf8_;           // BytePiece
  std::unique_ptr<SpmDecoder> spm_;  // SentencePiece
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_TOKENIZER_H_
