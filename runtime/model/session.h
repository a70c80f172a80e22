// One conversation with a Model: the recurrent state (constant size, however
// long the sequence) and the next-token logits. Sessions are independent;
// many may share one Model.
#ifndef EDGEPIECE_RUNTIME_MODEL_SESSION_H_
#define EDGEPIECE_RUNTIME_MODEL_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/model/forward.h"
#include "runtime/model/model.h"

namespace edgepiece {

class Sampler;

class Session {
 public:
  static Result<Session> Create(const Model& model);

  // Feeds tokens (prefill in chunk-aligned segments, matrix-matrix
  // products). Ids outside the vocabulary are an error and feed nothing.
  Status Feed(const int32_t* ids, size_t count);
  // Feeds `ids` and adds log2 p(ids[i] | all tokens before it) to
  // *log2_prob, token by token (TokenLog2Prob), at prefill speed. Scoring
  // consecutive pieces into one accumulator gives the same bits as one call,
  // and leaves the same state (and logits) as Feed. Needs at least one token
  // already fed (usually <bos>).
  Status Score(const int32_t* ids, size_t count, double* log2_prob);

  // Next-token logits after the last fed token [vocab_size]; zeros before
  // the first token.
  const float* logits() const { return state_.logits.data(); }
  size_t vocab_size() const { return state_.logits.size(); }
  size_t position() const { return state_.position; }
  const Model& model() const { return model_; }
  // Back to the empty sequence (no reallocation).
  void Reset() {
    state_.Reset();
    ++version_;
  }
  // Bytes of state and scratch; constant for the session's life.
  size_t StateBytes() const { return state_.bytes; }
  // Changes with every call that moves the sequence (Feed, Score, Reset,
  // Restore): how a Generator knows its unfed token still belongs here.
  uint64_t version() const { return version_; }

  // The sequence so far as portable bytes (docs/model.md, "Session
  // snapshots"): position, recurrent state and next-token logits, named by
  // the model's fingerprint, plus `sampler`'s stream when given. Restoring
  // them continues with the same bits as never having stopped.
  std::string Snapshot(const Sampler* sampler = nullptr) const;
  // The size Snapshot() would have now (it grows with the unfolded rows of
  // the current GAU chunk, at most C of them).
  size_t SnapshotSize() const;
  // Replaces the sequence with a snapshot's (and `sampler`'s stream, when
  // both it and the snapshot have one). Every malformed, altered or foreign
  // snapshot is InvalidArgument naming the problem, and leaves the session
  // (and sampler) unchanged.
  Status Restore(std::string_view bytes, Sampler* sampler = nullptr);

 private:
  explicit Session(const Model& model) : model_(model) {}
  Status CheckIds(const int32_t* ids, size_t count) const;

  Model model_;
  ForwardState state_;
  uint64_t version_ = 0;
};

// log2 of the softmax of `logits` [vocab_size] at `id`: the term Session::Score
// adds per token (in double, from the f32 log-sum-exp).
double TokenLog2Prob(const float* logits, size_t vocab_size, int32_t id);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_SESSION_H_
