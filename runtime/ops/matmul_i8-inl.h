// Per-target int8-weight matrix kernels, for inlining into a caller's own
// foreach_target code (dispatch once per step; the numerics and the layout
// are in runtime/ops/matmul_i8.h, the dispatching wrappers in matmul_i8.cc).
//
// Why int16 activations: x86 (pmaddwd) and WebAssembly SIMD128
// (i32x4.dot_i16x8_s) both multiply int16 pairs into int32 sums in one
// instruction, which Highway exposes as ReorderWidenMulAccumulate. Weights
// are widened int8 -> int16 as they are loaded (one pmovsxbw; in
// WebAssembly an 8-byte v128.load64_zero and i16x8.extend_low_i8x16_s),
// so a matrix streams at one byte per
// weight. 16-bit activations cost no measurable quality (docs/model.md,
// "Int8 weights"), and their products still fit int32 sums exactly.
//
// 6-bit int8 activations (MatMulI6): on AVX2 two vpmaddubsw (32 byte
// pairs each) and one vpmaddwd against ones per 64 columns, where int16
// activations take four vpmaddwd; other targets widen both operands to
// int16 and run the int16 loop (the same integers).
//
// Shape: a tile is kT tokens x 4 rows. Per group of columns the int32
// accumulators of the 4 rows are reduced to one 4-lane vector (a transpose
// interleaved with adds), converted to float, multiplied by the 4 rows'
// scales (adjacent: scales are group-major) and added to a 4-lane float
// accumulator: the float work is per group and per 4 rows, not per column.
// The last rows % 4 rows run the same operations in scalar code.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_MATMUL_I8_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_MATMUL_I8_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_MATMUL_I8_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_MATMUL_I8_INL_H_
#endif

#include "hwy/highway.h"
#include "runtime/ops/lane_sums-inl.h"
#include "runtime/ops/matmul_i8.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hni8 = hwy::HWY_NAMESPACE;

// Round half to even for |v| < 2^22, in plain float adds: the same on
// every target and in scalar code (no rounding-mode or NearestInt variants).
constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23

// Rows of x to integers in [-qmax, qmax] with scale max|x| / qmax (the
// definitions in matmul_i8.h); TQ is int16_t or int8_t.
template <typename TQ>
HWY_INLINE void QuantizeRowsT(const float* HWY_RESTRICT x, size_t tokens, size_t cols, float qmax,
                              TQ* HWY_RESTRICT q, float* HWY_RESTRICT scales) {
  const hni8::ScalableTag<float> df;
  const hni8::Rebind<int32_t, decltype(df)> di;
  const hni8::Rebind<TQ, decltype(df)> dq;
  const size_t lanes = hni8::Lanes(df);
  for (size_t t = 0; t < tokens; ++t) {
    const float* HWY_RESTRICT row = x + t * cols;
    TQ* HWY_RESTRICT out = q + t * cols;
    auto vmax = hni8::Zero(df);
    size_t c = 0;
    for (; c + lanes <= cols; c += lanes)
      vmax = hni8::Max(vmax, hni8::Abs(hni8::LoadU(df, row + c)));
    float amax = hni8::GetLane(hni8::MaxOfLanes(df, vmax));
    for (; c < cols; ++c) amax = std::max(amax, std::abs(row[c]));
    // Below 2^-100 (or NaN) the row is treated as zero: qmax / amax must
    // stay finite.
    if (!(amax >= 7.9e-31f)) {
      for (size_t i = 0; i < cols; ++i) out[i] = 0;
      scales[t] = 0.0f;
      continue;
    }
    const float inv = qmax / amax;
    scales[t] = amax / qmax;
    const auto vinv = hni8::Set(df, inv);
    const auto magic = hni8::Set(df, kRoundMagic);
    for (c = 0; c + lanes <= cols; c += lanes) {
      const auto scaled = hni8::Mul(hni8::LoadU(df, row + c), vinv);
      const auto rounded = hni8::Sub(hni8::Add(scaled, magic), magic);
      hni8::StoreU(hni8::DemoteTo(dq, hni8::ConvertTo(di, rounded)), dq, out + c);
    }
    for (; c < cols; ++c) {
      const float scaled = row[c] * inv;
      out[c] = static_cast<TQ>((scaled + kRoundMagic) - kRoundMagic);
    }
  }
}

