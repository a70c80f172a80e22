// Forward pass of the GAU / LRU language model (docs/model.md). Compiled once
// per SIMD target; ForwardSegment dispatches once per segment, and everything
// below inlines the ops' per-target kernels.
//
// A segment never crosses a GAU chunk boundary, so the local attention only
// ever sees the current chunk's rows, and the global state M takes in a
// finished chunk (M += K_lin^T V) exactly when the next one starts. Prefill
// and decoding run the same code: a decoding step is a segment of one token
// (MatVec instead of MatMul).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/model/forward.cc"
#include "runtime/model/forward.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "runtime/ops/attention-inl.h"
#include "runtime/ops/elementwise-inl.h"
#include "runtime/ops/lru_scan-inl.h"
#include "runtime/ops/matmul-inl.h"
#include "runtime/ops/matmul_i8-inl.h"
#include "runtime/ops/rope-inl.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "runtime/base/memory.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/rope.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {

// MatMulPanelsT through a pointer the optimizer cannot see through: binaryen
// inlines a function that has one caller, and inlined into Project, V8 found
// no register for the 4 x 8 tile's fifteen live vectors and spilled
// accumulators in its inner loop; as a function of its own it does not.
void (*volatile const kMatMulPanels)(const float*, size_t, const float*, size_t, size_t,
                                     float*) = &MatMulPanelsT;

// y [n, rows] = x [n, cols] W^T; one token is a matrix-vector product. TW:
// float, or hwy::float16_t for weights kept as half floats. `panels`: the
// model's f32 matrices are row panels (Model::row_panels).
template <typename TW>
void ProjectFloat(const float* x, size_t n, const TW* w, size_t rows, size_t cols, bool panels,
                  float* y) {
  if constexpr (std::is_same_v<TW, float>) {  // half floats are never in panels
    if (panels && n == 1) return MatVecT<TW, true>(w, rows, cols, x, y);
    if (panels) return kMatMulPanels(x, n, w, rows, cols, y);
  }
  if (n == 1) {
    MatVecT(w, rows, cols, x, y);
  } else {
    MatMulT(x, n, w, rows, cols, y);
  }
}

// The same for a matrix in any storage; int8 quantizes the rows of x into
// st's scratch first (runtime/ops/matmul_i8.h).
void Project(const float* x, size_t n, const MatrixWeights& w, size_t rows, size_t cols,
             bool panels, ForwardState* st, float* y) {
  if (w.i8 != nullptr) {
    QuantizeRowsI16(x, n, cols, st->xq.data(), st->xq_scales.data());
    if (n == 1)
      return MatVecI8(w.i8, w.scales, rows, cols, w.group, st->xq.data(), st->xq_scales[0], y);
    return MatMulI8(st->xq.data(), st->xq_scales.data(), n, w.i8, w.scales, rows, cols, w.group, y);
  }
  if (w.f16 != nullptr) {
    return ProjectFloat(x, n, reinterpret_cast<const hwy::float16_t*>(w.f16), rows, cols,
                        /*panels=*/false, y);
  }
  ProjectFloat(x, n, w.f32, rows, cols, panels, y);
}

// M += K_lin^T V over the C rows of the chunk that just ended. Once per
// chunk rather than per segment: decoding would otherwise read and write the
// whole [s, e] sum once per token, and the result would depend on how the
// chunk was cut into segments; this way it is one register-tiled product,
// the same however the tokens were fed.
void FoldChunk(const ModelConfig& c, LayerState* ls) {
  const size_t e = c.expansion, s = c.key_size, C = c.chunk;
  MatMulAccumulate(ls->k_lin.data(), C, s, ls->values.data(), e, C, e, 1.0f, ls->m.data(), e);
}

