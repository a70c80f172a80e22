// edgepiece score: bits per byte of a text under the language model.
#include <cstdio>
#include <string>
#include <string_view>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/model_loading.h"
#include "native/progress.h"
#include "runtime/model/generator.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece score --model DIR_OR_FILES [FILE]

Scores FILE (default stdin) as one document: <bos> + its tokens, and prints
one JSON line: {"bits_per_byte": ..., "log2_prob": ..., "tokens": ..., "bytes": ...}
where bytes counts the UTF-8 bytes of the NFC-normalized text.

  --model M    a directory with one *.safetensors LM and one *.model
               tokenizer, or LM.safetensors,TOKENIZER.model
  --progress   report progress on stderr even when it is not a terminal
)";

// The input scored as it arrives: runs of whole chunks (InputReader::NextChunks)
// into a TextScorer, so memory stays flat whatever the input's size.
Status ScoreStream(LoadedLm* lm, InputReader* reader, Progress* progress, ScoreResult* result) {
  Result<TextScorer> scorer = TextScorer::Start(&lm->session, lm->tokenizer);
  EDGEPIECE_RETURN_IF_ERROR(scorer.status());
  std::string_view text;
  for (;;) {
    auto more = reader->NextChunks(&text);
    if (!more.ok()) return more.status();
    if (!*more) break;
    EDGEPIECE_RETURN_IF_ERROR(scorer->Add(text));
    progress->Update(reader->bytes_read());
  }
  *result = scorer->result();
  return Status::Ok();
}

Status RunScore(const Flags& flags) {
  if (flags.positional().size() > 1) return UsageError("score takes at most one FILE");
  Result<LoadedLm> lm = LoadLm(flags);
  EDGEPIECE_RETURN_IF_ERROR(lm.status());
  const std::string path = flags.positional().empty() ? "" : flags.positional()[0];
  auto reader = InputReader::Open(path);
  EDGEPIECE_RETURN_IF_ERROR(WithContext(reader.status(), "cannot read input"));
  Progress progress("score", reader->file_size(), Progress::ModeForStderr(flags.Has("progress")));
  ScoreResult result;
  const Status status = ScoreStream(&*lm, &*reader, &progress, &result);
  if (status.code() == StatusCode::kIoError) return WithContext(status, "cannot read input");
  EDGEPIECE_RETURN_IF_ERROR(WithContext(status, "scoring failed"));
  progress.Finish(reader->bytes_read());
  std::printf("{\"bits_per_byte\": %.6f, \"log2_prob\": %.4f, \"tokens\": %zu, \"bytes\": %zu}\n",
              result.bits_per_byte, result.log2_prob, result.tokens, result.bytes);
  return Status::Ok();
}

}  // namespace

Command ScoreCommand() {
  return {"score",      "bits per byte of a text under the language model",
          kHelp,        {"model"},
          {"progress"}, RunScore};
}

}  // namespace edgepiece::cli
