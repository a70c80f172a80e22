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
// products of decoding, which stream whole matrices per token.
//
// Or row panels (kPanels, the WebAssembly build's layout; runtime/ops/matmul.h),
// where each panel stores its rows' weights column by column: there the
// kernels are outer products instead (PanelTile), one broadcast input times a
// vector of adjacent outputs, so every output is a plain sequential sum over
// the columns and needs no horizontal sum. Without FMA (WebAssembly SIMD128)
// a dot-product tile spends as many instructions on loads and address
// arithmetic in V8's code as on arithmetic; the outer-product tile reads one
// packed stream per operand (docs/benchmarks.md, design measurements).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

// Toggle guard: this header is re-included once per SIMD target.
#if defined(EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_
#undef EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_
#else
#define EDGEPIECE_RUNTIME_OPS_MATMUL_INL_H_
#endif

#include "hwy/highway.h"
#include "runtime/base/half.h"
#include "runtime/ops/lane_sums-inl.h"
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

// y[t * y_stride + r] = dot(x[t], w[r]) for t < kT, r < kR, where x[t] and
// w[r] are rows of `cols` floats (row strides `cols`; TW: float or
// hwy::float16_t). kR is 1..3 or a multiple of 4 (which uses SumOf4).
template <size_t kT, size_t kR, typename TW>
HWY_INLINE void DotTile(const float* HWY_RESTRICT x, const TW* HWY_RESTRICT w, size_t cols,
                        float* HWY_RESTRICT y, size_t y_stride) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  auto weights = [&](size_t r, size_t c) { return w + r * cols + c; };
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
  for (; c < cols; ++c) {
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

// Row panels (runtime/ops/matmul.h): the outer-product kernels.

// Tokens per PanelTile of MatMul, and the panel columns (outputs) it covers:
// 4 x 8 is eight accumulators, two weight vectors and a broadcast (with
// SIMD128 vectors), what V8 keeps in the 16 x86 vector registers; 5 x 8 and
// 4 x 12 spilled (docs/benchmarks.md, design measurements).
constexpr size_t kPanelTileTokens = 4;
constexpr size_t kPanelTileCols = 8;
// MatMul packs its input in blocks of this many tokens x columns (on the
// stack), so a block's rows sit in L1 while every panel streams past them.
constexpr size_t kPanelBlockTokens = 16;
constexpr size_t kPanelBlockCols = 256;

// y[t * y_stride + j] (+)= sum_k xp[k * kT + t] * w[k * kPanelRows + j] for
// t < kT, j < kC, k < n: kT tokens (packed column by column, kT values per
// column) times kC adjacent outputs of a panel. Each output is a sequential
// sum over k (a multiply, then an add: no FMA), starting from 0 (kFirst) or
// from y, so cutting the columns into blocks and the tokens into tiles of
// any size gives the same bits.
template <size_t kT, size_t kC, bool kFirst>
HWY_INLINE void PanelTile(const float* HWY_RESTRICT xp, const float* HWY_RESTRICT w, size_t n,
                          float* HWY_RESTRICT y, size_t y_stride) {
  using D = hn::CappedTag<float, 4>;
  const D d;
  constexpr size_t kLanes = hn::MaxLanes(D());
  constexpr size_t kV = kC / kLanes;
  static_assert(kC % kLanes == 0 && kPanelRows % kC == 0, "whole vectors of one panel");
  hn::Vec<D> acc[kT][kV];
  for (size_t t = 0; t < kT; ++t) {
    for (size_t v = 0; v < kV; ++v) {
      acc[t][v] = kFirst ? hn::Zero(d) : hn::LoadU(d, y + t * y_stride + v * kLanes);
    }
  }
  // The pointers step rather than being indexed, and the loop is not
  // unrolled here: V8 unrolls it itself, while clang's unrolled form kept
  // every step's loads live at once and spilled (docs/benchmarks.md).
  const float* HWY_RESTRICT w_end = w + n * kPanelRows;
  for (; w != w_end; xp += kT, w += kPanelRows) {
    hn::Vec<D> wv[kV];
    for (size_t v = 0; v < kV; ++v) wv[v] = hn::LoadU(d, w + v * kLanes);
    for (size_t t = 0; t < kT; ++t) {
      const auto xv = hn::Set(d, xp[t]);
      for (size_t v = 0; v < kV; ++v) acc[t][v] = hn::Add(acc[t][v], hn::Mul(xv, wv[v]));
    }
  }
  for (size_t t = 0; t < kT; ++t) {
    for (size_t v = 0; v < kV; ++v) hn::StoreU(acc[t][v], d, y + t * y_stride + v * kLanes);
  }
}

// PanelTile for nt <= kT tokens: a partial tile goes through a local
// buffer, so the tile itself always has kT rows.
template <size_t kT, size_t kC>
HWY_INLINE void PanelTileRows(const float* HWY_RESTRICT xp, const float* HWY_RESTRICT w, size_t n,
                              bool first, size_t nt, float* HWY_RESTRICT y, size_t y_stride) {
  if (nt == kT) {
    if (first) return PanelTile<kT, kC, true>(xp, w, n, y, y_stride);
    return PanelTile<kT, kC, false>(xp, w, n, y, y_stride);
  }
  HWY_ALIGN float part[kT * kC] = {};
  for (size_t t = 0; t < nt && !first; ++t) {
    std::memcpy(part + t * kC, y + t * y_stride, kC * sizeof(float));
  }
  if (first) {
    PanelTile<kT, kC, true>(xp, w, n, part, kC);
  } else {
    PanelTile<kT, kC, false>(xp, w, n, part, kC);
  }
  for (size_t t = 0; t < nt; ++t) std::memcpy(y + t * y_stride, part + t * kC, kC * sizeof(float));
}

// The rows after the last whole panel are row-major: each output is the same
// sequential sum as in PanelTile, in scalar code (-ffp-contract=off: no FMA).
HWY_INLINE float SequentialDot(const float* HWY_RESTRICT x, const float* HWY_RESTRICT w, size_t n) {
  float sum = 0.0f;
  for (size_t k = 0; k < n; ++k) sum += x[k] * w[k];
  return sum;
}

// y[j] = sum_k x[k] * w[k * kPanelRows + j] for the 2 kPanelRows outputs of
// two panels, cols apart in w: PanelTile's sums for one token, with eight
// independent chains of adds instead of four (one panel's four vectors wait
// on the add latency).
HWY_INLINE void TwoPanelsTimesVector(const float* HWY_RESTRICT w, size_t cols,
                                     const float* HWY_RESTRICT x, float* HWY_RESTRICT y) {
  using D = hn::CappedTag<float, 4>;
  const D d;
  constexpr size_t kLanes = hn::MaxLanes(D());
  constexpr size_t kV = kPanelRows / kLanes;
  const float* HWY_RESTRICT w1 = w + kPanelRows * cols;
  hn::Vec<D> acc[2][kV];
  for (size_t v = 0; v < kV; ++v) acc[0][v] = acc[1][v] = hn::Zero(d);
  for (size_t k = 0; k < cols; ++k, w += kPanelRows, w1 += kPanelRows) {
    const auto xv = hn::Set(d, x[k]);
    for (size_t v = 0; v < kV; ++v) {
      acc[0][v] = hn::Add(acc[0][v], hn::Mul(xv, hn::LoadU(d, w + v * kLanes)));
      acc[1][v] = hn::Add(acc[1][v], hn::Mul(xv, hn::LoadU(d, w1 + v * kLanes)));
    }
  }
  for (size_t v = 0; v < kV; ++v) {
    hn::StoreU(acc[0][v], d, y + v * kLanes);
    hn::StoreU(acc[1][v], d, y + kPanelRows + v * kLanes);
  }
}

// y[r] = dot(x, w[r]) over row panels: one token times two panels at a time.
inline void MatVecPanelsT(const float* HWY_RESTRICT w, size_t rows, size_t cols,
                          const float* HWY_RESTRICT x, float* HWY_RESTRICT y) {
  const size_t panels_end = rows / kPanelRows * kPanelRows;
  size_t r = 0;
  for (; r + 2 * kPanelRows <= panels_end; r += 2 * kPanelRows) {
    TwoPanelsTimesVector(w + r * cols, cols, x, y + r);
  }
  for (; r < panels_end; r += kPanelRows) {
    PanelTile<1, kPanelRows, true>(x, w + r * cols, cols, y + r, 0);
  }
  for (size_t r = panels_end; r < rows; ++r) y[r] = SequentialDot(x, w + r * cols, cols);
}

// Y = X W^T over row panels. Blocks of kPanelBlockTokens tokens x
// kPanelBlockCols columns of X are packed, kPanelTileTokens tokens per column
// (padded with zeros), so a tile's inputs are one stream of broadcasts; each
// panel then runs all the block's tiles. Row t equals MatVecPanelsT of x[t]
// bit for bit (every output is the same sequential sum).
inline void MatMulPanelsT(const float* HWY_RESTRICT x, size_t tokens, const float* HWY_RESTRICT w,
                          size_t rows, size_t cols, float* HWY_RESTRICT y) {
  constexpr size_t kT = kPanelTileTokens;
  HWY_ALIGN float packed[kPanelBlockTokens * kPanelBlockCols];
  const size_t panels_end = rows / kPanelRows * kPanelRows;
  for (size_t t0 = 0; t0 < tokens; t0 += kPanelBlockTokens) {
    const size_t block_tokens = std::min(kPanelBlockTokens, tokens - t0);
    const size_t tiles = (block_tokens + kT - 1) / kT;
    for (size_t c0 = 0; c0 < cols; c0 += kPanelBlockCols) {
      const size_t n = std::min(kPanelBlockCols, cols - c0);
      for (size_t i = 0; i < tiles; ++i) {
        float* HWY_RESTRICT tile = packed + i * kT * n;
        for (size_t t = 0; t < kT; ++t) {
          const size_t token = i * kT + t;
          if (token >= block_tokens) {
            for (size_t k = 0; k < n; ++k) tile[k * kT + t] = 0.0f;
            continue;
          }
          const float* HWY_RESTRICT row = x + (t0 + token) * cols + c0;
          for (size_t k = 0; k < n; ++k) tile[k * kT + t] = row[k];
        }
      }
      for (size_t r = 0; r < panels_end; r += kPanelRows) {
        const float* HWY_RESTRICT panel = w + r * cols + c0 * kPanelRows;
        for (size_t i = 0; i < tiles; ++i) {
          const size_t nt = std::min(kT, block_tokens - i * kT);
          float* HWY_RESTRICT out = y + (t0 + i * kT) * rows + r;
          for (size_t j = 0; j < kPanelRows; j += kPanelTileCols) {
            PanelTileRows<kT, kPanelTileCols>(packed + i * kT * n, panel + j, n, c0 == 0, nt,
                                              out + j, rows);
          }
        }
      }
    }
  }
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t r = panels_end; r < rows; ++r) {
      y[t * rows + r] = SequentialDot(x + t * cols, w + r * cols, cols);
    }
  }
}

