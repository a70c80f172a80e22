// SentencePiece's BPE (SpmProcessor::EncodeBpe and its parts) and the tables of spm_bpe.h.
#include "runtime/tokenizer/spm_bpe.h"

#include <algorithm>
#include <cstring>

#include "runtime/tokenizer/spm_normalizer.h"
#include "runtime/tokenizer/spm_processor.h"

namespace edgepiece {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio, odd

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// 8 bytes as one word (host order: the tables never leave memory).
uint64_t Load8(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// `size` < 8 bytes as one word, zero-extended: byte by byte, since a memcpy of a variable
// size is a call (and a store the load then waits for).
uint64_t LoadShort(const uint8_t* p, size_t size) {
  uint64_t word = 0;
  for (size_t i = 0; i < size; ++i) word |= uint64_t{p[i]} << (8 * i);
  return word;
}

// A slot for `hash` in a table of mask + 1 slots.
size_t Slot(uint64_t hash, size_t mask) { return static_cast<size_t>(hash ^ (hash >> 29)) & mask; }

}  // namespace

// ---- SpmCharPairs ----------------------------------------------------------------------

uint64_t SpmCharPairs::Key(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size) {
  // A character's length follows from its lead byte except when the text (or the piece)
  // ends inside it, and then it is the last one: equal keys of different pairs can only
  // come from such a truncated second character, and then MayJoin errs on the safe side.
  return LoadShort(a, a_size) | LoadShort(b, b_size) << 32;
}

void SpmCharPairs::AddPiece(std::string_view piece) {
  const auto* p = reinterpret_cast<const uint8_t*>(piece.data());
  const size_t n = piece.size();
  size_t i = 0, prev = 0, prev_size = 0;
  while (i < n) {
    const size_t size = std::min(SpmCharLength(p[i]), n - i);
    if (prev_size > 0) {
      if (prev_size == 1 && size == 1 && (p[prev] | p[i]) < 0x80) {
        const unsigned bit = p[prev] * 128u + p[i];
        ascii_[bit >> 6] |= uint64_t{1} << (bit & 63);
      } else {
        Insert(Key(p + prev, prev_size, p + i, size));
      }
    }
    prev = i;
    prev_size = size;
    i += size;
  }
}

bool SpmCharPairs::Contains(uint64_t key) const {
  if (key == 0) return zero_;
  if (keys_.empty()) return false;
  const size_t mask = keys_.size() - 1;
  for (size_t slot = Slot(key * kGolden, mask);; slot = (slot + 1) & mask) {
    if (keys_[slot] == key) return true;
    if (keys_[slot] == 0) return false;
  }
}

void SpmCharPairs::Insert(uint64_t key) {
  if (key == 0) {
    zero_ = true;
    return;
  }
  if (Contains(key)) return;
  if (2 * (size_ + 1) > keys_.size()) {
    std::vector<uint64_t> old = std::move(keys_);
    keys_.assign(std::max<size_t>(64, 2 * old.size()), 0);
    size_ = 0;
    for (const uint64_t k : old) {
      if (k != 0) Insert(k);
    }
  }
  const size_t mask = keys_.size() - 1;
  size_t slot = Slot(key * kGolden, mask);
  while (keys_[slot] != 0) slot = (slot + 1) & mask;
  keys_[slot] = key;
  ++size_;
}

// ---- SpmSegmentCache -------------------------------------------------------------------

uint64_t SpmSegmentCache::Hash(const uint8_t* p, size_t size) {
  uint64_t h = (size + 1) * kGolden;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) h = Rotl(h ^ Load8(p + i), 29) * kGolden;
  if (i < size) h = Rotl(h ^ LoadShort(p + i, size - i), 29) * kGolden;
  return h ^ (h >> 32);
}

bool SpmSegmentCache::Find(std::string_view segment, uint64_t hash, const Piece** pieces,
                           size_t* count) const {
  if (table_.empty()) return false;
  const size_t mask = table_.size() - 1;
  for (size_t slot = Slot(hash, mask);; slot = (slot + 1) & mask) {
    const Entry& e = table_[slot];
    if (e.key_size == 0) return false;
    if (e.hash == hash && e.key_size == segment.size() &&
        std::memcmp(keys_.data() + e.key_begin, segment.data(), segment.size()) == 0) {
      *pieces = pieces_.data() + e.pieces_begin;
      *count = e.num_pieces;
      return true;
    }
  }
}

size_t SpmSegmentCache::FreeSlot(uint64_t hash) const {
  const size_t mask = table_.size() - 1;
  size_t slot = Slot(hash, mask);
  while (table_[slot].key_size != 0) slot = (slot + 1) & mask;
  return slot;
}

void SpmSegmentCache::Clear(size_t slots) {
  table_.assign(slots, Entry{});
  size_ = 0;
  keys_.clear();
  pieces_.clear();
}

