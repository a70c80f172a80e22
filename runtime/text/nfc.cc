#include "runtime/text/nfc.h"

#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "runtime/base/memory.h"
#include "runtime/ops/text_scan.h"
#include "runtime/text/utf8.h"

namespace edgepiece {
namespace {

// Hangul is composed algorithmically, outside utf8proc's tables: vowel and
// trailing jamo attach to the preceding syllable or leading jamo.
bool IsHangulSecond(char32_t cp) {
  return (cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2);
}

// Normalizes one valid UTF-8 segment with utf8proc and appends it.
Status AppendNfcSegment(std::string_view segment, std::string* out) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t len =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(segment.data()),
                   static_cast<utf8proc_ssize_t>(segment.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (len < 0) {
    return Status(len == UTF8PROC_ERROR_NOMEM ? StatusCode::kOutOfMemory : StatusCode::kInternal,
                  std::string("NFC normalization failed: ") + utf8proc_errmsg(len));
  }
  Status room = TryReserve(out, out->size() + static_cast<size_t>(len), "NFC");
  if (room.ok()) out->append(reinterpret_cast<const char*>(mapped), static_cast<size_t>(len));
  std::free(mapped);
  return room;
}

}  // namespace

bool IsNfcInert(char32_t cp) {
  if (cp < 0x300) return true;                    // Latin-1 and Latin Extended: all inert
  if (cp >= 0xAC00 && cp <= 0xD7A3) return true;  // Hangul syllables
  if (IsHangulSecond(cp)) return false;
  const utf8proc_property_t* prop = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
  if (prop->combining_class != 0) return false;
  // decomp_type 0 with a sequence is a canonical decomposition; NFC would
  // replace the character (compatibility decompositions are left alone).
  if (prop->decomp_seqindex != UINT16_MAX && prop->decomp_type == 0) {
    return false;
  }
  // utf8proc marks characters that can be the second element of a primary
  // composite with comb_index >= 0x8000 (0xFFFF means "not combining").
  if (prop->comb_index != UINT16_MAX && prop->comb_index >= 0x8000) {
    return false;
  }
  return true;
}

Result<std::string_view> NormalizeNfc(std::string_view text, std::string* scratch) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  size_t segment_start = 0;  // a normalization boundary at or before i
  size_t copied = 0;         // text[0, copied) is already in *scratch
  bool changed = false;
  std::string normalized;
  while (i < n) {
    if (p[i] < 0x80) {
      i += CountAsciiPrefix(p + i, n - i);
      segment_start = i - 1;  // the last ASCII byte starts a segment
      continue;
    }
    const Utf8Step step = DecodeUtf8Step(p + i, n - i);
    if (!step.valid) {
      i += step.length;
      segment_start = i;  // invalid bytes are a barrier
      continue;
    }
    if (IsNfcInert(step.codepoint)) {
      segment_start = i;
      i += step.length;
      continue;
    }
    // A non-inert character: extend to the next boundary (an inert
    // character, an invalid byte or the end) and normalize the segment.
    size_t end = i + step.length;
    while (end < n && p[end] >= 0x80) {
      const Utf8Step next = DecodeUtf8Step(p + end, n - end);
      if (!next.valid || IsNfcInert(next.codepoint)) break;
      end += next.length;
    }
    const std::string_view segment = text.substr(segment_start, end - segment_start);
    normalized.clear();
    EDGEPIECE_RETURN_IF_ERROR(AppendNfcSegment(segment, &normalized));
    if (normalized != segment) {
      if (!changed) {
        scratch->clear();
        EDGEPIECE_RETURN_IF_ERROR(TryReserve(scratch, n + n / 8 + 16, "NFC"));
        changed = true;
      }
      EDGEPIECE_RETURN_IF_ERROR(TryReserve(
          scratch, scratch->size() + (segment_start - copied) + normalized.size() + (n - end),
          "NFC"));
      scratch->append(text.data() + copied, segment_start - copied);
      scratch->append(normalized);
      copied = end;
    }
    i = end;
    segment_start = end;
  }
  if (!changed) return text;
  scratch->append(text.data() + copied, n - copied);
  return std::string_view(*scratch);
}

}  // namespace edgepiece
