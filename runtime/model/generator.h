// Prompt in, streamed text out: a Generator tokenizes the prompt, feeds it to
// a Session (prefill), then samples one token per Next() call, holding back
// incomplete UTF-8 so every piece of text it returns is valid. Every front
// end (the CLI, the C ABI and through it JS) runs this one loop.
#ifndef EDGEPIECE_RUNTIME_MODEL_GENERATOR_H_
#define EDGEPIECE_RUNTIME_MODEL_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/base/status.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"
#include "runtime/text/utf8.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece {

// The generation defaults: the one definition the CLI's flags, the C ABI's
// ep_generate_options_init() and the JS layer read.
inline constexpr float kDefaultTemperature = 0.8f;
inline constexpr int kDefaultTopK = 0;
inline constexpr float kDefaultTopP = 0.95f;
inline constexpr int kDefaultMaxTokens = 200;

// How one generation runs; default-constructed it holds the defaults above.
struct GenerateOptions {
  int max_tokens = kDefaultMaxTokens;  // new tokens at most (>= 0)
  SamplingOptions sampling = {kDefaultTemperature, kDefaultTopK, kDefaultTopP};
  // Restarts the sampler's stream first; unset, the stream continues.
  std::optional<uint32_t> seed;
  bool stop_at_eos = true;  // false: <eos> is an ordinary token
  // Continue the session's sequence (a restored snapshot, an earlier turn)
  // instead of resetting it: the prompt's encoding follows without <bos>
  // (an empty session still gets <bos> first).
  bool append = false;
};

// Counters and timings of the current (or last) generation.
struct GenerateStats {
  size_t prompt_tokens = 0;     // including <bos>
  size_t generated_tokens = 0;  // not counting a final <eos>
  bool stopped_at_eos = false;
  double prefill_seconds = 0;
  double decode_seconds = 0;  // time spent inside Next()
};

// Why generation ended (kNone while it goes on).
enum class StopReason { kNone = 0, kEos = 1, kMaxTokens = 2 };

// What one Next() call produced.
struct GeneratedToken {
  int32_t id = -1;  // the new token; -1 when the call produced none
  // log2 p(id) under the model's own distribution: the softmax of the raw
  // logits (temperature 1, before temperature, top-k and top-p), the term
  // Session::Score adds for it. 0 when id is -1.
  double log2_prob = 0;
  std::string_view text;                // text that became final with it; valid until the next call
  StopReason stop = StopReason::kNone;  // set on the call that ends generation
};

// One generation at a time over a borrowed Session and Sampler (both must
// outlive the Generator): Start(), then Next() until it reports a stop.
// The last token is never fed, so an abandoned or finished generation
// costs no forward step beyond the tokens it returned.
class Generator {
 public:
  // InvalidArgument when the tokenizer's and the model's vocabularies differ.
  static Result<Generator> Create(Session* session, Sampler* sampler, Tokenizer tokenizer);

  // Resets the session, reseeds the sampler if options.seed is set, and
  // feeds <bos> + the deterministic encoding of `prompt`. With
  // options.append, feeds the last generation's unfed token (Flush) and
  // then the prompt's encoding, without resetting.
  Status Start(std::string_view prompt, const GenerateOptions& options);
  // Samples the next token (feeding the previous one first). After a stop,
  // further calls return {-1, "", the same reason}; before Start, an error.
  Status Next(GeneratedToken* token);

  // Feeds the last returned token now rather than at the next Next(), so the
  // session holds every token returned (before Session::Snapshot). Does
  // nothing when there is none, or when the session moved since (Reset,
  // Feed, Score, Restore by someone else): the token no longer follows.
  Status Flush();

  // True between a successful Start() and the next failure or Start().
  bool started() const { return started_; }
  // kNone while the generation goes on.
  StopReason stop_reason() const { return stop_; }
  // Of the current or last generation.
  const GenerateStats& stats() const { return stats_; }

 private:
  Generator(Session* session, Sampler* sampler, Tokenizer tokenizer)
      : session_(session), sampler_(sampler), tokenizer_(std::move(tokenizer)) {}

  Session* session_;
  Sampler* sampler_;
  Tokenizer tokenizer_;
  GenerateOptions options_;
  GenerateStats stats_;
  Utf8StreamDecoder decoder_;
  std::string text_;              // the text of the last Next()
  int32_t unfed_ = -1;            // the last returned token, fed by the next Next()
  uint64_t session_version_ = 0;  // the session's version() when unfed_ was set
  bool started_ = false;
  StopReason stop_ = StopReason::kNone;
};

// Bits per byte of a text: -sum log2 p(token) over its tokens after <bos>,
// divided by the UTF-8 length of its NFC form.
struct ScoreResult {
  double bits_per_byte = 0;
  double log2_prob = 0;  // sum over tokens (<= 0)
  size_t tokens = 0;
  size_t bytes = 0;
};

// Scores a text that arrives in parts, in memory that does not grow with it.
// Each part but the last must end right after a maximal run of '\n' (a chunk
// boundary, InputReader::NextChunks): then the parts' ids are the whole
// text's, and consecutive Session::Score calls add up to one call's sum.
class TextScorer {
 public:
  // Resets the session (borrowed: it must outlive the scorer) and feeds
  // <bos>. InvalidArgument when the vocabularies differ.
  static Result<TextScorer> Start(Session* session, Tokenizer tokenizer);
  // Encodes and scores the next part.
  Status Add(std::string_view part);
  // The parts so far.
  const ScoreResult& result() const { return result_; }

 private:
  TextScorer(Session* session, Tokenizer tokenizer)
      : session_(session), encoder_(std::move(tokenizer)) {}

  Session* session_;
  Encoder encoder_;
  Encoding encoding_;
  ScoreResult result_;
};

// The whole of `text` through a TextScorer. The session is reset.
Status ScoreText(Session* session, const Tokenizer& tokenizer, std::string_view text,
                 ScoreResult* result);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_GENERATOR_H_
