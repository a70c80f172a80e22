// Bounded memory for both corpus passes (docs/training.md, --memory-limit): a
// counter that grows past its share of the limit writes its counts to a
// temporary file as a sorted run and starts again empty; at the end the runs
// are merged exactly (equal keys added) by a streaming k-way merge.
//
//   Pass 1, n-gram counts:
//     auto spill = NgramSpillFile::Create(temp_dir);
//     while counting: if (counter.MemoryUsage() > share) spill->Spill(&counter);
//     at the end:     spill->Spill(&counter) for every counter, then
//                     spill->MergeInto(&merged, options.min_count);
//   Pass 2, piece counts:
//     auto spill = PieceSpillFile::Create(temp_dir);
//     while segmenting: if (pieces.MemoryUsage() > share) spill->Spill(&pieces);
//     at the end:     spill->Spill(&pieces) for every counter, then
//                     FinishModel(spill->Source(), ...) walks the merged runs.
//
// Runs are laid out like the shard files' entries (shard_file.h): an n-gram
// run per length n = 2..order, K x (u64 key, u64 count), keys strictly
// ascending; a piece run N x (u32 length, bytes, u64 count), pieces strictly
// ascending (unsigned bytes); little-endian. The runs of a pass share one
// file (RunFile), unlinked right after it is created, so it disappears with
// the process on every path, errors included.
// Native only (files): the WebAssembly module does not build it.
#ifndef EDGEPIECE_RUNTIME_TRAINER_SPILL_H_
#define EDGEPIECE_RUNTIME_TRAINER_SPILL_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/trainer/finish.h"
#include "runtime/trainer/ngram_counter.h"
#include "runtime/trainer/piece_counter.h"

namespace edgepiece {

// Parses a memory size: a whole number of bytes with an optional binary
// suffix K, M, G or T (KiB..TiB; "64M", "2G", "1048576"). kInvalidArgument
// for anything else, zero, or an overflow.
Result<uint64_t> ParseMemorySize(const std::string& text);

// A temporary file of blocks written once and read back front to back: the
// storage of sorted runs. Blocks may be written by several threads at once.
class RunFile {
 public:
  // Creates the (already unlinked) file in `dir`; `what` names it in
  // messages ("n-gram run"). kIoError naming `dir` when it cannot be created.
  static Result<std::unique_ptr<RunFile>> Create(const std::string& dir, const std::string& what);
  ~RunFile();
  RunFile(const RunFile&) = delete;
  RunFile& operator=(const RunFile&) = delete;

  // Reserves `size` bytes at the end of the file for one block: its offset.
  uint64_t Reserve(uint64_t size);
  // Bytes reserved so far.
  uint64_t bytes_written() const;

  // Writes a reserved block front to back through a buffer.
  class Writer {
   public:
    // Writes from `offset` of `file`.
    Writer(const RunFile& file, uint64_t offset) : file_(file), offset_(offset) {}
    // Appends bytes; kIoError on a write failure (a full disk).
    Status Put(const void* data, size_t size);
    // Appends a little-endian integer.
    Status PutU32(uint32_t v);
    Status PutU64(uint64_t v);
    // Writes what is buffered.
    Status Flush();

   private:
    const RunFile& file_;
    uint64_t offset_;
    std::vector<uint8_t> buffer_;
  };

  // Reads a block front to back through a small buffer (a merge holds one
  // reader per run, and a tight limit makes many runs).
  class Reader {
   public:
    // Reads the `size` bytes at `offset` of `file`.
    Reader(const RunFile& file, uint64_t offset, uint64_t size)
        : file_(&file), offset_(offset), left_(size) {}
    // Bytes not yet read.
    uint64_t left() const { return left_ + (loaded_ - next_); }
    // Reads `size` bytes; kIoError past the block's end or on a read failure.
    Status Get(void* out, size_t size);
    Status GetU32(uint32_t* v);
    Status GetU64(uint64_t* v);

