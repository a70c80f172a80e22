#include "runtime/model/session.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "runtime/ops/elementwise.h"

namespace edgepiece {
namespace {

// A session's buffers are [C, max width] matrices; refuse configs whose
// scratch alone would exhaust a browser tab (1 GiB) before allocating it.
constexpr uint64_t kMaxSessionFloats = (uint64_t{1} << 30) / sizeof(float);

}  // namespace

Result<Session> Session::Create(const Model& model) {
  Session session(model);
  EDGEPIECE_RETURN_IF_ERROR(session.state_.Init(model, kMaxSessionFloats));
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
  ++version_;
  const size_t chunk = model_.config().chunk;
  while (count > 0) {
    const size_t n = std::min(count, chunk - state_.position % chunk);
    ForwardSegment(model_, &state_, ids, n, /*all_rows=*/false);
    ids += n;
    count -= n;
  }
  return Status::Ok();
}

// A chunk-aligned segment at a time, like Feed (matrix-matrix products),
// keeping every row's final hidden state; the head then runs on blocks of
// kHeadBlockRows rows, so memory stays one fixed block of logits however
// long the input. Each token's log2 probability is added to the running
// total in order, so one call and any split into consecutive calls give the
// same bits.
Status Session::Score(const int32_t* ids, size_t count, double* log2_prob) {
  if (state_.position == 0) {
    return Status(StatusCode::kInvalidArgument,
                  "score: feed at least one token (usually <bos>) before scoring");
  }
  EDGEPIECE_RETURN_IF_ERROR(CheckIds(ids, count));
  ++version_;
  const size_t chunk = model_.config().chunk, vocab = vocab_size();
  double total = *log2_prob;
  auto add = [&](const float* logits, int32_t id) { total += TokenLog2Prob(logits, vocab, id); };
  while (count > 0) {
    const size_t n = std::min(count, chunk - state_.position % chunk);
    add(state_.logits.data(), ids[0]);  // from the previous segment's last token
    ForwardSegment(model_, &state_, ids, n, /*all_rows=*/true);
    // Rows 0..n-2 predict ids[1..n-1]; row n-1's logits are state_.logits.
    float* block = state_.head_rows.data();
    for (size_t first = 0; first + 1 < n; first += kHeadBlockRows) {
      const size_t rows = std::min(kHeadBlockRows, n - 1 - first);
      HeadLogits(model_, &state_, first, rows, block);
      for (size_t r = 0; r < rows; ++r) add(block + r * vocab, ids[first + r + 1]);
    }
    ids += n;
    count -= n;
  }
  *log2_prob = total;
  return Status::Ok();
}

double TokenLog2Prob(const float* logits, size_t vocab_size, int32_t id) {
  constexpr double kLog2E = 1.4426950408889634;  // 1 / ln 2
  return (static_cast<double>(logits[id]) - LogSumExp(logits, vocab_size)) * kLog2E;
}

}  // namespace edgepiece
