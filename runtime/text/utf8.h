// UTF-8 helpers shared by normalization and decoding. Invalid input is
// described with Unicode's "maximal subpart" rule (the same one Python's
// decoder uses), so dropping invalid parts matches errors='ignore'.
#ifndef EDGEPIECE_RUNTIME_TEXT_UTF8_H_
#define EDGEPIECE_RUNTIME_TEXT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgepiece {

// One step of UTF-8 decoding at the start of a byte range.
struct Utf8Step {
  char32_t codepoint;  // valid only when `valid`
  uint8_t length;      // bytes consumed: the sequence, or the invalid subpart
  bool valid;          // a complete, well-formed sequence
  bool truncated;      // invalid only because the range ended mid-sequence
};

// Decodes the sequence at p[0..n), n >= 1. Invalid input consumes its
// maximal subpart (at least one byte).
Utf8Step DecodeUtf8Step(const uint8_t* p, size_t n);

// Appends `bytes` to `out` with invalid UTF-8 dropped, like Python's
// bytes.decode('utf-8', errors='ignore').
void AppendUtf8Ignoring(std::string_view bytes, std::string* out);

// True when `bytes` is entirely well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

// Encodes one scalar value (< 0x110000, not a surrogate) as UTF-8.
void AppendUtf8(char32_t codepoint, std::string* out);

// Incremental bytes -> text decoder for token streams: a multi-byte
// character split across tokens is held back until it completes, and
// invalid bytes are dropped as in AppendUtf8Ignoring.
class Utf8StreamDecoder {
 public:
  // Appends to `out` the text that is final after `bytes` arrive.
  void Feed(std::string_view bytes, std::string* out);
  // Ends the stream; an incomplete tail is dropped (errors='ignore').
  void Finish(std::string* out);
  // Bytes held back waiting for the rest of a character (0..3).
  size_t pending() const { return pending_.size(); }

 private:
  std::string pending_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TEXT_UTF8_H_
