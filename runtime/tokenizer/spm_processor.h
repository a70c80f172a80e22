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

#include "runtime/base/status.h"
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
    int32_t id;              // its piece after a merge, else -1 (looked up at the end)
    bool freeze;             // a user-defined piece: never merged
  };
  struct Pair {
    float score;
    int32_t left, right;
    uint32_t length;
    int32_t node, id;  // the merged piece
  };
  std::vector<Symbol> symbols;
  std::vector<Pair> agenda;
  // UNUSED pieces merged in this word -> the pair that formed them.
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unmerge;
  // Word -> its pieces (offsets from the word's start), for models whose words merge apart.
  std::unordered_map<std::string, std::vector<Piece>> bpe_cache;
  std::string word;
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
  Status Encode(std::string_view text, SpmScratch* scratch, std::vector<int32_t>* ids,
                std::vector<uint32_t>* offsets, std::vector<std::string>* pieces) const;
  // Appends the text of `ids` as spm_decode writes it.
  Status Decode(const int32_t* ids, size_t count, std::string* text) const;

  // SentencePiece's PieceToId: control, unknown and byte pieces first, then the others,
  // else the <unk> id.
  int32_t PieceToId(std::string_view piece) const;
  size_t MemoryUsage() const;

 private:
  explicit SpmProcessor(SpmModelProto model) : model_(std::move(model)) {}
  void EncodeUnigram(SpmScratch* scratch) const;
  void EncodeBpe(SpmScratch* scratch) const;
  // Runs the merges on symbols [first, last) and appends their pieces.
  void MergeBpe(SpmScratch* scratch, int32_t first, int32_t last) const;
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
  bool split_words_ = true;  // BPE: see EncodeBpe
  int32_t unk_id_ = 0, bos_id_ = -1, eos_id_ = -1;
  float min_score_ = 0, max_score_ = 0;  // over normal pieces, as SentencePiece starts them
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_PROCESSOR_H_
