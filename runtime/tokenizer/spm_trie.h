// A byte trie over SentencePiece pieces: prefix search from a position (the Unigram lattice,
// user-defined symbols) and exact lookup (BPE merges). Stored as a double array: the child of
// node s on byte c is cell base[s] + c if that cell's check is s, so a step is one load and
// one compare (the array is padded by 256 cells, so no bounds test either). A walk touches
// only the 8-byte cells of base and check, whose base also says whether a key ends there;
// values and payloads live apart (the walks of the Unigram lattice miss the cache less).
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_SPM_TRIE_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_SPM_TRIE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace edgepiece {

class SpmTrie {
 public:
  // Keys must be non-empty and distinct; values >= 0.
  static SpmTrie Build(std::vector<std::pair<std::string_view, int32_t>> entries);

  bool empty() const { return num_keys_ == 0; }

  // The child of `node` on `byte`, or -1.
  int32_t Child(int32_t node, uint8_t byte) const {
    const int32_t t = static_cast<int32_t>(cells_[node].base & kBaseMask) + byte;
    return cells_[t].check == node ? t : -1;
  }
  // The node reached from `node` by the bytes p[0, n), or -1 where the path ends.
  int32_t Walk(int32_t node, const uint8_t* p, size_t n) const {
    for (size_t i = 0; i < n && node >= 0; ++i) node = Child(node, p[i]);
    return node;
  }
  // Whether a key ends at `node`.
  bool HasValue(int32_t node) const { return (cells_[node].base & kHasValue) != 0; }
  // The value stored at `node` (-1 if no key ends there).
  int32_t Value(int32_t node) const { return HasValue(node) ? leaves_[node].value : -1; }
  // A float stored beside each value (SetPayloads); `node` must have a value.
  float Payload(int32_t node) const { return leaves_[node].payload; }
  // Sets every value's payload to payload_of(value).
  template <typename Fn>
  void SetPayloads(Fn&& payload_of) {
    for (Leaf& leaf : leaves_) {
      if (leaf.value >= 0) leaf.payload = payload_of(leaf.value);
    }
  }

  // Calls fn(length, value) for every key that is a prefix of p[0, n), shortest first.
  template <typename Fn>
  void ForEachPrefix(const uint8_t* p, size_t n, Fn&& fn) const {
    int32_t node = 0;
    for (size_t i = 0; i < n; ++i) {
      node = Child(node, p[i]);
      if (node < 0) return;
      if (HasValue(node)) fn(i + 1, leaves_[node].value);
    }
  }
  // Length of the longest key that is a prefix of p[0, n) (0 if none).
  size_t LongestPrefix(const uint8_t* p, size_t n) const {
    size_t longest = 0;
    ForEachPrefix(p, n, [&](size_t length, int32_t) { longest = length; });
    return longest;
  }
  // The value of key `key`, or -1.
  int32_t Find(std::string_view key) const;

  size_t MemoryUsage() const {
    return cells_.capacity() * sizeof(Cell) + leaves_.capacity() * sizeof(Leaf);
  }

 private:
  static constexpr uint32_t kHasValue = 0x80000000u, kBaseMask = 0x7fffffffu;
  struct Cell {
    uint32_t base = 0;   // children at (base & kBaseMask) + byte; kHasValue: a key ends here
    int32_t check = -1;  // the parent node; -1 free (the root's is -2)
  };
  struct Leaf {
    int32_t value = -1;  // the key's value, -1 if none ends here
    float payload = 0;   // see SetPayloads
  };
  std::vector<Cell> cells_;   // cell 0 is the root
  std::vector<Leaf> leaves_;  // per cell
  size_t num_keys_ = 0;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_TRIE_H_
