// Subword sampling (BytePiece "perfect" sampling, alpha >= 0) is exact: draws fit
// prod p(piece)^alpha over all segmentations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/base/rng.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/vocab.h"
#include "tests/native/support/test_budget.h"

namespace edgepiece {
namespace {

// Samples per distribution. Unoptimized or sanitized builds draw half as
// many: the test stays valid (the threshold does not depend on N), only
// less powerful.
constexpr int kSamples = 200000 / testing::kTestWorkDivisor;

// Tail probability at which a goodness-of-fit test rejects.
constexpr double kRejectTail = 1e-6;

// ---------------------------------------------------------------------------
// Chi-square statistics.

// Regularized upper incomplete gamma function Q(a, x), a > 0, x >= 0
// (series for x < a + 1, Lentz's continued fraction otherwise).
double RegularizedGammaQ(double a, double x) {
  if (x <= 0) return 1.0;
  const double log_prefix = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 1000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
    }
    return 1.0 - sum * std::exp(log_prefix);
  }
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-16) break;
  }
  return std::exp(log_prefix) * h;
}

// x such that P(X > x) = tail for X ~ chi-square with `df` degrees of freedom.
double ChiSquareUpperQuantile(int df, double tail) {
  double lo = 0, hi = 1;
  while (RegularizedGammaQ(df / 2.0, hi / 2) > tail) hi *= 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    if (RegularizedGammaQ(df / 2.0, mid / 2) > tail) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

struct GoodnessOfFit {
  double statistic = 0;
  int df = 0;  // degrees of freedom after pooling; 0: nothing to test
  double threshold = 0;
  bool rejected() const { return df > 0 && statistic > threshold; }
};

// Pearson's chi-square test of `observed` counts against `probabilities`.
// Categories expected fewer than 5 times are pooled so the chi-square
// approximation holds.
GoodnessOfFit ChiSquareTest(const std::vector<int64_t>& observed,
                            const std::vector<double>& probabilities) {
  int64_t n = 0;
  for (const int64_t o : observed) n += o;
  std::vector<std::pair<double, double>> cells;  // (expected, observed)
  double pooled_expected = 0, pooled_observed = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double expected = probabilities[i] * static_cast<double>(n);
    if (expected < 5) {
      pooled_expected += expected;
      pooled_observed += static_cast<double>(observed[i]);
    } else {
      cells.emplace_back(expected, static_cast<double>(observed[i]));
    }
  }
  if (pooled_expected > 0 || pooled_observed > 0) {
    if (pooled_expected < 5 && !cells.empty()) {
      // Merge into the smallest cell.
      auto smallest = std::min_element(cells.begin(), cells.end());
      smallest->first += pooled_expected;
      smallest->second += pooled_observed;
    } else {
      cells.emplace_back(pooled_expected, pooled_observed);
    }
  }
  GoodnessOfFit fit;
  for (const auto& [expected, obs] : cells) {
    if (expected <= 0) {
      fit.statistic = obs > 0 ? std::numeric_limits<double>::infinity() : fit.statistic;
      continue;
    }
    fit.statistic += (obs - expected) * (obs - expected) / expected;
  }
  fit.df = static_cast<int>(cells.size()) - 1;
  fit.threshold = fit.df > 0 ? ChiSquareUpperQuantile(fit.df, kRejectTail) : 0;
  return fit;
}

// ---------------------------------------------------------------------------
// Exhaustive segmentation.

struct Segmentation {
  std::vector<int32_t> ids;
  double score_sum = 0;  // sum of the pieces' scores (log p)
};

using PieceIndex = std::unordered_map<std::string, int32_t>;

// Piece bytes -> piece index (id - 3).
PieceIndex MakePieceIndex(const Vocab& vocab) {
  PieceIndex index;
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) index[std::string(vocab.piece(i))] = i;
  return index;
}

