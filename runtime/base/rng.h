// Random generators for subword sampling. Both produce 31-bit values
// (0 .. 2^31-1, like glibc's rand()) because the sampling rule compares a
// draw against p * 2147483647. The state lives in the caller's object,
// never in the process, and every operation is plain integer arithmetic,
// so a seed gives the same stream natively and in WebAssembly.
#ifndef EDGEPIECE_RUNTIME_BASE_RNG_H_
#define EDGEPIECE_RUNTIME_BASE_RNG_H_

#include <cstdint>
#include <cstring>

namespace edgepiece {

inline constexpr uint32_t kRandMax = 2147483647u;

// glibc's default rand() (TYPE_3 additive feedback generator, srand
// seeding, 310 warm-up draws): reproduces the reference implementation.
class GlibcRandom {
 public:
  explicit GlibcRandom(uint32_t seed = 1) { Seed(seed); }
  void Seed(uint32_t seed);
  uint32_t Next() {
    const uint32_t value = r_[front_] + r_[rear_];
    r_[front_] = value;
    front_ = front_ == 30 ? 0 : front_ + 1;
    rear_ = rear_ == 30 ? 0 : rear_ + 1;
    return value >> 1;
  }

 private:
  uint32_t r_[31];
  uint32_t front_ = 3;
  uint32_t rear_ = 0;
};

// The default generator: xoshiro128++ (fast, 128-bit state, good
// statistics), seeded through splitmix64; outputs its top 31 bits.
class XoshiroRandom {
 public:
  explicit XoshiroRandom(uint32_t seed = 0) { Seed(seed); }
  void Seed(uint32_t seed);
  uint32_t Next() {
    const uint32_t result = Rotl(s_[0] + s_[3], 7) + s_[0];
    const uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 11);
    return result >> 1;
  }
  // The 128-bit state, to save a stream and continue it later (session
  // snapshots).
  void GetState(uint32_t state[4]) const { std::memcpy(state, s_, sizeof(s_)); }
  // False (and no change) for the all-zero state, which xoshiro never leaves.
  bool SetState(const uint32_t state[4]) {
    if ((state[0] | state[1] | state[2] | state[3]) == 0) return false;
    std::memcpy(s_, state, sizeof(s_));
    return true;
  }

 private:
  static uint32_t Rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t s_[4];
};

enum class RngKind : int {
  kDefault = 0,  // XoshiroRandom
  kGlibc = 1,    // GlibcRandom, bit-exact with the reference
};

// Parses "default" / "glibc"; returns false on anything else.
bool ParseRngKind(const char* name, RngKind* kind);
const char* RngKindName(RngKind kind);

// A generator of either kind, owned by an encoder or session object.
class Rng {
 public:
  explicit Rng(RngKind kind = RngKind::kDefault, uint32_t seed = 0) : kind_(kind) { Seed(seed); }
  void Seed(uint32_t seed) {
    glibc_.Seed(seed);
    xoshiro_.Seed(seed);
  }
  RngKind kind() const { return kind_; }
  // Calls fn(generator&) with the concrete generator, so hot loops are
  // compiled once per kind with the draw inlined.
  template <typename Fn>
  auto Visit(Fn&& fn) {
    return kind_ == RngKind::kGlibc ? fn(glibc_) : fn(xoshiro_);
  }
  // A uniform double in (0, 1) from one draw: (draw + 0.5) / 2^31.
  double Uniform() {
    const uint32_t draw = kind_ == RngKind::kGlibc ? glibc_.Next() : xoshiro_.Next();
    return (static_cast<double>(draw) + 0.5) * (1.0 / 2147483648.0);
  }

 private:
  RngKind kind_;
  GlibcRandom glibc_;
  XoshiroRandom xoshiro_;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_BASE_RNG_H_
