// Finds every vocabulary piece that ends at each byte position, longest
// first: an Aho-Corasick automaton over bytes stored as a double array.
//
// Why this shape: the BytePiece lattice visits matches by end position and,
// at one end, longest first (docs/bytepiece.md section 3). An Aho-Corasick
// state is the longest suffix of the input read so far that is a prefix of
// some piece; the pieces ending here are that state's string (if it is a
// piece) and then the pieces reached through dictionary-suffix links, which
// are exactly the matches in the required order. One transition per input
// byte (amortized), one short chain walk per position.
//
// Memory: one 16-byte Slot per double-array cell (about 1.1 cells per trie
// node) and one 16-byte Match per piece; the 40k-piece model needs ~2 MB.
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_PIECE_MATCHER_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_PIECE_MATCHER_H_

#include <cstdint>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/tokenizer/vocab.h"

namespace edgepiece {

class PieceMatcher {
 public:
  // One piece as seen by the lattice; index = piece index (id - 3).
  struct Match {
    double score;    // Vocab::score of the piece
    int32_t length;  // bytes
    int32_t next;    // next shorter piece ending at the same place, or sentinel()
  };

  static Result<PieceMatcher> Build(const Vocab& vocab);

  static constexpr uint32_t kRoot = 0;

  // The state after reading `byte` in `state`. Never fails: the root has a
  // transition on every byte because all 256 single bytes are pieces.
  uint32_t Next(uint32_t state, uint8_t byte) const {
    for (;;) {
      const uint32_t t = static_cast<uint32_t>(slots_[state].base + byte);
      if (t < slots_.size() && slots_[t].check == state) return t;
      state = slots_[state].fail;
    }
  }
  // The longest piece ending in `state` (a piece index); sentinel() only
  // for the root, i.e. before any byte has been read.
  int32_t FirstMatch(uint32_t state) const { return slots_[state].first_match; }
  const Match& match(int32_t piece_index) const { return matches_[piece_index]; }
  // The index that ends every match list: a Match with score -inf and
  // length 0 whose next is itself, so a loop may read a few entries past the
  // end of a list without branching (they never win a strict comparison).
  int32_t sentinel() const { return static_cast<int32_t>(matches_.size()) - 1; }
  const Match* matches() const { return matches_.data(); }

  size_t num_states() const { return num_states_; }
  size_t MemoryUsage() const {
    return slots_.size() * sizeof(Slot) + matches_.size() * sizeof(Match);
  }

 private:
  // A double-array cell. For a state s, its child on byte c is the cell
  // t = base + c when slots_[t].check == s. Unused cells have check = kFree.
  struct Slot {
    int32_t base = 0;
    uint32_t check = kFree;
    uint32_t fail = 0;        // Aho-Corasick failure link
    int32_t first_match = 0;  // longest piece that is a suffix here
  };
  static constexpr uint32_t kFree = UINT32_MAX;

  std::vector<Slot> slots_;
  std::vector<Match> matches_;
  size_t num_states_ = 0;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_PIECE_MATCHER_H_
