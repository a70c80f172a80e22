// Next-token choice from logits: greedy, temperature, top-k, top-p, with a
// seeded generator owned by the Sampler, so a seed gives the same tokens on
// every platform (up to ties between float logits).
#ifndef EDGEPIECE_RUNTIME_MODEL_SAMPLER_H_
#define EDGEPIECE_RUNTIME_MODEL_SAMPLER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/base/rng.h"
#include "runtime/base/status.h"

namespace edgepiece {

struct SamplingOptions {
  float temperature = 1.0f;  // 0: greedy (lowest id among equal maxima)
  int top_k = 0;             // keep the k most likely tokens; 0: all
  float top_p = 1.0f;        // keep the smallest set with probability >= p
};

// InvalidArgument unless temperature >= 0, top_k >= 0, 0 < top_p <= 1.
Status ValidateSamplingOptions(const SamplingOptions& options);

class Sampler {
 public:
  explicit Sampler(uint32_t seed = 0) : rng_(seed) {}
  void Seed(uint32_t seed) { rng_.Seed(seed); }
  // The stream's position (xoshiro128++'s state), saved in session snapshots.
  void GetStream(uint32_t state[4]) const { rng_.GetState(state); }
  // Continues a saved stream; false (and no change) for an impossible state.
  bool SetStream(const uint32_t state[4]) { return rng_.SetState(state); }
  // Picks a token from logits [vocab]; options must be valid.
  int32_t Sample(const float* logits, size_t vocab, const SamplingOptions& options);

 private:
  struct Candidate {
    float logit;
    int32_t id;
    float weight;  // exp((logit - max) / T)
  };
  XoshiroRandom rng_;
  std::vector<Candidate> candidates_;  // reused: no allocation per token
  std::vector<float> weights_;         // [vocab]
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_SAMPLER_H_
