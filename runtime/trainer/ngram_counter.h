// Pass 1 of training: byte n-gram counts (lengths 1..order) within chunks,
// and the n-gram model built from them (docs/bytepiece.md section 4.2).
//
//   NgramCounter counter(options.order);
//   for each chunk of each document: counter.AddChunk(chunk);
//   auto model = NgramModel::Build(counter, options);   // then pass 2 (segmenter.h)
//
// Counters merge exactly (Merge), so a corpus may be counted in parts.
#ifndef EDGEPIECE_RUNTIME_TRAINER_NGRAM_COUNTER_H_
#define EDGEPIECE_RUNTIME_TRAINER_NGRAM_COUNTER_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/trainer/ngram_table.h"
#include "runtime/trainer/options.h"

namespace edgepiece {

// The bytes of an n-gram (n <= 8) packed little-endian: byte k in bits 8k..8k+7.
inline uint64_t PackNgram(const uint8_t* bytes, int n) {
  uint64_t key = 0;
  for (int k = 0; k < n; ++k) key |= uint64_t{bytes[k]} << (8 * k);
  return key;
}

// Counts every byte n-gram of length 1..order inside each chunk added.
class NgramCounter {
 public:
  // order in 1..kMaxTrainerOrder (ValidateTrainerOptions checks it).
  explicit NgramCounter(int order);
  // Longest n-gram counted.
  int order() const { return order_; }
  // Counts the n-grams of one chunk (they never cross chunks).
  void AddChunk(std::string_view chunk);
  // Adds another counter's counts (same order, else kInvalidArgument).
  Status Merge(const NgramCounter& other);
  // Merge for one n-gram length only: n = 1 adds the byte counts and the total,
  // n in 2..order that table. Different lengths touch disjoint data, so threads
  // may merge different lengths of one counter at once.
  Status MergeLength(int n, const NgramCounter& other);
  // Adds `count` occurrences of byte b (and as many bytes to the total), as
  // loading saved counts does.
  void AddByteCount(int b, uint64_t count) {
    bytes_[b] += count;
    total_bytes_ += count;
  }
  // Adds `count` to the n-gram `key` of length n (2..order; the caller checks).
  void AddNgramCount(int n, uint64_t key, uint64_t count) { tables_[n].Add(key, count); }
  // Makes room for `keys` n-grams of length n (2..order) without rehashing.
  void ReserveNgrams(int n, size_t keys) { tables_[n].Reserve(keys); }
  // Drops the n-grams of length n (2..order) and frees their memory.
  void ClearTable(int n) { tables_[n] = NgramTable(); }
  // Occurrences of byte b.
  uint64_t byte_count(int b) const { return bytes_[b]; }
  // Sum of the chunk lengths in bytes.
  uint64_t total_bytes() const { return total_bytes_; }
  // Counts of the n-grams of length n (2..order), keyed by PackNgram.
  const NgramTable& table(int n) const { return tables_[n]; }
  // Heap bytes held.
  size_t MemoryUsage() const;
  // The most heap bytes held until the next growth of a table is done (while
  // a table rehashes, its old and its twice larger new slots coexist), so a
  // caller that spills past a share checks this, not MemoryUsage.
  size_t PeakMemoryUsage() const;
  // Bytes the tables' growth may allocate while a chunk of `bytes` is added (each old table
  // counted as still live: an upper bound).
  size_t GrowthBytes(size_t bytes) const;

 private:
  int order_;
  uint64_t total_bytes_ = 0;
  std::array<uint64_t, 256> bytes_{};
  std::vector<NgramTable> tables_;  // [order + 1]; 0 and 1 unused
};

// The pruned n-gram model: log P(byte | previous bytes) for the n-grams kept.
class NgramModel {
 public:
  // Drops n-grams of length >= 2 counted fewer than min_count times, gives
  // unseen bytes the count 1 (each adding 1 to the total), and computes
  // log(c(ngram)) - log(c(ngram without its last byte)), unigrams against
  // the total, with the C library's log, as the reference does. With
  // `run_tasks` the n-gram lengths are built as its tasks.
  static Result<NgramModel> Build(const NgramCounter& counter, const TrainerOptions& options,
                                  const TaskRunner& run_tasks = nullptr);
  // A model with the given log-probabilities (tests and tools): unigrams for
  // all 256 bytes, and (n-gram bytes, log P(last | others)) for lengths
  // 2..order. kInvalidArgument for an n-gram of another length.
  static Result<NgramModel> FromLogProbs(int order, const std::array<double, 256>& unigrams,
                                         const std::vector<std::pair<std::string, double>>& ngrams);
  // Longest n-gram of the model.
  int order() const { return order_; }
  // Log-probability of byte b as the first byte of a piece.
  double unigram(int b) const { return unigrams_[b]; }
  // Log-probability of the last byte of the n-gram `key` (length n, 2..order)
  // given the others into *log_prob; false when the n-gram was dropped.
  bool Find(int n, uint64_t key, double* log_prob) const {
    const uint64_t* bits = tables_[n].Find(key);
    if (bits == nullptr) return false;
    std::memcpy(log_prob, bits, sizeof(double));
    return true;
  }
  // Number of n-grams kept, all lengths.
  size_t size() const;
  // Heap bytes held.
  size_t MemoryUsage() const;

 private:
  int order_ = 0;
  std::array<double, 256> unigrams_{};
  std::vector<NgramTable> tables_;  // values are doubles' bits
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_NGRAM_COUNTER_H_