   private:
    const RunFile* file_;
    uint64_t offset_;  // of the next byte not yet loaded
    uint64_t left_;    // bytes not yet loaded
    std::vector<uint8_t> buffer_;
    size_t loaded_ = 0;
    size_t next_ = 0;
  };

 private:
  RunFile(int fd, std::string dir, std::string what)
      : fd_(fd), dir_(std::move(dir)), what_(std::move(what)) {}
  Status WriteAt(uint64_t offset, const uint8_t* data, size_t size) const;
  Status ReadAt(uint64_t offset, uint8_t* data, size_t size) const;

  int fd_;
  std::string dir_;   // for messages
  std::string what_;  // for messages
  mutable std::mutex mutex_;
  uint64_t end_ = 0;  // bytes reserved so far
};

// The sorted runs of n-gram counts of one training run (pass 1).
class NgramSpillFile {
 public:
  // Creates the run file in `dir` ("cannot create a temporary n-gram run file in DIR").
  static Result<std::unique_ptr<NgramSpillFile>> Create(const std::string& dir);

  // Writes the n-gram tables (lengths 2..order) of `counter` as one run and
  // empties them; byte counts stay in the counter. Several threads may spill
  // their own counters at once. kIoError on a write failure (a full disk).
  Status Spill(NgramCounter* counter);
  // Number of Spill calls that wrote a run.
  size_t runs() const;
  // Bytes written to the file so far.
  uint64_t bytes_written() const { return file_->bytes_written(); }
  // Adds every run's counts, equal keys summed, to `counter` (whose order
  // must match the runs'), keeping only n-grams counted at least `min_count`
  // times in all: NgramModel::Build reads no others (a kept n-gram's prefix
  // occurs at least as often), so the model is the same as from the full
  // counts. Reads each run once, front to back.
  Status MergeInto(NgramCounter* counter, uint64_t min_count) const;

 private:
  // One length's block of one run.
  struct Block {
    int n;
    uint64_t offset;   // in the file
    uint64_t entries;  // (key, count) pairs
  };
  explicit NgramSpillFile(std::unique_ptr<RunFile> file) : file_(std::move(file)) {}

  std::unique_ptr<RunFile> file_;
  mutable std::mutex mutex_;
  size_t runs_ = 0;
  int order_ = 0;  // of the runs written (0: none yet)
  std::vector<Block> blocks_;
};

// The sorted runs of piece counts of one training run (pass 2).
class PieceSpillFile {
 public:
  // Creates the run file in `dir` ("cannot create a temporary piece run file in DIR").
  static Result<std::unique_ptr<PieceSpillFile>> Create(const std::string& dir);

  // Writes the pieces of `pieces` as one run and empties it. Several threads
  // may spill their own counters at once. kIoError on a write failure.
  Status Spill(PieceCounter* pieces);
  // Number of Spill calls that wrote a run.
  size_t runs() const;
  // Bytes written to the file so far.
  uint64_t bytes_written() const { return file_->bytes_written(); }
  // Calls visit(piece, count) once for every distinct piece of all runs,
  // pieces ascending, counts summed: a k-way merge that reads each run
  // front to back and holds one piece per run. Stops at visit's first error.
  Status ForEachMerged(const PieceVisitor& visit) const;
  // The merged runs as FinishModel's input (walked once per call); this
  // file must outlive it.
  PieceSource Source() const {
    return {1, [this](size_t, const PieceVisitor& visit) { return ForEachMerged(visit); }};
  }

 private:
  // One run.
  struct Block {
    uint64_t offset;
    uint64_t size;  // bytes
  };
  explicit PieceSpillFile(std::unique_ptr<RunFile> file) : file_(std::move(file)) {}

  std::unique_ptr<RunFile> file_;
  mutable std::mutex mutex_;
  std::vector<Block> blocks_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_SPILL_H_