void SpmSegmentCache::Insert(std::string_view segment, uint64_t hash, const Piece* pieces,
                             size_t count) {
  // Up to 32k segments and 2 MB of keys, then start over: text keeps repeating its common
  // segments, so a full cache refills with them soon.
  constexpr size_t kMinSlots = 1024, kMaxSlots = 65536, kMaxKeyBytes = 2 << 20;
  if (segment.empty() || segment.size() > kMaxSegmentBytes) return;
  if (keys_.size() + segment.size() > kMaxKeyBytes) Clear(table_.size());
  if (2 * (size_ + 1) > table_.size()) {
    if (table_.size() >= kMaxSlots) {
      Clear(kMaxSlots);
    } else {
      // Grow: re-insert every entry into twice the slots (the pools stay).
      std::vector<Entry> old = std::move(table_);
      table_.assign(std::max(kMinSlots, 2 * old.size()), Entry{});
      for (const Entry& e : old) {
        if (e.key_size != 0) table_[FreeSlot(e.hash)] = e;
      }
    }
  }
  Entry& e = table_[FreeSlot(hash)];
  e.hash = hash;
  e.key_begin = static_cast<uint32_t>(keys_.size());
  e.key_size = static_cast<uint16_t>(segment.size());
  e.pieces_begin = static_cast<uint32_t>(pieces_.size());
  e.num_pieces = static_cast<uint16_t>(count);
  keys_.append(segment);
  pieces_.insert(pieces_.end(), pieces, pieces + count);
  ++size_;
}

// ---- SpmProcessor's BPE ----------------------------------------------------------------

// SentencePiece's BPE: start from characters (a user-defined piece is one frozen symbol),
// repeatedly merge the adjacent pair that forms the highest-scoring piece (ties: the leftmost),
// and split merged UNUSED pieces back into the pair that formed them.
//
// Segments: where two adjacent symbols are a frozen one, or two characters that no piece
// holds side by side (char_pairs_), no merge ever joins them, since the merged piece would
// hold them so. The merges on either side then happen in the same relative order as in one
// pass over the whole text (the order is by score, then position, and merges elsewhere never
// create or remove pairs inside a segment), so each segment is merged on its own, with a
// small heap, and its pieces are cached by its text. Words are such segments when no piece
// has U+2581 after its start (the usual case), and Chinese text, which has no spaces, falls
// apart into runs of a few characters. Not with UNUSED pieces: SentencePiece resegments them
// by the last pair that formed the same text anywhere in the whole text.
void SpmProcessor::EncodeBpe(SpmScratch* s, double dropout, Rng* rng) const {
  const auto* t = reinterpret_cast<const uint8_t*>(s->normalized.data());
  const size_t n = s->normalized.size();
  s->pieces.clear();
  if (n == 0) return;
  // Dropout merges the whole text in one pass, in SentencePiece's order, with no cache.
  if (has_unused_ || rng != nullptr) {
    BuildBpeSymbols(s, 0, n);
    MergeBpe(s, dropout, rng);
    return;
  }
  bool freeze;
  size_t size = SymbolLength(t, n, &freeze);  // of the symbol at `begin`
  for (size_t begin = 0; begin < n;) {
    size_t last = begin, last_size = size, end = begin + size;
    bool last_freeze = freeze;
    while (end < n) {
      size = SymbolLength(t + end, n - end, &freeze);
      if (last_freeze || freeze || !char_pairs_.MayJoin(t + last, last_size, t + end, size)) {
        break;
      }
      last = end;
      last_size = size;
      last_freeze = freeze;
      end += size;
    }
    EncodeBpeSegment(s, begin, end, last == begin);
    begin = end;
  }
}

void SpmProcessor::EncodeBpeSegment(SpmScratch* s, size_t begin, size_t end,
                                    bool one_symbol) const {
  const auto* t = reinterpret_cast<const uint8_t*>(s->normalized.data());
  const std::string_view segment(s->normalized.data() + begin, end - begin);
  const auto b = static_cast<uint32_t>(begin);
  if (one_symbol) {
    const int32_t node = pieces_.Walk(0, t + begin, end - begin);
    s->pieces.push_back({b, static_cast<uint32_t>(end), IdAtNode(node, segment)});
    return;
  }
  if (segment.size() > SpmSegmentCache::kMaxSegmentBytes) {
    BuildBpeSymbols(s, begin, end);
    MergeBpe(s);
    return;
  }
  const uint64_t hash = SpmSegmentCache::Hash(t + begin, segment.size());
  const SpmSegmentCache::Piece* cached;
  size_t count;
  if (s->segment_cache.Find(segment, hash, &cached, &count)) {
    uint32_t at = b;
    for (size_t i = 0; i < count; ++i) {
      s->pieces.push_back({at, b + cached[i].end, cached[i].id});
      at = b + cached[i].end;
    }
    return;
  }
  const size_t from = s->pieces.size();
  BuildBpeSymbols(s, begin, end);
  MergeBpe(s);
  s->segment_pieces.clear();
  for (size_t i = from; i < s->pieces.size(); ++i) {
    s->segment_pieces.push_back({s->pieces[i].end - b, s->pieces[i].id});
  }
  s->segment_cache.Insert(segment, hash, s->segment_pieces.data(), s->segment_pieces.size());
}