// Every segmentation of `text` into pieces of `vocab`.
std::vector<Segmentation> AllSegmentations(const Vocab& vocab, std::string_view text) {
  const PieceIndex index = MakePieceIndex(vocab);
  std::vector<Segmentation> out;
  Segmentation current;
  auto recurse = [&](auto& self, size_t begin) -> void {
    if (begin == text.size()) {
      out.push_back(current);
      return;
    }
    for (size_t end = begin + 1; end <= text.size(); ++end) {
      auto it = index.find(std::string(text.substr(begin, end - begin)));
      if (it == index.end()) continue;
      current.ids.push_back(it->second + kFirstPieceId);
      const double saved = current.score_sum;
      current.score_sum += vocab.score(it->second);
      self(self, end);
      current.score_sum = saved;
      current.ids.pop_back();
    }
  };
  recurse(recurse, 0);
  return out;
}

// P(seg) proportional to prod p(piece)^alpha = exp(alpha * sum of scores).
std::vector<double> SegmentationProbabilities(const std::vector<Segmentation>& segs, double alpha) {
  double max_log = -std::numeric_limits<double>::infinity();
  for (const auto& s : segs) max_log = std::max(max_log, alpha * s.score_sum);
  std::vector<double> p;
  double total = 0;
  for (const auto& s : segs) {
    p.push_back(std::exp(alpha * s.score_sum - max_log));
    total += p.back();
  }
  for (double& x : p) x /= total;
  return p;
}

// Counts how often `draw()` returns each segmentation; anything else counts
// in *unknown.
template <typename Draw>
std::vector<int64_t> Tally(const std::vector<Segmentation>& segs, int samples, Draw draw,
                           int64_t* unknown) {
  std::map<std::vector<int32_t>, size_t> which;
  for (size_t i = 0; i < segs.size(); ++i) which[segs[i].ids] = i;
  std::vector<int64_t> counts(segs.size(), 0);
  *unknown = 0;
  for (int i = 0; i < samples; ++i) {
    auto it = which.find(draw());
    if (it == which.end()) {
      ++*unknown;
    } else {
      ++counts[it->second];
    }
  }
  return counts;
}

// {all bytes, "aa", "ab", "bc", "ca", "abc"} with uneven counts.
Tokenizer SmallTokenizer() {
  std::vector<std::string> pieces;
  std::vector<uint64_t> counts;
  for (int b = 0; b < 256; ++b) {
    pieces.emplace_back(1, static_cast<char>(b));
    counts.push_back(b == 'a' ? 30 : b == 'b' ? 20 : b == 'c' ? 10 : 1);
  }
  const std::pair<const char*, uint64_t> kMulti[] = {
      {"aa", 8}, {"ab", 12}, {"bc", 6}, {"ca", 5}, {"abc", 4}};
  for (const auto& [piece, count] : kMulti) {
    pieces.emplace_back(piece);
    counts.push_back(count);
  }
  auto tokenizer = Tokenizer::FromPieces(pieces, counts);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  return std::move(tokenizer).value();
}

// The 0.4-style "Viterbi sampling" the spec calls biased: each candidate is
// compared only with the current best and replaces it with probability
// w / (w + w_best). Three equal options come out 1/4, 1/4, 1/2.
std::vector<int32_t> BiasedSample(const Vocab& vocab, const PieceIndex& index,
                                  std::string_view text, double alpha, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const size_t n = text.size();
  std::vector<double> best(n + 1, -std::numeric_limits<double>::infinity());
  std::vector<int32_t> route(n + 1, -1);
  best[0] = 0;
  for (size_t e = 1; e <= n; ++e) {
    for (size_t s = 0; s < e; ++s) {  // longest first
      auto it = index.find(std::string(text.substr(s, e - s)));
      if (it == index.end()) continue;
      const double score = best[s] + alpha * vocab.score(it->second);
      if (route[e] < 0 || uniform(rng) < 1.0 / (1.0 + std::exp(best[e] - score))) {
        best[e] = score;
        route[e] = it->second;
      }
    }
  }
  std::vector<int32_t> ids;
  for (size_t e = n; e > 0; e -= vocab.piece(route[e]).size()) {
    ids.insert(ids.begin(), route[e] + kFirstPieceId);
  }
  return ids;
}

