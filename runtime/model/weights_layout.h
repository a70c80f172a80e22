// The weights layout, written once: every tensor a Model holds, with its
// shape and storage in the arena, whether kernels read it as a projection,
// and the file tensors (names and shapes, docs/model.md) it is made from.
// The loader (model.cc) walks this one table four times: to validate a
// file's tensors, to size the arena, to fill it (converting and folding) and
// to pack the projections; nothing else restates a tensor's name or shape.
//
// ForEachTensor calls a visitor once per row, in arena order (the shape of
// gemma.cpp's weights.h). Adding a tensor is one row here. Adding a tensor
// *kind* is one Storage value (its arena size in ArenaFloats, its dtypes in
// AcceptsDType, its copy in the loader's Fill). Int8 weights are one: with a
// config that says int8, every matrix row is stored kI8 and each of its
// matrix sources is followed by its scales: {p + "w1", {d, d}},
// {p + "w1_scale", {d, d / G}}.
#ifndef EDGEPIECE_RUNTIME_MODEL_WEIGHTS_LAYOUT_H_
#define EDGEPIECE_RUNTIME_MODEL_WEIGHTS_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
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
  // Int8 [rows, cols] (four per arena float), then f32 scales [cols / G,
  // rows] group-major (runtime/ops/matmul_i8.h), from I8 data and F16/F32
  // scales (a file whose config says int8).
  kI8,
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
  bool scale = false;  // the scales of the int8 source before it (F16 or F32)
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
  // Where the loader puts the address: a vector's, or (matrices, which
  // every storage may hold) the matrix's.
  const float** f32 = nullptr;
  MatrixWeights* matrix = nullptr;
  size_t group = 0;  // kI8: columns per scale
};

// Arena floats of a tensor of `rows` x `cols` kept as `storage` (kI8:
// `group` columns per scale), each part padded to the alignment.
inline uint64_t ArenaFloats(Storage storage, uint64_t rows, uint64_t cols, uint64_t group = 0) {
  auto pad = [](uint64_t floats) {
    return (floats + kArenaAlignFloats - 1) / kArenaAlignFloats * kArenaAlignFloats;
  };
  const uint64_t elements = rows * cols;
  switch (storage) {
    case Storage::kF32:
      return pad(elements);
    case Storage::kF16:
      return pad((elements + 1) / 2);
    case Storage::kI8:
      return pad((elements + 3) / 4) + pad(rows * (cols / group));
  }
  return 0;
}

// Whether a file tensor of `dtype` can be a source of `storage`: the float
// storages read float dtypes (kF16 only F16); kI8 reads I8 data and F16 or
// F32 scales (`scale`).
inline bool AcceptsDType(Storage storage, DType dtype, bool scale = false) {
  switch (storage) {
    case Storage::kF32:
      return dtype != DType::kI8;
    case Storage::kF16:
      return dtype == DType::kF16;
    case Storage::kI8:
      return scale ? dtype == DType::kF16 || dtype == DType::kF32 : dtype == DType::kI8;
  }
  return false;
}

// Calls `visit` for every tensor of a model with `config`, stopping at the
// first error it returns. The rows' address slots point into `weights`,
// whose layers it sizes and labels. One definition (weights_layout.cc), not a
// template: the table is built in one place of the module however many
// passes walk it (a template made one copy per pass, +34 KB of WebAssembly).
using TensorVisitor = std::function<Status(const TensorSpec&)>;
Status ForEachTensor(const ModelConfig& config, ModelWeights* weights, const TensorVisitor& visit);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_WEIGHTS_LAYOUT_H_
