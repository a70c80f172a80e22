// Access to the shared golden data (../shared/golden next to the checkout,
// or $EDGEPIECE_GOLDEN_DIR), read by native and WASM tests alike.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_GOLDEN_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_GOLDEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece::testing {

// Folder holding the BytePiece goldens (kjvzh-8k.model, public.*.gz).
std::string BytePieceGoldenDir();
// Whole contents of a gzip file (or plain file); aborts the test on error.
std::string ReadGzipFile(const std::string& path);
// The 3,430 public documents, in file order.
const std::vector<std::string>& PublicDocuments();
// Reference ids for `model` ("kjvzh-8k", "plus40k") and `run` ("det", ...).
std::vector<std::vector<int32_t>> GoldenIds(const std::string& model, const std::string& run);
// Loads a golden model, failing the calling test on error.
Tokenizer LoadGoldenTokenizer(const std::string& model);

}  // namespace edgepiece::testing

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_GOLDEN_H_