void SpmProcessor::BuildBpeSymbols(SpmScratch* s, size_t begin, size_t end) const {
  const auto* t = reinterpret_cast<const uint8_t*>(s->normalized.data());
  const size_t n = s->normalized.size();
  std::vector<SpmScratch::Symbol>& symbols = s->symbols;
  symbols.clear();
  for (size_t i = begin; i < end;) {
    SpmScratch::Symbol symbol;
    bool freeze;
    symbol.length = static_cast<uint32_t>(SymbolLength(t + i, n - i, &freeze));
    symbol.freeze = freeze;
    symbol.begin = static_cast<uint32_t>(i);
    symbol.prev = static_cast<int32_t>(symbols.size()) - 1;
    symbol.node = pieces_.Walk(0, t + i, symbol.length);
    i += symbol.length;
    symbol.next = i < end ? static_cast<int32_t>(symbols.size()) + 1 : -1;
    symbols.push_back(symbol);
  }
}

void SpmProcessor::MergeBpe(SpmScratch* s, double dropout, Rng* rng) const {
  const std::string_view text = s->normalized;
  const auto* t = reinterpret_cast<const uint8_t*>(text.data());
  std::vector<SpmScratch::Symbol>& symbols = s->symbols;
  auto lower = [](const SpmScratch::Pair& a, const SpmScratch::Pair& b) {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  };
  std::vector<SpmScratch::Pair>& agenda = s->agenda;
  agenda.clear();
  s->unmerge.clear();
  auto add_pair = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const SpmScratch::Symbol& l = symbols[left];
    const SpmScratch::Symbol& r = symbols[right];
    if (l.freeze || r.freeze || l.node < 0) return;
    const int32_t node = pieces_.Walk(l.node, t + r.begin, r.length);
    if (node < 0) return;
    const int32_t id = pieces_.Value(node);
    if (id < 0) return;
    agenda.push_back({model_.scores[id], left, right, l.length + r.length, node});
    std::push_heap(agenda.begin(), agenda.end(), lower);
    if (has_unused_ && model_.types[id] == SpmPieceType::kUnused) {
      s->unmerge[text.substr(l.begin, l.length + r.length)] = {text.substr(l.begin, l.length),
                                                               text.substr(r.begin, r.length)};
    }
  };
  if (symbols.empty()) return;
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) add_pair(i - 1, i);
  while (!agenda.empty()) {
    std::pop_heap(agenda.begin(), agenda.end(), lower);
    const SpmScratch::Pair top = agenda.back();
    agenda.pop_back();
    SpmScratch::Symbol& left = symbols[top.left];
    SpmScratch::Symbol& right = symbols[top.right];
    // Stale: one side was merged away or grew since the pair was queued.
    if (left.length == 0 || right.length == 0 || left.length + right.length != top.length) {
      continue;
    }
    // BPE-dropout as SentencePiece does it: a popped merge is skipped (and forgotten) with
    // probability `dropout`; the order of the others stays.
    if (dropout > 0 && (dropout >= 1 || rng->Uniform() < dropout)) continue;
    left.length += right.length;
    left.node = top.node;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.left;
    right.length = 0;
    add_pair(left.prev, top.left);
    add_pair(top.left, left.next);
  }
  // Unused pieces are resegmented into the pair that formed them, recursively.
  auto emit = [&](auto&& self, std::string_view piece, int32_t id) -> void {
    if (has_unused_ && model_.types[id] == SpmPieceType::kUnused) {
      const auto it = s->unmerge.find(piece);
      if (it != s->unmerge.end()) {
        self(self, it->second.first, PieceToId(it->second.first));
        self(self, it->second.second, PieceToId(it->second.second));
        return;
      }
    }
    const auto begin = static_cast<uint32_t>(piece.data() - text.data());
    s->pieces.push_back({begin, begin + static_cast<uint32_t>(piece.size()), id});
  };
  for (int32_t i = 0; i != -1; i = symbols[i].next) {
    const SpmScratch::Symbol& symbol = symbols[i];
    const std::string_view piece = text.substr(symbol.begin, symbol.length);
    emit(emit, piece, IdAtNode(symbol.node, piece));
  }
}

}  // namespace edgepiece
