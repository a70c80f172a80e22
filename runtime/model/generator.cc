#include "runtime/model/generator.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace edgepiece {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// [<bos> +] the deterministic encoding of `text`.
Result<std::vector<int32_t>> PromptIds(const Tokenizer& tokenizer, std::string_view text,
                                       bool bos) {
  Encoder encoder(tokenizer);
  EncodeOptions options;
  options.add_bos = bos;
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

Result<Generator> Generator::Create(Session* session, Sampler* sampler, Tokenizer tokenizer) {
  if (session == nullptr || sampler == nullptr) {
    return Status(StatusCode::kInvalidArgument, "null session or sampler");
  }
  EDGEPIECE_RETURN_IF_ERROR(CheckVocabularies(*session, tokenizer));
  return Generator(session, sampler, std::move(tokenizer));
}

Status Generator::Start(std::string_view prompt, const GenerateOptions& options) {
  // A failed Start leaves no generation running: Next() reports the error.
  started_ = false;
  EDGEPIECE_RETURN_IF_ERROR(ValidateSamplingOptions(options.sampling));
  if (options.max_tokens < 0) {
    return Status(StatusCode::kInvalidArgument, "max_tokens must be >= 0");
  }
  if (options.append) EDGEPIECE_RETURN_IF_ERROR(Flush());
  const bool bos = !options.append || session_->position() == 0;
  Result<std::vector<int32_t>> ids = PromptIds(tokenizer_, prompt, bos);
  EDGEPIECE_RETURN_IF_ERROR(ids.status());
  options_ = options;
  stats_ = GenerateStats();
  decoder_ = Utf8StreamDecoder();
  unfed_ = -1;
  stop_ = StopReason::kNone;
  if (options.seed) sampler_->Seed(*options.seed);
  if (!options.append) session_->Reset();
  const auto start = std::chrono::steady_clock::now();
  EDGEPIECE_RETURN_IF_ERROR(session_->Feed(ids->data(), ids->size()));
  stats_.prompt_tokens = ids->size();
  stats_.prefill_seconds = SecondsSince(start);
  started_ = true;
  return Status::Ok();
}

Status Generator::Flush() {
  if (unfed_ < 0) return Status::Ok();
  const int32_t id = unfed_;
  unfed_ = -1;
  if (session_->version() != session_version_) return Status::Ok();
  const Status fed = session_->Feed(&id, 1);
  if (!fed.ok()) started_ = false;  // as in Next(): the state no longer follows the text
  return fed;
}

Status Generator::Next(GeneratedToken* token) {
  if (!started_) return Status(StatusCode::kInvalidArgument, "call Start before Next");
  text_.clear();
  *token = GeneratedToken();
  if (stop_ == StopReason::kNone &&
      stats_.generated_tokens >= static_cast<size_t>(options_.max_tokens)) {
    stop_ = StopReason::kMaxTokens;  // only reached with max_tokens = 0
  }
  if (stop_ != StopReason::kNone) {
    token->stop = stop_;
    return Status::Ok();
  }
  const auto start = std::chrono::steady_clock::now();
  if (unfed_ >= 0) {
    const Status fed = session_->Feed(&unfed_, 1);
    if (!fed.ok()) {
      started_ = false;  // the state no longer follows the text: start again
      return fed;
    }
    unfed_ = -1;
  }
  const int32_t id =
      sampler_->Sample(session_->logits(), session_->vocab_size(), options_.sampling);
  if (options_.stop_at_eos && id == session_->model().config().eos_id) {
    stats_.stopped_at_eos = true;
    stop_ = StopReason::kEos;
    decoder_.Finish(&text_);
  } else {
    Result<std::string_view> bytes = tokenizer_.IdToBytes(id);
    EDGEPIECE_RETURN_IF_ERROR(bytes.status());
    decoder_.Feed(*bytes, &text_);
    ++stats_.generated_tokens;
    token->id = id;
    // One log-sum-exp over the vocabulary: cheap next to the step that made the logits.
    token->log2_prob = TokenLog2Prob(session_->logits(), session_->vocab_size(), id);
    unfed_ = id;
    session_version_ = session_->version();
    if (stats_.generated_tokens == static_cast<size_t>(options_.max_tokens)) {
      stop_ = StopReason::kMaxTokens;
      decoder_.Finish(&text_);
    }
  }
  token->text = text_;
  token->stop = stop_;
  stats_.decode_seconds += SecondsSince(start);
  return Status::Ok();
}

Result<TextScorer> TextScorer::Start(Session* session, Tokenizer tokenizer) {
  EDGEPIECE_RETURN_IF_ERROR(CheckVocabularies(*session, tokenizer));
  session->Reset();
  const int32_t bos = kBosId;
  EDGEPIECE_RETURN_IF_ERROR(session->Feed(&bos, 1));
  return TextScorer(session, std::move(tokenizer));
}

Status TextScorer::Add(std::string_view part) {
  const EncodeOptions options;  // deterministic, no <bos>: Start fed it
  EDGEPIECE_RETURN_IF_ERROR(encoder_.Encode(part, options, &encoding_));
  const std::vector<int32_t>& ids = encoding_.ids;
  // The pieces' bytes are the NFC form of the text, byte for byte.
  for (const int32_t id : ids) result_.bytes += encoder_.tokenizer().IdToBytes(id)->size();
  result_.tokens += ids.size();
  EDGEPIECE_RETURN_IF_ERROR(session_->Score(ids.data(), ids.size(), &result_.log2_prob));
  result_.bits_per_byte = result_.bytes > 0 ? -result_.log2_prob / result_.bytes : 0;
  return Status::Ok();
}

Status ScoreText(Session* session, const Tokenizer& tokenizer, std::string_view text,
                 ScoreResult* result) {
  Result<TextScorer> scorer = TextScorer::Start(session, tokenizer);
  EDGEPIECE_RETURN_IF_ERROR(scorer.status());
  EDGEPIECE_RETURN_IF_ERROR(scorer->Add(text));
  *result = scorer->result();
  return Status::Ok();
}

}  // namespace edgepiece