void GauBlock(const ModelConfig& c, const GauWeights& w, bool panels, size_t j0, size_t n,
              ForwardState* st, LayerState* ls) {
  const size_t d = c.d_model, e = c.expansion, s = c.key_size, half = s / 2;
  const size_t width = 2 * e + s;
  float* uvz = st->wide.data();
  Project(st->xn.data(), n, w.w_in, width, d, panels, st, uvz);
  Silu(uvz, n * width);
  const size_t first_of_chunk = st->position - j0;
  const float cnt = static_cast<float>(std::max<size_t>(first_of_chunk, 1));
  for (size_t i = 0; i < n; ++i) {
    const float* row = uvz + i * width;
    const float* v = row + e;
    const float* z = row + 2 * e;
    float* heads = st->heads.data() + i * 4 * s;
    for (size_t h = 0; h < 4; ++h) {
      float* head = heads + h * s;
      for (size_t k = 0; k < s; ++k) head[k] = z[k] * w.gamma[h * s + k] + w.beta[h * s + k];
      RopeHalfSplit(head, s, st->cos.data() + i * half, st->sin.data() + i * half);
    }
    const float* q_quad = heads;
    const float* k_quad = heads + s;
    const size_t j = j0 + i;  // row within the chunk
    std::memcpy(ls->keys.data() + j * s, k_quad, s * sizeof(float));
    std::memcpy(ls->values.data() + j * e, v, e * sizeof(float));
    Relu2Attend(q_quad, ls->keys.data(), ls->values.data(), j + 1, s, e,
                1.0f / std::sqrt(static_cast<float>(s)), 1.0f / static_cast<float>(c.chunk),
                st->mixed.data() + i * e);
  }
  // The global part for the whole segment, as one product against the state:
  // mixed[i] += q_lin_i M / cnt (M holds earlier chunks only: unchanged by
  // this segment).
  MatMulAccumulate(st->heads.data() + 2 * s, 4 * s, n, ls->m.data(), e, s, e, 1.0f / cnt,
                   st->mixed.data(), e);
  // The chunk's k_lin rows wait for FoldChunk, stored as columns of [s, C]
  // (its v rows are in ls->values).
  for (size_t i = 0; i < n; ++i) {
    const float* k_lin = st->heads.data() + i * 4 * s + 3 * s;
    for (size_t k = 0; k < s; ++k) ls->k_lin[k * c.chunk + j0 + i] = k_lin[k];
  }
  for (size_t i = 0; i < n; ++i) Mul(uvz + i * width, st->mixed.data() + i * e, e);
  Project(st->mixed.data(), n, w.w_out, d, e, panels, st, st->out.data());
}

void LruBlock(const ModelConfig& c, const LruWeights& w, bool panels, size_t n, ForwardState* st,
              LayerState* ls) {
  const size_t d = c.d_model, N = c.lru_states;
  float* bu = st->wide.data();  // [n, 2N]: re | im
  Project(st->xn.data(), n, w.b, 2 * N, d, panels, st, bu);
  float* h = st->mixed.data();  // [n, 2N]
  float* state = ls->m.data();
  for (size_t i = 0; i < n; ++i) {
    float* in = bu + i * 2 * N;
    float* out = h + i * 2 * N;
    ComplexDiagonalScan(w.lambda, w.lambda + N, N, 1, in, in + N, state, state + N, out, out + N);
  }
  float* y = st->out.data();  // [n, d]
  Project(h, n, w.c, d, 2 * N, panels, st, y);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(st->tmp.data(), st->xn.data() + i * d, d * sizeof(float));
    Mul(w.skip, st->tmp.data(), d);
    Add(st->tmp.data(), y + i * d, d);
  }
  GeluTanh(y, n * d);
  float* gates = st->wide.data();  // [n, 2d]: W1 g | W2 g (bu is no longer needed)
  Project(y, n, w.glu, 2 * d, d, panels, st, gates);
  for (size_t i = 0; i < n; ++i) {
    SigmoidGate(gates + i * 2 * d, gates + i * 2 * d + d, d, y + i * d);
  }
}

// out[rows, V] = the tied head (any storage) applied to `rows` final-normed
// hidden states.
void Head(const Model& model, const float* normed, size_t rows, ForwardState* st, float* out) {
  const ModelConfig& c = model.config();
  Project(normed, rows, model.embed_matrix(), c.vocab_size, c.d_model, model.row_panels(), st, out);
}

void HeadLogitsImpl(const Model& model, ForwardState* st, size_t first, size_t rows, float* out) {
  Head(model, st->xn.data() + first * model.config().d_model, rows, st, out);
}

