#include "runtime/tokenizer/spm_trie.h"

#include <algorithm>

namespace edgepiece {

SpmTrie SpmTrie::Build(std::vector<std::pair<std::string_view, int32_t>> entries) {
  std::sort(entries.begin(), entries.end());
  SpmTrie trie;
  trie.num_keys_ = entries.size();
  // Breadth first over the sorted keys: a node is a range of keys sharing its prefix, and
  // its children are the sub-ranges split by the next byte. Each node gets the lowest base
  // whose cells for all its labels are free (first-fit from the lowest free cell).
  struct Node {
    size_t begin, end, depth;
    int32_t cell;
  };
  std::vector<Node> queue = {{0, entries.size(), 0, 0}};
  trie.cells_.resize(256 + 1);
  trie.cells_[0].check = -2;
  // next_free[i]: the lowest free cell >= i, with path compression (cells are only ever
  // taken), so the search visits free cells only.
  std::vector<int32_t> next_free(trie.cells_.size() + 1);
  for (size_t i = 0; i < next_free.size(); ++i) next_free[i] = static_cast<int32_t>(i);
  next_free[0] = 1;
  auto find_free = [&](size_t i) {
    size_t root = i;
    while (next_free[root] != static_cast<int32_t>(root)) root = next_free[root];
    while (next_free[i] != static_cast<int32_t>(root)) {
      const size_t up = next_free[i];
      next_free[i] = static_cast<int32_t>(root);
      i = up;
    }
    return root;
  };
  auto grow = [&](size_t size) {
    const size_t old = trie.cells_.size();
    if (size <= old) return;
    trie.cells_.resize(size);
    next_free.resize(size + 1);
    for (size_t i = old + 1; i <= size; ++i) next_free[i] = static_cast<int32_t>(i);
  };
  size_t first_free = 1;
  std::vector<uint8_t> labels;
  std::vector<std::pair<size_t, size_t>> ranges;
  for (size_t q = 0; q < queue.size(); ++q) {
    Node node = queue[q];
    if (node.begin < node.end && entries[node.begin].first.size() == node.depth) {
      if (trie.leaves_.size() <= static_cast<size_t>(node.cell)) trie.leaves_.resize(node.cell + 1);
      trie.leaves_[node.cell].value = entries[node.begin].second;
      trie.cells_[node.cell].base |= kHasValue;
      ++node.begin;
    }
    labels.clear();
    ranges.clear();
    for (size_t i = node.begin; i < node.end;) {
      const auto label = static_cast<uint8_t>(entries[i].first[node.depth]);
      size_t j = i + 1;
      while (j < node.end && static_cast<uint8_t>(entries[j].first[node.depth]) == label) ++j;
      labels.push_back(label);
      ranges.emplace_back(i, j);
      i = j;
    }
    if (labels.empty()) continue;
    // First fit over the free cells; after many misses the cells before the fit are given
    // up as the start of later searches (a few holes stay empty, the build stays linear).
    int32_t base = 0;
    size_t tries = 0;
    for (size_t position = find_free(first_free);; position = find_free(position + 1)) {
      grow(position + 257);
      if (position < labels[0] + 1u) continue;
      ++tries;
      base = static_cast<int32_t>(position - labels[0]);
      bool fits = true;
      for (const uint8_t label : labels) {
        if (trie.cells_[base + label].check != -1) {
          fits = false;
          break;
        }
      }
      if (fits) {
        if (tries > 16) first_free = position;
        break;
      }
    }
    trie.cells_[node.cell].base |= static_cast<uint32_t>(base);
    for (size_t k = 0; k < labels.size(); ++k) {
      const int32_t child = base + labels[k];
      trie.cells_[child].check = node.cell;
      next_free[child] = child + 1;
      queue.push_back({ranges[k].first, ranges[k].second, node.depth + 1, child});
    }
  }
  // Padding: base + any byte stays inside the array.
  uint32_t max_base = 0;
  for (const Cell& cell : trie.cells_) max_base = std::max(max_base, cell.base & kBaseMask);
  trie.cells_.resize(std::max<size_t>(trie.cells_.size(), static_cast<size_t>(max_base) + 256));
  trie.cells_.shrink_to_fit();
  trie.leaves_.resize(trie.cells_.size());
  trie.leaves_.shrink_to_fit();
  return trie;
}

int32_t SpmTrie::Find(std::string_view key) const {
  int32_t node = 0;
  for (const char c : key) {
    node = Child(node, static_cast<uint8_t>(c));
    if (node < 0) return -1;
  }
  return key.empty() ? -1 : Value(node);
}

}  // namespace edgepiece
