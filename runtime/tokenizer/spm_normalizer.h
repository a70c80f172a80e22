// SentencePiece's text normalization, exactly as its Normalizer (0.1.97) does it:
//
// 1. The input is read as a sequence of "prefixes": the longest user-defined symbol at the
//    position (copied unchanged), else the longest key of the precompiled charsmap (replaced by
//    its normalized string), else one UTF-8 character (an invalid byte becomes U+FFFD).
// 2. remove_extra_whitespaces: prefixes that normalize to " " are dropped at the start, runs
//    of spaces collapse to one, and trailing spaces are dropped.
// 3. escape_whitespaces: ' ' becomes U+2581; add_dummy_prefix puts one U+2581 in front (or,
//    with treat_whitespace_as_suffix, at the end).
//
// The charsmap is <uint32 little-endian trie size><darts-clone double array><strings>: the
// array maps UTF-8 sequences to offsets of NUL-terminated replacements in the strings.
// norm_to_orig maps every normalized byte (and the end) to the byte of the ORIGINAL input its
// prefix came from, which is how token offsets point into the caller's text.
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_SPM_NORMALIZER_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_SPM_NORMALIZER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/tokenizer/spm_model.h"
#include "runtime/tokenizer/spm_trie.h"

namespace edgepiece {

class SpmNormalizer {
 public:
  // Validates the charsmap (sizes, every stored replacement inside the strings and
  // terminated). `user_defined` (may be null) must outlive the normalizer.
  static Result<SpmNormalizer> Create(const SpmNormalizerSpec& spec,
                                      bool treat_whitespace_as_suffix, const SpmTrie* user_defined);

  // Replaces *normalized with the normalized text and *norm_to_orig (unless null: encoding
  // without offsets needs no map) with normalized->size() + 1 input positions. Fails only on a
  // charsmap that is corrupt in a way the load-time checks cannot see (an array walk leaving the
  // array).
  Status Normalize(std::string_view input, std::string* normalized,
                   std::vector<uint32_t>* norm_to_orig) const;

 private:
  // The replacement of the prefix of p[0, n) and its length in the input (>= 1).
  void NormalizePrefix(const uint8_t* p, size_t n, std::string_view* replacement,
                       size_t* consumed) const;

  // Precomputed NormalizePrefix for an ASCII byte followed by ASCII or the end: kSlow (walk
  // the user-defined pieces and the charsmap), kCopy (the byte itself) or kReplace (strings_
  // at `offset`). `lookahead`: longer charsmap keys start with the byte (e.g. "e" + U+0301 ->
  // "é"), all continuing with a non-ASCII byte, so the rule holds only before ASCII or the end.
  struct AsciiRule {
    enum Kind : uint8_t { kSlow, kCopy, kReplace } kind = kSlow;
    bool lookahead = false;
    uint32_t offset = 0, length = 0;
  };
  // Whether ascii_[p[0]] gives the prefix of p[0, n) (p[0] < 0x80).
  bool AsciiRuleApplies(const uint8_t* p, size_t n) const {
    const AsciiRule& rule = ascii_[p[0]];
    return rule.kind != AsciiRule::kSlow && (!rule.lookahead || n == 1 || p[1] < 0x80);
  }
  void BuildAsciiRules();

  AsciiRule ascii_[128];
  // Per byte, for the copy fast path: an ASCII byte other than the space that normalizes to
  // itself, always or (ascii_'s lookahead) only before ASCII or the end.
  enum CopyClass : uint8_t { kCopyNever, kCopyAlways, kCopyBeforeAscii };
  CopyClass ascii_copy_[256] = {};
  // For a non-ASCII byte: no charsmap key and no user-defined piece starts with it, so a valid
  // UTF-8 character led by it normalizes to itself (most CJK text).
  bool copy_lead_[256] = {};
  // For a 3-byte character whose lead byte is not copy_lead_: [lead & 0x0f][second & 0x3f],
  // no key and no user-defined piece starts with these two bytes.
  bool copy_three_[16][64] = {};
  SpmNormalizerSpec spec_;
  bool treat_whitespace_as_suffix_ = false;
  const SpmTrie* user_defined_ = nullptr;
  std::vector<uint32_t> units_;  // the double array
  std::string strings_;          // NUL-terminated replacements
};

// One step of SentencePiece's UTF-8 decoder: the length of the character at p[0, n) (n >= 1)
// and whether it is valid (surrogates, overlong forms and truncated sequences are not; an
// invalid sequence has length 1).
bool SpmDecodeUtf8(const uint8_t* p, size_t n, size_t* length);

// SentencePiece's character length from the lead byte alone (its OneCharLen): how its
// encoders cut text into characters, valid UTF-8 or not.
inline size_t SpmCharLength(uint8_t lead) { return "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4]; }

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_NORMALIZER_H_