inline void QuantizeRowsI16(const float* HWY_RESTRICT x, size_t tokens, size_t cols,
                            int16_t* HWY_RESTRICT q, float* HWY_RESTRICT scales) {
  QuantizeRowsT(x, tokens, cols, 32767.0f, q, scales);
}

inline void QuantizeRowsI6(const float* HWY_RESTRICT x, size_t tokens, size_t cols, size_t group,
                           int8_t* HWY_RESTRICT q, float* HWY_RESTRICT scales,
                           int32_t* HWY_RESTRICT sums) {
  QuantizeRowsT(x, tokens, cols, static_cast<float>(kMaxI6), q, scales);
  const size_t groups = cols / group;
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t g = 0; g < groups; ++g) {
      const int8_t* HWY_RESTRICT in = q + t * cols + g * group;
      int32_t sum = 0;
      for (size_t c = 0; c < group; ++c) sum += in[c];
      sums[t * groups + g] = sum;
    }
  }
}

// Rows [r0, r0 + kR) of the output for kT tokens, kR == 4 (vector float
// part) or 1 (scalar float part, the same operations). TX: int16_t
// activations, or int8_t ones in [-31, 31] with their group sums x_sums
// [kT, cols / group] (QuantizeRowsI6; only AVX2 reads them).
template <size_t kT, size_t kR, typename TX>
HWY_INLINE void DotTileI8(const TX* HWY_RESTRICT xq, const float* HWY_RESTRICT x_scales,
                          const int32_t* HWY_RESTRICT x_sums, const int8_t* HWY_RESTRICT w,
                          const float* HWY_RESTRICT scales, size_t rows, size_t r0, size_t cols,
                          size_t group, float* HWY_RESTRICT y, size_t y_stride) {
  const hni8::ScalableTag<int32_t> d32;
#if HWY_TARGET == HWY_SCALAR  // one lane of each type
  const hni8::Rebind<int16_t, decltype(d32)> d16;
#else  // pairs of int16 per int32 lane
  const hni8::Repartition<int16_t, decltype(d32)> d16;
#endif
  const hni8::Rebind<int8_t, decltype(d16)> d8;
  const size_t lanes16 = hni8::Lanes(d16);
  constexpr bool kVectorFloat = kR == 4 && HWY_TARGET != HWY_SCALAR;
  constexpr bool kMaddubs = HWY_TARGET == HWY_AVX2 && std::is_same_v<TX, int8_t>;
  const hni8::CappedTag<float, 4> df4;  // four lanes where the vector part runs
  using VF4 = hni8::Vec<decltype(df4)>;
  VF4 acc4[kT];
  float acc[kT][kR];
  for (size_t t = 0; t < kT; ++t) {
    acc4[t] = hni8::Zero(df4);
    for (size_t r = 0; r < kR; ++r) acc[t][r] = 0.0f;
  }
  const int8_t* HWY_RESTRICT wr = w + r0 * cols;
  for (size_t g0 = 0; g0 < cols; g0 += group) {
    hni8::Vec<decltype(d32)> sum0[kT][kR], sum1[kT][kR];
    for (size_t t = 0; t < kT; ++t) {
      for (size_t r = 0; r < kR; ++r) sum0[t][r] = sum1[t][r] = hni8::Zero(d32);
    }
    const size_t end = g0 + group;
    const size_t g = g0 / group;
    size_t c = g0;
    int32_t tail[kT][kR] = {};
    int32_t w_offset = 0;
#if HWY_TARGET == HWY_AVX2
    if constexpr (kMaddubs) {
      // vpmaddubsw multiplies unsigned by signed bytes: the weights become
      // w + 128 (an xor), the group's 128 * sum(q) comes off after the loop
      // (via tail), and the scalar tail multiplies the same shifted weights.
      // A pair is within 2 * 255 * 31, so two add up in int16.
      w_offset = 128;
      const __m256i flip = _mm256_set1_epi8(-128);
      const __m256i ones = _mm256_set1_epi16(1);
      auto load = [](const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); };
      for (; c + 64 <= end; c += 64) {
        __m256i x0[kT], x1[kT];
        for (size_t t = 0; t < kT; ++t) {
          x0[t] = load(xq + t * cols + c);
          x1[t] = load(xq + t * cols + c + 32);
        }
        for (size_t r = 0; r < kR; ++r) {
          const __m256i w0 = _mm256_xor_si256(load(wr + r * cols + c), flip);
          const __m256i w1 = _mm256_xor_si256(load(wr + r * cols + c + 32), flip);
          for (size_t t = 0; t < kT; ++t) {
            const __m256i p0 = _mm256_maddubs_epi16(w0, x0[t]);
            const __m256i p1 = _mm256_maddubs_epi16(w1, x1[t]);
            const __m256i pairs = _mm256_madd_epi16(_mm256_add_epi16(p0, p1), ones);
            sum0[t][r] = hni8::Vec256<int32_t>{_mm256_add_epi32(sum0[t][r].raw, pairs)};
          }
        }
      }
      for (; c + 32 <= end; c += 32) {
        for (size_t r = 0; r < kR; ++r) {
          const __m256i w0 = _mm256_xor_si256(load(wr + r * cols + c), flip);
          for (size_t t = 0; t < kT; ++t) {
            const __m256i p0 = _mm256_maddubs_epi16(w0, load(xq + t * cols + c));
            const __m256i pairs = _mm256_madd_epi16(p0, ones);
            sum0[t][r] = hni8::Vec256<int32_t>{_mm256_add_epi32(sum0[t][r].raw, pairs)};
          }
        }
      }
      for (size_t t = 0; t < kT; ++t) {
        for (size_t r = 0; r < kR; ++r) tail[t][r] = -128 * x_sums[t * (cols / group) + g];
      }
    }
#endif
    for (; !kMaddubs && c + lanes16 <= end; c += lanes16) {
      hni8::Vec<decltype(d16)> xv[kT];
      for (size_t t = 0; t < kT; ++t) {
        if constexpr (std::is_same_v<TX, int8_t>) {
          xv[t] = hni8::PromoteTo(d16, hni8::LoadU(d8, xq + t * cols + c));
        } else {
          xv[t] = hni8::LoadU(d16, xq + t * cols + c);
        }
      }
      for (size_t r = 0; r < kR; ++r) {
        const auto wv = hni8::PromoteTo(d16, hni8::LoadU(d8, wr + r * cols + c));
        for (size_t t = 0; t < kT; ++t) {
          sum0[t][r] = hni8::ReorderWidenMulAccumulate(d32, wv, xv[t], sum0[t][r], sum1[t][r]);
        }
      }
    }
    for (; c < end; ++c) {
      for (size_t t = 0; t < kT; ++t) {
        for (size_t r = 0; r < kR; ++r) {
          tail[t][r] += (int32_t{wr[r * cols + c]} + w_offset) * int32_t{xq[t * cols + c]};
        }
      }
    }
    for (size_t t = 0; t < kT; ++t) {
      for (size_t r = 0; r < kR; ++r) {
        sum0[t][r] = hni8::RearrangeToOddPlusEven(sum0[t][r], sum1[t][r]);
      }
#if HWY_TARGET != HWY_SCALAR
      if constexpr (kVectorFloat) {
        const hni8::Full128<int32_t> di4;
        static_assert(hni8::MaxLanes(df4) == 4, "four rows per float vector");
        const auto sums = hni8::Add(SumOf4(d32, sum0[t][0], sum0[t][1], sum0[t][2], sum0[t][3]),
                                    hni8::LoadU(di4, tail[t]));
        const VF4 scaled =
            hni8::Mul(hni8::ConvertTo(df4, sums), hni8::LoadU(df4, scales + g * rows + r0));
        acc4[t] = hni8::Add(acc4[t], scaled);
        continue;
      }
#endif
      for (size_t r = 0; r < kR; ++r) {
        const int32_t sum = hni8::GetLane(hni8::SumOfLanes(d32, sum0[t][r])) + tail[t][r];
        acc[t][r] = acc[t][r] + static_cast<float>(sum) * scales[g * rows + r0 + r];
      }
    }
  }
  for (size_t t = 0; t < kT; ++t) {
    float* HWY_RESTRICT out = y + t * y_stride + r0;
    if constexpr (kVectorFloat) {
      hni8::StoreU(hni8::Mul(acc4[t], hni8::Set(df4, x_scales[t])), df4, out);
    } else {
      for (size_t r = 0; r < kR; ++r) out[r] = acc[t][r] * x_scales[t];
    }
  }
}

