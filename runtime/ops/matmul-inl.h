// Per-target float32 matrix kernels, for inlining into a caller's own
// foreach_target code (dispatch once per step; see runtime/ops/matmul.h for
// the dispatching wrappers).
//
// Layout: matrices are dense and row-major (or row panels, see below); a
// weight W is [rows, cols] like torch.nn.Linear, so Y = X W^T is a grid of
// dot products between rows of X and rows of W, both contiguous. Pointers
// may be misaligned and sizes arbitrary: vectors use unaligned loads, the
// last cols % lanes columns are summed in scalar code.
//
// Why this shape: without repacking W, the dot-product form is the only one
// with unit-stride loads on both sides. A tile of kT tokens x kR rows keeps
// kT * kR independent accumulators in registers (hiding FMA latency) and
// loads kT + kR vectors per kT * kR FMAs. The cost of the form is one
// horizontal sum per output; SumOf4 pays it once per four outputs with an
// in-register 4x4 transpose, and the four sums are adjacent in Y.
//
// Weights may also be IEEE half floats (hwy::float16_t), widened to f32 as
// they are loaded: exact, and half the memory traffic for the matrix-vector
// products of decoding, which stream whole matrices per token. Or row panels
// (kPanels, the WebAssembly build's layout; runtime/ops/matmul.h): the same
// dot products, read from one sequential stream per tile.
#include <cstddef>
#include <cstdint>
#include <cstring>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_
#endif

#include "hwy/highway.h"
#include "runtime/base/half.h"
#include "runtime/ops/matmul.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Tokens per MatMul tile: 4 x 4 accumulators where there are 32 vector
// registers (AVX-512), 3 x 4 where there are 16 (AVX2, SSE). WebAssembly:
// 2 x 4, because V8 keeps some of the 16 x86 registers for itself and spilled
// the 3 x 4 tile's accumulators (docs/benchmarks.md, design measurements).
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
constexpr size_t kMatMulTileTokens = 4;
#elif HWY_ARCH_WASM
constexpr size_t kMatMulTileTokens = 2;
#else
constexpr size_t kMatMulTileTokens = 3;
#endif

#if HWY_TARGET != HWY_SCALAR
// Adds the 128-bit blocks of v: lanes i, i + 4, i + 8, ... into lane i.
template <class D>
HWY_INLINE hn::Vec<hn::Full128<float>> FoldBlocks(D d, hn::Vec<D> v) {
  if constexpr (hn::MaxLanes(D()) <= 4) {
    return v;
  } else {
    const hn::Half<D> dh;
    return FoldBlocks(dh, hn::Add(hn::LowerHalf(dh, v), hn::UpperHalf(dh, v)));
  }
}

// [sum(a), sum(b), sum(c), sum(e)] as one 128-bit vector: a 4x4 transpose
// within each block, interleaved with the adds, then a fold across blocks.
template <class D, class V>
HWY_INLINE hn::Vec<hn::Full128<float>> SumOf4(D d, V a, V b, V c, V e) {
  // ab = [a0+a2, b0+b2, a1+a3, b1+b3] per block; ce likewise.
  const V ab = hn::Add(hn::InterleaveLower(d, a, b), hn::InterleaveUpper(d, a, b));
  const V ce = hn::Add(hn::InterleaveLower(d, c, e), hn::InterleaveUpper(d, c, e));
  const hn::Repartition<uint64_t, D> d64;
  const auto ab64 = hn::BitCast(d64, ab);
  const auto ce64 = hn::BitCast(d64, ce);
  const V lo = hn::BitCast(d, hn::InterleaveLower(d64, ab64, ce64));
  const V hi = hn::BitCast(d, hn::InterleaveUpper(d64, ab64, ce64));
  return FoldBlocks(d, hn::Add(lo, hi));
}
#endif  // HWY_TARGET != HWY_SCALAR

// A vector of weights as f32, from f32 or half-float storage.
template <class D>
HWY_INLINE hn::Vec<D> LoadWeights(D d, const float* HWY_RESTRICT p) {
  return hn::LoadU(d, p);
}
template <class D>
HWY_INLINE hn::Vec<D> LoadWeights(D d, const hwy::float16_t* HWY_RESTRICT p) {
  const hn::Rebind<hwy::float16_t, D> d16;
  return hn::PromoteTo(d, hn::LoadU(d16, p));
}

