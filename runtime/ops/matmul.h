// Float32 matrix kernels (row-major, weights [rows, cols] like
// torch.nn.Linear). Plain declarations that dispatch to the best SIMD target
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
void MatMul(const float* x, size_t tokens, const float* w, size_t rows,
            size_t cols, float* y);

// MatVec and MatMul with IEEE half-float weights (their bits), widened
// exactly as they are loaded: half the memory traffic.
void MatVecF16(const uint16_t* w, size_t rows, size_t cols, const float* x, float* y);
void MatMulF16(const float* x, size_t tokens, const uint16_t* w, size_t rows, size_t cols,
               float* y);

// y[c] = scale * sum_r x[r] * m[r * cols + c] for c < cols.
void VecMat(const float* x, const float* m, size_t rows, size_t cols,
            float scale, float* y);

// y[t * y_stride + c] += scale * sum_r x[t * x_stride + r] * m[r * m_stride + c]
// for t < tokens, c < cols: Y += scale X M with M row-major, rows of X, M
// and Y at the given strides (in floats).
void MatMulAccumulate(const float* x, size_t x_stride, size_t tokens, const float* m,
                      size_t m_stride, size_t rows, size_t cols, float scale, float* y,
                      size_t y_stride);

// m[r * cols + c] += a[r] * b[c] for r < rows, c < cols.
void OuterAdd(const float* a, size_t rows, const float* b, size_t cols,
              float* m);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_OPS_MATMUL_H_
