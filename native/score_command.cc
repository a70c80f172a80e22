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

// What ScoreText (runtime/model/generator.h) computes, on the input as it
// arrives: runs of whole chunks encode to the ids of the whole text
// (InputReader::NextChunks), and consecutive Session::Score calls add up to
// one call's log2 prob, so memory stays flat whatever the input's size.
Status ScoreStream(LoadedLm* lm, InputReader* reader, Progress* progress, ScoreResult* result) {
  Session& session = lm->session;
  if (static_cast<size_t>(lm->tokenizer.vocab_size()) != session.vocab_size()) {
    return Status(StatusCode::kInvalidArgument,
                  "the tokenizer has " + std::to_string(lm->tokenizer.vocab_size()) +
                      " ids but the model " + std::to_string(session.vocab_size()));
  }
  *result = ScoreResult();
  Encoder encoder(lm->tokenizer);
  const EncodeOptions options;  // deterministic, no <bos>: it is fed first
  Encoding encoding;
  session.Reset();
  const int32_t bos = kBosId;
  EDGEPIECE_RETURN_IF_ERROR(session.Feed(&bos, 1));
  std::string_view text;
  for (;;) {
    auto more = reader->NextChunks(&text);
    if (!more.ok()) return more.status();
    if (!*more) break;
    EDGEPIECE_RETURN_IF_ERROR(encoder.Encode(text, options, &encoding));
    // The pieces' bytes are the NFC form of the text, byte for byte.
    for (const int32_t id : encoding.ids) result->bytes += lm->tokenizer.IdToBytes(id)->size();
    result->tokens += encoding.ids.size();
    EDGEPIECE_RETURN_IF_ERROR(
        session.Score(encoding.ids.data(), encoding.ids.size(), &result->log2_prob));
    progress->Update(reader->bytes_read());
  }
  if (result->bytes > 0) result->bits_per_byte = -result->log2_prob / result->bytes;
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
