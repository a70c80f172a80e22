// The end of training: from the piece counts of pass 2 to the final
// vocabulary (docs/bytepiece.md section 4.4), and the model file the
// reference's Trainer.save writes (section 1).
#ifndef EDGEPIECE_RUNTIME_TRAINER_FINISH_H_
#define EDGEPIECE_RUNTIME_TRAINER_FINISH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/trainer/options.h"
#include "runtime/trainer/segmenter.h"

namespace edgepiece {

// A vocabulary in id order ((length, bytes) order; pieces[i] has id i + 3).
struct TrainedVocab {
  std::vector<std::string> pieces;
  std::vector<uint64_t> counts;
};

// Called after each step of FinishModel with the step's name ("prune",
// "wasted", "cut") and the number of pieces it left, for progress reports.
using FinishReport = std::function<void(const char* step, size_t pieces)>;

// Completes the 256 bytes, drops and re-tokenizes rare and long pieces, runs
// the "wasted pieces" loop and, above max_vocab_size - 3 pieces, the cut.
// Walks `pieces` twice (the kept pieces, then the dropped ones, which are
// re-tokenized as they come) and holds only the kept pieces, so the piece
// counts may stream from disk (spill.h). With `run_tasks` the parts of each
// walk run as its tasks. The result does not depend on the parts or their
// order.
Result<TrainedVocab> FinishModel(const PieceSource& pieces, const TrainerOptions& options,
                                 const FinishReport& report = nullptr,
                                 const TaskRunner& run_tasks = nullptr);
// FinishModel of the pieces of one counter.
Result<TrainedVocab> FinishModel(const PieceCounter& pieces, const TrainerOptions& options,
                                 const FinishReport& report = nullptr);

// The model file, byte for byte what the reference's json.dump(indent=4,
// ensure_ascii=False) writes: no trailing newline.
std::string ModelFileJson(const TrainedVocab& vocab);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_FINISH_H_
