#include "runtime/tokenizer/spm_normalizer.h"

#include <algorithm>
#include <cstring>

namespace edgepiece {
namespace {

constexpr char kSpaceSymbol[] = "\xe2\x96\x81";  // U+2581
constexpr char kReplacement[] = "\xef\xbf\xbd";  // U+FFFD

bool IsTrail(uint8_t b) { return (b & 0xc0) == 0x80; }
bool IsValidCodepoint(uint32_t c) { return c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff); }

Status CharsmapError(const std::string& what) {
  return Status(StatusCode::kInvalidModel, "precompiled_charsmap: " + what);
}

// darts-clone's unit layout.
bool HasLeaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t Value(uint32_t unit) { return unit & 0x7fffffffu; }
uint32_t Label(uint32_t unit) { return unit & (0x80000000u | 0xffu); }
uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

}  // namespace

bool SpmDecodeUtf8(const uint8_t* p, size_t n, size_t* length) {
  *length = 1;
  const uint8_t b = p[0];
  if (b < 0x80) return true;
  if (n >= 2 && (b & 0xe0) == 0xc0) {
    const uint32_t c = ((b & 0x1fu) << 6) | (p[1] & 0x3fu);
    if (IsTrail(p[1]) && c >= 0x80 && IsValidCodepoint(c)) return *length = 2, true;
  } else if (n >= 3 && (b & 0xf0) == 0xe0) {
    const uint32_t c = ((b & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
    if (IsTrail(p[1]) && IsTrail(p[2]) && c >= 0x800 && IsValidCodepoint(c)) {
      return *length = 3, true;
    }
  } else if (n >= 4 && (b & 0xf8) == 0xf0) {
    const uint32_t c =
        ((b & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
    if (IsTrail(p[1]) && IsTrail(p[2]) && IsTrail(p[3]) && c >= 0x10000 && IsValidCodepoint(c)) {
      return *length = 4, true;
    }
  }
  return false;
}

Result<SpmNormalizer> SpmNormalizer::Create(const SpmNormalizerSpec& spec,
                                            bool treat_whitespace_as_suffix,
                                            const SpmTrie* user_defined) {
  SpmNormalizer n;
  n.spec_.name = spec.name;
  n.spec_.add_dummy_prefix = spec.add_dummy_prefix;
  n.spec_.remove_extra_whitespaces = spec.remove_extra_whitespaces;
  n.spec_.escape_whitespaces = spec.escape_whitespaces;
  n.treat_whitespace_as_suffix_ = treat_whitespace_as_suffix;
  n.user_defined_ = user_defined != nullptr && !user_defined->empty() ? user_defined : nullptr;
  const std::string& blob = spec.precompiled_charsmap;
  if (blob.empty()) {
    n.BuildAsciiRules();
    return n;
  }
  if (blob.size() <= 4) {
    return CharsmapError(std::to_string(blob.size()) + " bytes, too short for its header");
  }
  const auto* b = reinterpret_cast<const uint8_t*>(blob.data());
  const uint32_t trie_size =
      b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  if (trie_size >= blob.size() - 4) {
    return CharsmapError("trie size " + std::to_string(trie_size) + " leaves no room in " +
                         std::to_string(blob.size()) + " bytes");
  }
  if (trie_size == 0 || trie_size % 4 != 0) {
    return CharsmapError("trie size " + std::to_string(trie_size) +
                         " is not a positive multiple of 4");
  }
  n.units_.resize(trie_size / 4);
  for (size_t i = 0; i < n.units_.size(); ++i) {
    const uint8_t* u = b + 4 + 4 * i;
    n.units_[i] = u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
  }
  n.strings_.assign(blob, 4 + trie_size, std::string::npos);
  if (n.strings_.back() != '\0') {
    return CharsmapError("the replacement strings do not end with a NUL");
  }
  // Value units (bit 31 set) hold offsets into the strings; with the final NUL, any offset
  // inside the strings is a terminated string. A node with a leaf (any other unit with bit 8)
  // has its value unit at its index ^ its offset: checked here for every unit, reachable or
  // not, so that no walk of any text can leave the array or read a non-value as a value
  // (darts-clone leaves unused units 0, without the leaf bit).
  for (size_t i = 0; i < n.units_.size(); ++i) {
    const uint32_t unit = n.units_[i];
    if ((unit >> 31) != 0) {
      if (Value(unit) >= n.strings_.size()) {
        return CharsmapError("trie unit " + std::to_string(i) + " points to offset " +
                             std::to_string(Value(unit)) + ", outside the " +
                             std::to_string(n.strings_.size()) + " bytes of strings");
      }
    } else if (HasLeaf(unit)) {
      const size_t leaf = i ^ Offset(unit);
      if (leaf >= n.units_.size() || (n.units_[leaf] >> 31) == 0) {
        return CharsmapError(
            "trie unit " + std::to_string(i) + " has its value at unit " + std::to_string(leaf) +
            ", which " +
            (leaf >= n.units_.size() ? "is outside the array" : "is not a value unit"));
      }
    }
  }
  n.BuildAsciiRules();
  return n;
}

void SpmNormalizer::BuildAsciiRules() {
  for (uint32_t b = 0x80; b < 256; ++b) {
    const bool user_defined =
        user_defined_ != nullptr && user_defined_->Child(0, static_cast<uint8_t>(b)) >= 0;
    size_t node = units_.empty() ? 0 : Offset(units_[0]) ^ b;
    const bool mapped = !units_.empty() && node < units_.size() && Label(units_[node]) == b;
    copy_lead_[b] = !user_defined && !mapped;
    // The same for the first two bytes of a 3-byte character whose lead byte starts keys:
    // E2 starts nmt_nfkc keys ("…", "™"), but none starts with E2 94 (box drawing).
    if (b < 0xe0 || b > 0xef || copy_lead_[b]) continue;
    const SpmTrie* ud = user_defined_;
    const int32_t ud_node = ud != nullptr ? ud->Child(0, static_cast<uint8_t>(b)) : -1;
    // A key or piece of the lead byte alone matches whatever follows.
    const bool one_byte_key =
        (ud_node >= 0 && ud->HasValue(ud_node)) || (mapped && HasLeaf(units_[node]));
    for (uint32_t second = 0x80; second < 0xc0; ++second) {
      bool starts_key =
          one_byte_key || (ud_node >= 0 && ud->Child(ud_node, static_cast<uint8_t>(second)) >= 0);
      if (mapped) {
        const size_t child = node ^ Offset(units_[node]) ^ second;
        starts_key |= child < units_.size() && Label(units_[child]) == second;
      }
      copy_three_[b & 0x0f][second & 0x3f] = !starts_key;
    }
  }
  for (uint32_t b = 0; b < 128; ++b) {
    AsciiRule& rule = ascii_[b];
    rule = AsciiRule();
    if (user_defined_ != nullptr && user_defined_->Child(0, static_cast<uint8_t>(b)) >= 0) {
      continue;  // a user-defined piece starts here
    }
    if (units_.empty()) {
      rule.kind = AsciiRule::kCopy;
      continue;
    }
    const size_t size = units_.size();
    size_t node = Offset(units_[0]) ^ b;
    if (node >= size || Label(units_[node]) != b) {
      rule.kind = AsciiRule::kCopy;  // no charsmap key starts with b
      continue;
    }
    const uint32_t unit = units_[node];
    node ^= Offset(unit);
    bool longer_ascii = false;  // a longer key continues b with an ASCII byte
    for (uint32_t c = 1; c < 256; ++c) {
      if ((node ^ c) < size && Label(units_[node ^ c]) == c) {
        longer_ascii |= c < 0x80;
        rule.lookahead = true;
      }
    }
    if (longer_ascii) continue;
    if (!HasLeaf(unit)) {
      rule.kind = AsciiRule::kCopy;
    } else {  // its value unit: in range and within the strings (checked in Create)
      rule.kind = AsciiRule::kReplace;
      rule.offset = Value(units_[node]);
      rule.length = static_cast<uint32_t>(std::strlen(strings_.data() + rule.offset));
    }
  }
  for (uint32_t b = 0; b < 128; ++b) {
    const AsciiRule& rule = ascii_[b];
    if (b != ' ' && rule.kind == AsciiRule::kCopy) {
      ascii_copy_[b] = rule.lookahead ? kCopyBeforeAscii : kCopyAlways;
    }
  }
}

void SpmNormalizer::NormalizePrefix(const uint8_t* p, size_t n, std::string_view* replacement,
                                    size_t* consumed) const {
  if (p[0] < 0x80 && AsciiRuleApplies(p, n)) {
    const AsciiRule& rule = ascii_[p[0]];
    *replacement = rule.kind == AsciiRule::kCopy
                       ? std::string_view(reinterpret_cast<const char*>(p), 1)
                       : std::string_view(strings_.data() + rule.offset, rule.length);
    *consumed = 1;
    return;
  }
  if (user_defined_ != nullptr) {
    const size_t length = user_defined_->LongestPrefix(p, n);
    if (length > 0) {
      *replacement = std::string_view(reinterpret_cast<const char*>(p), length);
      *consumed = length;
      return;
    }
  }
  size_t longest = 0;
  uint32_t value = 0;
  if (!units_.empty()) {
    const uint32_t* units = units_.data();
    const size_t size = units_.size();
    size_t node = Offset(units[0]);
    for (size_t i = 0; i < n; ++i) {
      node ^= p[i];
      if (node >= size) break;
      const uint32_t unit = units[node];
      if (Label(unit) != p[i]) break;
      node ^= Offset(unit);
      if (HasLeaf(unit)) {
        // In range and a value within the strings: Create checked every leaf.
        longest = i + 1;
        value = Value(units[node]);
      }
    }
  }
  if (longest > 0) {
    const char* s = strings_.data() + value;
    *replacement = std::string_view(s, std::strlen(s));
    *consumed = longest;
    return;
  }
  size_t length;
  if (SpmDecodeUtf8(p, n, &length)) {
    *replacement = std::string_view(reinterpret_cast<const char*>(p), length);
  } else {
    *replacement = std::string_view(kReplacement, 3);
  }
  *consumed = length;
}

Status SpmNormalizer::Normalize(std::string_view input, std::string* normalized,
                                std::vector<uint32_t>* norm_to_orig) const {
  normalized->clear();
  if (norm_to_orig != nullptr) norm_to_orig->clear();
  const auto* p = reinterpret_cast<const uint8_t*>(input.data());
  const size_t n = input.size();
  size_t consumed = 0;
  std::string_view sp;
  size_t length;
  if (spec_.remove_extra_whitespaces) {
    while (consumed < n) {
      NormalizePrefix(p + consumed, n - consumed, &sp, &length);
      if (sp != " ") break;
      consumed += length;
    }
  }
  // An empty (or all-space) input normalizes to nothing, dummy prefix included, and its
  // mapping is empty too.
  if (consumed == n) return Status::Ok();

  // Output through raw pointers into buffers kept at least 3 bytes per input byte left (+ 6)
  // ahead: the fast paths below write at most 3 bytes per input byte (a space becomes U+2581)
  // and never check for room; the general path, whose replacements can be longer, makes room
  // first. (A std::string append per character cost a call each, most of the time here.)
  const bool with_map = norm_to_orig != nullptr;
  size_t capacity = 3 * (n - consumed) + 6;
  normalized->resize(capacity);
  if (with_map) norm_to_orig->resize(capacity);
  char* out = normalized->data();
  uint32_t* map = with_map ? norm_to_orig->data() : nullptr;
  size_t size = 0;
  auto make_room = [&](size_t count) {  // for `count` bytes more than the invariant's
    const size_t need = size + count + 3 * (n - consumed) + 6;
    if (need <= capacity) return;
    capacity = std::max(2 * capacity, need);
    normalized->resize(capacity);
    out = normalized->data();
    if (with_map) {
      norm_to_orig->resize(capacity);
      map = norm_to_orig->data();
    }
  };
  auto put = [&](char c) {
    out[size] = c;
    if (with_map) map[size] = static_cast<uint32_t>(consumed);
    ++size;
  };
  const bool escape = spec_.escape_whitespaces;
  auto add_space = [&]() {
    if (escape) {
      put(kSpaceSymbol[0]);
      put(kSpaceSymbol[1]);
      put(kSpaceSymbol[2]);
    } else {
      put(' ');
    }
  };
  if (!treat_whitespace_as_suffix_ && spec_.add_dummy_prefix) add_space();

  bool is_prev_space = spec_.remove_extra_whitespaces;
  while (consumed < n) {
    // Fast paths for what no rule changes, with the effect the general path below would
    // have: an ASCII space (escaped, or dropped after a space with remove_extra_whitespaces),
    // and a run of other ASCII bytes and valid UTF-8 characters, copied as is (each byte of a
    // character maps to the character's start, as the general path maps a replacement).
    const uint8_t b = p[consumed];
    if (b == ' ' && ascii_[b].kind == AsciiRule::kCopy &&
        AsciiRuleApplies(p + consumed, n - consumed)) {
      if (!is_prev_space) {
        add_space();
        is_prev_space = spec_.remove_extra_whitespaces;
      }
      ++consumed;
      continue;
    }
    const size_t run_begin = consumed;
    for (;;) {
      while (consumed < n) {
        const uint8_t copy = ascii_copy_[p[consumed]];
        if (copy == kCopyNever ||
            (copy == kCopyBeforeAscii && consumed + 1 < n && p[consumed + 1] >= 0x80)) {
          break;
        }
        put(static_cast<char>(p[consumed]));
        ++consumed;
      }
      if (consumed == n || p[consumed] < 0x80) break;
      const uint8_t lead = p[consumed];
      const bool three = (lead & 0xf0) == 0xe0 && n - consumed >= 3;
      if (!copy_lead_[lead] && !(three && copy_three_[lead & 0x0f][p[consumed + 1] & 0x3f])) break;
      // A valid 3-byte character (most CJK) is checked here, without SpmDecodeUtf8's call:
      // not overlong (E0 needs A0..BF next), not a surrogate (ED needs 80..9F next).
      size_t char_length;
      if (three && IsTrail(p[consumed + 1]) && IsTrail(p[consumed + 2]) &&
          (lead != 0xe0 || p[consumed + 1] >= 0xa0) && (lead != 0xed || p[consumed + 1] < 0xa0)) {
        char_length = 3;
      } else if (!SpmDecodeUtf8(p + consumed, n - consumed, &char_length)) {
        break;
      }
      for (size_t k = 0; k < char_length; ++k) put(static_cast<char>(p[consumed + k]));
      consumed += char_length;
    }
    if (consumed > run_begin) {
      is_prev_space = false;
      continue;
    }
    NormalizePrefix(p + consumed, n - consumed, &sp, &length);
    // After a space (with remove_extra_whitespaces), leading spaces of this prefix go.
    while (is_prev_space && !sp.empty() && sp[0] == ' ') sp.remove_prefix(1);
    if (!sp.empty()) {
      make_room(3 * sp.size());
      for (const char c : sp) {
        if (c == ' ') {
          add_space();
        } else {
          put(c);
        }
      }
      is_prev_space = sp.back() == ' ';
    }
    consumed += length;
    if (!spec_.remove_extra_whitespaces) is_prev_space = false;
  }

  if (spec_.remove_extra_whitespaces) {
    const std::string_view space = escape ? std::string_view(kSpaceSymbol, 3) : " ";
    while (size >= space.size() &&
           std::string_view(out + size - space.size(), space.size()) == space) {
      size -= space.size();
      // The end maps to where the removed space began.
      if (with_map) consumed = map[size];
    }
  }
  if (treat_whitespace_as_suffix_ && spec_.add_dummy_prefix) add_space();
  normalized->resize(size);
  if (with_map) {
    norm_to_orig->resize(size);
    norm_to_orig->push_back(static_cast<uint32_t>(consumed));
  }
  return Status::Ok();
}

}  // namespace edgepiece
