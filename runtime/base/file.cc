#include "runtime/base/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace edgepiece {

Status ReadFile(const std::string& path, std::string* contents, size_t padding) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  // Only regular files have a meaningful size (a directory opens fine and
  // reports a huge one); pipes and devices are read without a size hint.
  struct stat info;
  if (fstat(fileno(f), &info) != 0 || S_ISDIR(info.st_mode)) {
    std::fclose(f);
    return Status(StatusCode::kIoError, "cannot read " + path + ": not a regular file");
  }
  contents->clear();
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    contents->reserve(static_cast<size_t>(info.st_size) + padding);
  }
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), f)) > 0) contents->append(buffer, got);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status(StatusCode::kIoError, "cannot read " + path);
  return Status::Ok();
}

}  // namespace edgepiece
