#include "runtime/base/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace edgepiece {

Status ReadFile(const std::string& path, std::string* contents, size_t padding) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  contents->clear();
  long size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
  std::rewind(f);
  if (size > 0) contents->reserve(static_cast<size_t>(size) + padding);
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), f)) > 0) contents->append(buffer, got);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status(StatusCode::kIoError, "cannot read " + path);
  return Status::Ok();
}

}  // namespace edgepiece
