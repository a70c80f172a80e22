#include "runtime/tokenizer/piece_matcher.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string_view>

#include "runtime/base/memory.h"

namespace edgepiece {
namespace {

// A byte trie in compressed-sparse-row form, built from the pieces in
// lexicographic order so each node's children come out sorted by byte.
struct Trie {
  std::vector<int32_t> piece;         // [nodes] piece index ending here or -1
  std::vector<uint32_t> edge_begin;   // [nodes + 1] into labels/children
  std::vector<uint8_t> labels;        // [nodes - 1] edge bytes
  std::vector<uint32_t> children;     // [nodes - 1] child node ids
  std::vector<uint32_t> parent;       // [nodes]
  std::vector<uint8_t> parent_label;  // [nodes]
};

Trie BuildTrie(const Vocab& vocab) {
  const int32_t n = vocab.num_pieces();
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int32_t a, int32_t b) { return vocab.piece(a) < vocab.piece(b); });
  Trie trie;
  trie.piece.push_back(-1);
  trie.parent.push_back(0);
  trie.parent_label.push_back(0);
  std::vector<uint32_t> path = {0};  // nodes along the previous piece
  std::string_view previous;
  for (int32_t index : order) {
    const std::string_view p = vocab.piece(index);
    size_t common = 0;
    while (common < p.size() && common < previous.size() && p[common] == previous[common]) {
      ++common;
    }
    path.resize(common + 1);
    for (size_t k = common; k < p.size(); ++k) {
      const uint32_t id = static_cast<uint32_t>(trie.piece.size());
      trie.piece.push_back(-1);
      trie.parent.push_back(path.back());
      trie.parent_label.push_back(static_cast<uint8_t>(p[k]));
      path.push_back(id);
    }
    trie.piece[path.back()] = index;
    previous = p;
  }
  // Children lists: nodes were created in DFS order, so a stable counting
  // sort by parent keeps each node's children in byte order.
  const size_t nodes = trie.piece.size();
  trie.edge_begin.assign(nodes + 1, 0);
  for (size_t v = 1; v < nodes; ++v) ++trie.edge_begin[trie.parent[v] + 1];
  for (size_t v = 0; v < nodes; ++v) trie.edge_begin[v + 1] += trie.edge_begin[v];
  trie.labels.resize(nodes - 1);
  trie.children.resize(nodes - 1);
  std::vector<uint32_t> fill(trie.edge_begin.begin(), trie.edge_begin.end() - 1);
  for (size_t v = 1; v < nodes; ++v) {
    const uint32_t slot = fill[trie.parent[v]]++;
    trie.labels[slot] = trie.parent_label[v];
    trie.children[slot] = static_cast<uint32_t>(v);
  }
  return trie;
}

// The free cells of a growing double array, as a doubly linked list in
// address order, plus a cursor for nodes with several children: free cells
// that failed to host such a node many times are "retired" (left to
// single-child nodes, which fit anywhere), so the search for multi-child
// nodes starts past them instead of re-trying the crowded front forever.
struct FreeCells {
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint8_t kRetireAfter = 8;
  std::vector<uint32_t> next, prev;
  std::vector<uint8_t> failures;
  uint32_t head = kNone, tail = kNone, cursor = kNone;

  template <typename Slots>
  void Grow(Slots* slots, size_t size) {
    const size_t old = slots->size();
    slots->resize(size);
    next.resize(size, kNone);
    prev.resize(size, kNone);
    failures.resize(size, 0);
    for (size_t c = old; c < size; ++c) {
      const uint32_t cell = static_cast<uint32_t>(c);
      prev[cell] = tail;
      if (tail != kNone)
        next[tail] = cell;
      else
        head = cell;
      tail = cell;
      if (cursor == kNone) cursor = cell;
    }
  }
  void Take(uint32_t cell) {
    if (cell == cursor) cursor = next[cell];
    if (prev[cell] != kNone)
      next[prev[cell]] = next[cell];
    else
      head = next[cell];
    if (next[cell] != kNone)
      prev[next[cell]] = prev[cell];
    else
      tail = prev[cell];
  }
  // Records a failed attempt; retires the cell at the cursor when due.
  void Failed(uint32_t cell) {
    if (failures[cell] < kRetireAfter) ++failures[cell];
    while (cursor != kNone && failures[cursor] >= kRetireAfter) cursor = next[cursor];
  }
};

}  // namespace

