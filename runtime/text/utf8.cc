#include "runtime/text/utf8.h"

namespace edgepiece {
namespace {

// Well-formed sequences (Unicode Table 3-7): the lead byte fixes the length
// and the allowed range of the first continuation byte; later continuation
// bytes are always 80..BF.
struct LeadInfo {
  uint8_t length;  // 0: never a lead byte
  uint8_t lo, hi;  // range of the second byte
};

inline LeadInfo Lead(uint8_t b) {
  if (b < 0x80) return {1, 0, 0};
  if (b < 0xC2) return {0, 0, 0};
  if (b < 0xE0) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b < 0xF0) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b < 0xF4) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

Utf8Step DecodeUtf8Step(const uint8_t* p, size_t n) {
  const uint8_t b0 = p[0];
  if (b0 < 0x80) return {b0, 1, true, false};
  const LeadInfo lead = Lead(b0);
  if (lead.length == 0) return {0, 1, false, false};
  char32_t cp = b0 & (0xFF >> (lead.length + 1));
  for (uint8_t i = 1; i < lead.length; ++i) {
    if (i >= n) return {0, i, false, true};
    const uint8_t b = p[i];
    const bool ok = (i == 1) ? (b >= lead.lo && b <= lead.hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return {0, i, false, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, lead.length, true, false};
}

void AppendUtf8Ignoring(std::string_view bytes, std::string* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Copy runs of ASCII without per-byte decoding.
    size_t j = i;
    while (j < n && p[j] < 0x80) ++j;
    out->append(bytes.data() + i, j - i);
    i = j;
    if (i == n) break;
    const Utf8Step step = DecodeUtf8Step(p + i, n - i);
    if (step.valid) out->append(bytes.data() + i, step.length);
    i += step.length;
  }
}

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const Utf8Step step = DecodeUtf8Step(p + i, bytes.size() - i);
    if (!step.valid) return false;
    i += step.length;
  }
  return true;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void Utf8StreamDecoder::Feed(std::string_view bytes, std::string* out) {
  pending_.append(bytes.data(), bytes.size());
  const auto* p = reinterpret_cast<const uint8_t*>(pending_.data());
  const size_t n = pending_.size();
  // Find where a possibly incomplete final sequence starts: only a valid
  // prefix that ran into the end of the buffer is held back.
  size_t done = 0;
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      done = i;
      continue;
    }
    const Utf8Step step = DecodeUtf8Step(p + i, n - i);
    if (step.truncated) break;
    i += step.length;
    done = i;
  }
  AppendUtf8Ignoring(std::string_view(pending_.data(), done), out);
  pending_.erase(0, done);
}

void Utf8StreamDecoder::Finish(std::string* out) {
  AppendUtf8Ignoring(pending_, out);
  pending_.clear();
}

}  // namespace edgepiece
