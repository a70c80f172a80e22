// Encoding and decoding with a SentencePiece model, giving exactly the ids and text of
// SentencePiece 0.1.97 (spm_encode / spm_decode); docs/sentencepiece.md has the rules.
//
// Encode = SpmNormalizer, then the model's segmentation of the normalized text (Unigram:
// Viterbi; BPE: greedy merges by score), then SentencePiece's post-processing: unknown pieces
// become byte pieces with byte_fallback, otherwise consecutive unknowns merge into one <unk>.
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_SPM_PROCESSOR_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_SPM_PROCESSOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/base/rng.h"
#include "runtime/base/status.h"
#include "runtime/tokenizer/spm_bpe.h"
#include "runtime/tokenizer/spm_model.h"
#include "runtime/tokenizer/spm_normalizer.h"
#include "runtime/tokenizer/spm_trie.h"

namespace edgepiece {

// Per-encoder buffers, reused from call to call.
struct SpmScratch {
  std::string normalized;
  std::vector<uint32_t> norm_to_orig;
  // Unigram: the best path ending at each byte of the normalized text.
  std::vector<float> best_score;
  std::vector<int32_t> best_start, best_id;
  // The segmentation: [begin, end) in the normalized text and the id, per piece.
  struct Piece {
    uint32_t begin, end;
    int32_t id;
  };
  std::vector<Piece> pieces;
  // BPE: the symbols (a linked list over the text) and the heap of candidate merges.
  struct Symbol {
    int32_t prev, next;
    uint32_t begin, length;  // length 0: merged into its left neighbour
    int32_t node;            // trie node of the symbol's text, -1 if none
    bool freeze;             // a user-defined piece: never merged
  };
  struct Pair {
    float score;
    int32_t left, right;
    uint32_t length;
    int32_t node;  // the merged piece's
  };
  std::vector<Symbol> symbols;
  std::vector<Pair> agenda;
  // UNUSED pieces merged in this text -> the pair that formed them.
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unmerge;
  // Segments that merge on their own -> their pieces (spm_bpe.h).
  SpmSegmentCache segment_cache;
  std::vector<SpmSegmentCache::Piece> segment_pieces;
  // Sampling: the Unigram lattice's nodes (by begin, then by end through node_by_end), the
  // forward log-weights and backward best scores per byte position, and the n-best search.
  struct Node {
    uint32_t begin, end;
    int32_t id;
    float score;
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> first_node, first_by_end, node_by_end;  // per position, + 1 end
  std::vector<int32_t> best_node;  // n-best: the first node of the best rest from a position
  std::vector<double> forward, backward;
  struct Hypothesis {
    double score;    // of the pieces so far (+ the best completion, in the agenda's order)
    int32_t node;    // the last piece
    int32_t parent;  // the hypothesis it extends, -1 at the start
  };
  std::vector<Hypothesis> hypotheses;
  std::vector<std::pair<double, int32_t>> complete;  // n-best: score, hypothesis
};

// Subword sampling as SentencePiece's SampleEncode (docs/sentencepiece.md, "Sampling").
struct SpmSampling {
  // Unigram: the exponent on the pieces' probabilities (0: uniform over segmentations);
  // BPE: the probability of dropping each merge (BPE-dropout), in [0, 1].
  double alpha = 0;
  // Unigram: < 0 samples from the whole lattice, > 1 among the nbest_size best segmentations.
  int32_t nbest_size = -1;
  Rng* rng = nullptr;  // the draws
};

class SpmProcessor {
 public:
  // Builds the tries and the normalizers from a parsed model.
  static Result<std::unique_ptr<SpmProcessor>> Create(SpmModelProto model);

  const SpmModelProto& model() const { return model_; }
  int32_t vocab_size() const { return static_cast<int32_t>(model_.pieces.size()); }
  const std::string& piece(int32_t id) const { return model_.pieces[id]; }
  // The ids `--extra_options=bos` / `eos` add: the ids of the bos/eos pieces (<unk> if absent).
  int32_t bos_id() const { return bos_id_; }
  int32_t eos_id() const { return eos_id_; }

  // Appends the ids of `text` to *ids; when offsets is not null, two byte positions in
  // `text` per id (SentencePiece's begin and end); when pieces is not null, each id's piece
  // as SentencePiece reports it (for <unk>, the normalized text it covers).
  // With `sampling`, the segmentation is drawn as SampleEncode draws it.
  Status Encode(std::string_view text, SpmScratch* scratch, std::vector<int32_t>* ids,
                std::vector<uint32_t>* offsets, std::vector<std::string>* pieces,
                const SpmSampling* sampling = nullptr) const;
  // Why `sampling` cannot be used with this model (kInvalidArgument), or Ok.
  Status CheckSampling(double alpha, int32_t nbest_size) const;
  // Appends the text of `ids` as spm_decode writes it.
  Status Decode(const int32_t* ids, size_t count, std::string* text) const;

