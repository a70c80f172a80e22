#include "runtime/base/rng.h"

#include <cstring>

namespace edgepiece {

void GlibcRandom::Seed(uint32_t seed) {
  // glibc __srandom_r: seed 0 acts as 1; the state is filled by the
  // Park-Miller generator (16807 * x mod 2^31-1, via Schrage's method with
  // C's truncating division, on a signed 32-bit word).
  if (seed == 0) seed = 1;
  int32_t word = static_cast<int32_t>(seed);
  r_[0] = static_cast<uint32_t>(word);
  for (int i = 1; i < 31; ++i) {
    const int64_t hi = word / 127773;
    const int64_t lo = word % 127773;
    word = static_cast<int32_t>(16807 * lo - 2836 * hi);
    if (word < 0) word += 2147483647;
    r_[i] = static_cast<uint32_t>(word);
  }
  front_ = 3;
  rear_ = 0;
  for (int i = 0; i < 310; ++i) Next();
}

void XoshiroRandom::Seed(uint32_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 2; ++i) {  // splitmix64: two outputs fill 128 bits
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    s_[2 * i] = static_cast<uint32_t>(z);
    s_[2 * i + 1] = static_cast<uint32_t>(z >> 32);
  }
}

bool ParseRngKind(const char* name, RngKind* kind) {
  if (std::strcmp(name, "default") == 0) {
    *kind = RngKind::kDefault;
  } else if (std::strcmp(name, "glibc") == 0) {
    *kind = RngKind::kGlibc;
  } else {
    return false;
  }
  return true;
}

const char* RngKindName(RngKind kind) { return kind == RngKind::kGlibc ? "glibc" : "default"; }

}  // namespace edgepiece
