// An open-addressing hash table from packed byte n-grams to 64-bit values,
// the trainer's n-gram store: one table per n-gram length, so a key is the
// n-gram's bytes packed little-endian (byte k in bits 8k..8k+7) and needs no
// length. Keys of up to 8 bytes fit; the one key equal to the empty marker
// (eight 0xFF bytes) is kept aside.
//
// Why not std::unordered_map: pass 1 does `order` increments per corpus byte
// and pass 2 `order` lookups per byte; a flat table with linear probing does
// each in about one cache miss and stores 16 bytes per entry.
#ifndef EDGEPIECE_RUNTIME_TRAINER_NGRAM_TABLE_H_
#define EDGEPIECE_RUNTIME_TRAINER_NGRAM_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgepiece {

// Packed n-gram -> 64-bit value (a count, or a double's bits).
class NgramTable {
 public:
  // A key and its value, as Entries() lists them.
  struct Entry {
    uint64_t key;
    uint64_t value;
  };
  // An empty table (16 slots).
  NgramTable() { Rehash(16); }
  // Number of keys.
  size_t size() const { return size_ + (has_marker_key_ ? 1 : 0); }
  // Adds `delta` to the value of `key` (a new key starts at 0).
  void Add(uint64_t key, uint64_t delta) {
    if (key == kEmpty) {
      has_marker_key_ = true;
      marker_value_ += delta;
      return;
    }
    size_t i = Slot(key);
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    if (slots_[i].key == kEmpty) {
      slots_[i].key = key;
      if (++size_ * 2 > slots_.size()) {  // load factor at most 1/2
        slots_[i].value = delta;
        Rehash(slots_.size() * 2);
        return;
      }
      slots_[i].value = 0;
    }
    slots_[i].value += delta;
  }
  // The value of `key`, or nullptr when absent.
  const uint64_t* Find(uint64_t key) const {
    if (key == kEmpty) return has_marker_key_ ? &marker_value_ : nullptr;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  // Calls f(key, value) for every key, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Entry& e : slots_) {
      if (e.key != kEmpty) f(e.key, e.value);
    }
    if (has_marker_key_) f(kEmpty, marker_value_);
  }
  // Makes room for `keys` keys without rehashing. Inserting another table's
  // keys (which come in hash order) needs it: growing halfway through would
  // pile the keys read so far into the front of the smaller table, where
  // linear probing turns quadratic.
  void Reserve(size_t keys) {
    size_t capacity = slots_.size();
    while (keys * 2 > capacity) capacity *= 2;
    if (capacity != slots_.size()) Rehash(capacity);
  }
  // Heap bytes held.
  size_t MemoryUsage() const { return slots_.capacity() * sizeof(Entry); }
  // Bytes of the new slots that adding `keys` new keys would allocate (0: no growth).
  size_t GrowthBytes(size_t keys) const {
    size_t capacity = slots_.size() == 0 ? 16 : slots_.size();
    while ((size_ + keys) * 2 > capacity) capacity *= 2;
    return capacity == slots_.size() ? 0 : capacity * sizeof(Entry);
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  size_t Slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Rehash(size_t capacity) {
    std::vector<Entry> old;
    old.swap(slots_);
    slots_.assign(capacity, Entry{kEmpty, 0});
    mask_ = capacity - 1;
    shift_ = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (const Entry& e : old) {
      if (e.key == kEmpty) continue;
      size_t i = Slot(e.key);
      while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
      slots_[i] = e;
    }
  }
  std::vector<Entry> slots_;
  size_t size_ = 0;  // keys in slots_
  size_t mask_ = 0;
  int shift_ = 64;
  bool has_marker_key_ = false;
  uint64_t marker_value_ = 0;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_NGRAM_TABLE_H_
