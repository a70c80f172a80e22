// Shared pieces of the libFuzzer targets: a reader that turns fuzz bytes into
// choices, and the small tokenizer and language model the targets run on
// (small so that each execution takes microseconds).
#ifndef EDGEPIECE_TESTS_FUZZ_FUZZ_UTIL_H_
#define EDGEPIECE_TESTS_FUZZ_FUZZ_UTIL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runtime/model/model.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece::fuzz {

// Consumes fuzz bytes from the front; past the end every read is zero, so any
// input is a complete program.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool Bool() { return Byte() & 1; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(Byte()) << (8 * i);
    return v;
  }
  // A value in [0, n) (n > 0) from one or two bytes.
  uint32_t Below(uint32_t n) {
    uint32_t v = Byte();
    if (n > 256) v |= static_cast<uint32_t>(Byte()) << 8;
    return v % n;
  }
  // Encoder alpha: deterministic (-1) half the time, else a sampling alpha
  // from 0 to 2 including the edges.
  double Alpha() {
    const uint8_t b = Byte();
    if (b < 128) return -1.0;
    return (b - 128) / 63.5;
  }
  // Up to `max` bytes, the length taken from the input.
  std::string_view Bytes(size_t max) {
    size_t n = Below(static_cast<uint32_t>(max) + 1);
    if (n > size_ - std::min(pos_, size_)) n = size_ - std::min(pos_, size_);
    std::string_view out(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return out;
  }
  // Everything not read yet.
  std::string_view Rest() {
    if (pos_ >= size_) return {};
    std::string_view out(reinterpret_cast<const char*>(data_) + pos_, size_ - pos_);
    pos_ = size_;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A property the code under test promised is broken: report it and abort so
// that libFuzzer keeps the input.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

// A BytePiece tokenizer file (JSON): the 256 single bytes plus a few
// multi-byte pieces (267 ids with <pad>, <bos>, <eos>).
const std::string& SmallTokenizerJson();
// SmallTokenizerJson() loaded.
const Tokenizer& SmallTokenizer();
// A SentencePiece .model (Unigram, or BPE) with byte fallback, a user-defined, a control and
// an unused piece, no charsmap: small, and every corner of encoding and decoding in reach.
const std::string& SmallSpmModel(bool bpe);
// SmallSpmModel(bpe) loaded.
const Tokenizer& SmallSpmTokenizer(bool bpe);
// Safetensors bytes of a random tiny language model (d=12, layers gau,lru,
// chunk 4) whose vocabulary matches SmallTokenizer(), so that generation
// works through the C ABI.
const std::string& TinyModelBytes();
// TinyModelBytes() loaded.
const Model& TinyModel();

}  // namespace edgepiece::fuzz

#endif  // EDGEPIECE_TESTS_FUZZ_FUZZ_UTIL_H_
