// Whole-file reads for model loading.
#ifndef EDGEPIECE_RUNTIME_BASE_FILE_H_
#define EDGEPIECE_RUNTIME_BASE_FILE_H_

#include <string>
#include <string_view>

#include "runtime/base/status.h"

namespace edgepiece {

// Reads the file at `path` into `*contents`.
Status ReadFile(const std::string& path, std::string* contents);

// A read-only view of a whole file. Regular files are memory-mapped and
// prefaulted in one call: on virtual machines every page fault is expensive,
// and a model read into fresh heap memory faults in every page of it (the
// cost: docs/benchmarks.md). Other files (pipes) are read into memory.
class FileView {
 public:
  static Result<FileView> Open(const std::string& path);
  FileView(FileView&& other) noexcept;
  FileView& operator=(FileView&& other) noexcept;
  FileView(const FileView&) = delete;
  FileView& operator=(const FileView&) = delete;
  ~FileView();

  std::string_view contents() const { return mapped_ ? std::string_view(mapped_, size_) : copy_; }

 private:
  FileView() = default;
  const char* mapped_ = nullptr;
  size_t size_ = 0;
  std::string copy_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_BASE_FILE_H_
