#include "runtime/trainer/chunker.h"

#include <string>

#include "runtime/text/utf8.h"

namespace edgepiece {

// The reference matches re.findall('.{,10000}\n{1,100}|.{1,10000}') (with
// isolate_digits '\d|[^\n\d]{,10000}\n{1,100}|[^\n\d]{1,10000}'). At each
// position that regex takes, in this order: a digit alone; a run of at most
// 10,000 other characters that is followed by '\n', with up to 100 newlines
// (backtracking never helps: a shorter run is followed by a non-newline);
// otherwise the first 10,000 characters of the run, or all of it when shorter.
Status SplitTrainingChunks(std::string_view text, bool isolate_digits,
                           std::vector<std::string_view>* chunks) {
  chunks->clear();
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  // Decodes the character at q; false (and an error) on invalid UTF-8.
  Status error;
  auto step_at = [&](size_t q, Utf8Step* step) {
    *step = DecodeUtf8Step(bytes + q, n - q);
    if (step->valid) return true;
    error = Status(StatusCode::kInvalidArgument,
                   "invalid UTF-8 at byte offset " + std::to_string(q) + " of the text");
    return false;
  };
  Utf8Step step;
  size_t p = 0;
  while (p < n) {
    if (isolate_digits && bytes[p] != '\n') {
      if (!step_at(p, &step)) return error;
      if (IsUnicodeDigit(step.codepoint)) {
        chunks->emplace_back(text.data() + p, step.length);
        p += step.length;
        continue;
      }
    }
    // The run of characters other than '\n' (and digits), up to the limit.
    size_t q = p, chars = 0;
    bool stopped = false;  // the run ended before the limit (newline, digit or end)
    while (chars < kTrainerChunkChars) {
      if (q == n || bytes[q] == '\n') {
        stopped = true;
        break;
      }
      if (bytes[q] < 0x80) {
        if (isolate_digits && bytes[q] >= '0' && bytes[q] <= '9') {
          stopped = true;
          break;
        }
        ++q;
      } else {
        if (!step_at(q, &step)) return error;
        if (isolate_digits && IsUnicodeDigit(step.codepoint)) {
          stopped = true;
          break;
        }
        q += step.length;
      }
      ++chars;
    }
    if (!stopped) {
      // Exactly the limit: the run may still end here, right before a newline, a digit or the end.
      if (q == n || bytes[q] == '\n') {
        stopped = true;
      } else if (isolate_digits) {
        if (!step_at(q, &step)) return error;
        stopped = IsUnicodeDigit(step.codepoint);
      }
    }
    size_t end = q;
    if (stopped && q < n && bytes[q] == '\n') {
      while (end < n && bytes[end] == '\n' && end - q < kTrainerChunkNewlines) ++end;
    }
    chunks->emplace_back(text.data() + p, end - p);
    p = end;
  }
  return Status::Ok();
}

}  // namespace edgepiece
