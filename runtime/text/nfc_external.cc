// NFC for builds where the caller normalizes (WebAssembly: the JS layer
// calls String.prototype.normalize('NFC') before text reaches the module),
// so the runtime ships without utf8proc's tables. Text is taken as given.
#include "runtime/text/nfc.h"

namespace edgepiece {

bool IsNfcInert(char32_t codepoint) { return codepoint < 0x300; }

Result<std::string_view> NormalizeNfc(std::string_view text, std::string* scratch) { return text; }

}  // namespace edgepiece
