// edgepiece score: bits per byte of a text under the language model.
#include <cstdio>
#include <iostream>
#include <string>

#include "native/cli_common.h"
#include "native/commands.h"
#include "native/lm_loading.h"
#include "runtime/model/generator.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece score --model DIR_OR_FILES [FILE]

Scores FILE (default stdin) as one document: <bos> + its tokens, and prints
one JSON line: {"bits_per_byte": ..., "log2_prob": ..., "tokens": ..., "bytes": ...}
where bytes counts the UTF-8 bytes of the NFC-normalized text.

  --model M   a directory with one *.safetensors LM and one *.model
              tokenizer, or LM.safetensors,TOKENIZER.model
)";

}  // namespace

int RunScore(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"model"}, {});
  if (!flags) return kExitUsage;
  if (flags->help()) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (flags->positional().size() > 1) return Fail(kExitUsage, "score takes at most one FILE");
  int exit_code = kExitOk;
  auto lm = LoadLm(*flags, &exit_code);
  if (!lm) return exit_code;
  std::string text;
  const std::string path = flags->positional().empty() ? "" : flags->positional()[0];
  Status status = ReadInput(path, &text);
  if (!status.ok()) return FailStatus(status, "cannot read input");
  ScoreResult result;
  status = ScoreText(&lm->session, lm->tokenizer, text, &result);
  if (!status.ok()) return FailStatus(status, "scoring failed");
  std::printf("{\"bits_per_byte\": %.6f, \"log2_prob\": %.4f, \"tokens\": %zu, \"bytes\": %zu}\n",
              result.bits_per_byte, result.log2_prob, result.tokens, result.bytes);
  return kExitOk;
}

}  // namespace edgepiece::cli
