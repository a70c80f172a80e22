// Strict standard base64 (RFC 4648 alphabet "+/", '=' padding), the key
// encoding of BytePiece tokenizer files.
#ifndef EDGEPIECE_RUNTIME_TEXT_BASE64_H_
#define EDGEPIECE_RUNTIME_TEXT_BASE64_H_

#include <string>
#include <string_view>

namespace edgepiece {

// Decodes `in` into `out` (replacing its contents). Returns false, with
// `*error` describing the first problem, on a length that is not a multiple
// of 4, a character outside the alphabet, misplaced padding, or non-zero
// padding bits (which would let two keys name the same bytes).
bool DecodeBase64(std::string_view in, std::string* out, std::string* error);
// Same rules, appending to `out`; on failure `out` may hold partial output.
bool AppendDecodedBase64(std::string_view in, std::string* out, std::string* error);

// Encodes bytes as padded standard base64.
std::string EncodeBase64(std::string_view bytes);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TEXT_BASE64_H_
