// edgepiece generate: stream text from the language model.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/model_loading.h"
#include "runtime/base/file.h"
#include "runtime/model/generator.h"

namespace edgepiece::cli {
namespace {

// The defaults in the help text are the library's (GenerateOptions).
std::string Help() {
  const GenerateOptions defaults;
  char text[2048];
  std::snprintf(text, sizeof(text),
                R"(usage: edgepiece generate --model DIR_OR_FILES [--prompt TEXT] [flags]

Streams a continuation of the prompt to stdout as tokens are produced (the
prompt first). The prompt is --prompt TEXT, or else all of stdin, as-is (a
trailing newline included: `printf %%s TEXT |` leaves none). It is encoded
deterministically after <bos>; generation stops at <eos> or after
--max-tokens. Speeds go to stderr with --stats.

  --model M          a directory with one *.safetensors LM and one *.model
                     tokenizer, or LM.safetensors,TOKENIZER.model
  --prompt TEXT      the prompt (default: read stdin)
  --max-tokens N     at most N new tokens (default %d)
  --temperature T    0 = greedy (default %g)
  --top-k K          keep the K most likely tokens, 0 = all (default %d)
  --top-p P          nucleus sampling, 1 = off (default %g)
  --seed S           sampling seed (default 0)
  --ignore-eos       keep generating after <eos> (exactly --max-tokens tokens)
  --stats            print prompt/generation speed to stderr
  --save-state FILE  at the end, write the session (prompt and every printed
                     token, and the sampling stream) to FILE as a snapshot;
                     with --max-tokens 0, the prompt's prefill alone
  --load-state FILE  continue the session a snapshot saved (same model):
                     --prompt TEXT, if given, is appended (encoded on its own,
                     no <bos>; stdin is not read), then generation goes on
                     with the saved sampling stream unless --seed is given
)",
                defaults.max_tokens, defaults.sampling.temperature, defaults.sampling.top_k,
                defaults.sampling.top_p);
  return text;
}

// Writes a snapshot; a failed write leaves no file behind.
Status WriteState(const std::string& path, const std::string& bytes) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    return Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
  const int write_errno = errno;
  if (std::fclose(out) != 0 || !written) {
    std::remove(path.c_str());
    return Status(StatusCode::kIoError, "cannot write " + path + ": " + std::strerror(write_errno));
  }
  return Status::Ok();
}

Status RunGenerate(const Flags& flags) {
  GenerateOptions options;
  double temperature, top_p;
  uint32_t max_tokens, top_k, seed;
  EDGEPIECE_RETURN_IF_ERROR(
      flags.GetDouble("temperature", options.sampling.temperature, &temperature));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetDouble("top-p", options.sampling.top_p, &top_p));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("max-tokens", options.max_tokens, &max_tokens));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("top-k", options.sampling.top_k, &top_k));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("seed", 0, &seed));
  const bool load_state = flags.Has("load-state");
  options.sampling.temperature = static_cast<float>(temperature);
  options.sampling.top_p = static_cast<float>(top_p);
  options.sampling.top_k = static_cast<int>(top_k);
  options.max_tokens = static_cast<int>(std::min<uint32_t>(max_tokens, 1u << 30));
  // A restored session continues its saved stream unless a seed is given.
  if (!load_state || flags.Has("seed")) options.seed = seed;
  options.append = load_state;
  options.stop_at_eos = !flags.Has("ignore-eos");
  Status valid = ValidateSamplingOptions(options.sampling);
  if (!valid.ok()) return UsageError(valid.detail());

  std::string prompt;
  if (flags.Has("prompt")) {
    prompt = flags.Get("prompt");
  } else if (!load_state) {
    EDGEPIECE_RETURN_IF_ERROR(WithContext(ReadInput("", &prompt), "cannot read the prompt"));
  }
  Result<LoadedLm> lm = LoadLm(flags);
  EDGEPIECE_RETURN_IF_ERROR(lm.status());
  Sampler sampler;
  if (load_state) {
    const std::string path = flags.Get("load-state");
    std::string snapshot;
    EDGEPIECE_RETURN_IF_ERROR(WithContext(ReadFile(path, &snapshot), "cannot read " + path));
    EDGEPIECE_RETURN_IF_ERROR(
        WithContext(lm->session.Restore(snapshot, &sampler), "cannot restore " + path));
  }
  Result<Generator> generator = Generator::Create(&lm->session, &sampler, lm->tokenizer);
  if (!generator.ok()) return WithContext(generator.status(), "generation failed");
  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  std::fflush(stdout);
  Status status = generator->Start(prompt, options);
  GeneratedToken token;
  while (status.ok()) {
    status = generator->Next(&token);
    if (!status.ok()) break;
    std::fwrite(token.text.data(), 1, token.text.size(), stdout);
    std::fflush(stdout);  // stream: the reader sees each token as it comes
    if (token.stop != StopReason::kNone) break;
  }
  std::fputc('\n', stdout);
  std::fflush(stdout);  // before the stats on stderr
  if (status.ok() && flags.Has("save-state")) {
    status = generator->Flush();  // the last printed token, into the state
    if (status.ok()) status = WriteState(flags.Get("save-state"), lm->session.Snapshot(&sampler));
  }
  if (!status.ok()) return WithContext(status, "generation failed");
  const GenerateStats& stats = generator->stats();
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
  static const std::string help = Help();
  return {"generate",
          "stream text from the language model",
          help.c_str(),
          {"model", "prompt", "max-tokens", "temperature", "top-k", "top-p", "seed", "save-state",
           "load-state"},
          {"stats", "ignore-eos"},
          RunGenerate};
}

}  // namespace edgepiece::cli