void ForwardSegmentImpl(const Model& model, ForwardState* st, const int32_t* ids, size_t n,
                        bool all_rows) {
  const ModelConfig& c = model.config();
  const size_t d = c.d_model, s = c.key_size, vocab = c.vocab_size;
  const size_t j0 = st->position % c.chunk;
  for (size_t i = 0; i < n; ++i) {
    const size_t id = static_cast<size_t>(ids[i]);
    float* x = st->x.data() + i * d;
    const MatrixWeights& embed = model.embed_matrix();
    if (embed.i8 != nullptr) {  // the row dequantized: q * its group's scale
      for (size_t k = 0; k < d; ++k) {
        const float scale = embed.scales[k / embed.group * vocab + id];
        x[k] = static_cast<float>(embed.i8[id * d + k]) * scale;
      }
    } else if (model.embed() != nullptr && model.row_panels()) {
      CopyPanelRow(model.embed(), vocab, d, id, x);
    } else if (model.embed() != nullptr) {
      std::memcpy(x, model.embed() + id * d, d * sizeof(float));
    } else {
      const auto* halves = reinterpret_cast<const hwy::float16_t*>(model.embed_f16()) + id * d;
      for (size_t k = 0; k < d; ++k) x[k] = WeightToFloat(halves[k]);
    }
  }
  if (c.CountLayers(LayerKind::kGau) > 0) {
    for (size_t i = 0; i < n; ++i) {
      RopeTables(st->position + i, s, c.rope_base, st->cos.data() + i * s / 2,
                 st->sin.data() + i * s / 2);
    }
  }
  for (size_t l = 0; l < c.layers.size(); ++l) {
    const LayerWeights& w = model.layers()[l];
    LayerState& ls = st->layers[l];
    for (size_t i = 0; i < n; ++i) {
      RmsNorm(st->x.data() + i * d, w.norm, d, c.norm_eps, st->xn.data() + i * d);
    }
    if (w.kind == LayerKind::kGau) {
      if (j0 == 0 && st->position > 0) FoldChunk(c, &ls);  // a new chunk
      GauBlock(c, w.gau, model.row_panels(), j0, n, st, &ls);
    } else {
      LruBlock(c, w.lru, model.row_panels(), n, st, &ls);
    }
    Add(st->out.data(), st->x.data(), n * d);
  }
  // Every row's final norm (for HeadLogits), or the last's; the last row's logits.
  for (size_t i = all_rows ? 0 : n - 1; i < n; ++i) {
    RmsNorm(st->x.data() + i * d, model.final_norm(), d, c.norm_eps, st->xn.data() + i * d);
  }
  Head(model, st->xn.data() + (n - 1) * d, 1, st, st->logits.data());
  st->position += n;
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(ForwardSegmentImpl);
HWY_EXPORT(HeadLogitsImpl);

void ForwardSegment(const Model& model, ForwardState* state, const int32_t* ids, size_t n,
                    bool all_rows) {
  HWY_DYNAMIC_DISPATCH(ForwardSegmentImpl)(model, state, ids, n, all_rows);
}

void HeadLogits(const Model& model, ForwardState* state, size_t first, size_t rows, float* out) {
  HWY_DYNAMIC_DISPATCH(HeadLogitsImpl)(model, state, first, rows, out);
}

Status ForwardState::Init(const Model& model, uint64_t max_floats) {
  const ModelConfig& c = model.config();
  // 64-bit sizes: within the config's limits they overflow a 32-bit size_t
  // (WebAssembly).
  const uint64_t d = c.d_model, e = c.expansion, s = c.key_size, N = c.lru_states;
  const uint64_t C = c.chunk;
  layers.assign(c.layers.size(), LayerState());
  // Every buffer with its size, checked against the limit before any is sized.
  std::vector<std::pair<std::vector<float>*, uint64_t>> sizes;
  for (size_t l = 0; l < c.layers.size(); ++l) {
    LayerState& ls = layers[l];
    if (c.layers[l] == LayerKind::kGau) {
      sizes.insert(sizes.end(),
                   {{&ls.m, s * e}, {&ls.k_lin, C * s}, {&ls.keys, C * s}, {&ls.values, C * e}});
    } else {
      sizes.push_back({&ls.m, 2 * N});
    }
  }
  sizes.insert(sizes.end(), {{&x, C * d},
                             {&xn, C * d},
                             {&wide, C * std::max({2 * e + s, 2 * N, 2 * d})},
                             {&heads, C * 4 * s},
                             {&mixed, C * std::max(e, 2 * N)},
                             {&out, C * d},
                             {&tmp, std::max(e, d)},
                             {&cos, C * s / 2},
                             {&sin, C * s / 2},
                             {&logits, uint64_t(c.vocab_size)},
                             {&head_rows, kHeadBlockRows * uint64_t(c.vocab_size)}});
  // Int8 weights: a chunk of activation rows as int16, two per float.
  const uint64_t quantized = model.int8() ? C * std::max({d, e, 2 * N}) : 0;
  uint64_t total = (quantized + 1) / 2 + (model.int8() ? C : 0);
  for (const auto& entry : sizes) total += entry.second;
  if (total > max_floats) {
    return Status(StatusCode::kOutOfMemory, "session: state and scratch would need " +
                                                std::to_string(total * 4) + " bytes (limit " +
                                                std::to_string(max_floats * 4) + ")");
  }
  // One probe for all of it (plus a page of rounding per buffer): a failed resize aborts.
  EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation(total * 4 + sizes.size() * 64 + 4096, "session"));
  for (auto& [buffer, size] : sizes) buffer->resize(size);
  xq.resize(quantized);
  xq_scales.resize(model.int8() ? C : 0);
  bytes = total * sizeof(float);
  Reset();
  return Status::Ok();
}

void ForwardState::Reset() {
  position = 0;
  for (LayerState& ls : layers) {
    for (std::vector<float>* v : {&ls.m, &ls.k_lin, &ls.keys, &ls.values}) {
      std::fill(v->begin(), v->end(), 0.0f);
    }
  }
  std::fill(logits.begin(), logits.end(), 0.0f);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
