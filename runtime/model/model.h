// A loaded language model: immutable weights in one aligned arena,
// shareable by any number of Sessions (runtime/model/session.h).
//
// Load converts F16/BF16 to f32 once and precomputes the forms the kernels
// want (docs/model.md, "Runtime layout"): LRU lambda as (re, im), gamma folded
// into B, B_re/B_im stacked into one [2N, d] matrix, [C_re | -C_im] as one
// [d, 2N] matrix, W1/W2 stacked into [2d, d]. Every matrix is [out, in] like
// torch.nn.Linear, so a projection is one MatVec/MatMul; row-major, or row
// panels in the WebAssembly build (row_panels()).
#ifndef EDGEPIECE_RUNTIME_MODEL_MODEL_H_
#define EDGEPIECE_RUNTIME_MODEL_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/model/config.h"

namespace edgepiece {

// A projection matrix [rows, cols] (y = x W^T) in one of its storages:
// f32 (row-major, or row panels in WebAssembly: Model::row_panels), the
// file's half floats (the tied head only, where the CPU widens them), or
// int8 with an f32 scale per group of `group` columns of a row (docs/model.md,
// "Int8 weights"). Exactly one of f32, f16, i8 is set.
struct MatrixWeights {
  const float* f32 = nullptr;
  const uint16_t* f16 = nullptr;
  const int8_t* i8 = nullptr;     // [rows, cols] row-major
  const float* scales = nullptr;  // [cols / group, rows]: group-major (runtime/ops/matmul_i8.h)
  size_t group = 0;               // columns per scale (int8 only)
};

// Weights of one GAU block (views into the model's arena).
struct GauWeights {
  MatrixWeights w_in;            // [2e+s, d]: rows u | v | z
  const float* gamma = nullptr;  // [4, s]: q_quad, k_quad, q_lin, k_lin
  const float* beta = nullptr;   // [4, s]
  MatrixWeights w_out;           // [d, e]
};

// Weights of one LRU block, in load-time precomputed form.
struct LruWeights {
  const float* lambda = nullptr;  // [2, N]: re ; im
  MatrixWeights b;                // [2N, d]: exp(gamma_log) * B_re ; * B_im
  MatrixWeights c;                // [d, 2N]: C_re | -C_im
  const float* skip = nullptr;    // [d]: D
  MatrixWeights glu;              // [2d, d]: W1 ; W2
};

struct LayerWeights {
  LayerKind kind = LayerKind::kGau;
  const float* norm = nullptr;  // [d]: pre-norm RMSNorm gain
  GauWeights gau;
  LruWeights lru;
};

// Views of every weight a Model holds, into its arena (the tensors are listed
// once, in runtime/model/weights_layout.h).
struct ModelWeights {
  MatrixWeights embed;                // [V, d] the tied embedding / head
  const float* final_norm = nullptr;  // [d]
  std::vector<LayerWeights> layers;
};

class Model {
 public:
  // Parses a safetensors file's bytes (copied out: `bytes` may be freed).
  static Result<Model> FromBytes(std::string_view bytes);
  static Result<Model> FromFile(const std::string& path);

  const ModelConfig& config() const { return state_->config; }
  const std::vector<LayerWeights>& layers() const { return state_->weights.layers; }
  // The tied embedding / output head [V, d]: f32, or (where the CPU converts
  // half floats in hardware and the file stores F16) the file's half-float
  // bits, or int8 (embed_matrix()); exactly one of the three is non-null.
  const float* embed() const { return state_->weights.embed.f32; }
  const uint16_t* embed_f16() const { return state_->weights.embed.f16; }
  const MatrixWeights& embed_matrix() const { return state_->weights.embed; }
  // Whether the projection matrices and the head are int8 (config().int8_group > 0).
  bool int8() const { return state_->weights.embed.i8 != nullptr; }
  const float* final_norm() const { return state_->weights.final_norm; }  // [d]
  // Whether the f32 projection matrices (the head included) are stored as
  // row panels (runtime/ops/matmul.h) rather than row-major: the
  // WebAssembly build's layout, where model dimensions allow it.
  bool row_panels() const { return state_->row_panels; }
  // Parameters as stored in the file (before load-time folding).
  size_t num_parameters() const { return state_->num_parameters; }
  // Bytes of the weight arena (f32, the head's half floats if kept, int8 and scales).
  size_t weight_bytes() const { return state_->arena_floats * sizeof(float); }
  // Hash64 of the weights file's bytes (config and tensors): names the model
  // in session snapshots, the same natively and in WebAssembly (the arena's
  // layout differs between the two; the file does not).
  uint64_t fingerprint() const { return state_->fingerprint; }

 private:
  struct State {
    ModelConfig config;
    std::unique_ptr<float, void (*)(void*)> arena{nullptr, nullptr};
    size_t arena_floats = 0;
    size_t num_parameters = 0;
    bool row_panels = false;
    uint64_t fingerprint = 0;
    ModelWeights weights;
  };
  explicit Model(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  friend class ModelLoader;
  std::shared_ptr<const State> state_;  // shared: copies are cheap views
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_MODEL_H_
