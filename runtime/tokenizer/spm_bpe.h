// The two tables that let SentencePiece BPE merge a text piece by piece instead of as a
// whole (spm_bpe.cc, SpmProcessor::EncodeBpe):
//
// SpmCharPairs: the pairs of adjacent characters found inside any mergeable piece. Where the
// text has two adjacent characters that no piece holds side by side, no merge can ever join
// them, so the text falls apart there into segments that merge independently of each other.
//
// SpmSegmentCache: segment text -> its pieces, for the segments that repeat (words, and in
// Chinese the runs of characters between such boundaries).
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_SPM_BPE_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_SPM_BPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgepiece {

class SpmCharPairs {
 public:
  // Adds the adjacent characters (cut as SpmCharLength cuts them) of `piece`.
  void AddPiece(std::string_view piece);
  // Whether characters a[0, a_size) and b[0, b_size), each at most 4 bytes, are adjacent in
  // some piece added. Conservative: may say yes for a pair never added (bytes beyond a
  // truncated character's end read as zeros), never no for one added.
  bool MayJoin(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size) const {
    if (a_size == 1 && b_size == 1 && (a[0] | b[0]) < 0x80) {
      const unsigned bit = a[0] * 128u + b[0];
      return (ascii_[bit >> 6] >> (bit & 63)) & 1;
    }
    return Contains(Key(a, a_size, b, b_size));
  }
  size_t MemoryUsage() const { return sizeof(*this) + keys_.capacity() * sizeof(uint64_t); }

 private:
  static uint64_t Key(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size);
  bool Contains(uint64_t key) const;
  void Insert(uint64_t key);

  uint64_t ascii_[128 * 128 / 64] = {};  // both characters ASCII: a bit per pair
  std::vector<uint64_t> keys_;           // open addressing, 0 = empty (zero_ holds key 0)
  size_t size_ = 0;
  bool zero_ = false;
};

// Segment text (at most kMaxSegmentBytes) -> its pieces, in flat arrays; emptied when full.
// Long segments repeat too: the box-drawing rules of tables in text files.
class SpmSegmentCache {
 public:
  static constexpr size_t kMaxSegmentBytes = 1024;
  struct Piece {
    uint32_t end;  // from the segment's start; a piece begins where the one before it ends
    int32_t id;
  };

  // The pieces of `segment` (hash: SpmSegmentCache::Hash of it), or false.
  bool Find(std::string_view segment, uint64_t hash, const Piece** pieces, size_t* count) const;
  void Insert(std::string_view segment, uint64_t hash, const Piece* pieces, size_t count);
  static uint64_t Hash(const uint8_t* p, size_t size);

 private:
  struct Entry {
    uint64_t hash;
    uint32_t key_begin, pieces_begin;
    uint16_t key_size;  // 0: empty
    uint16_t num_pieces;
  };
  void Clear(size_t slots);
  // The first empty slot on `hash`'s probe path (the table has one).
  size_t FreeSlot(uint64_t hash) const;

  std::vector<Entry> table_;  // a power of two, at most half full
  size_t size_ = 0;
  std::string keys_;
  std::vector<Piece> pieces_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_BPE_H_