// y[r] = sum_c w[r * cols + c] * x[c] for r < rows. Eight rows per tile:
// eight accumulator chains keep two FMA pipes busy despite their latency.
// kPanels: w is in row panels (f32 only).
template <typename TW, bool kPanels = false>
inline void MatVecT(const TW* HWY_RESTRICT w, size_t rows, size_t cols, const float* HWY_RESTRICT x,
                    float* HWY_RESTRICT y) {
  if constexpr (kPanels) {
    static_assert(std::is_same_v<TW, float>, "panels hold f32 weights");
    return MatVecPanelsT(w, rows, cols, x, y);
  }
  size_t r = 0;
  for (; r + 8 <= rows; r += 8) DotTile<1, 8>(x, w + r * cols, cols, y + r, 1);
  for (; r + 4 <= rows; r += 4) DotTile<1, 4>(x, w + r * cols, cols, y + r, 1);
  for (; r < rows; ++r) DotTile<1, 1>(x, w + r * cols, cols, y + r, 1);
}

// y[t * rows + r] = dot(x[t], w[r]) for r < kR and every token t: kT tokens
// per tile, then one at a time.
template <size_t kR, typename TW>
HWY_INLINE void RowGroupTimesTokens(const float* HWY_RESTRICT x, size_t tokens,
                                    const TW* HWY_RESTRICT w, size_t cols, float* HWY_RESTRICT y,
                                    size_t rows) {
  constexpr size_t kT = kMatMulTileTokens;
  size_t t = 0;
  for (; t + kT <= tokens; t += kT) {
    DotTile<kT, kR, TW>(x + t * cols, w, cols, y + t * rows, rows);
  }
  for (; t < tokens; ++t) DotTile<1, kR, TW>(x + t * cols, w, cols, y + t * rows, rows);
}

