// Pass 2's piece counts: how often each piece occurs in the segmentation of
// the corpus, in a flat table whose pieces live in an arena.
//
//   PieceCounter pieces;
//   pieces.Add("ab");                    // what Segmenter::SegmentChunk does
//   pieces.ForEach([](std::string_view piece, uint64_t count) { ... });
//
// Why not unordered_map<std::string, uint64_t>: a varied corpus has millions
// of distinct pieces, most seen once or twice, and a node per piece (string,
// hash, pointers, allocator overhead) costs ~100 bytes. Here a piece costs one
// 24-byte slot at load factor <= 3/4 plus its bytes in 64 KiB arena blocks.
// Counters merge exactly, so a corpus may be segmented in parts.
#ifndef EDGEPIECE_RUNTIME_TRAINER_PIECE_COUNTER_H_
#define EDGEPIECE_RUNTIME_TRAINER_PIECE_COUNTER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece {

// Receives one piece and its count; an error stops the walk.
using PieceVisitor = std::function<Status(std::string_view piece, uint64_t count)>;
// Piece counts that can be walked (several times), in `parts` parts that
// may be walked at once from different threads: walk(part, visit) calls
// visit once for every distinct piece of that part, with its total count,
// in any order; the parts together hold every piece once.
struct PieceSource {
  size_t parts = 1;
  std::function<Status(size_t part, const PieceVisitor& visit)> walk;
};

// Piece bytes -> occurrences; move-only.
class PieceCounter {
 public:
  // An empty counter (no memory until the first Add).
  PieceCounter() = default;
  PieceCounter(PieceCounter&&) noexcept = default;
  PieceCounter& operator=(PieceCounter&&) noexcept = default;
  PieceCounter(const PieceCounter&) = delete;
  PieceCounter& operator=(const PieceCounter&) = delete;

  // Adds `count` occurrences of `piece`.
  void Add(std::string_view piece, uint64_t count = 1);
  // Adds another counter's counts.
  void Merge(const PieceCounter& other);
  // The count of `piece`, or nullptr when absent.
  const uint64_t* Find(std::string_view piece) const;
  // Number of distinct pieces.
  size_t size() const { return size_; }
  // Calls f(piece, count) for every piece, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    ForEachInPart(0, 1, f);
  }
  // ForEach for part `part` of `parts` (0 <= part < parts): the parts
  // together visit every piece once.
  template <typename F>
  void ForEachInPart(size_t part, size_t parts, F&& f) const {
    const size_t begin = slots_.size() * part / parts, end = slots_.size() * (part + 1) / parts;
    for (size_t i = begin; i < end; ++i) {
      const Slot& s = slots_[i];
      if (s.data != nullptr) f(std::string_view(s.data, s.size), s.count);
    }
  }
  // Calls f(piece, count) for every piece, pieces ascending (unsigned bytes);
  // sorts an 8-byte reference per piece, not copies. Stops at the first
  // call that returns false; returns whether none did.
  template <typename F>
  bool ForEachSorted(F&& f) const {
    std::vector<const Slot*> order;
    order.reserve(size_);
    for (const Slot& s : slots_) {
      if (s.data != nullptr) order.push_back(&s);
    }
    // string_view compares bytes as unsigned char (char_traits<char> is memcmp).
    std::sort(order.begin(), order.end(), [](const Slot* a, const Slot* b) {
      return std::string_view(a->data, a->size) < std::string_view(b->data, b->size);
    });
    for (const Slot* s : order) {
      if (!f(std::string_view(s->data, s->size), s->count)) return false;
    }
    return true;
  }
  // Every (piece, count), pieces ascending (unsigned bytes); the views point
  // into this counter.
  std::vector<std::pair<std::string_view, uint64_t>> Sorted() const;
  // Heap bytes held (slots and arena).
  size_t MemoryUsage() const;
  // The most heap bytes held until the next growth of the table is done
  // (while it rehashes, the old and the twice larger new slots coexist), so a
  // caller that spills past a share checks this, not MemoryUsage.
  size_t PeakMemoryUsage() const { return MemoryUsage() + 2 * slots_.capacity() * sizeof(Slot); }
  // Drops every piece and frees the memory.
  void Clear() { *this = PieceCounter(); }

 private:
  struct Slot {
    const char* data;  // null: empty slot; the piece's bytes in the arena
    uint32_t size;
    uint32_t tag;  // high bits of the hash, compared before the bytes
    uint64_t count;
  };
  static uint64_t Hash(std::string_view piece);
  // The slot of `piece`, or of the empty slot where it would go.
  size_t Probe(std::string_view piece, uint64_t hash) const;
  // A stable copy of `piece` in the arena.
  const char* Store(std::string_view piece);
  void Rehash(size_t capacity);

  std::vector<Slot> slots_;  // capacity a power of two, or empty
  size_t size_ = 0;
  size_t mask_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;  // arena; pointers into it stay valid
  size_t block_bytes_ = 0;                       // bytes allocated in blocks_
  char* free_ = nullptr;                         // free space of the last block
  size_t free_size_ = 0;
};

// The counts of several counters added, without merging them into one: each
// piece is visited from the first counter that has it, with the counts of
// the counters after it added (lookups, no copies), in `parts` parts (ranges
// of every counter's slots). The counters must outlive the source.
PieceSource MergedPieceSource(std::vector<const PieceCounter*> counters, size_t parts = 1);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_PIECE_COUNTER_H_
