// edgepiece generate: stream text from the language model.
#include <cstdio>
#include <string>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/model_loading.h"
#include "runtime/model/generator.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece generate --model DIR_OR_FILES --prompt TEXT [flags]

Streams a continuation of TEXT to stdout as tokens are produced. The prompt
is encoded deterministically after <bos>; generation stops at <eos> or after
--max-tokens. Speeds go to stderr with --stats.

  --model M          a directory with one *.safetensors LM and one *.model
                     tokenizer, or LM.safetensors,TOKENIZER.model
  --prompt TEXT      the prompt (default: empty)
  --max-tokens N     at most N new tokens (default 200)
  --temperature T    0 = greedy (default 0.8)
  --top-k K          keep the K most likely tokens, 0 = all (default 0)
  --top-p P          nucleus sampling, 1 = off (default 0.95)
  --seed S           sampling seed (default 0)
  --ignore-eos       keep generating after <eos> (exactly --max-tokens tokens)
  --stats            print prompt/generation speed to stderr
)";

Status RunGenerate(const Flags& flags) {
  GenerateOptions options;
  double temperature, top_p;
  uint32_t max_tokens, top_k;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetDouble("temperature", 0.8, &temperature));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetDouble("top-p", 0.95, &top_p));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("max-tokens", 200, &max_tokens));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("top-k", 0, &top_k));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("seed", 0, &options.seed));
  options.sampling.temperature = static_cast<float>(temperature);
  options.sampling.top_p = static_cast<float>(top_p);
  options.sampling.top_k = static_cast<int>(top_k);
  options.max_tokens = static_cast<int>(std::min<uint32_t>(max_tokens, 1u << 30));
  options.stop_at_eos = !flags.Has("ignore-eos");
  Status valid = ValidateSamplingOptions(options.sampling);
  if (!valid.ok()) return UsageError(valid.detail());

  Result<LoadedLm> lm = LoadLm(flags);
  EDGEPIECE_RETURN_IF_ERROR(lm.status());
  const std::string prompt = flags.Get("prompt");
  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  std::fflush(stdout);
  GenerateStats stats;
  Status status = Generate(
      &lm->session, lm->tokenizer, prompt, options,
      [](int32_t, std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);  // stream: the reader sees each token as it comes
        return true;
      },
      &stats);
  std::fputc('\n', stdout);
  std::fflush(stdout);  // before the stats on stderr
  if (!status.ok()) return WithContext(status, "generation failed");
  if (flags.Has("stats")) {
    std::fprintf(stderr,
                 "load %.1f ms | prompt %zu tokens, %.1f tok/s | generated %zu tokens, "
                 "%.1f tok/s%s\n",
                 lm->load_seconds * 1e3, stats.prompt_tokens,
                 stats.prompt_tokens / std::max(stats.prefill_seconds, 1e-9),
                 stats.generated_tokens,
                 stats.generated_tokens / std::max(stats.decode_seconds, 1e-9),
                 stats.stopped_at_eos ? " | stopped at <eos>" : "");
  }
  return Status::Ok();
}

}  // namespace

Command GenerateCommand() {
  return {"generate",
          "stream text from the language model",
          kHelp,
          {"model", "prompt", "max-tokens", "temperature", "top-k", "top-p", "seed"},
          {"stats", "ignore-eos"},
          RunGenerate};
}

}  // namespace edgepiece::cli
