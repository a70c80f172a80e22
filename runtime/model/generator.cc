#include "runtime/model/generator.h"

#include <chrono>
#include <string>
#include <vector>

#include "runtime/text/utf8.h"

namespace edgepiece {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// <bos> + the deterministic encoding of `text`.
Result<std::vector<int32_t>> PromptIds(const Tokenizer& tokenizer, std::string_view text) {
  Encoder encoder(tokenizer);
  EncodeOptions options;
  options.add_bos = true;
  return encoder.Encode(text, options);
}

Status CheckVocabularies(const Session& session, const Tokenizer& tokenizer) {
  if (static_cast<size_t>(tokenizer.vocab_size()) != session.vocab_size()) {
    return Status(StatusCode::kInvalidArgument,
                  "the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                      " ids but the model " + std::to_string(session.vocab_size()));
  }
  return Status::Ok();
}

}  // namespace

Status Generate(Session* session, const Tokenizer& tokenizer, std::string_view prompt,
                const GenerateOptions& options, const TokenCallback& on_token,
                GenerateStats* stats) {
  EDGEPIECE_RETURN_IF_ERROR(CheckVocabularies(*session, tokenizer));
  EDGEPIECE_RETURN_IF_ERROR(ValidateSamplingOptions(options.sampling));
  if (options.max_tokens < 0) {
    return Status(StatusCode::kInvalidArgument, "max_tokens must be >= 0");
  }
  *stats = GenerateStats();
  Result<std::vector<int32_t>> ids = PromptIds(tokenizer, prompt);
  EDGEPIECE_RETURN_IF_ERROR(ids.status());
  session->Reset();
  auto start = std::chrono::steady_clock::now();
  EDGEPIECE_RETURN_IF_ERROR(session->Feed(ids->data(), ids->size()));
  stats->prompt_tokens = ids->size();
  stats->prefill_seconds = SecondsSince(start);

  start = std::chrono::steady_clock::now();
  Sampler sampler(options.seed);
  Utf8StreamDecoder decoder;
  std::string text;
  const int32_t eos = session->model().config().eos_id;
  for (int i = 0; i < options.max_tokens; ++i) {
    const int32_t id = sampler.Sample(session->logits(), session->vocab_size(), options.sampling);
    if (options.stop_at_eos && id == eos) {
      stats->stopped_at_eos = true;
      break;
    }
    Result<std::string_view> bytes = tokenizer.IdToBytes(id);
    EDGEPIECE_RETURN_IF_ERROR(bytes.status());
    text.clear();
    decoder.Feed(*bytes, &text);
    ++stats->generated_tokens;
    const bool more = i + 1 < options.max_tokens;
    if (!more) decoder.Finish(&text);
    if (!on_token(id, text) || !more) break;
    EDGEPIECE_RETURN_IF_ERROR(session->Feed(&id, 1));
  }
  stats->decode_seconds = SecondsSince(start);
  return Status::Ok();
}

Status ScoreText(Session* session, const Tokenizer& tokenizer, std::string_view text,
                 ScoreResult* result) {
  EDGEPIECE_RETURN_IF_ERROR(CheckVocabularies(*session, tokenizer));
  Result<std::vector<int32_t>> ids = PromptIds(tokenizer, text);
  EDGEPIECE_RETURN_IF_ERROR(ids.status());
  *result = ScoreResult();
  // The pieces' bytes are the NFC form of the text, byte for byte.
  for (size_t i = 1; i < ids->size(); ++i) result->bytes += tokenizer.IdToBytes((*ids)[i])->size();
  result->tokens = ids->size() - 1;
  session->Reset();
  EDGEPIECE_RETURN_IF_ERROR(session->Feed(ids->data(), 1));
  EDGEPIECE_RETURN_IF_ERROR(session->Score(ids->data() + 1, result->tokens, &result->log2_prob));
  if (result->bytes > 0) result->bits_per_byte = -result->log2_prob / result->bytes;
  return Status::Ok();
}

}  // namespace edgepiece
