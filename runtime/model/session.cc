#include "runtime/model/session.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <string>

#include "runtime/ops/elementwise.h"

namespace edgepiece {
namespace {

// A session's buffers are [C, max width] matrices; refuse configs whose
// scratch alone would exhaust a browser tab (1 GiB) before allocating it.
constexpr uint64_t kMaxSessionFloats = (uint64_t{1} << 30) / sizeof(float);

}  // namespace

Result<Session> Session::Create(const Model& model) {
  // The limit covers the state and scratch plus Score's logits rows [C, V].
  const uint64_t score_rows =
      static_cast<uint64_t>(model.config().chunk) * model.config().vocab_size;
  Session session(model);
  EDGEPIECE_RETURN_IF_ERROR(
      session.state_.Init(model, kMaxSessionFloats - std::min(score_rows, kMaxSessionFloats)));
  return session;
}

Status Session::CheckIds(const int32_t* ids, size_t count) const {
  for (size_t i = 0; i < count; ++i) {
    if (ids[i] < 0 || static_cast<size_t>(ids[i]) >= vocab_size()) {
      return Status(StatusCode::kOutOfRange,
                    "token id " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                        " is outside the vocabulary [0, " + std::to_string(vocab_size()) + ")");
    }
  }
  return Status::Ok();
}

Status Session::Feed(const int32_t* ids, size_t count) {
  EDGEPIECE_RETURN_IF_ERROR(CheckIds(ids, count));
  const size_t chunk = model_.config().chunk;
  while (count > 0) {
    const size_t n = std::min(count, chunk - state_.position % chunk);
    ForwardSegment(model_, &state_, ids, n, nullptr);
    ids += n;
    count -= n;
  }
  return Status::Ok();
}

Status Session::Score(const int32_t* ids, size_t count, double* log2_prob) {
  if (state_.position == 0) {
    return Status(StatusCode::kInvalidArgument,
                  "score: feed at least one token (usually <bos>) before scoring");
  }
  EDGEPIECE_RETURN_IF_ERROR(CheckIds(ids, count));
  const size_t chunk = model_.config().chunk, vocab = vocab_size();
  rows_.resize(chunk * vocab);  // once: later calls reuse it
  double sum = 0;
  auto log_prob = [](const float* logits, size_t v, int32_t id) {
    return static_cast<double>(logits[id]) - LogSumExp(logits, v);
  };
  while (count > 0) {
    const size_t n = std::min(count, chunk - state_.position % chunk);
    sum += log_prob(state_.logits.data(), vocab, ids[0]);
    ForwardSegment(model_, &state_, ids, n, rows_.data());
    for (size_t i = 0; i + 1 < n; ++i) sum += log_prob(rows_.data() + i * vocab, vocab, ids[i + 1]);
    ids += n;
    count -= n;
  }
  *log2_prob += sum / std::log(2.0);
  return Status::Ok();
}

}  // namespace edgepiece
