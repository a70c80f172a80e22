// Float32 matrix kernels (weights [rows, cols] like torch.nn.Linear,
// row-major or in row panels). Plain declarations that dispatch to the best SIMD target
// on every call; model code that runs many kernels per step includes
// matmul-inl.h into its own foreach_target code instead.
#ifndef EDGEPIECE_RUNTIME_OPS_MATMUL_H_
#define EDGEPIECE_RUNTIME_OPS_MATMUL_H_

#include <cstddef>
#include <cstdint>

namespace edgepiece {

// y[r] = sum_c w[r * cols + c] * x[c] for r < rows.
void MatVec(const float* w, size_t rows, size_t cols, const float* x, float* y);

// y[t * rows + r] = sum_c x[t * cols + c] * w[r * cols + c] (Y = X W^T).
void MatMul(const float* x, size_t tokens, const float* w, size_t rows, size_t cols, float* y);

// MatVec and MatMul with IEEE half-float weights (their bits), widened
// exactly as they are loaded: half the memory traffic.
void MatVecF16(const uint16_t* w, size_t rows, size_t cols, const float* x, float* y);
void MatMulF16(const float* x, size_t tokens, const uint16_t* w, size_t rows, size_t cols,
               float* y);

// y[t * y_stride + c] += scale * sum_r x[t * x_stride + r] * m[r * m_stride + c]
// for t < tokens, c < cols: Y += scale X M with M row-major, rows of X, M
// and Y at the given strides (in floats).
void MatMulAccumulate(const float* x, size_t x_stride, size_t tokens, const float* m,
                      size_t m_stride, size_t rows, size_t cols, float scale, float* y,
                      size_t y_stride);

// Row panels: the weight layout of the WebAssembly build (see
// Model::row_panels). The first rows / 16 * 16 rows are stored as panels of
// sixteen rows, each panel column by column: in the panel of rows
// [16p, 16p + 16), w[r][c] is at w + 16p * cols + 16c + (r - 16p). So the
// kernels are outer products (a broadcast input times a vector of adjacent
// outputs) reading one sequential stream per panel. The last rows % 16 rows
// stay row-major after the panels. Any cols.
inline constexpr size_t kPanelRows = 16;

// Rearranges row-major w [rows, cols] into row panels, in place.
void PackRowPanels(float* w, size_t rows, size_t cols);
// Copies row r of row-panel weights to out[0, cols).
void CopyPanelRow(const float* w, size_t rows, size_t cols, size_t r, float* out);

// MatVec and MatMul over row-panel weights. Every output is the sequential
// sum over c of x[c] * w[r][c] (a multiply, then an add), so row t of
// MatMulPanels is MatVecPanels of x[t] bit for bit, on every target.
void MatVecPanels(const float* w, size_t rows, size_t cols, const float* x, float* y);
void MatMulPanels(const float* x, size_t tokens, const float* w, size_t rows, size_t cols,
                  float* y);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_MATMUL_H_
