#include "runtime/base/hash.h"

#include <cstring>

namespace edgepiece {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio, odd
constexpr uint64_t kMix1 = 0xBF58476D1CE4E5B9ull;    // splitmix64's finaliser constants
constexpr uint64_t kMix2 = 0x94D049BB133111EBull;

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64's finaliser: every input bit reaches every output bit.
uint64_t Finalize(uint64_t x) {
  x = (x ^ (x >> 30)) * kMix1;
  x = (x ^ (x >> 27)) * kMix2;
  return x ^ (x >> 31);
}

// `size` <= 8 bytes as a little-endian word (zero-extended).
uint64_t LoadLittleEndian(const uint8_t* p, size_t size) {
  uint64_t word = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::memcpy(&word, p, size);
#else
  for (size_t i = 0; i < size; ++i) word |= uint64_t{p[i]} << (8 * i);
#endif
  return word;
}

// One word into a lane: a bijection of the lane for a fixed word, so two
// inputs that differ in one word always leave different lanes.
uint64_t Round(uint64_t lane, uint64_t word) { return Rotl(lane ^ word, 29) * kGolden; }

}  // namespace

// Four independent lanes over little-endian 8-byte words, so the multiplies
// overlap: the weights file of the demo model (7.4 MB) hashes in a few
// milliseconds, natively and in WebAssembly. The lanes and the size are then
// finalized into one value.
#if defined(__clang__) && defined(__wasm__)
__attribute__((minsize))  // the WebAssembly download is budgeted; the loop is as fast
#endif
uint64_t
Hash64(const void* data, size_t size) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t lanes[4] = {kGolden, kMix1, kMix2, kGolden ^ kMix1};
  // Word k goes to lane k % 4 (four independent chains the CPU overlaps);
  // the last 1-7 bytes to the next lane.
  size_t i = 0, lane = 0;
  for (; i + 8 <= size; i += 8, lane = (lane + 1) & 3) {
    lanes[lane] = Round(lanes[lane], LoadLittleEndian(p + i, 8));
  }
  if (i < size) lanes[lane] = Round(lanes[lane], LoadLittleEndian(p + i, size - i));
  uint64_t h = Finalize(static_cast<uint64_t>(size) ^ kGolden);
  for (int k = 0; k < 4; ++k) h = Finalize(h ^ (Finalize(lanes[k]) + kGolden * (k + 1)));
  return h;
}

}  // namespace edgepiece
