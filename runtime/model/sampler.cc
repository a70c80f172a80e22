#include "runtime/model/sampler.h"

#include <algorithm>
#include <cmath>

#include "runtime/ops/elementwise.h"

namespace edgepiece {
namespace {

// Higher logit first; among equal logits the lower id, so the order (and
// with it every cut) is the same on every platform.
template <typename C>
bool Before(const C& a, const C& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

}  // namespace

Status ValidateSamplingOptions(const SamplingOptions& o) {
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature)) {
    return Status(StatusCode::kInvalidArgument, "temperature must be a finite number >= 0");
  }
  if (o.top_k < 0) return Status(StatusCode::kInvalidArgument, "top_k must be >= 0");
  if (!(o.top_p > 0 && o.top_p <= 1)) {
    return Status(StatusCode::kInvalidArgument, "top_p must be in (0, 1]");
  }
  return Status::Ok();
}

// The uniform draw: XoshiroRandom yields 31 bits, plenty for a vocabulary of
// thousands of tokens.
int32_t Sampler::Sample(const float* logits, size_t vocab, const SamplingOptions& o) {
  if (o.temperature == 0 || o.top_k == 1) {
    return static_cast<int32_t>(std::max_element(logits, logits + vocab) - logits);
  }
  // exp((logit - max) / T) once per token, vectorized (this vocabulary-wide
  // loop is the sampler's cost), summed in double in id order. SIMD exp
  // differs between targets in the last bit, like the logits themselves:
  // a draw can only change when it falls within ~1e-7 of a boundary.
  const float max_logit = MaxValue(logits, vocab);
  weights_.resize(vocab);
  ExpShiftedScaled(logits, vocab, max_logit, 1.0f / o.temperature, weights_.data());
  double all = 0;
  for (size_t i = 0; i < vocab; ++i) all += weights_[i];
  if (o.top_p >= 1 && (o.top_k == 0 || static_cast<size_t>(o.top_k) >= vocab)) {
    // Plain temperature: draw straight from the weights in id order.
    const double target = rng_.Next() * (1.0 / 2147483648.0) * all;
    double cumulative = 0;
    for (size_t i = 0; i < vocab; ++i) {
      cumulative += weights_[i];
      if (target < cumulative) return static_cast<int32_t>(i);
    }
    return static_cast<int32_t>(vocab - 1);
  }
  // Candidates: all tokens, or for top-p alone only those with weight >=
  // (1-p)/V of the total. Why that suffices: the tokens below the bound hold
  // less than 1-p together, so the ones above it (a prefix of the sorted
  // order) hold more than p and contain the nucleus. It cuts an 8k-token
  // sort to the few hundred tokens that matter.
  const bool top_k = o.top_k > 0 && static_cast<size_t>(o.top_k) < vocab;
  const double floor = o.top_p < 1 && !top_k ? all * (1.0 - o.top_p) / vocab : 0;
  candidates_.clear();
  for (size_t i = 0; i < vocab; ++i) {
    if (weights_[i] >= floor)
      candidates_.push_back({logits[i], static_cast<int32_t>(i), weights_[i]});
  }
  size_t kept = candidates_.size();
  const auto before = Before<Candidate>;
  if (top_k) {
    kept = static_cast<size_t>(o.top_k);
    std::nth_element(candidates_.begin(), candidates_.begin() + kept, candidates_.end(), before);
    std::sort(candidates_.begin(), candidates_.begin() + kept, before);
  } else if (o.top_p < 1) {
    std::sort(candidates_.begin(), candidates_.end(), before);
  }
  double total = 0;
  for (size_t i = 0; i < kept; ++i) total += candidates_[i].weight;
  if (o.top_p < 1) {  // sorted: keep the shortest prefix reaching p of the mass
    const double mass = top_k ? total : all;
    double cumulative = 0;
    size_t n = 0;
    while (n < kept && cumulative < o.top_p * mass) cumulative += candidates_[n++].weight;
    kept = std::max<size_t>(n, 1);
    total = cumulative > 0 ? cumulative : candidates_[0].weight;
  }
  const double target = rng_.Next() * (1.0 / 2147483648.0) * total;
  double cumulative = 0;
  for (size_t i = 0; i < kept; ++i) {
    cumulative += candidates_[i].weight;
    if (target < cumulative) return candidates_[i].id;
  }
  return candidates_[kept - 1].id;
}

}  // namespace edgepiece
