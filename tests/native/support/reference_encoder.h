// A slow, obviously correct BytePiece encoder: a direct transcription of
// docs/bytepiece.md sections 2-5 (on normalized text) with a hash map
// instead of an automaton. Tests compare the fast Encoder against it.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_REFERENCE_ENCODER_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_REFERENCE_ENCODER_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/base/rng.h"
#include "runtime/tokenizer/vocab.h"

namespace edgepiece::testing {

class ReferenceEncoder {
 public:
  explicit ReferenceEncoder(const Vocab& vocab);
  // Encodes already-normalized bytes; alpha < 0 is Viterbi, otherwise
  // sampling with one draw of `rng` per match.
  std::vector<int32_t> Encode(std::string_view text, double alpha, GlibcRandom* rng) const;

 private:
  std::vector<int32_t> EncodeChunk(std::string_view chunk, double alpha, GlibcRandom* rng) const;

  const Vocab& vocab_;
  std::unordered_map<std::string, int32_t> index_;  // piece bytes -> piece index
};

}  // namespace edgepiece::testing

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_REFERENCE_ENCODER_H_
