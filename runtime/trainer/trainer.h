// The BytePiece trainer (the reference's Trainer.train + save): two passes
// over a corpus fed one document at a time, so the corpus is never held in
// memory, then the model file.
//
//   auto trainer = Trainer::Create(options);           // Result<Trainer>
//   for each document: trainer->CountDocument(text);   // pass 1
//   trainer->EndCounting();
//   for each document: trainer->SegmentDocument(text); // pass 2, same documents
//   auto vocab = trainer->Finish();                    // Result<TrainedVocab>
//   std::string file = ModelFileJson(*vocab);
//
// The pieces underneath (chunker.h, ngram_counter.h, segmenter.h, finish.h)
// are public so that a caller can count or segment parts of a corpus
// separately and merge the counters.
#ifndef EDGEPIECE_RUNTIME_TRAINER_TRAINER_H_
#define EDGEPIECE_RUNTIME_TRAINER_TRAINER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/trainer/finish.h"
#include "runtime/trainer/ngram_counter.h"
#include "runtime/trainer/options.h"
#include "runtime/trainer/segmenter.h"

namespace edgepiece {

// One training run: pass 1, pass 2, Finish; move-only, not thread-safe.
class Trainer {
 public:
  // Checks the options (kInvalidArgument).
  static Result<Trainer> Create(const TrainerOptions& options);
  // The settings of this run.
  const TrainerOptions& options() const { return options_; }
  // Pass 1: counts the n-grams of one document (UTF-8; NFC-normalized and
  // chunked here; in WebAssembly NFC is the caller's, text/nfc_external.cc).
  // Invalid UTF-8 is kInvalidArgument with its offset. The
  // trainer sees only chunks, so documents need no separator, and a document
  // may come in parts that each end right after a maximal run of '\n' (a
  // chunk boundary, where NFC also starts afresh).
  Status CountDocument(std::string_view text);
  // Ends pass 1: builds the n-gram model and frees the counts. An empty
  // corpus (no byte counted) is kInvalidArgument.
  Status EndCounting();
  // Pass 2: segments one document with the n-gram model and counts its pieces.
  Status SegmentDocument(std::string_view text);
  // Ends pass 2: the final vocabulary (`report` as for FinishModel).
  Result<TrainedVocab> Finish(const FinishReport& report = nullptr);
  // Bytes (after NFC) seen by pass 1 and by pass 2.
  uint64_t bytes_counted() const { return bytes_counted_; }
  uint64_t bytes_segmented() const { return bytes_segmented_; }
  // N-grams kept after pruning (valid after EndCounting).
  size_t ngrams_kept() const { return model_ ? model_->size() : 0; }
  // Distinct pieces of pass 2 so far.
  size_t pieces_seen() const { return pieces_.size(); }

 private:
  explicit Trainer(const TrainerOptions& options)
      : options_(options), counter_(std::make_unique<NgramCounter>(options.order)) {}
  // NFC and the trainer's chunking, into chunks_ (views of text or normalized_).
  Status Chunk(std::string_view text);

  TrainerOptions options_;
  std::unique_ptr<NgramCounter> counter_;  // pass 1
  std::unique_ptr<NgramModel> model_;      // pass 2
  std::unique_ptr<Segmenter> segmenter_;   // pass 2, refers to *model_
  PieceCounter pieces_;
  std::string normalized_;
  std::vector<std::string_view> chunks_;
  uint64_t bytes_counted_ = 0;
  uint64_t bytes_segmented_ = 0;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_TRAINER_H_
