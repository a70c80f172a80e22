#include "native/input_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/base/file.h"

namespace edgepiece::cli {

Result<InputReader> InputReader::Open(const std::string& path, size_t block_bytes) {
  if (block_bytes == 0) return Status(StatusCode::kInvalidArgument, "block size must be > 0");
  struct stat info;
  if (path.empty() || path == "-") {
    const bool regular = fstat(fileno(stdin), &info) == 0 && S_ISREG(info.st_mode);
    return InputReader(stdin, false, block_bytes, regular ? info.st_size : 0);
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  const bool known = fstat(fileno(file), &info) == 0;
  if (known && S_ISDIR(info.st_mode)) {
    std::fclose(file);
    return Status(StatusCode::kIoError, "cannot read " + path + ": is a directory");
  }
  return InputReader(file, true, block_bytes, known && S_ISREG(info.st_mode) ? info.st_size : 0);
}

InputReader::InputReader(InputReader&& other) noexcept
    : file_(other.file_),
      owned_(other.owned_),
      block_bytes_(other.block_bytes_),
      buffer_(std::move(other.buffer_)),
      begin_(other.begin_),
      scanned_(other.scanned_),
      eof_(other.eof_),
      bytes_read_(other.bytes_read_),
      file_size_(other.file_size_) {
  other.owned_ = false;
}

InputReader::~InputReader() {
  if (owned_) std::fclose(file_);
}

Status InputReader::Fill() {
  buffer_.erase(0, begin_);
  scanned_ -= begin_;
  begin_ = 0;
  const size_t old_size = buffer_.size();
  buffer_.resize(old_size + block_bytes_);
  const size_t got = std::fread(&buffer_[old_size], 1, block_bytes_, file_);
  buffer_.resize(old_size + got);
  bytes_read_ += got;
  if (got < block_bytes_) {
    if (std::ferror(file_)) {
      return Status(StatusCode::kIoError,
                    std::string("cannot read the input: ") + std::strerror(errno));
    }
    eof_ = true;
  }
  return Status::Ok();
}

Result<bool> InputReader::NextChunks(std::string_view* text) {
  for (;;) {
    // p is a boundary when buffer_[p - 1] == '\n' and buffer_[p] != '\n'.
    // The last one wins (long runs of text per call); p < scanned_ are known
    // not to be one, and p == end depends on the next block.
    const size_t end = buffer_.size();
    size_t boundary = 0;
    for (size_t p = end; p-- > std::max(begin_ + 1, scanned_);) {
      if (buffer_[p - 1] == '\n' && buffer_[p] != '\n') {
        boundary = p;
        break;
      }
    }
    scanned_ = end;
    if (boundary == 0 && eof_) boundary = end;
    if (boundary > begin_) {
      *text = std::string_view(buffer_.data() + begin_, boundary - begin_);
      begin_ = boundary;
      return true;
    }
    if (eof_) return false;
    EDGEPIECE_RETURN_IF_ERROR(Fill());
  }
}

Result<bool> InputReader::NextLine(std::string_view* line) {
  for (;;) {
    const size_t newline = buffer_.find('\n', std::max(begin_, scanned_));
    if (newline != std::string::npos || (eof_ && begin_ < buffer_.size())) {
      const size_t end = newline != std::string::npos ? newline : buffer_.size();
      *line = std::string_view(buffer_.data() + begin_, end - begin_);
      begin_ = newline != std::string::npos ? newline + 1 : end;
      scanned_ = begin_;
      return true;
    }
    if (eof_) return false;
    scanned_ = buffer_.size();
    EDGEPIECE_RETURN_IF_ERROR(Fill());
  }
}

Result<bool> InputReader::NextBlock(std::string_view* block) {
  while (begin_ == buffer_.size()) {
    if (eof_) return false;
    EDGEPIECE_RETURN_IF_ERROR(Fill());
  }
  *block = std::string_view(buffer_.data() + begin_, buffer_.size() - begin_);
  begin_ = scanned_ = buffer_.size();
  return true;
}

Status ReadInput(const std::string& path, std::string* contents) {
  if (!path.empty() && path != "-") return ReadFile(path, contents);
  contents->clear();
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), stdin)) > 0) contents->append(buffer, got);
  if (std::ferror(stdin)) return Status(StatusCode::kIoError, "cannot read stdin");
  return Status::Ok();
}

}  // namespace edgepiece::cli
