// Streaming input for the CLI: a file or stdin read in blocks, so encode
// and decode run in memory that does not grow with the input (and touch
// few fresh pages: page faults are expensive on virtual machines).
#ifndef EDGEPIECE_NATIVE_INPUT_READER_H_
#define EDGEPIECE_NATIVE_INPUT_READER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "runtime/base/status.h"

namespace edgepiece::cli {

class InputReader {
 public:
  // 64 KB: larger blocks ran slower (fresh pages for the input, the ids and
  // the output of each block).
  static constexpr size_t kDefaultBlockBytes = 1 << 16;

  // "" or "-" reads stdin. `block_bytes` is how much one read asks for.
  static Result<InputReader> Open(const std::string& path, size_t block_bytes = kDefaultBlockBytes);
  InputReader(InputReader&& other) noexcept;
  InputReader& operator=(InputReader&&) = delete;
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;
  ~InputReader();

  // The next run of text that ends at a chunk boundary, i.e. right after a
  // maximal run of '\n' (or at the end of the input): encoding such runs one
  // by one gives the ids of encoding the whole text, because chunks never
  // span them, and NFC of the whole is the NFC of the runs put together:
  // '\n' is a starter that composes with nothing, and canonical reordering
  // never moves a mark across a starter. False at the end. `*text` stays
  // valid until the next call.
  Result<bool> NextChunks(std::string_view* text);
  // The next line without its '\n' (a last line may lack one). False at the
  // end. Use one of NextChunks and NextLine per reader.
  Result<bool> NextLine(std::string_view* line);
  // The next bytes as read, up to a block. False at the end. Use it alone
  // on a reader.
  Result<bool> NextBlock(std::string_view* block);

  // Bytes read from the input so far (for progress reports).
  uint64_t bytes_read() const { return bytes_read_; }
  // The size of the input when it is a regular file, else 0.
  uint64_t file_size() const { return file_size_; }

 private:
  InputReader(std::FILE* file, bool owned, size_t block_bytes, uint64_t file_size)
      : file_(file), owned_(owned), block_bytes_(block_bytes), file_size_(file_size) {}
  // Drops consumed bytes and reads one more block; sets eof_ at the end.
  Status Fill();

  std::FILE* file_;
  bool owned_;
  size_t block_bytes_;
  std::string buffer_;
  size_t begin_ = 0;    // buffer_[begin_, size) is unread
  size_t scanned_ = 0;  // what the last search already looked at (see .cc)
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t file_size_ = 0;
};

// Reads a whole file, or stdin for "" or "-".
Status ReadInput(const std::string& path, std::string* contents);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_INPUT_READER_H_