  // SentencePiece's PieceToId: control, unknown and byte pieces first, then the others,
  // else the <unk> id.
  int32_t PieceToId(std::string_view piece) const;
  size_t MemoryUsage() const;

 private:
  explicit SpmProcessor(SpmModelProto model) : model_(std::move(model)) {}
  void EncodeUnigram(SpmScratch* scratch) const;
  // BPE (spm_bpe.cc); dropout > 0 skips each merge with that probability (drawn from rng).
  void EncodeBpe(SpmScratch* scratch, double dropout = 0, Rng* rng = nullptr) const;
  // Appends the pieces of normalized text [begin, end), a segment no merge crosses.
  void EncodeBpeSegment(SpmScratch* scratch, size_t begin, size_t end, bool one_symbol) const;
  // Cuts normalized text [begin, end) into BPE's first symbols, indexed from 0.
  void BuildBpeSymbols(SpmScratch* scratch, size_t begin, size_t end) const;
  // Runs the merges on all the symbols and appends their pieces.
  void MergeBpe(SpmScratch* scratch, double dropout = 0, Rng* rng = nullptr) const;
  // The id SentencePiece's PieceToId gives `text`, whose trie node is `node` (-1 if none).
  int32_t IdAtNode(int32_t node, std::string_view text) const {
    const int32_t id = node >= 0 ? pieces_.Value(node) : -1;
    return id >= 0 && !shadowed_[id] ? id : PieceToId(text);
  }
  // Sampling (spm_sampling.cc): the lattice SentencePiece samples from, then one segmentation
  // of it drawn from all of them or from the n best.
  void BuildLattice(SpmScratch* scratch) const;
  void SampleUnigram(SpmScratch* scratch, double alpha, Rng* rng) const;
  void SampleUnigramNBest(SpmScratch* scratch, double alpha, int32_t nbest_size, Rng* rng) const;
  // Length of the symbol at p[0, n): the longest user-defined piece, else one character.
  size_t SymbolLength(const uint8_t* p, size_t n, bool* user_defined) const;

  SpmModelProto model_;
  SpmTrie pieces_;        // normal, user-defined and unused pieces -> id (payload: Unigram score)
  SpmTrie user_defined_;  // user-defined pieces
  std::unordered_map<std::string_view, int32_t> reserved_;  // control, unknown, byte
  std::unique_ptr<SpmNormalizer> normalizer_, denormalizer_;
  std::array<int32_t, 256> byte_ids_{};  // byte fallback: the <0xHH> ids
  std::vector<int16_t> byte_value_;      // per id: its byte for byte pieces, else -1
  std::vector<double> lattice_score_;    // per id: its Unigram lattice score (NaN: UNUSED)
  std::vector<bool> shadowed_;           // per id: its text is also a control/unknown/byte piece
  bool has_unused_ = false;
  SpmCharPairs char_pairs_;  // BPE: where the text falls apart (see EncodeBpe)
  int32_t unk_id_ = 0, bos_id_ = -1, eos_id_ = -1;
  float min_score_ = 0, max_score_ = 0;  // over normal pieces, as SentencePiece starts them

  friend class SpmDecoder;
};

// Decodes ids that arrive a few at a time: everything it hands out, joined, is exactly
// SpmProcessor::Decode of all the ids, and each piece of text comes as soon as later ids can
// no longer change it. Held back: the bytes of an incomplete UTF-8 sequence of byte pieces
// (at most 3), and with a denormalizer (rare) all text until Finish, since its rules apply to
// the whole text.
class SpmDecoder {
 public:
  explicit SpmDecoder(const SpmProcessor* processor) : p_(processor) {}

  // Decodes `ids` after those fed before and appends the text that became final. An id
  // outside the vocabulary is kOutOfRange (naming its index in `ids`), with nothing decoded.
  Status Feed(const int32_t* ids, size_t count, std::string* out);
  // Ends the stream: appends what was held back (an incomplete sequence as U+FFFD per byte,
  // as Decode does) and starts over.
  Status Finish(std::string* out);
  // Bytes held back.
  size_t pending() const { return bytes_.size() + held_.size(); }

 private:
  // Decodes the byte pieces' bytes; unless `all`, keeps an incomplete sequence at the end.
  void FlushBytes(bool all, std::string* out);

  const SpmProcessor* p_;
  std::string bytes_;   // a run of byte pieces not decoded yet
  std::string held_;    // with a denormalizer: the text so far
  bool wrote_ = false;  // some text was written
  bool expect_bos_space_ = true, bos_space_seen_ = false;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_PROCESSOR_H_
