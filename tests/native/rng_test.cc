// Tests for the sampling generators (runtime/base/rng.h): GlibcRandom
// against this machine's glibc rand(), XoshiroRandom, Rng and RngKind names.
#include "runtime/base/rng.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace edgepiece {
namespace {

std::vector<uint32_t> Draw(GlibcRandom* rng, int n) {
  std::vector<uint32_t> out(n);
  for (uint32_t& v : out) v = rng->Next();
  return out;
}

std::vector<uint32_t> Draw(XoshiroRandom* rng, int n) {
  std::vector<uint32_t> out(n);
  for (uint32_t& v : out) v = rng->Next();
  return out;
}

TEST(RngTest, RandMaxIsGlibcs) { EXPECT_EQ(kRandMax, static_cast<uint32_t>(RAND_MAX)); }

TEST(RngTest, GlibcRandomMatchesTheCLibrary) {
  // Linux uses glibc here; its rand() is the reference's generator.
  const uint32_t kSeeds[] = {0u, 1u, 2u, 5u, 123u, 2147483647u, 2147483648u, 4294967295u};
  for (uint32_t seed : kSeeds) {
    GlibcRandom ours(seed);
    ::srand(seed);
    for (int i = 0; i < 10000; ++i) {
      const uint32_t want = static_cast<uint32_t>(::rand());
      ASSERT_EQ(ours.Next(), want) << "seed " << seed << ", draw " << i;
    }
  }
}

TEST(RngTest, GlibcRandomKnownValues) {
  // glibc's first outputs after srand(1), the de-facto known answer.
  GlibcRandom rng(1);
  EXPECT_EQ(rng.Next(), 1804289383u);
  EXPECT_EQ(rng.Next(), 846930886u);
  EXPECT_EQ(rng.Next(), 1681692777u);
}

TEST(RngTest, GlibcSeedZeroActsAsOne) {
  GlibcRandom zero(0), one(1);
  EXPECT_EQ(Draw(&zero, 1000), Draw(&one, 1000));
  GlibcRandom two(2);
  one.Seed(1);
  EXPECT_NE(Draw(&two, 100), Draw(&one, 100));
}

TEST(RngTest, GlibcReseedRestartsTheStream) {
  GlibcRandom rng(77);
  const std::vector<uint32_t> first = Draw(&rng, 500);
  rng.Seed(77);
  EXPECT_EQ(Draw(&rng, 500), first);
  GlibcRandom fresh;  // default seed 1
  GlibcRandom one(1);
  EXPECT_EQ(Draw(&fresh, 100), Draw(&one, 100));
}

TEST(RngTest, XoshiroIsDeterministicPerSeed) {
  for (uint32_t seed : {0u, 1u, 42u, 4294967295u}) {
    XoshiroRandom a(seed), b(seed);
    EXPECT_EQ(Draw(&a, 1000), Draw(&b, 1000)) << seed;
    a.Seed(seed);
    b.Seed(seed);
    EXPECT_EQ(Draw(&a, 10), Draw(&b, 10)) << seed;
  }
}

TEST(RngTest, XoshiroSeedsGiveDifferentStreams) {
  std::vector<std::vector<uint32_t>> streams;
  for (uint32_t seed : {0u, 1u, 2u, 3u, 123u, 2147483648u, 4294967295u}) {
    XoshiroRandom rng(seed);
    streams.push_back(Draw(&rng, 64));
  }
  for (size_t i = 0; i < streams.size(); ++i) {
    for (size_t j = i + 1; j < streams.size(); ++j) {
      EXPECT_NE(streams[i], streams[j]) << i << " vs " << j;
      // Not merely shifted or mostly equal: few positions coincide.
      int same = 0;
      for (size_t k = 0; k < 64; ++k) same += streams[i][k] == streams[j][k];
      EXPECT_LE(same, 1) << i << " vs " << j;
    }
  }
}

// Reference xoshiro128++ (Blackman and Vigna) seeded by splitmix64, written
// from the published algorithm: pins the stream that WASM must reproduce.
class ReferenceXoshiro {
 public:
  explicit ReferenceXoshiro(uint32_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 2; ++i) {
      x += 0x9E3779B97F4A7C15ull;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z = z ^ (z >> 31);
      s_[2 * i] = static_cast<uint32_t>(z & 0xFFFFFFFFu);
      s_[2 * i + 1] = static_cast<uint32_t>(z >> 32);
    }
  }
  uint32_t Next() {
    const uint32_t sum = s_[0] + s_[3];
    const uint32_t result = ((sum << 7) | (sum >> 25)) + s_[0];
    const uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = (s_[3] << 11) | (s_[3] >> 21);
    return result >> 1;
  }