// Y[tokens, rows] = X[tokens, cols] W[rows, cols]^T. Row groups outermost:
// four rows of W (a few KiB) stay in L1 while all tokens stream past them,
// so W is read from memory once. kPanels as for MatVecT; each output is
// summed exactly as MatVecT sums it.
template <typename TW, bool kPanels = false>
inline void MatMulT(const float* HWY_RESTRICT x, size_t tokens, const TW* HWY_RESTRICT w,
                    size_t rows, size_t cols, float* HWY_RESTRICT y) {
  if constexpr (kPanels) {
    static_assert(std::is_same_v<TW, float>, "panels hold f32 weights");
    return MatMulPanelsT(x, tokens, w, rows, cols, y);
  }
  size_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    RowGroupTimesTokens<4, TW>(x, tokens, w + r * cols, cols, y + r, rows);
  }
  for (; r < rows; ++r) {
    RowGroupTimesTokens<1, TW>(x, tokens, w + r * cols, cols, y + r, rows);
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

// y[t * y_stride + j] += scale * sum_r x[t * x_stride + r] * m[r * m_stride + j]
// for t < kNT, j < 2 lanes: MatMulAccumulate's tile. The row pointers step
// (V8's code for indexed, strided addresses spent ~4x the arithmetic's
// instructions on them), and kNT is a constant.
template <size_t kNT, class D>
HWY_INLINE void AccumulatePair(D d, const float* HWY_RESTRICT x, size_t x_stride,
                               const float* HWY_RESTRICT m, size_t m_stride, size_t rows,
                               hn::Vec<D> vscale, float* HWY_RESTRICT y, size_t y_stride) {
  const size_t lanes = hn::Lanes(d);
  hn::Vec<D> acc[kNT][2];
  const float* HWY_RESTRICT xr[kNT];
  for (size_t t = 0; t < kNT; ++t) {
    acc[t][0] = acc[t][1] = hn::Zero(d);
    xr[t] = x + t * x_stride;
  }
  for (size_t r = 0; r < rows; ++r, m += m_stride) {
    const auto m0 = hn::LoadU(d, m);
    const auto m1 = hn::LoadU(d, m + lanes);
    for (size_t t = 0; t < kNT; ++t) {
      const auto xv = hn::Set(d, *xr[t]++);
      acc[t][0] = hn::MulAdd(xv, m0, acc[t][0]);
      acc[t][1] = hn::MulAdd(xv, m1, acc[t][1]);
    }
  }
  for (size_t t = 0; t < kNT; ++t) {
    float* HWY_RESTRICT out = y + t * y_stride;
    hn::StoreU(hn::MulAdd(acc[t][0], vscale, hn::LoadU(d, out)), d, out);
    hn::StoreU(hn::MulAdd(acc[t][1], vscale, hn::LoadU(d, out + lanes)), d, out + lanes);
  }
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
  // nt <= kT rows starting at t0, columns [c0, c_end): vector pairs, then
  // one at a time. M's column c0 starts at mc, its rows mc_stride apart.
  auto tile = [&](size_t t0, size_t nt, size_t c0, size_t c_end, const float* mc,
                  size_t mc_stride) {
    size_t c = c0;
    for (; c + 2 * lanes <= c_end; c += 2 * lanes) {
      const float* xt = x + t0 * x_stride;
      const float* mt = mc + (c - c0);
      float* yt = y + t0 * y_stride + c;
      switch (nt) {  // a constant tile height: no per-row test in the loop
        case 4:
          AccumulatePair<4>(d, xt, x_stride, mt, mc_stride, rows, vscale, yt, y_stride);
          break;
        case 3:
          AccumulatePair<3>(d, xt, x_stride, mt, mc_stride, rows, vscale, yt, y_stride);
          break;
        case 2:
          AccumulatePair<2>(d, xt, x_stride, mt, mc_stride, rows, vscale, yt, y_stride);
          break;
        default:
          AccumulatePair<1>(d, xt, x_stride, mt, mc_stride, rows, vscale, yt, y_stride);
          break;
      }
    }
    for (; c < c_end; ++c) {
      for (size_t k = 0; k < nt; ++k) {
        float sum = 0.0f;
        for (size_t r = 0; r < rows; ++r) {
          sum += x[(t0 + k) * x_stride + r] * mc[r * mc_stride + (c - c0)];
        }
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
    tile(0, 1, c, cols, m + c, m_stride);
    return;
  }
  // Strips of columns outermost: a strip of M (rows x 4 vectors) stays in L1
  // while every row of X passes it, instead of all of M streaming past each
  // group of four rows. Each output sees the same operations either way.
  // The strip is first copied into contiguous rows where it fits: rows of M
  // m_stride floats apart fall into a few L1 sets (2 KB apart: 2 of the 64)
  // and evicted each other.
  constexpr size_t kMaxStripRows = 256;
  HWY_ALIGN float strip_rows[kMaxStripRows * 4 * hn::MaxLanes(d)];
  const size_t strip = 4 * lanes;
  const size_t strips_end = cols / strip * strip;
  for (size_t c0 = 0; c0 < strips_end; c0 += strip) {
    const float* mc = m + c0;
    size_t mc_stride = m_stride;
    if (rows <= kMaxStripRows) {
      for (size_t r = 0; r < rows; ++r) {
        std::memcpy(strip_rows + r * strip, m + r * m_stride + c0, strip * sizeof(float));
      }
      mc = strip_rows;
      mc_stride = strip;
    }
    size_t t = 0;
    for (; t + kT <= tokens; t += kT) tile(t, kT, c0, c0 + strip, mc, mc_stride);
    if (t < tokens) tile(t, tokens - t, c0, c0 + strip, mc, mc_stride);
  }
  size_t t = 0;
  for (; t + kT <= tokens; t += kT) tile(t, kT, strips_end, cols, m + strips_end, m_stride);
  if (t < tokens) tile(t, tokens - t, strips_end, cols, m + strips_end, m_stride);
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
