#include "runtime/base/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace edgepiece {

Status ReadFile(const std::string& path, std::string* contents) {
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
    contents->reserve(static_cast<size_t>(info.st_size));
  }
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), f)) > 0) contents->append(buffer, got);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status(StatusCode::kIoError, "cannot read " + path);
  return Status::Ok();
}

Result<FileView> FileView::Open(const std::string& path) {
  FileView view;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat info;
  const bool regular = fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (regular && info.st_size > 0) {
    void* mapped = mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ,
                        MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED) {
      return Status(StatusCode::kIoError, "cannot map " + path + ": " + std::strerror(errno));
    }
    view.mapped_ = static_cast<const char*>(mapped);
    view.size_ = static_cast<size_t>(info.st_size);
    return view;
  }
  ::close(fd);
  EDGEPIECE_RETURN_IF_ERROR(ReadFile(path, &view.copy_));  // pipes, empty files
  return view;
}

FileView::FileView(FileView&& other) noexcept { *this = std::move(other); }

FileView& FileView::operator=(FileView&& other) noexcept {
  if (this != &other) {
    if (mapped_ != nullptr) munmap(const_cast<char*>(mapped_), size_);
    mapped_ = other.mapped_;
    size_ = other.size_;
    copy_ = std::move(other.copy_);
    other.mapped_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

FileView::~FileView() {
  if (mapped_ != nullptr) munmap(const_cast<char*>(mapped_), size_);
}

}  // namespace edgepiece
