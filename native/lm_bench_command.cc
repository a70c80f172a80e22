// edgepiece bench on a language model: prefill and decode tokens/s.
#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "native/clocks.h"
#include "native/commands.h"
#include "native/exit_status.h"
#include "native/model_loading.h"
#include "runtime/base/rng.h"
#include "runtime/model/session.h"
#include "runtime/ops/peak_flops.h"

namespace edgepiece::cli {
namespace {

// Multiply-adds x 2 of the tied head for one token's logits.
double HeadFlops(const ModelConfig& c) { return 2.0 * c.d_model * c.vocab_size; }

// Multiply-adds x 2 per token of the layers' matrix and attention work
// (element-wise work is left out; the head is HeadFlops); `past` is the
// token's position inside its GAU chunk.
double BodyFlopsPerToken(const ModelConfig& c, double past) {
  const double d = c.d_model, e = c.expansion, s = c.key_size, n = c.lru_states;
  double flops = 0;
  for (LayerKind kind : c.layers) {
    if (kind == LayerKind::kGau) {
      flops += 2 * d * (2 * e + s) + 2 * e * d  // W_in, W_out
               + 2 * (s + e) * (past + 1)       // local relu^2 attention
               + 4 * s * e;                     // q_lin M and P += k_lin v
    } else {
      flops += 2 * d * 2 * n + 2 * 2 * n * d + 2 * 2 * d * d;  // B, C, W1|W2
    }
  }
  return flops;
}

// Best of a few 0.1 s runs of the peak loop, in FLOP per CPU-second.
double MeasurePeakFlops() {
  double best = 0;
  for (int i = 0; i < 5; ++i) {
    const double start = ThreadCpuSeconds();
    const double flops = RunPeakFlopsLoop(4000000);
    best = std::max(best, flops / std::max(ThreadCpuSeconds() - start, 1e-9));
  }
  return best;
}

}  // namespace

Status RunLmBench(const Flags& flags) {
  uint32_t prefill_tokens, decode_tokens, repeat;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("prefill-tokens", 512, &prefill_tokens));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("decode-tokens", 256, &decode_tokens));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("repeat", 3, &repeat));
  if (prefill_tokens == 0 || decode_tokens == 0 || repeat == 0) {
    return UsageError("token counts and --repeat must be >= 1");
  }
  Result<LoadedLm> lm = LoadLm(flags);
  EDGEPIECE_RETURN_IF_ERROR(lm.status());
  const ModelConfig& c = lm->model.config();

  // Token ids do not change the work: a fixed pseudo-random sequence.
  XoshiroRandom rng(42);
  std::vector<int32_t> ids(std::max(prefill_tokens, decode_tokens));
  for (auto& id : ids) id = 3 + static_cast<int32_t>(rng.Next() % (c.vocab_size - 3));

  Session& session = lm->session;
  // Prefill computes the logits of its last token only; score (Session::Score,
  // after one fed token) those of every token, like decode.
  double prefill = 1e300, score = 1e300, decode = 1e300;
  for (uint32_t r = 0; r < repeat; ++r) {
    session.Reset();
    double start = ThreadCpuSeconds();
    Status status = session.Feed(ids.data(), prefill_tokens);
    prefill = std::min(prefill, ThreadCpuSeconds() - start);
    session.Reset();
    double log2_prob = 0;
    if (status.ok()) status = session.Feed(ids.data(), 1);
    start = ThreadCpuSeconds();
    if (status.ok()) status = session.Score(ids.data(), prefill_tokens, &log2_prob);
    score = std::min(score, ThreadCpuSeconds() - start);
    session.Reset();
    start = ThreadCpuSeconds();
    for (uint32_t i = 0; i < decode_tokens && status.ok(); ++i) status = session.Feed(&ids[i], 1);
    decode = std::min(decode, ThreadCpuSeconds() - start);
    if (!status.ok()) return WithContext(status, "bench");
  }
  const double body = BodyFlopsPerToken(c, (c.chunk - 1) / 2.0), head = HeadFlops(c);
  const double peak = MeasurePeakFlops();
  std::printf("model %s: %s\n", lm->weights_path.c_str(), c.Summary().c_str());
  std::printf(
      "  %.2f M parameters, %.1f MB weights in memory, %.2f MB session state, load %.1f ms\n",
      lm->model.num_parameters() / 1e6, lm->model.weight_bytes() / 1e6, session.StateBytes() / 1e6,
      lm->load_seconds * 1e3);
  std::printf(
      "  %.2f MFLOP/token in the layers (matrix + attention work, mid-chunk) + %.2f for the "
      "head's logits;\n  one core's peak %.1f GFLOP/s (%s multiply-add loop)\n",
      body / 1e6, head / 1e6, peak / 1e9, DispatchedTargetName());
  // Work done: prefill's head runs once, score's and decode's once a token.
  for (const auto& [name, tokens, seconds, work] :
       {std::tuple<const char*, uint32_t, double, double>{"prefill", prefill_tokens, prefill,
                                                          body * prefill_tokens + head},
        {"score", prefill_tokens, score, (body + head) * prefill_tokens},
        {"decode", decode_tokens, decode, (body + head) * decode_tokens}}) {
    const double achieved = work / seconds;
    std::printf("  %-8s %6u tokens %10.1f tok/s %8.2f GFLOP/s %5.1f%% of peak\n", name, tokens,
                tokens / seconds, achieved / 1e9, 100 * achieved / peak);
  }
  return Status::Ok();
}

}  // namespace edgepiece::cli
