#include "runtime/model/sampler.h"

#include <algorithm>
#include <cmath>

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

int32_t Sampler::Sample(const float* logits, size_t vocab, const SamplingOptions& o) {
  if (o.temperature == 0 || o.top_k == 1) {
    return static_cast<int32_t>(std::max_element(logits, logits + vocab) - logits);
  }
  candidates_.resize(vocab);
  for (size_t i = 0; i < vocab; ++i) candidates_[i] = {logits[i], static_cast<int32_t>(i)};
  size_t kept = vocab;
  const auto before = Before<Candidate>;
  if (o.top_k > 0 && static_cast<size_t>(o.top_k) < vocab) {
    kept = static_cast<size_t>(o.top_k);
    std::nth_element(candidates_.begin(), candidates_.begin() + kept, candidates_.end(), before);
    std::sort(candidates_.begin(), candidates_.begin() + kept, before);
  } else if (o.top_p < 1) {
    std::sort(candidates_.begin(), candidates_.end(), before);
  }
  // Softmax of logit / T in double over the kept candidates.
  float max_logit = candidates_[0].logit;
  for (size_t i = 1; i < kept; ++i) max_logit = std::max(max_logit, candidates_[i].logit);
  weights_.resize(kept);
  double total = 0;
  for (size_t i = 0; i < kept; ++i) {
    weights_[i] = std::exp((static_cast<double>(candidates_[i].logit) - max_logit) /
                           static_cast<double>(o.temperature));
    total += weights_[i];
  }
  if (o.top_p < 1) {  // candidates are sorted: cut after the nucleus
    double cumulative = 0;
    size_t n = 0;
    while (n < kept && cumulative < o.top_p * total) cumulative += weights_[n++];
    kept = std::max<size_t>(n, 1);
    total = cumulative > 0 ? cumulative : weights_[0];
  }
  // XoshiroRandom yields 31 bits: plenty for a vocabulary of thousands.
  const double target = rng_.Next() * (1.0 / 2147483648.0) * total;
  double cumulative = 0;
  for (size_t i = 0; i < kept; ++i) {
    cumulative += weights_[i];
    if (target < cumulative) return candidates_[i].id;
  }
  return candidates_[kept - 1].id;
}

}  // namespace edgepiece