Result<PieceMatcher> PieceMatcher::Build(const Vocab& vocab) {
  // The trie: at most a node per piece byte, ~18 bytes of arrays each, doubled for growth
  // (memory.h: a failed std::vector allocation aborts).
  uint64_t piece_bytes = 0;
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) piece_bytes += vocab.piece(i).size();
  const uint64_t pieces = static_cast<uint64_t>(vocab.num_pieces());
  EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation(40 * (piece_bytes + 1) + 8 * pieces, "trie"));
  const Trie trie = BuildTrie(vocab);
  const size_t nodes = trie.piece.size();
  // The automaton's reserves below, the node maps and the match list.
  EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation((3 * uint64_t{nodes} + 1024) * (sizeof(Slot) + 12) +
                                                8 * uint64_t{nodes} + sizeof(Match) * (pieces + 1) +
                                                4096,
                                            "piece automaton"));

  PieceMatcher m;
  m.num_states_ = nodes;
  std::vector<uint32_t> cell_of(nodes, 0);  // trie node -> double-array cell
  std::vector<uint32_t> bfs;                // trie nodes in breadth-first order
  bfs.reserve(nodes);
  bfs.push_back(0);
  // Generous reserves: growth never reallocates, and pages of the reserve
  // that are never written are never faulted in (page faults dominate the
  // build on virtual machines).
  const size_t reserve = 3 * nodes + 1024;
  m.slots_.reserve(reserve);
  FreeCells free_cells;
  free_cells.next.reserve(reserve);
  free_cells.prev.reserve(reserve);
  free_cells.failures.reserve(reserve);
  free_cells.Grow(&m.slots_, nodes + nodes / 8 + 512);
  m.slots_[kRoot].check = kFree - 1;  // the root is nobody's child
  free_cells.Take(kRoot);

  // Place children, parents before children (breadth-first). First fit
  // over the free cells; after a bounded search a node goes past the end,
  // keeping the build linear in practice.
  for (size_t q = 0; q < bfs.size(); ++q) {
    const uint32_t node = bfs[q];
    const uint32_t begin = trie.edge_begin[node], end = trie.edge_begin[node + 1];
    if (begin == end) continue;
    const int32_t first_label = trie.labels[begin];
    auto fits = [&](int64_t base) {
      for (uint32_t e = begin; e < end; ++e) {
        const int64_t cell = base + trie.labels[e];
        if (cell < static_cast<int64_t>(m.slots_.size()) && m.slots_[cell].check != kFree) {
          return false;
        }
      }
      return true;
    };
    // Bases may be negative: only base + label must be a valid cell. A
    // single child fits in any free cell; several are searched for from the
    // cursor, and go past the end after a bounded search.
    int64_t base = static_cast<int64_t>(m.slots_.size()) - first_label;  // past the end
    if (end - begin == 1 && free_cells.head != FreeCells::kNone) {
      base = static_cast<int64_t>(free_cells.head) - first_label;
    } else {
      int tries = 0;
      for (uint32_t cell = free_cells.cursor; cell != FreeCells::kNone && tries < 256; ++tries) {
        if (fits(static_cast<int64_t>(cell) - first_label)) {
          base = static_cast<int64_t>(cell) - first_label;
          break;
        }
        const uint32_t next = free_cells.next[cell];
        free_cells.Failed(cell);
        cell = next;
      }
    }
    const size_t needed = static_cast<size_t>(base + trie.labels[end - 1]) + 1;
    if (needed > static_cast<size_t>(INT32_MAX)) {
      return Status(StatusCode::kOutOfMemory, "piece automaton exceeds 2^31 cells");
    }
    if (needed > m.slots_.size()) free_cells.Grow(&m.slots_, needed);
    const uint32_t parent_cell = cell_of[node];
    m.slots_[parent_cell].base = static_cast<int32_t>(base);
    for (uint32_t e = begin; e < end; ++e) {
      const uint32_t cell = static_cast<uint32_t>(base + trie.labels[e]);
      m.slots_[cell].check = parent_cell;
      free_cells.Take(cell);
      cell_of[trie.children[e]] = cell;
      bfs.push_back(trie.children[e]);
    }
  }
  // Trim unused cells at the end: transitions past size() simply fail.
  size_t used = 1;
  for (size_t v = 0; v < nodes; ++v) used = std::max<size_t>(used, cell_of[v] + 1);
  m.slots_.resize(used);

  // Failure links and match chains, breadth-first so that every link
  // points to an already finished (shallower) state.
  const int32_t sentinel = vocab.num_pieces();
  m.matches_.resize(vocab.num_pieces() + 1);
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) {
    m.matches_[i] = {vocab.score(i), static_cast<int32_t>(vocab.piece(i).size()), sentinel};
  }
  m.matches_[sentinel] = {-std::numeric_limits<double>::infinity(), 0, sentinel};
  m.slots_[kRoot].first_match = sentinel;
  for (size_t q = 1; q < bfs.size(); ++q) {
    const uint32_t node = bfs[q];
    const uint32_t cell = cell_of[node];
    const uint32_t parent = trie.parent[node];
    const uint32_t fail =
        parent == 0 ? kRoot : m.Next(m.slots_[cell_of[parent]].fail, trie.parent_label[node]);
    Slot& slot = m.slots_[cell];
    slot.fail = fail;
    const int32_t inherited = m.slots_[fail].first_match;
    if (trie.piece[node] >= 0) {
      slot.first_match = trie.piece[node];
      m.matches_[trie.piece[node]].next = inherited;
    } else {
      slot.first_match = inherited;
    }
  }
  return m;
}

}  // namespace edgepiece
