// Prompt in, streamed text out: tokenizes the prompt, feeds it to a Session
// (prefill), then samples token by token, holding back incomplete UTF-8 so
// every streamed piece is valid text.
#ifndef EDGEPIECE_RUNTIME_MODEL_GENERATOR_H_
#define EDGEPIECE_RUNTIME_MODEL_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "runtime/base/status.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece {

struct GenerateOptions {
  int max_tokens = 256;
  SamplingOptions sampling;
  uint32_t seed = 0;
  bool stop_at_eos = true;
};

struct GenerateStats {
  size_t prompt_tokens = 0;     // including <bos>
  size_t generated_tokens = 0;  // not counting a final <eos>
  bool stopped_at_eos = false;
  double prefill_seconds = 0;
  double decode_seconds = 0;
};

// Called with each generated token and the text that became final with it
// (possibly empty); return false to stop.
using TokenCallback = std::function<bool(int32_t id, std::string_view text)>;

// Starts from an empty sequence (the session is reset): <bos> + prompt.
Status Generate(Session* session, const Tokenizer& tokenizer, std::string_view prompt,
                const GenerateOptions& options, const TokenCallback& on_token,
                GenerateStats* stats);

// Bits per byte of `text`: -sum log2 p(token) over its tokens after <bos>,
// divided by the UTF-8 length of its NFC form. The session is reset.
struct ScoreResult {
  double bits_per_byte = 0;
  double log2_prob = 0;  // sum over tokens (<= 0)
  size_t tokens = 0;
  size_t bytes = 0;
};
Status ScoreText(Session* session, const Tokenizer& tokenizer, std::string_view text,
                 ScoreResult* result);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_GENERATOR_H_
