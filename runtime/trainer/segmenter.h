// Pass 2 of training: each chunk segmented by the order-state Viterbi over
// the n-gram model, and the pieces counted (docs/bytepiece.md section 4.3).
//
//   Segmenter segmenter(model, options);
//   PieceCounter pieces;
//   for each chunk of each document: segmenter.SegmentChunk(chunk, &pieces);
//
// PieceCounters merge exactly, so a corpus may be segmented in parts.
#ifndef EDGEPIECE_RUNTIME_TRAINER_SEGMENTER_H_
#define EDGEPIECE_RUNTIME_TRAINER_SEGMENTER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/trainer/ngram_counter.h"
#include "runtime/trainer/options.h"
#include "runtime/trainer/piece_counter.h"

namespace edgepiece {

// Splits chunks into pieces: state j at a byte means the byte is the (j+1)-th
// of its piece (capped at order-1); a piece starts in state 0 at the cost of
// the byte's unigram log-probability, and continuing adds the n-gram's.
// Reusable across chunks (scratch buffers); not thread-safe.
class Segmenter {
 public:
  // `model` must outlive the segmenter.
  Segmenter(const NgramModel& model, const TrainerOptions& options)
      : model_(model), order_(model.order()), ensure_unicode_(options.ensure_unicode) {}
  // Appends the piece boundaries of `chunk` to *starts (offsets where a piece
  // starts, ascending; the last piece ends at chunk.size()). Empty chunk: none.
  void Segment(std::string_view chunk, std::vector<uint32_t>* starts);
  // Segments `chunk` and counts its pieces into *pieces.
  void SegmentChunk(std::string_view chunk, PieceCounter* pieces);

 private:
  const NgramModel& model_;
  int order_;
  bool ensure_unicode_;
  std::vector<uint8_t> routes_;  // [n][order]: the previous state of each state
  std::vector<uint8_t> states_;  // [n]: the state of each byte on the best path
  std::vector<uint32_t> starts_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_SEGMENTER_H_