// One weight as f32 (the scalar tail), exactly.
HWY_INLINE float WeightToFloat(float w) { return w; }
HWY_INLINE float WeightToFloat(hwy::float16_t w) {
  uint16_t bits;
  std::memcpy(&bits, &w, sizeof(bits));
  return HalfToFloat(bits);
}

// The vector type of DotTile: row panels interleave rows every four floats,
// so their loads are at most four lanes wide.
template <bool kPanels>
struct TileTag {
  using type = hn::ScalableTag<float>;
};
template <>
struct TileTag<true> {
  using type = hn::CappedTag<float, kPanelLanes>;
};

// y[t * y_stride + r] = dot(x[t], w[r]) for t < kT, r < kR, where x[t] and
// w[r] are rows of `cols` floats (row strides `cols`; TW: float or
// hwy::float16_t). kR is 1..3 or a multiple of 4 (which uses SumOf4).
// kPanels: w points at a row panel (runtime/ops/matmul.h), so w[r]'s
// columns [c, c + 4) are at w + 4 c + 4 r, kR == kPanelRows and
// cols % 4 == 0. Panels use vectors of at most four lanes; where the target's
// vectors have four (WebAssembly, SSE4) the sums are the very operations of
// the row-major kernel.
template <size_t kT, size_t kR, typename TW, bool kPanels = false>
HWY_INLINE void DotTile(const float* HWY_RESTRICT x, const TW* HWY_RESTRICT w, size_t cols,
                        float* HWY_RESTRICT y, size_t y_stride) {
  static_assert(!kPanels || kR == kPanelRows, "a panel tile is one whole panel");
  using D = typename TileTag<kPanels>::type;
  const D d;
  const size_t lanes = hn::Lanes(d);
  auto weights = [&](size_t r, size_t c) {
    if constexpr (!kPanels) {
      return w + r * cols + c;
    } else if constexpr (hn::MaxLanes(D()) == kPanelLanes) {
      return w + kPanelRows * c + r * kPanelLanes;  // c % 4 == 0
    } else {                                        // narrower vectors (scalar targets)
      const size_t group = c - c % kPanelLanes;
      return w + kPanelRows * group + r * kPanelLanes + c % kPanelLanes;
    }
  };
  hn::Vec<decltype(d)> acc[kT][kR];
  for (size_t t = 0; t < kT; ++t) {
    for (size_t r = 0; r < kR; ++r) acc[t][r] = hn::Zero(d);
  }
  size_t c = 0;
  for (; c + lanes <= cols; c += lanes) {
    hn::Vec<decltype(d)> xv[kT];
    for (size_t t = 0; t < kT; ++t) xv[t] = hn::LoadU(d, x + t * cols + c);
    for (size_t r = 0; r < kR; ++r) {
      const auto wv = LoadWeights(d, weights(r, c));
      for (size_t t = 0; t < kT; ++t) {
        acc[t][r] = hn::MulAdd(xv[t], wv, acc[t][r]);
      }
    }
  }
  float tail[kT][kR] = {};
  for (; !kPanels && c < cols; ++c) {  // panels need cols % 4 == 0
    for (size_t t = 0; t < kT; ++t) {
      for (size_t r = 0; r < kR; ++r) {
        tail[t][r] += x[t * cols + c] * WeightToFloat(w[r * cols + c]);
      }
    }
  }
  for (size_t t = 0; t < kT; ++t) {
    float* HWY_RESTRICT out = y + t * y_stride;
#if HWY_TARGET != HWY_SCALAR
    if constexpr (kR % 4 == 0) {
      const hn::Full128<float> d4;
      for (size_t r = 0; r < kR; r += 4) {
        const auto sums = SumOf4(d, acc[t][r], acc[t][r + 1], acc[t][r + 2], acc[t][r + 3]);
        hn::StoreU(hn::Add(sums, hn::LoadU(d4, &tail[t][r])), d4, out + r);
      }
      continue;
    }
#endif
    for (size_t r = 0; r < kR; ++r) {
      out[r] = hn::GetLane(hn::SumOfLanes(d, acc[t][r])) + tail[t][r];
    }
  }
}

// Dot product of a[0, n) and b[0, n).
HWY_INLINE float Dot(const float* HWY_RESTRICT a, const float* HWY_RESTRICT b, size_t n) {
  float y;
  DotTile<1, 1>(a, b, n, &y, 1);
  return y;
}

