#include "runtime/trainer/piece_counter.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace edgepiece {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 16;
constexpr size_t kFirstCapacity = 64;
// Where an empty piece points: any non-null address works, it is never read.
constexpr char kEmptyPiece[1] = {0};

}  // namespace

uint64_t PieceCounter::Hash(std::string_view piece) {
  // std::hash mixes the bytes; the multiply spreads them to the high bits,
  // which pick the slot and the tag.
  return static_cast<uint64_t>(std::hash<std::string_view>()(piece)) * 0x9E3779B97F4A7C15ull;
}

size_t PieceCounter::Probe(std::string_view piece, uint64_t hash) const {
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  size_t i = static_cast<size_t>(hash >> 20) & mask_;
  for (;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.data == nullptr) return i;
    if (s.tag == tag && s.size == piece.size() &&
        std::memcmp(s.data, piece.data(), piece.size()) == 0) {
      return i;
    }
  }
}

const char* PieceCounter::Store(std::string_view piece) {
  if (piece.empty()) return kEmptyPiece;
  if (piece.size() > free_size_) {
    const size_t bytes = std::max(kBlockBytes, piece.size());
    blocks_.push_back(std::make_unique<char[]>(bytes));
    block_bytes_ += bytes;
    free_ = blocks_.back().get();
    free_size_ = bytes;
  }
  char* copy = free_;
  std::memcpy(copy, piece.data(), piece.size());
  free_ += piece.size();
  free_size_ -= piece.size();
  return copy;
}

void PieceCounter::Rehash(size_t capacity) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{nullptr, 0, 0, 0});
  mask_ = capacity - 1;
  for (const Slot& s : old) {
    if (s.data == nullptr) continue;
    const uint64_t hash = Hash(std::string_view(s.data, s.size));
    size_t i = static_cast<size_t>(hash >> 20) & mask_;
    while (slots_[i].data != nullptr) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void PieceCounter::Add(std::string_view piece, uint64_t count) {
  if (slots_.empty()) Rehash(kFirstCapacity);
  const uint64_t hash = Hash(piece);
  const size_t i = Probe(piece, hash);
  Slot& s = slots_[i];
  if (s.data != nullptr) {
    s.count += count;
    return;
  }
  s = Slot{Store(piece), static_cast<uint32_t>(piece.size()), static_cast<uint32_t>(hash >> 32),
           count};
  if (++size_ * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);  // load factor <= 3/4
}

void PieceCounter::Merge(const PieceCounter& other) {
  other.ForEach([&](std::string_view piece, uint64_t count) { Add(piece, count); });
}

const uint64_t* PieceCounter::Find(std::string_view piece) const {
  if (slots_.empty()) return nullptr;
  const Slot& s = slots_[Probe(piece, Hash(piece))];
  return s.data == nullptr ? nullptr : &s.count;
}

std::vector<std::pair<std::string_view, uint64_t>> PieceCounter::Sorted() const {
  std::vector<std::pair<std::string_view, uint64_t>> entries;
  entries.reserve(size_);
  ForEachSorted([&](std::string_view piece, uint64_t count) {
    entries.emplace_back(piece, count);
    return true;
  });
  return entries;
}

size_t PieceCounter::MemoryUsage() const {
  return slots_.capacity() * sizeof(Slot) + block_bytes_ +
         blocks_.capacity() * sizeof(std::unique_ptr<char[]>);
}

PieceSource MergedPieceSource(std::vector<const PieceCounter*> counters, size_t parts) {
  PieceSource source;
  source.parts = parts;
  source.walk = [counters = std::move(counters), parts](size_t part, const PieceVisitor& visit) {
    Status status;
    for (size_t i = 0; i < counters.size() && status.ok(); ++i) {
      counters[i]->ForEachInPart(part, parts, [&](std::string_view piece, uint64_t count) {
        if (!status.ok()) return;
        for (size_t j = 0; j < i; ++j) {
          if (counters[j]->Find(piece) != nullptr) return;  // visited from counter j
        }
        for (size_t j = i + 1; j < counters.size(); ++j) {
          if (const uint64_t* more = counters[j]->Find(piece)) count += *more;
        }
        status = visit(piece, count);
      });
    }
    return status;
  };
  return source;
}

}  // namespace edgepiece