// ---------------------------------------------------------------------------
// The statistics themselves.

TEST(SamplingStatisticsTest, ChiSquareQuantileMatchesKnownValues) {
  // df = 2 is exponential: x = -2 ln(tail).
  EXPECT_NEAR(ChiSquareUpperQuantile(2, 1e-6), -2 * std::log(1e-6), 1e-6);
  // df = 1 is a squared normal: 2 * (1 - Phi(sqrt(x))) = tail.
  const double x1 = ChiSquareUpperQuantile(1, 1e-6);
  EXPECT_NEAR(std::erfc(std::sqrt(x1 / 2)), 1e-6, 1e-12);
  EXPECT_NEAR(x1, 23.928, 0.001);
  EXPECT_NEAR(ChiSquareUpperQuantile(1, 0.05), 3.841, 0.001);
  EXPECT_NEAR(ChiSquareUpperQuantile(10, 0.05), 18.307, 0.001);
  EXPECT_NEAR(ChiSquareUpperQuantile(4, 0.01), 13.277, 0.001);
  // Large df: close to the Wilson-Hilferty approximation.
  const int df = 40;
  const double z = 4.753424;  // upper 1e-6 point of the standard normal
  const double k = 2.0 / (9 * df);
  const double wilson_hilferty = df * std::pow(1 - k + z * std::sqrt(k), 3);
  EXPECT_NEAR(ChiSquareUpperQuantile(df, 1e-6) / wilson_hilferty, 1.0, 0.01);
}

TEST(SamplingStatisticsTest, RejectsTheQuarterQuarterHalfBias) {
  // Three equal options drawn 1/4, 1/4, 1/2 (the old variant's bias).
  std::mt19937_64 rng(1);
  std::discrete_distribution<int> biased({1, 1, 2});
  std::vector<int64_t> observed(3, 0);
  for (int i = 0; i < kSamples; ++i) ++observed[biased(rng)];
  const GoodnessOfFit fit = ChiSquareTest(observed, {1.0 / 3, 1.0 / 3, 1.0 / 3});
  EXPECT_EQ(fit.df, 2);
  EXPECT_TRUE(fit.rejected()) << "chi-square " << fit.statistic << " <= " << fit.threshold;
  // The unbiased draw passes the same check.
  std::discrete_distribution<int> fair({1, 1, 1});
  std::fill(observed.begin(), observed.end(), 0);
  for (int i = 0; i < kSamples; ++i) ++observed[fair(rng)];
  const GoodnessOfFit fair_fit = ChiSquareTest(observed, {1.0 / 3, 1.0 / 3, 1.0 / 3});
  EXPECT_FALSE(fair_fit.rejected()) << "chi-square " << fair_fit.statistic;
}

TEST(SamplingStatisticsTest, RejectsTheOldViterbiSamplingOnALattice) {
  const Tokenizer tokenizer = SmallTokenizer();
  const std::vector<Segmentation> segs = AllSegmentations(tokenizer.vocab(), "aaaa");
  ASSERT_EQ(segs.size(), 5u);
  const std::vector<double> expected = SegmentationProbabilities(segs, 0.0);
  const PieceIndex index = MakePieceIndex(tokenizer.vocab());
  std::mt19937_64 rng(2);
  int64_t unknown = 0;
  const auto observed = Tally(
      segs, kSamples, [&] { return BiasedSample(tokenizer.vocab(), index, "aaaa", 0.0, rng); },
      &unknown);
  EXPECT_EQ(unknown, 0);
  const GoodnessOfFit fit = ChiSquareTest(observed, expected);
  EXPECT_TRUE(fit.rejected()) << "chi-square " << fit.statistic << " <= " << fit.threshold;
  // Exact draws from the expected distribution pass.
  std::discrete_distribution<size_t> exact(expected.begin(), expected.end());
  const auto exact_observed = Tally(
      segs, kSamples, [&] { return segs[exact(rng)].ids; }, &unknown);
  EXPECT_FALSE(ChiSquareTest(exact_observed, expected).rejected());
}