 private:
  uint32_t s_[4];
};

TEST(RngTest, XoshiroMatchesThePublishedAlgorithm) {
  for (uint32_t seed : {0u, 1u, 123u, 4294967295u}) {
    XoshiroRandom ours(seed);
    ReferenceXoshiro reference(seed);
    for (int i = 0; i < 10000; ++i) {
      ASSERT_EQ(ours.Next(), reference.Next()) << "seed " << seed << ", draw " << i;
    }
  }
}

TEST(RngTest, XoshiroValuesAreRoughlyUniform31Bit) {
  XoshiroRandom rng(2024);
  constexpr int kDraws = 1000000;
  double sum = 0;
  uint32_t all_or = 0;
  int bit_counts[31] = {};
  for (int i = 0; i < kDraws; ++i) {
    const uint32_t v = rng.Next();
    ASSERT_LE(v, kRandMax);
    all_or |= v;
    sum += v;
    for (int b = 0; b < 31; ++b) bit_counts[b] += (v >> b) & 1;
  }
  EXPECT_EQ(all_or, kRandMax);  // every one of the 31 bits gets used
  const double mean = sum / kDraws / 2147483648.0;
  EXPECT_NEAR(mean, 0.5, 0.002);
  for (int b = 0; b < 31; ++b) {
    // sd of a bit count is 500; 0.5% is 10 sd.
    EXPECT_NEAR(bit_counts[b] / double(kDraws), 0.5, 0.005) << "bit " << b;
  }
}

TEST(RngTest, GlibcValuesStayIn31Bits) {
  GlibcRandom rng(9);
  for (int i = 0; i < 100000; ++i) ASSERT_LE(rng.Next(), kRandMax);
}

// Draws n values through Rng::Visit.
std::vector<uint32_t> DrawVia(Rng* rng, int n) {
  std::vector<uint32_t> out(n);
  for (uint32_t& v : out) v = rng->Visit([](auto& g) { return g.Next(); });
  return out;
}

TEST(RngTest, RngVisitsTheChosenGenerator) {
  Rng glibc(RngKind::kGlibc, 123);
  EXPECT_EQ(glibc.kind(), RngKind::kGlibc);
  GlibcRandom expected_glibc(123);
  EXPECT_EQ(DrawVia(&glibc, 1000), Draw(&expected_glibc, 1000));

  Rng fast(RngKind::kDefault, 123);
  EXPECT_EQ(fast.kind(), RngKind::kDefault);
  XoshiroRandom expected_xoshiro(123);
  EXPECT_EQ(DrawVia(&fast, 1000), Draw(&expected_xoshiro, 1000));

  Rng defaults;
  EXPECT_EQ(defaults.kind(), RngKind::kDefault);
  XoshiroRandom seed_zero(0);
  EXPECT_EQ(DrawVia(&defaults, 10), Draw(&seed_zero, 10));
}

TEST(RngTest, RngSeedRestartsTheStream) {
  for (RngKind kind : {RngKind::kDefault, RngKind::kGlibc}) {
    Rng rng(kind, 5);
    const std::vector<uint32_t> first = DrawVia(&rng, 300);
    const std::vector<uint32_t> next = DrawVia(&rng, 300);
    EXPECT_NE(first, next);
    rng.Seed(5);
    EXPECT_EQ(DrawVia(&rng, 300), first) << RngKindName(kind);
    rng.Seed(6);
    EXPECT_NE(DrawVia(&rng, 300), first) << RngKindName(kind);
  }
}

TEST(RngTest, KindNamesRoundTrip) {
  for (RngKind kind : {RngKind::kDefault, RngKind::kGlibc}) {
    RngKind parsed = kind == RngKind::kGlibc ? RngKind::kDefault : RngKind::kGlibc;
    ASSERT_TRUE(ParseRngKind(RngKindName(kind), &parsed)) << RngKindName(kind);
    EXPECT_EQ(parsed, kind);
  }
  EXPECT_STREQ(RngKindName(RngKind::kDefault), "default");
  EXPECT_STREQ(RngKindName(RngKind::kGlibc), "glibc");
}

TEST(RngTest, ParseRngKindRejectsUnknownNames) {
  for (const char* name : {"foo", "", "Glibc", "DEFAULT", "glibc ", "xoshiro"}) {
    RngKind kind = RngKind::kGlibc;
    EXPECT_FALSE(ParseRngKind(name, &kind)) << '"' << name << '"';
    EXPECT_EQ(kind, RngKind::kGlibc) << "modified on failure: \"" << name << '"';
  }
}

}  // namespace
}  // namespace edgepiece