// y[r] = sum_c w[r * cols + c] * x[c] for r < rows. Eight rows per tile:
// eight accumulator chains keep two FMA pipes busy despite their latency.
// kPanels: the first rows / 4 * 4 rows of w are row panels, four rows per
// tile (WebAssembly: with eight, V8 spilled accumulators; docs/benchmarks.md,
// design measurements).
template <typename TW, bool kPanels = false>
inline void MatVecT(const TW* HWY_RESTRICT w, size_t rows, size_t cols, const float* HWY_RESTRICT x,
                    float* HWY_RESTRICT y) {
  size_t r = 0;
  if constexpr (kPanels) {
    for (; r + kPanelRows <= rows; r += kPanelRows) {
      DotTile<1, kPanelRows, TW, true>(x, w + r * cols, cols, y + r, 1);
    }
  }
  for (; r + 8 <= rows; r += 8) DotTile<1, 8>(x, w + r * cols, cols, y + r, 1);
  for (; r + 4 <= rows; r += 4) DotTile<1, 4>(x, w + r * cols, cols, y + r, 1);
  for (; r < rows; ++r) DotTile<1, 1>(x, w + r * cols, cols, y + r, 1);
}

// y[t * rows + r] = dot(x[t], w[r]) for r < kR and every token t: kT tokens
// per tile, then one at a time.
template <size_t kR, typename TW, bool kPanels>
HWY_INLINE void RowGroupTimesTokens(const float* HWY_RESTRICT x, size_t tokens,
                                    const TW* HWY_RESTRICT w, size_t cols, float* HWY_RESTRICT y,
                                    size_t rows) {
  constexpr size_t kT = kMatMulTileTokens;
  size_t t = 0;
  for (; t + kT <= tokens; t += kT) {
    DotTile<kT, kR, TW, kPanels>(x + t * cols, w, cols, y + t * rows, rows);
  }
  for (; t < tokens; ++t) DotTile<1, kR, TW, kPanels>(x + t * cols, w, cols, y + t * rows, rows);
}

// Y[tokens, rows] = X[tokens, cols] W[rows, cols]^T. Row groups outermost:
// four rows of W (a few KiB) stay in L1 while all tokens stream past them,
// so W is read from memory once. kPanels as for MatVecT; each output is
// summed exactly as MatVecT sums it.
template <typename TW, bool kPanels = false>
inline void MatMulT(const float* HWY_RESTRICT x, size_t tokens, const TW* HWY_RESTRICT w,
                    size_t rows, size_t cols, float* HWY_RESTRICT y) {
  size_t r = 0;
  if constexpr (kPanels) {
    for (; r + kPanelRows <= rows; r += kPanelRows) {
      RowGroupTimesTokens<kPanelRows, TW, true>(x, tokens, w + r * cols, cols, y + r, rows);
    }
  }
  for (; r + 4 <= rows; r += 4) {
    RowGroupTimesTokens<4, TW, false>(x, tokens, w + r * cols, cols, y + r, rows);
  }
  for (; r < rows; ++r) {
    RowGroupTimesTokens<1, TW, false>(x, tokens, w + r * cols, cols, y + r, rows);
  }
}

// The f32 and half-float instances, by name (HWY_EXPORT needs non-templates).
inline void MatVec(const float* HWY_RESTRICT w, size_t rows, size_t cols,
                   const float* HWY_RESTRICT x, float* HWY_RESTRICT y) {
  MatVecT(w, rows, cols, x, y);
}
inline void MatVecF16(const hwy::float16_t* HWY_RESTRICT w, size_t rows, size_t cols,
                      const float* HWY_RESTRICT x, float* HWY_RESTRICT y) {
  MatVecT(w, rows, cols, x, y);
}
inline void MatMul(const float* HWY_RESTRICT x, size_t tokens, const float* HWY_RESTRICT w,
                   size_t rows, size_t cols, float* HWY_RESTRICT y) {
  MatMulT(x, tokens, w, rows, cols, y);
}
inline void MatVecPanels(const float* HWY_RESTRICT w, size_t rows, size_t cols,
                         const float* HWY_RESTRICT x, float* HWY_RESTRICT y) {
  MatVecT<float, true>(w, rows, cols, x, y);
}
inline void MatMulPanels(const float* HWY_RESTRICT x, size_t tokens, const float* HWY_RESTRICT w,
                         size_t rows, size_t cols, float* HWY_RESTRICT y) {
  MatMulT<float, true>(x, tokens, w, rows, cols, y);
}
inline void MatMulF16(const float* HWY_RESTRICT x, size_t tokens,
                      const hwy::float16_t* HWY_RESTRICT w, size_t rows, size_t cols,
                      float* HWY_RESTRICT y) {
  MatMulT(x, tokens, w, rows, cols, y);
}

