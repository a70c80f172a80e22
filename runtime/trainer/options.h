// Settings of the BytePiece trainer, named and defaulted like the
// reference's Trainer(...) (docs/bytepiece.md "Trainer"), and their checks.
#ifndef EDGEPIECE_RUNTIME_TRAINER_OPTIONS_H_
#define EDGEPIECE_RUNTIME_TRAINER_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>

#include "runtime/base/status.h"

namespace edgepiece {

// Longest n-gram order the packed 64-bit n-gram keys can hold.
inline constexpr int kMaxTrainerOrder = 8;

// The reference's constructor arguments (max_vocab_size as one number).
struct TrainerOptions {
  int order = 6;                    // longest counted byte n-gram, 1..kMaxTrainerOrder
  uint64_t max_vocab_size = 10000;  // ids included (<pad>, <bos>, <eos>): at least 259
  size_t max_piece_length = 36;     // longer pieces are re-tokenized, 1..kMaxPieceBytes
  uint64_t min_count = 2;           // n-grams (length >= 2) and pieces below it are dropped
  bool isolate_digits = false;      // every Unicode digit (category Nd) is a chunk of its own
  bool ensure_unicode = true;       // no piece starts on a UTF-8 continuation byte
};

// Runs task(0), ..., task(tasks - 1), possibly at once on several threads,
// and returns when all are done. The trainer has no threads of its own (the
// WebAssembly module has none); the native CLI passes one to the steps that
// can split their work (NgramModel::Build, FinishModel).
using TaskRunner = std::function<void(size_t tasks, const std::function<void(size_t)>& task)>;

// Runs task(0), ..., task(tasks - 1) through `run_tasks`, or in order on this
// thread without one. The WebAssembly module has no threads and never gets a
// runner: there the branch is left out, and with it the type-erased tasks
// (its size budget, docs/benchmarks.md "Download size").
template <typename Task>
void RunTrainerTasks(const TaskRunner& run_tasks, size_t tasks, const Task& task) {
#if !defined(__wasm__)
  if (run_tasks) {
    run_tasks(tasks, task);
    return;
  }
#endif
  for (size_t t = 0; t < tasks; ++t) task(t);
}

// OK when every field is in its domain; otherwise kInvalidArgument naming the field.
Status ValidateTrainerOptions(const TrainerOptions& options);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_OPTIONS_H_
