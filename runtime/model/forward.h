// The model's forward pass over one segment of tokens, dispatched once per
// segment to the best SIMD target (forward.cc includes the ops' per-target
// code, so every kernel call below the dispatch is inlined).
#ifndef EDGEPIECE_RUNTIME_MODEL_FORWARD_H_
#define EDGEPIECE_RUNTIME_MODEL_FORWARD_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/model/model.h"

namespace edgepiece {

// Recurrent state of one layer; its size never depends on the sequence length.
struct LayerState {
  // GAU: M = sum of k_lin (x) v over earlier chunks ([s, e]), and the
  // current chunk's k_lin (as columns: [s, C]), k_quad [C, s] and v [C, e]
  // rows, folded into M when the next chunk starts. LRU: h as
  // [re (N) | im (N)] in `m`.
  std::vector<float> m, k_lin, keys, values;
};

// Rows per block of Session::Score's logits: a multiple of every target's
// MatMul tile (2, 3 or 4 tokens), and few enough that the block ([12, V]
// floats: 384 KB for the demo model) stays in the L2 cache between the
// product that writes it and the log-sum-exps that read it.
inline constexpr size_t kHeadBlockRows = 12;

// Everything a Session owns: the per-layer state plus scratch buffers sized
// for a whole chunk, allocated once so decoding never allocates.
struct ForwardState {
  size_t position = 0;  // tokens fed so far
  std::vector<LayerState> layers;
  std::vector<float> x, xn;      // [C, d] residual stream and its norm
  std::vector<float> wide;       // [C, max(2e+s, 2N, 2d)] projections
  std::vector<float> heads;      // [C, 4s] roped q_quad, k_quad, q_lin, k_lin
  std::vector<float> mixed;      // [C, max(e, 2N)] attention output or LRU h
  std::vector<float> out;        // [C, d] block output
  std::vector<float> tmp;        // [max(e, d)]
  std::vector<float> cos, sin;   // [C, s/2] RoPE tables of the segment
  std::vector<float> logits;     // [V] after the last token
  std::vector<float> head_rows;  // [kHeadBlockRows, V] a block of HeadLogits rows (Score)
  // Int8 models only (else empty): rows of a projection's input as int16
  // and their scales (runtime/ops/matmul_i8.h).
  std::vector<int16_t> xq;       // [C, max(d, e, 2N)]
  std::vector<float> xq_scales;  // [C]

  size_t bytes = 0;  // of all the buffers above, as sized by Init

  // Sizes every buffer for `model` and zeroes the state; OutOfMemory when
  // they would hold more than `max_floats` floats in all.
  Status Init(const Model& model, uint64_t max_floats);
  void Reset();
};

// Feeds ids[0..n) (n >= 1, all inside one chunk: position % C + n <= C) and
// writes the next-token logits of the last one to state->logits. With
// `all_rows`, every token's final-normed hidden state stays in state->xn
// for HeadLogits (otherwise only the last one's is computed).
void ForwardSegment(const Model& model, ForwardState* state, const int32_t* ids, size_t n,
                    bool all_rows);

// out[rows, V] = the next-token logits after tokens first..first+rows-1 of
// the last segment, fed with `all_rows`: one matrix-matrix product with the
// head, the same bits as the logits token-by-token feeding gives. Mutable
// state: int8 heads quantize the rows into its scratch.
void HeadLogits(const Model& model, ForwardState* state, size_t first, size_t rows, float* out);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_FORWARD_H_
