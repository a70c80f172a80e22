// Bounded memory for pass 1 (docs/training.md, --memory-limit): a counter
// whose tables grow past its share of the limit writes them to a temporary
// file as a sorted run and starts again empty; at the end the runs are merged
// exactly (equal keys added), keeping only the n-grams the model reads.
//
//   auto spill = NgramSpillFile::Create(temp_dir);
//   while counting: if (counter.MemoryUsage() > share) spill->Spill(&counter);
//   at the end:     spill->Spill(&counter) for every counter, then
//                   spill->MergeInto(&merged, options.min_count);
//
// A run is laid out like a .counts file's n-gram blocks (shard_file.h): per
// length n = 2..order, K x (u64 key, u64 count), keys strictly ascending,
// little-endian. All runs share one file, unlinked right after it is
// created, so it disappears with the process on every path, errors included.
// Native only (files): the WebAssembly module does not build it.
#ifndef EDGEPIECE_RUNTIME_TRAINER_NGRAM_SPILL_H_
#define EDGEPIECE_RUNTIME_TRAINER_NGRAM_SPILL_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/trainer/ngram_counter.h"

namespace edgepiece {

// Parses a memory size: a whole number of bytes with an optional binary
// suffix K, M, G or T (KiB..TiB; "64M", "2G", "1048576"). kInvalidArgument
// for anything else, zero, or an overflow.
Result<uint64_t> ParseMemorySize(const std::string& text);

// The sorted runs of n-gram counts of one training run, in one temporary file.
class NgramSpillFile {
 public:
  // Creates the (already unlinked) file in `dir`; kIoError naming `dir` when
  // it cannot be created there.
  static Result<std::unique_ptr<NgramSpillFile>> Create(const std::string& dir);
  ~NgramSpillFile();
  NgramSpillFile(const NgramSpillFile&) = delete;
  NgramSpillFile& operator=(const NgramSpillFile&) = delete;

  // Writes the n-gram tables (lengths 2..order) of `counter` as one run and
  // empties them; byte counts stay in the counter. Several threads may spill
  // their own counters at once. kIoError on a write failure (a full disk).
  Status Spill(NgramCounter* counter);
  // Number of Spill calls that wrote a run.
  size_t runs() const;
  // Bytes written to the file so far.
  uint64_t bytes_written() const;
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
  NgramSpillFile(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}
  Status WriteAt(uint64_t offset, const uint8_t* data, size_t size) const;
  Status ReadAt(uint64_t offset, uint8_t* data, size_t size) const;

  int fd_;
  std::string dir_;  // for messages
  mutable std::mutex mutex_;
  uint64_t end_ = 0;  // bytes reserved so far
  size_t runs_ = 0;
  int order_ = 0;  // of the runs written (0: none yet)
  std::vector<Block> blocks_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_NGRAM_SPILL_H_
