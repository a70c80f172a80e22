// The weights layout, written once: every tensor a Model holds, with its
// shape and storage in the arena, whether kernels read it as a projection,
// and the file tensors (names and shapes, docs/model.md) it is made from.
// The loader (model.cc) walks this one table four times: to validate a
// file's tensors, to size the arena, to fill it (converting and folding) and
// to pack the projections; nothing else restates a tensor's name or shape.
//
// ForEachTensor calls a visitor once per row, in arena order (the shape of
// gemma.cpp's weights.h). Adding a tensor is one row here. Adding a tensor
// *kind*, e.g. int8 weights with per-row scales, is one Storage value (its
// arena size in ArenaFloats, its dtype in AcceptsDType, its copy in the
// loader's Fill) and then one row per tensor stored so, whose sources name
// the int8 data and the scales: {{p + "w1", {d, d}}, {p + "w1_scale", {d}}}.
#ifndef EDGEPIECE_RUNTIME_MODEL_WEIGHTS_LAYOUT_H_
#define EDGEPIECE_RUNTIME_MODEL_WEIGHTS_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/model/config.h"
#include "runtime/model/model.h"
#include "runtime/model/safetensors.h"

namespace edgepiece {

// Every arena tensor starts on a 64-byte boundary (a cache line, and the
// widest vector): kernels may use aligned loads on row 0 of any matrix.
inline constexpr size_t kArenaAlignFloats = 16;

// How a tensor is kept in the arena (whose unit is one float).
enum class Storage {
  kF32,  // f32, converted from the file's F32, F16 or BF16
  // The file's F16 bits (two per arena float), where the file stores F16
  // and the CPU widens half floats in hardware (the loader decides: f32
  // otherwise, see Model::embed_f16).
  kF16,
};

// How a tensor is made from its file tensors (docs/model.md, "Runtime layout").
enum class Fold {
  kRows,       // the sources stacked as rows (one source: a copy)
  kLruLambda,  // [2, N] lambda re ; im from nu_log, theta_log, in float64
  kLruB,       // [2N, d] [B_re ; B_im], rows k and N + k times exp(gamma_log[k])
  kLruC,       // [d, 2N] row i = [C_re[i, :] | -C_im[i, :]]
};

// A tensor the weights file must hold.
struct FileTensor {
  std::string name;
  std::vector<size_t> shape;
};

// One row of the table: a tensor in the arena.
struct TensorSpec {
  std::string name;  // of its first source
  size_t rows = 0;   // arena shape [rows, cols]; a vector is [1, n]
  size_t cols = 0;
  Storage storage = Storage::kF32;
  bool projection = false;  // read by Project (forward.cc): row panels in WebAssembly
  Fold fold = Fold::kRows;
  std::vector<FileTensor> sources;  // in the order Fold reads them
  const float** f32 = nullptr;      // where the loader puts the address: f32 storage
  const uint16_t** f16 = nullptr;   // F16 storage (only rows that allow it)
};

// Arena floats of a tensor of `rows` x `cols` kept as `storage`, padded to
// the alignment.
inline uint64_t ArenaFloats(Storage storage, uint64_t rows, uint64_t cols) {
  const uint64_t elements = rows * cols;
  const uint64_t floats = storage == Storage::kF16 ? (elements + 1) / 2 : elements;
  return (floats + kArenaAlignFloats - 1) / kArenaAlignFloats * kArenaAlignFloats;
}

// Whether a file tensor of `dtype` can become `storage` (a float storage
// reads any float dtype; an int8 one would read I8 data and F32 scales).
inline bool AcceptsDType(Storage storage, DType dtype) {
  return storage == Storage::kF16 ? dtype == DType::kF16 : true;
}

// Calls `visit(const TensorSpec&)`, which returns a Status, for every
// tensor of a model with `config`, stopping at the first error. The rows'
// address slots point into `weights`, whose layers it sizes and labels.
template <class Visitor>
Status ForEachTensor(const ModelConfig& config, ModelWeights* weights, Visitor&& visit) {
  const size_t d = config.d_model, e = config.expansion, s = config.key_size;
  const size_t n = config.lru_states, vocab = config.vocab_size;
  constexpr bool kProjection = true, kOther = false;  // whether Project reads it
  // A tensor made by `fold` from `sources`, f32 in the arena as [rows, cols].
  auto make = [](Fold fold, size_t rows, size_t cols, bool projection,
                 std::vector<FileTensor> sources, const float** to) {
    TensorSpec t{sources[0].name, rows, cols, Storage::kF32, projection, fold, {}, to, nullptr};
    t.sources = std::move(sources);
    return t;
  };
  // One file tensor as is (a vector is one row).
  auto copy = [&](std::string name, std::vector<size_t> shape, bool projection, const float** to) {
    const size_t rows = shape.size() == 2 ? shape[0] : 1, cols = shape.back();
    return make(Fold::kRows, rows, cols, projection, {{std::move(name), std::move(shape)}}, to);
  };
  // The tied embedding / head is the largest matrix and the head streams it
  // every token: the one row that may keep the file's half floats.
  TensorSpec embed = copy("embed.weight", {vocab, d}, kProjection, &weights->embed);
  embed.storage = Storage::kF16;
  embed.f16 = &weights->embed_f16;
  EDGEPIECE_RETURN_IF_ERROR(visit(embed));
  EDGEPIECE_RETURN_IF_ERROR(visit(copy("norm.weight", {d}, kOther, &weights->final_norm)));
  weights->layers.resize(config.layers.size());
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    LayerWeights& layer = weights->layers[i];
    layer.kind = config.layers[i];
    EDGEPIECE_RETURN_IF_ERROR(visit(copy(p + "norm.weight", {d}, kOther, &layer.norm)));
    GauWeights& g = layer.gau;
    LruWeights& r = layer.lru;
    const std::string q = p + (layer.kind == LayerKind::kGau ? "gau." : "lru.");
    // clang-format off
    const std::vector<TensorSpec> rows = layer.kind == LayerKind::kGau
        ? std::vector<TensorSpec>{
            copy(q + "w_in", {2 * e + s, d}, kProjection, &g.w_in),
            copy(q + "gamma", {4, s}, kOther, &g.gamma),
            copy(q + "beta", {4, s}, kOther, &g.beta),
            copy(q + "w_out", {d, e}, kProjection, &g.w_out)}
        : std::vector<TensorSpec>{
            make(Fold::kLruLambda, 2, n, kOther,
                 {{q + "nu_log", {n}}, {q + "theta_log", {n}}}, &r.lambda),
            make(Fold::kLruB, 2 * n, d, kProjection,
                 {{q + "b_re", {n, d}}, {q + "b_im", {n, d}}, {q + "gamma_log", {n}}}, &r.b),
            make(Fold::kLruC, d, 2 * n, kProjection,
                 {{q + "c_re", {d, n}}, {q + "c_im", {d, n}}}, &r.c),
            copy(q + "d", {d}, kOther, &r.skip),
            make(Fold::kRows, 2 * d, d, kProjection,
                 {{q + "w1", {d, d}}, {q + "w2", {d, d}}}, &r.glu)};
    // clang-format on
    for (const TensorSpec& t : rows) EDGEPIECE_RETURN_IF_ERROR(visit(t));
  }
  return Status::Ok();
}

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_WEIGHTS_LAYOUT_H_