TEST(SamplingStatisticsTest, EnumeratesEverySegmentation) {
  const Tokenizer tokenizer = SmallTokenizer();
  // "aaaa" with a, aa: Fibonacci, 5.
  EXPECT_EQ(AllSegmentations(tokenizer.vocab(), "aaaa").size(), 5u);
  // "abc": a|b|c, a|bc, ab|c, abc.
  EXPECT_EQ(AllSegmentations(tokenizer.vocab(), "abc").size(), 4u);
  // "abca": the 4 of "abc" + a, plus a|b|ca and ab|ca.
  EXPECT_EQ(AllSegmentations(tokenizer.vocab(), "abca").size(), 6u);
  for (const auto& seg : AllSegmentations(tokenizer.vocab(), "cabcaa")) {
    std::string bytes;
    ASSERT_TRUE(tokenizer.DecodeBytes(seg.ids.data(), seg.ids.size(), &bytes).ok());
    EXPECT_EQ(bytes, "cabcaa");
  }
}

// ---------------------------------------------------------------------------
// The encoder's samples.

struct SamplingCase {
  const char* text;
  double alpha;
  RngKind rng;
};

void PrintTo(const SamplingCase& c, std::ostream* os) {
  *os << '"' << c.text << "\" alpha " << c.alpha << " " << RngKindName(c.rng);
}

