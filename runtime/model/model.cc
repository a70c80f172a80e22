#include "runtime/model/model.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "runtime/base/file.h"
#include "runtime/model/safetensors.h"
#include "runtime/ops/matmul.h"
#include "hwy/targets.h"

namespace edgepiece {
namespace {

// Every tensor starts on a 64-byte boundary (a cache line, and the widest
// vector): kernels may use aligned loads on row 0 of any matrix.
constexpr size_t kAlignFloats = 16;

// True where the best SIMD target converts half floats in hardware (x86
// F16C, part of Highway's AVX2 and AVX3 targets). WebAssembly has no such
// instruction: there half-float weights slow decoding down (docs/benchmarks.md,
// design measurements), so it keeps f32. The WASM build has no
// hwy::SupportedTargets (no libhwy).
bool HardwareHalfFloats() {
#if HWY_ARCH_X86
  return (hwy::SupportedTargets() & (HWY_AVX2 | HWY_AVX3 | HWY_AVX3_DL)) != 0;
#else
  return false;
#endif
}

// The WebAssembly build stores projection matrices as row panels
// (runtime/ops/matmul.h): decoding is faster on them than on row-major
// tiles of the same four rows (docs/benchmarks.md, design measurements),
// because each row stream would otherwise need its own 32-bit address
// arithmetic in V8's code and its own prefetch stream. Native builds keep
// row-major: their dispatched vectors are wider than a panel's four columns.
#if defined(__wasm__)
constexpr bool kRowPanelsBuild = true;
#else
constexpr bool kRowPanelsBuild = false;
#endif

size_t Padded(size_t floats) { return (floats + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

std::string ShapeString(const std::vector<size_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

// Validates the file against the config and fills the arena. A class (not a
// function) so it can reach Model's private constructor and State.
class ModelLoader {
 public:
  explicit ModelLoader(const SafetensorsFile& file) : file_(file) {}

  Result<Model> Load() {
    Result<ModelConfig> config = ModelConfig::FromMetadata(file_);
    EDGEPIECE_RETURN_IF_ERROR(config.status());
    auto state = std::make_shared<Model::State>();
    state->config = std::move(*config);
    const ModelConfig& c = state->config;
    const size_t d = c.d_model, e = c.expansion, s = c.key_size, n = c.lru_states;
    const size_t vocab = c.vocab_size;

    // Pass 1: the expected tensors, checked by name and shape; the arena's size.
    EDGEPIECE_RETURN_IF_ERROR(Expect("embed.weight", {vocab, d}));
    // The tied embedding is the largest matrix and the head streams all of
    // it every token: kept as the file's half floats (exact) where the CPU
    // widens them in hardware (x86 F16C), as f32 elsewhere (WebAssembly has
    // no conversion instruction).
    const bool half_embed =
        file_.Find("embed.weight")->dtype == DType::kF16 && HardwareHalfFloats();
    size_t floats = (half_embed ? Padded((vocab * d + 1) / 2) : Padded(vocab * d)) + Padded(d);
    EDGEPIECE_RETURN_IF_ERROR(Expect("norm.weight", {d}));
    for (size_t i = 0; i < c.layers.size(); ++i) {
      const std::string p = "layers." + std::to_string(i) + ".";
      EDGEPIECE_RETURN_IF_ERROR(Expect(p + "norm.weight", {d}));
      floats += Padded(d);
      if (c.layers[i] == LayerKind::kGau) {
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "gau.w_in", {2 * e + s, d}));
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "gau.gamma", {4, s}));
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "gau.beta", {4, s}));
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "gau.w_out", {d, e}));
        floats += Padded((2 * e + s) * d) + 2 * Padded(4 * s) + Padded(d * e);
      } else {
        for (const char* name : {"nu_log", "theta_log", "gamma_log"}) {
          EDGEPIECE_RETURN_IF_ERROR(Expect(p + "lru." + name, {n}));
        }
        for (const char* name : {"b_re", "b_im"}) {
          EDGEPIECE_RETURN_IF_ERROR(Expect(p + "lru." + name, {n, d}));
        }
        for (const char* name : {"c_re", "c_im"}) {
          EDGEPIECE_RETURN_IF_ERROR(Expect(p + "lru." + name, {d, n}));
        }
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "lru.d", {d}));
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "lru.w1", {d, d}));
        EDGEPIECE_RETURN_IF_ERROR(Expect(p + "lru.w2", {d, d}));
        floats += 2 * Padded(n) + 2 * Padded(2 * n * d) + Padded(d) + Padded(2 * d * d);
      }
    }
    if (expected_names_.size() != file_.tensors().size()) {
      for (const TensorView& t : file_.tensors()) {
        if (!IsExpected(t.name)) {
          return Status(StatusCode::kInvalidModel,
                        "weights: unexpected tensor \"" + t.name + "\" for config " + c.Summary());
        }
      }
    }

    // Pass 2: convert into the arena, folding the LRU parameters. Every
    // tensor's bytes are in the file, but F16 doubles as f32: with a 32-bit
    // size_t (WebAssembly) a 1 GB file could overflow the byte count.
    if (floats > SIZE_MAX / sizeof(float)) {
      return Status(StatusCode::kOutOfMemory, "weights: the f32 arena exceeds the address space");
    }
    void* memory = std::aligned_alloc(kAlignFloats * sizeof(float), floats * sizeof(float));
    if (memory == nullptr) {
      return Status(StatusCode::kOutOfMemory,
                    "weights: cannot allocate " + std::to_string(floats * 4) + " bytes");
    }
    state->arena = {static_cast<float*>(memory), std::free};
    state->arena_floats = floats;
    next_ = state->arena.get();
    if (half_embed) {
      EDGEPIECE_RETURN_IF_ERROR(CopyHalves("embed.weight", &state->embed_f16));
    } else {
      EDGEPIECE_RETURN_IF_ERROR(Copy("embed.weight", &state->embed));
    }
    EDGEPIECE_RETURN_IF_ERROR(Copy("norm.weight", &state->final_norm));
    for (size_t i = 0; i < c.layers.size(); ++i) {
      const std::string p = "layers." + std::to_string(i) + ".";
      LayerWeights layer;
      layer.kind = c.layers[i];
      EDGEPIECE_RETURN_IF_ERROR(Copy(p + "norm.weight", &layer.norm));
      if (layer.kind == LayerKind::kGau) {
        EDGEPIECE_RETURN_IF_ERROR(Copy(p + "gau.w_in", &layer.gau.w_in));
        EDGEPIECE_RETURN_IF_ERROR(Copy(p + "gau.gamma", &layer.gau.gamma));
        EDGEPIECE_RETURN_IF_ERROR(Copy(p + "gau.beta", &layer.gau.beta));
        EDGEPIECE_RETURN_IF_ERROR(Copy(p + "gau.w_out", &layer.gau.w_out));
      } else {
        EDGEPIECE_RETURN_IF_ERROR(FoldLru(p + "lru.", n, d, &layer.lru));
      }
      state->layers.push_back(layer);
    }
    // Panels need every projection's columns in whole groups of four.
    const bool gau_cols = c.CountLayers(LayerKind::kGau) == 0 || e % kPanelLanes == 0;
    const bool lru_cols = c.CountLayers(LayerKind::kLru) == 0 || (2 * n) % kPanelLanes == 0;
    if (kRowPanelsBuild && state->embed != nullptr && d % kPanelLanes == 0 && gau_cols &&
        lru_cols) {
      PackMatrices(state.get());
    }
    size_t params = 0;
    for (const TensorView& t : file_.tensors()) params += t.num_elements;
    state->num_parameters = params;
    return Model(std::move(state));
  }

 private:
  Status Expect(const std::string& name, std::vector<size_t> shape) {
    const TensorView* t = file_.Find(name);
    if (t == nullptr) {
      return Status(StatusCode::kInvalidModel, "weights: missing tensor \"" + name + "\"");
    }
    if (t->shape != shape) {
      return Status(StatusCode::kInvalidModel,
                    "weights: tensor \"" + name + "\" has shape " + ShapeString(t->shape) +
                        ", the config needs " + ShapeString(shape));
    }
    expected_names_.push_back(name);
    return Status::Ok();
  }

  bool IsExpected(const std::string& name) const {
    for (const std::string& n : expected_names_) {
      if (n == name) return true;
    }
    return false;
  }

  // Converts `name` to f32 at `out` and rejects NaN/inf weights: they would
  // only surface later as NaN logits, far from their cause.
  Status Convert(const std::string& name, float* out) {
    const TensorView& t = *file_.Find(name);
    ConvertToF32(t, out);
    for (size_t i = 0; i < t.num_elements; ++i) {
      if (!std::isfinite(out[i])) {
        return Status(StatusCode::kInvalidModel,
                      "weights: tensor \"" + name + "\" element " + std::to_string(i) +
                          " is not finite");
      }
    }
    return Status::Ok();
  }

  float* Take(size_t count) {
    float* p = next_;
    next_ += Padded(count);
    return p;
  }

  Status Copy(const std::string& name, const float** out) {
    float* dst = Take(file_.Find(name)->num_elements);
    EDGEPIECE_RETURN_IF_ERROR(Convert(name, dst));
    *out = dst;
    return Status::Ok();
  }

  // Keeps an F16 tensor's bits (2 per arena float), rejecting inf and NaN.
  Status CopyHalves(const std::string& name, const uint16_t** out) {
    const TensorView& t = *file_.Find(name);
    uint16_t* dst = reinterpret_cast<uint16_t*>(Take((t.num_elements + 1) / 2));
    std::memcpy(dst, t.data, t.num_elements * sizeof(uint16_t));  // little-endian, as the file
    for (size_t i = 0; i < t.num_elements; ++i) {
      if ((dst[i] & 0x7c00) == 0x7c00) {
        return Status(StatusCode::kInvalidModel, "weights: tensor \"" + name + "\" element " +
                                                     std::to_string(i) + " is not finite");
      }
    }
    *out = dst;
    return Status::Ok();
  }

  // Every matrix a projection reads (Project in forward.cc), as row panels.
  void PackMatrices(Model::State* state) {
    const ModelConfig& c = state->config;
    const size_t d = c.d_model, e = c.expansion, s = c.key_size, n = c.lru_states;
    auto pack = [](const float* w, size_t rows, size_t cols) {
      PackRowPanels(const_cast<float*>(w), rows, cols);  // the arena is ours until returned
    };
    if (state->embed != nullptr) pack(state->embed, c.vocab_size, d);
    for (LayerWeights& layer : state->layers) {
      if (layer.kind == LayerKind::kGau) {
        pack(layer.gau.w_in, 2 * e + s, d);
        pack(layer.gau.w_out, d, e);
      } else {
        pack(layer.lru.b, 2 * n, d);
        pack(layer.lru.c, d, 2 * n);
        pack(layer.lru.glu, 2 * d, d);
      }
    }
    state->row_panels = true;
  }

  Status FoldLru(const std::string& p, size_t n, size_t d, LruWeights* w) {
    std::vector<float> nu(n), theta(n), gamma(n), re(n * d), im(n * d);
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "nu_log", nu.data()));
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "theta_log", theta.data()));
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "gamma_log", gamma.data()));
    // lambda = exp(-exp(nu_log) + i exp(theta_log)), in double, rounded once.
    float* lambda_re = Take(n);
    float* lambda_im = Take(n);
    for (size_t k = 0; k < n; ++k) {
      const double modulus = std::exp(-std::exp(static_cast<double>(nu[k])));
      const double phase = std::exp(static_cast<double>(theta[k]));
      lambda_re[k] = static_cast<float>(modulus * std::cos(phase));
      lambda_im[k] = static_cast<float>(modulus * std::sin(phase));
    }
    // B: rows k (real) and N + k (imaginary), each scaled by exp(gamma_log[k]).
    float* b = Take(2 * n * d);
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "b_re", re.data()));
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "b_im", im.data()));
    for (size_t k = 0; k < n; ++k) {
      const float scale = static_cast<float>(std::exp(static_cast<double>(gamma[k])));
      for (size_t j = 0; j < d; ++j) {
        b[k * d + j] = re[k * d + j] * scale;
        b[(n + k) * d + j] = im[k * d + j] * scale;
      }
    }
    // C: row i is [C_re[i, :] | -C_im[i, :]] so Re(C h) = C [h_re ; h_im].
    float* c = Take(2 * n * d);
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "c_re", re.data()));
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "c_im", im.data()));
    for (size_t i = 0; i < d; ++i) {
      for (size_t k = 0; k < n; ++k) {
        c[i * 2 * n + k] = re[i * n + k];
        c[i * 2 * n + n + k] = -im[i * n + k];
      }
    }
    const float* skip = nullptr;
    EDGEPIECE_RETURN_IF_ERROR(Copy(p + "d", &skip));
    float* glu = Take(2 * d * d);
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "w1", glu));
    EDGEPIECE_RETURN_IF_ERROR(Convert(p + "w2", glu + d * d));
    *w = {lambda_re, lambda_im, b, c, skip, glu};
    return Status::Ok();
  }

  const SafetensorsFile& file_;
  std::vector<std::string> expected_names_;
  float* next_ = nullptr;
};

Result<Model> Model::FromBytes(std::string_view bytes) {
  Result<SafetensorsFile> file =
      SafetensorsFile::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EDGEPIECE_RETURN_IF_ERROR(file.status());
  return ModelLoader(*file).Load();
}

Result<Model> Model::FromFile(const std::string& path) {
  Result<FileView> view = FileView::Open(path);
  EDGEPIECE_RETURN_IF_ERROR(view.status());
  return FromBytes(view->contents());
}

}  // namespace edgepiece