// Y += scale * X M for a block of rows, M row-major [rows, cols]:
// y[t * y_stride + c] += scale * sum_r x[t * x_stride + r] * m[r * m_stride + c]
// for t < tokens, c < cols. Four rows of X share each load of M (a tile of
// 4 rows x 2 vectors of columns in registers), so M streams once per four
// rows of X instead of once per row. Used for products against a recurrent
// state (q_lin M, and M += K_lin^T V when a chunk ends).
inline void MatMulAccumulate(const float* HWY_RESTRICT x, size_t x_stride, size_t tokens,
                             const float* HWY_RESTRICT m, size_t m_stride, size_t rows, size_t cols,
                             float scale, float* HWY_RESTRICT y, size_t y_stride) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  const auto vscale = hn::Set(d, scale);
  constexpr size_t kT = 4;
  // nt <= kT rows starting at t0, columns from c0 on.
  auto tile = [&](size_t t0, size_t nt, size_t c0) {
    size_t c = c0;
    for (; c + 2 * lanes <= cols; c += 2 * lanes) {
      hn::Vec<decltype(d)> acc[kT][2];
      for (size_t k = 0; k < kT; ++k) acc[k][0] = acc[k][1] = hn::Zero(d);
      for (size_t r = 0; r < rows; ++r) {
        const auto m0 = hn::LoadU(d, m + r * m_stride + c);
        const auto m1 = hn::LoadU(d, m + r * m_stride + c + lanes);
        for (size_t k = 0; k < kT; ++k) {
          if (k < nt) {
            const auto xv = hn::Set(d, x[(t0 + k) * x_stride + r]);
            acc[k][0] = hn::MulAdd(xv, m0, acc[k][0]);
            acc[k][1] = hn::MulAdd(xv, m1, acc[k][1]);
          }
        }
      }
      for (size_t k = 0; k < nt; ++k) {
        float* HWY_RESTRICT out = y + (t0 + k) * y_stride + c;
        hn::StoreU(hn::MulAdd(acc[k][0], vscale, hn::LoadU(d, out)), d, out);
        hn::StoreU(hn::MulAdd(acc[k][1], vscale, hn::LoadU(d, out + lanes)), d, out + lanes);
      }
    }
    for (; c < cols; ++c) {
      for (size_t k = 0; k < nt; ++k) {
        float sum = 0.0f;
        for (size_t r = 0; r < rows; ++r) sum += x[(t0 + k) * x_stride + r] * m[r * m_stride + c];
        y[(t0 + k) * y_stride + c] += scale * sum;
      }
    }
  };
  if (tokens == 1) {
    // Decoding: one row of X would fill one of the tile's four rows while
    // all eight accumulators stay live (V8 spills them); four vectors of
    // columns per strip instead. Each output sees the same operations as in
    // the tile, so decoding and prefill still agree bit for bit.
    size_t c = 0;
    for (; c + 4 * lanes <= cols; c += 4 * lanes) {
      hn::Vec<decltype(d)> acc[4];
      for (auto& a : acc) a = hn::Zero(d);
      for (size_t r = 0; r < rows; ++r) {
        const auto xv = hn::Set(d, x[r]);
        const float* HWY_RESTRICT row = m + r * m_stride + c;
        for (size_t i = 0; i < 4; ++i) {
          acc[i] = hn::MulAdd(xv, hn::LoadU(d, row + i * lanes), acc[i]);
        }
      }
      for (size_t i = 0; i < 4; ++i) {
        float* HWY_RESTRICT out = y + c + i * lanes;
        hn::StoreU(hn::MulAdd(acc[i], vscale, hn::LoadU(d, out)), d, out);
      }
    }
    tile(0, 1, c);
    return;
  }
  size_t t = 0;
  for (; t + kT <= tokens; t += kT) tile(t, kT, 0);
  if (t < tokens) tile(t, tokens - t, 0);
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
