// A byte trie over SentencePiece pieces: prefix search from a position (the Unigram lattice,
// user-defined symbols) and exact lookup (BPE merges). Children of a node are kept sorted in
// one flat array (compressed sparse rows), so a step is a short scan or a binary search.
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
    const uint32_t begin = first_[node], end = first_[node + 1];
    for (uint32_t i = begin; i < end; ++i) {
      if (labels_[i] == byte) return children_[i];
      if (labels_[i] > byte) break;
    }
    return -1;
  }
  // The value stored at `node` (-1 if no key ends there).
  int32_t Value(int32_t node) const { return values_[node]; }

  // Calls fn(length, value) for every key that is a prefix of p[0, n), shortest first.
  template <typename Fn>
  void ForEachPrefix(const uint8_t* p, size_t n, Fn&& fn) const {
    int32_t node = 0;
    for (size_t i = 0; i < n; ++i) {
      node = Child(node, p[i]);
      if (node < 0) return;
      if (values_[node] >= 0) fn(i + 1, values_[node]);
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
    return first_.capacity() * 4 + labels_.capacity() + children_.capacity() * 4 +
           values_.capacity() * 4;
  }

 private:
  std::vector<uint32_t> first_;    // [num_nodes + 1] into labels_ / children_
  std::vector<uint8_t> labels_;    // sorted within a node
  std::vector<int32_t> children_;  // node ids
  std::vector<int32_t> values_;    // [num_nodes]
  size_t num_keys_ = 0;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_TRIE_H_
