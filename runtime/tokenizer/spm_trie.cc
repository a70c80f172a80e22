#include "runtime/tokenizer/spm_trie.h"

#include <algorithm>

namespace edgepiece {

SpmTrie SpmTrie::Build(std::vector<std::pair<std::string_view, int32_t>> entries) {
  std::sort(entries.begin(), entries.end());
  SpmTrie trie;
  trie.num_keys_ = entries.size();
  // Breadth first: a node is a range of the sorted keys sharing its prefix, so its children
  // (ranges split by the next byte) are appended to the queue in label order and the
  // children of each node are contiguous in the flat arrays.
  struct Range {
    size_t begin, end, depth;
  };
  std::vector<Range> queue = {{0, entries.size(), 0}};
  trie.first_.push_back(0);
  for (size_t node = 0; node < queue.size(); ++node) {
    Range range = queue[node];
    int32_t value = -1;
    if (range.begin < range.end && entries[range.begin].first.size() == range.depth) {
      value = entries[range.begin].second;
      ++range.begin;
    }
    trie.values_.push_back(value);
    for (size_t i = range.begin; i < range.end;) {
      const auto label = static_cast<uint8_t>(entries[i].first[range.depth]);
      size_t j = i + 1;
      while (j < range.end && static_cast<uint8_t>(entries[j].first[range.depth]) == label) ++j;
      trie.labels_.push_back(label);
      trie.children_.push_back(static_cast<int32_t>(queue.size()));
      queue.push_back({i, j, range.depth + 1});
      i = j;
    }
    trie.first_.push_back(static_cast<uint32_t>(trie.labels_.size()));
  }
  return trie;
}

int32_t SpmTrie::Find(std::string_view key) const {
  int32_t node = 0;
  for (const char c : key) {
    node = Child(node, static_cast<uint8_t>(c));
    if (node < 0) return -1;
  }
  return key.empty() ? -1 : values_[node];
}

}  // namespace edgepiece
