// Unicode NFC normalization, the first step of BytePiece encoding.
//
// Most text is already NFC and made of "inert" characters (canonical
// combining class 0, no canonical decomposition, never the second half of a
// canonical composition: ASCII, CJK ideographs, most letters). Before every
// inert character lies a normalization boundary, so the text splits into
// independent segments; only segments that contain a non-inert character go
// through utf8proc. That keeps NFC off the profile for ordinary input.
//
// Invalid UTF-8 is not an error: each maximal invalid subpart is copied
// unchanged and acts as a boundary (no composition across it), so the
// byte-level tokenizer still sees and round-trips every input byte.
#ifndef EDGEPIECE_RUNTIME_TEXT_NFC_H_
#define EDGEPIECE_RUNTIME_TEXT_NFC_H_

#include <string>
#include <string_view>

#include "runtime/base/status.h"

namespace edgepiece {

// Returns the NFC form of `text`: `text` itself when it is already NFC (no
// copy), otherwise a view of `*scratch`, which receives the normalized text.
Result<std::string_view> NormalizeNfc(std::string_view text, std::string* scratch);

// True for characters that are normalization boundaries on both sides and
// unchanged by NFC (see the file comment). Exposed for tests.
bool IsNfcInert(char32_t codepoint);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TEXT_NFC_H_
