// Whole-file reads for model loading.
#ifndef EDGEPIECE_RUNTIME_BASE_FILE_H_
#define EDGEPIECE_RUNTIME_BASE_FILE_H_

#include <string>

#include "runtime/base/status.h"

namespace edgepiece {

// Reads the file at `path` into `*contents`, reserving `padding` spare bytes
// so a caller can append parser padding without reallocating.
Status ReadFile(const std::string& path, std::string* contents, size_t padding = 0);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_BASE_FILE_H_
