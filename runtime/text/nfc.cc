#include "runtime/text/nfc.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

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

// Normalizes one valid UTF-8 segment with utf8proc and appends it: what
// utf8proc_map(UTF8PROC_STABLE | UTF8PROC_COMPOSE) returns, in linear time. utf8proc_map
// puts combining marks in canonical order by swapping neighbours, quadratic in a run of
// marks (100k alternating marks took 22 s); here each run is sorted by combining class
// with a stable sort, which gives the same order (tests/native/limits_test.cc).
Status AppendNfcSegment(std::string_view segment, std::string* out) {
  constexpr auto kOptions = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(segment.data());
  const auto n = static_cast<utf8proc_ssize_t>(segment.size());
  // Canonical decomposition: at most 4 code points a character (and 3 for 2 bytes).
  std::vector<utf8proc_int32_t> points;
  EDGEPIECE_RETURN_IF_ERROR(TryReserve(&points, 2 * segment.size() + 8, "NFC"));
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t codepoint = 0;
    const utf8proc_ssize_t length = utf8proc_iterate(p + i, n - i, &codepoint);
    if (length <= 0) return Status(StatusCode::kInternal, "NFC: invalid UTF-8 in a segment");
    i += length;
    utf8proc_int32_t decomposed[8];
    int boundclass = UTF8PROC_BOUNDCLASS_START;
    const utf8proc_ssize_t count =
        utf8proc_decompose_char(codepoint, decomposed, 8, kOptions, &boundclass);
    if (count < 0 || count > 8) {
      return Status(StatusCode::kInternal, "NFC: unexpected decomposition");
    }
    EDGEPIECE_RETURN_IF_ERROR(TryReserve(&points, points.size() + count, "NFC"));
    points.insert(points.end(), decomposed, decomposed + count);
  }
  auto combining_class = [](utf8proc_int32_t c) {
    return utf8proc_get_property(c)->combining_class;
  };
  for (size_t i = 0; i < points.size();) {
    if (combining_class(points[i]) == 0) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < points.size() && combining_class(points[end]) != 0) ++end;
    if (end - i > 1) {
      std::stable_sort(points.begin() + i, points.begin() + end,
                       [&](utf8proc_int32_t a, utf8proc_int32_t b) {
                         return combining_class(a) < combining_class(b);
                       });
    }
    i = end;
  }
  // Composes and writes UTF-8 over the code points (at most 4 bytes each).
  const utf8proc_ssize_t len =
      utf8proc_reencode(points.data(), static_cast<utf8proc_ssize_t>(points.size()), kOptions);
  if (len < 0) {
    return Status(len == UTF8PROC_ERROR_NOMEM ? StatusCode::kOutOfMemory : StatusCode::kInternal,
                  std::string("NFC normalization failed: ") + utf8proc_errmsg(len));
  }
  EDGEPIECE_RETURN_IF_ERROR(TryReserve(out, out->size() + static_cast<size_t>(len), "NFC"));
  out->append(reinterpret_cast<const char*>(points.data()), static_cast<size_t>(len));
  return Status::Ok();
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