// Tokens per MatMulI8 tile: 2 x 4 rows keeps the int32 accumulators, the
// four rows' widened weights and the activations in 16 vector registers.
constexpr size_t kMatMulI8TileTokens = 2;

inline void MatVecI8(const int8_t* HWY_RESTRICT w, const float* HWY_RESTRICT scales, size_t rows,
                     size_t cols, size_t group, const int16_t* HWY_RESTRICT xq, float x_scale,
                     float* HWY_RESTRICT y) {
  size_t r = 0;
  for (; r + 4 <= rows; r += 4)
    DotTileI8<1, 4>(xq, &x_scale, nullptr, w, scales, rows, r, cols, group, y, 0);
  for (; r < rows; ++r) {
    DotTileI8<1, 1>(xq, &x_scale, nullptr, w, scales, rows, r, cols, group, y, 0);
  }
}

// Row groups outermost: four rows of W stay in L1 while all tokens stream
// past them.
template <typename TX>
HWY_INLINE void MatMulI8T(const TX* HWY_RESTRICT xq, const float* HWY_RESTRICT x_scales,
                          const int32_t* HWY_RESTRICT x_sums, size_t tokens,
                          const int8_t* HWY_RESTRICT w, const float* HWY_RESTRICT scales,
                          size_t rows, size_t cols, size_t group, float* HWY_RESTRICT y) {
  constexpr size_t kT = kMatMulI8TileTokens;
  const size_t groups = cols / group;
  // Row t's group sums (nullptr for int16 activations).
  auto sums_of = [&](size_t t) { return x_sums == nullptr ? nullptr : x_sums + t * groups; };
  size_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    size_t t = 0;
    for (; t + kT <= tokens; t += kT) {
      DotTileI8<kT, 4>(xq + t * cols, x_scales + t, sums_of(t), w, scales, rows, r, cols, group,
                       y + t * rows, rows);
    }
    for (; t < tokens; ++t) {
      DotTileI8<1, 4>(xq + t * cols, x_scales + t, sums_of(t), w, scales, rows, r, cols, group,
                      y + t * rows, rows);
    }
  }
  for (; r < rows; ++r) {
    for (size_t t = 0; t < tokens; ++t) {
      DotTileI8<1, 1>(xq + t * cols, x_scales + t, sums_of(t), w, scales, rows, r, cols, group,
                      y + t * rows, rows);
    }
  }
}

inline void MatMulI8(const int16_t* HWY_RESTRICT xq, const float* HWY_RESTRICT x_scales,
                     size_t tokens, const int8_t* HWY_RESTRICT w, const float* HWY_RESTRICT scales,
                     size_t rows, size_t cols, size_t group, float* HWY_RESTRICT y) {
  MatMulI8T(xq, x_scales, nullptr, tokens, w, scales, rows, cols, group, y);
}

inline void MatMulI6(const int8_t* HWY_RESTRICT xq, const float* HWY_RESTRICT x_scales,
                     const int32_t* HWY_RESTRICT x_sums, size_t tokens,
                     const int8_t* HWY_RESTRICT w, const float* HWY_RESTRICT scales, size_t rows,
                     size_t cols, size_t group, float* HWY_RESTRICT y) {
  MatMulI8T(xq, x_scales, x_sums, tokens, w, scales, rows, cols, group, y);
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