std::string CaseName(const ::testing::TestParamInfo<SamplingCase>& info) {
  std::string name = std::string(info.param.text) + "_alpha" +
                     std::to_string(static_cast<int>(info.param.alpha * 10)) + "_" +
                     RngKindName(info.param.rng);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SamplingIsExactTest : public ::testing::TestWithParam<SamplingCase> {};

TEST_P(SamplingIsExactTest, FrequenciesFitTheSegmentationDistribution) {
  const SamplingCase& c = GetParam();
  const Tokenizer tokenizer = SmallTokenizer();
  const std::vector<Segmentation> segs = AllSegmentations(tokenizer.vocab(), c.text);
  ASSERT_GE(segs.size(), 2u);
  const std::vector<double> expected = SegmentationProbabilities(segs, c.alpha);

  // A fixed seed per case: FNV-1a of the case name.
  uint32_t seed = 2166136261u;
  for (const char ch : CaseName(::testing::TestParamInfo<SamplingCase>(c, 0))) {
    seed = (seed ^ static_cast<unsigned char>(ch)) * 16777619u;
  }
  Encoder encoder(tokenizer, c.rng, seed);
  EncodeOptions options;
  options.alpha = c.alpha;
  Encoding out;
  bool encode_ok = true;
  int64_t unknown = 0;
  const auto observed = Tally(
      segs, kSamples,
      [&]() -> const std::vector<int32_t>& {
        encode_ok = encoder.Encode(c.text, options, &out).ok() && encode_ok;
        return out.ids;
      },
      &unknown);
  ASSERT_TRUE(encode_ok);
  EXPECT_EQ(unknown, 0) << "samples that are not segmentations of " << c.text;

  const GoodnessOfFit fit = ChiSquareTest(observed, expected);
  std::string table;
  for (size_t i = 0; i < segs.size(); ++i) {
    table += "\n  ";
    for (const int32_t id : segs[i].ids) {
      table += std::string(*tokenizer.IdToBytes(id)) + "|";
    }
    table += " expected " + std::to_string(expected[i]) + " observed " +
             std::to_string(static_cast<double>(observed[i]) / kSamples);
  }
  EXPECT_GT(fit.df, 0);
  EXPECT_FALSE(fit.rejected()) << "chi-square " << fit.statistic << " > " << fit.threshold
                               << " (df " << fit.df << ", seed " << seed << ")" << table;
}

std::vector<SamplingCase> AllCases() {
  std::vector<SamplingCase> cases;
  for (const char* text : {"abc", "abca", "aaaa", "abcab", "cabcaa", "aabca"}) {
    for (const double alpha : {0.0, 0.5, 1.0, 2.0}) {
      for (const RngKind rng : {RngKind::kGlibc, RngKind::kDefault}) {
        cases.push_back({text, alpha, rng});
      }
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(SmallVocabulary, SamplingIsExactTest, ::testing::ValuesIn(AllCases()),
                         CaseName);

// alpha = 0: every segmentation is equally likely.
TEST(SamplingTest, AlphaZeroIsUniformOverSegmentations) {
  const Tokenizer tokenizer = SmallTokenizer();
  const std::vector<Segmentation> segs = AllSegmentations(tokenizer.vocab(), "aaaa");
  ASSERT_EQ(segs.size(), 5u);
  for (const double p : SegmentationProbabilities(segs, 0.0)) EXPECT_DOUBLE_EQ(p, 0.2);
  for (const RngKind kind : {RngKind::kGlibc, RngKind::kDefault}) {
    Encoder encoder(tokenizer, kind, 31337);
    EncodeOptions options;
    options.alpha = 0.0;
    Encoding out;
    int64_t unknown = 0;
    const auto observed = Tally(
        segs, kSamples,
        [&]() -> const std::vector<int32_t>& {
          EXPECT_TRUE(encoder.Encode("aaaa", options, &out).ok());
          return out.ids;
        },
        &unknown);
    EXPECT_EQ(unknown, 0);
    // Six standard deviations of a frequency around 0.2.
    const double tolerance = 6 * std::sqrt(0.2 * 0.8 / kSamples);
    for (size_t i = 0; i < segs.size(); ++i) {
      EXPECT_NEAR(static_cast<double>(observed[i]) / kSamples, 0.2, tolerance)
          << RngKindName(kind) << " segmentation " << i;
    }
    EXPECT_FALSE(ChiSquareTest(observed, std::vector<double>(5, 0.2)).rejected());
  }
}

// Large alpha concentrates on the Viterbi segmentation.
TEST(SamplingTest, LargeAlphaTendsToViterbi) {
  const Tokenizer tokenizer = SmallTokenizer();
  Encoder encoder(tokenizer, RngKind::kDefault, 5);
  constexpr double kAlpha = 30.0;
  constexpr int kDraws = 2000;
  for (const char* text : {"abc", "abcab", "cabcaa", "aabca"}) {
    auto viterbi = encoder.Encode(text);
    ASSERT_TRUE(viterbi.ok());
    // Viterbi is the most probable segmentation.
    const std::vector<Segmentation> segs = AllSegmentations(tokenizer.vocab(), text);
    const std::vector<double> p = SegmentationProbabilities(segs, kAlpha);
    const size_t top = std::max_element(p.begin(), p.end()) - p.begin();
    EXPECT_EQ(segs[top].ids, *viterbi) << text;
    EncodeOptions options;
    options.alpha = kAlpha;
    int same = 0;
    for (int i = 0; i < kDraws; ++i) {
      auto sampled = encoder.Encode(text, options);
      ASSERT_TRUE(sampled.ok());
      same += *sampled == *viterbi;
    }
    EXPECT_GT(p[top], 0.9) << text;
    const double sd = std::sqrt(kDraws * p[top] * (1 - p[top]));
    EXPECT_GE(same, kDraws * p[top] - 6 * sd - 1) << text;
  }
}

}  // namespace
}  // namespace edgepiece
