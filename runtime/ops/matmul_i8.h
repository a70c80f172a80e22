// Int8-weight matrix kernels: weights W [rows, cols] as symmetric int8 with
// one f32 scale per group of `group` columns of a row (docs/model.md, "Int8
// weights"), activations quantized per row to int16 on the fly. Plain
// declarations that dispatch to the best SIMD target on every call; model
// code includes matmul_i8-inl.h into its own foreach_target code instead.
//
// The result is defined exactly, not within a tolerance, and is the same
// bits on every target (WebAssembly included) and for MatVecI8 and every
// row of MatMulI8:
//   q[c] = round_half_even(x[c] * (32767 / max|x|)), x_scale = max|x| / 32767
//          (q = 0 and x_scale = 0 for an all-zero row)
//   S_g = sum over the group's columns c of w[r * cols + c] * q[c]   (int32, exact)
//   acc = 0; for g = 0, 1, ...: acc = acc + float(S_g) * scales[g * rows + r]
//   y[r] = acc * x_scale
// with every float operation rounded once (no fused multiply-adds). Integer
// sums are exact in any order, so each target reduces its lanes as it likes.
// `group` <= 512 keeps S_g inside int32 (512 * 128 * 32767 < 2^31).
#ifndef EDGEPIECE_RUNTIME_OPS_MATMUL_I8_H_
#define EDGEPIECE_RUNTIME_OPS_MATMUL_I8_H_

#include <cstddef>
#include <cstdint>

namespace edgepiece {

// Largest group (columns per scale) the kernels accept.
inline constexpr size_t kMaxInt8Group = 512;

// Int8 x int8 products (MatMulI6): rows quantized to [-kMaxI6, kMaxI6],
// i.e. the definition above with 31 in place of 32767 and q stored as int8.
// Six bits because x86's byte multiply-add (vpmaddubsw, AVX2) takes one
// unsigned operand and saturates its int16 pair sums: the weights shifted
// to w + 128 <= 255 times |q| <= 31 keep a pair within 2 * 255 * 31, so two
// pairs add within 2^15 before one vpmaddwd widens them (three multiply
// instructions per 64 columns where int16 activations take four). The
// product is the exact integer sum again (the shift comes off as 128 times
// each group's sum of q), so MatMulI6 gives the same bits on every target
// and equals MatMulI8 of the same q widened to int16. Not used by the model
// (docs/benchmarks.md, "Int8 x int8 prefill": ~1.2x the layer products on
// AVX2, ~1.1x prefill, none in WebAssembly).
inline constexpr int kMaxI6 = 31;

// Quantizes each of `tokens` rows of x [tokens, cols] to int16: q [tokens,
// cols] and scales [tokens], as above.
void QuantizeRowsI16(const float* x, size_t tokens, size_t cols, int16_t* q, float* scales);

// y[r] for r < rows, as above, from the quantized row (xq, x_scale). w is
// [rows, cols] row-major; scales [cols / group, rows] group-major (the scales
// of four consecutive rows of one group are adjacent); cols % group == 0.
void MatVecI8(const int8_t* w, const float* scales, size_t rows, size_t cols, size_t group,
              const int16_t* xq, float x_scale, float* y);

// y[t * rows + r] = MatVecI8 of row t of xq [tokens, cols] (scale
// x_scales[t]), bit for bit.
void MatMulI8(const int16_t* xq, const float* x_scales, size_t tokens, const int8_t* w,
              const float* scales, size_t rows, size_t cols, size_t group, float* y);

// Quantizes rows to [-31, 31] as above: q [tokens, cols], scales [tokens],
// and each group's sum of q, sums [tokens, cols / group].
void QuantizeRowsI6(const float* x, size_t tokens, size_t cols, size_t group, int8_t* q,
                    float* scales, int32_t* sums);

// y[t * rows + r] = MatVecI8 of row t of xq [tokens, cols] (int8, from
// QuantizeRowsI6 with the same group, sums x_sums) widened to int16, bit
// for bit.
void MatMulI6(const int8_t* xq, const float* x_scales, const int32_t* x_sums, size_t tokens,
              const int8_t* w, const float* scales, size_t rows, size_t cols, size_t group,
              float* y);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_MATMUL_I8_H_
