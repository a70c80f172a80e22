// The trainer's chunking (the reference's normalize(text, 10000, isolate_digits)):
// chunks of at most 10,000 non-newline characters followed by at most 100 '\n',
// newline runs beyond 100 continuing as newline-only chunks and, with
// isolate_digits, every Unicode decimal digit as a chunk of its own. Unlike the
// tokenizer's chunking (one chunk per line), both passes of training count and
// segment within these chunks, so the limits change the model.
#ifndef EDGEPIECE_RUNTIME_TRAINER_CHUNKER_H_
#define EDGEPIECE_RUNTIME_TRAINER_CHUNKER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/text/unicode_digits.h"  // IsUnicodeDigit

namespace edgepiece {

// The reference's limits: characters (code points) per chunk, newlines per chunk.
inline constexpr size_t kTrainerChunkChars = 10000;
inline constexpr size_t kTrainerChunkNewlines = 100;

// Replaces *chunks with views into `text` (NFC, valid UTF-8), in order; their
// concatenation is `text`. Invalid UTF-8 is kInvalidArgument with its byte offset.
Status SplitTrainingChunks(std::string_view text, bool isolate_digits,
                           std::vector<std::string_view>* chunks);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_CHUNKER_H_
