#include "runtime/model/model.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "hwy/targets.h"
#include "runtime/base/file.h"
#include "runtime/base/hash.h"
#include "runtime/model/safetensors.h"
#include "runtime/model/weights_layout.h"
#include "runtime/ops/matmul.h"

namespace edgepiece {
namespace {

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
// (runtime/ops/matmul.h): without FMA, outer-product kernels over them run
// prefill and decoding faster than dot products over row-major rows
// (docs/benchmarks.md, design measurements), whose every row stream needs its
// own address arithmetic in V8's code. Native builds keep row-major: their
// tiles use FMA and 8- or 16-lane vectors, which the panel kernels (sequential
// sums, a multiply then an add, four lanes) would give up.
#if defined(__wasm__)
constexpr bool kRowPanelsBuild = true;
#else
constexpr bool kRowPanelsBuild = false;
#endif

std::string ShapeString(const std::vector<size_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

// Validates the file against the config and fills the arena, walking the
// table of runtime/model/weights_layout.h. A class (not a function) so it
// can reach Model's private constructor and State.
class ModelLoader {
 public:
  ModelLoader(const SafetensorsFile& file, uint64_t fingerprint)
      : file_(file), fingerprint_(fingerprint) {}

  Result<Model> Load() {
    Result<ModelConfig> config = ModelConfig::FromMetadata(file_);
    EDGEPIECE_RETURN_IF_ERROR(config.status());
    auto state = std::make_shared<Model::State>();
    state->config = std::move(*config);
    state->fingerprint = fingerprint_;
    const ModelConfig& c = state->config;
    ModelWeights* weights = &state->weights;

    // Pass 1: every file tensor the table names, by name, shape and dtype;
    // the arena's size (64-bit: F16 doubles as f32, and with a 32-bit size_t
    // (WebAssembly) a 1 GB file could overflow the byte count).
    uint64_t floats = 0;
    size_t params = 0;
    EDGEPIECE_RETURN_IF_ERROR(ForEachTensor(c, weights, [&](const TensorSpec& t) {
      for (const FileTensor& source : t.sources) {
        EDGEPIECE_RETURN_IF_ERROR(Expect(source, t.storage));
        if (!source.scale) params += file_.Find(source.name)->num_elements;
      }
      floats += ArenaFloats(StorageOf(t), t.rows, t.cols, t.group);
      return Status::Ok();
    }));
    if (expected_names_.size() != file_.tensors().size()) {
      for (const TensorView& t : file_.tensors()) {
        if (!IsExpected(t.name)) {
          return Status(StatusCode::kInvalidModel,
                        "weights: unexpected tensor \"" + t.name + "\" for config " + c.Summary());
        }
      }
    }
    state->num_parameters = params;

    // Pass 2: convert and fold into the arena, in the table's order.
    if (floats > SIZE_MAX / sizeof(float)) {
      return Status(StatusCode::kOutOfMemory, "weights: the f32 arena exceeds the address space");
    }
    void* memory = std::aligned_alloc(kArenaAlignFloats * sizeof(float), floats * sizeof(float));
    if (memory == nullptr) {
      return Status(StatusCode::kOutOfMemory,
                    "weights: cannot allocate " + std::to_string(floats * 4) + " bytes");
    }
    state->arena = {static_cast<float*>(memory), std::free};
    state->arena_floats = static_cast<size_t>(floats);
    next_ = state->arena.get();
    end_ = next_ + floats;
    EDGEPIECE_RETURN_IF_ERROR(
        ForEachTensor(c, weights, [&](const TensorSpec& t) { return Fill(t); }));
    if (next_ != end_) {
      return Status(StatusCode::kInternal,
                    "weights: the tensors filled " + std::to_string(next_ - state->arena.get()) +
                        " of the arena's " + std::to_string(floats) + " floats");
    }

    // Pass 3: row panels, where the build wants them and every projection is
    // f32 (the kernels read all projections the same way).
    bool panels = kRowPanelsBuild;
    EDGEPIECE_RETURN_IF_ERROR(ForEachTensor(c, weights, [&](const TensorSpec& t) {
      if (t.projection && t.matrix->f32 == nullptr) panels = false;
      return Status::Ok();
    }));
    if (panels) {
      EDGEPIECE_RETURN_IF_ERROR(ForEachTensor(c, weights, [&](const TensorSpec& t) {
        // The arena is ours until the Model is returned.
        if (t.projection) PackRowPanels(const_cast<float*>(t.matrix->f32), t.rows, t.cols);
        return Status::Ok();
      }));
      state->row_panels = true;
    }
    return Model(std::move(state));
  }

 private:
  // A file tensor the config needs: present, shaped as the table says, and
  // of a dtype `storage` reads (a vector among an int8 row's sources, such
  // as B's gamma_log, is a float).
  Status Expect(const FileTensor& want, Storage storage) {
    if (storage == Storage::kI8 && want.shape.size() == 1 && !want.scale) storage = Storage::kF32;
    const TensorView* t = file_.Find(want.name);
    if (t == nullptr) {
      return Status(StatusCode::kInvalidModel, "weights: missing tensor \"" + want.name + "\"");
    }
    if (t->shape != want.shape) {
      return Status(StatusCode::kInvalidModel, "weights: tensor \"" + want.name + "\" has shape " +
                                                   ShapeString(t->shape) + ", the config needs " +
                                                   ShapeString(want.shape));
    }
    if (!AcceptsDType(StorageOf(storage, t->dtype), t->dtype, want.scale)) {
      return Status(StatusCode::kInvalidModel, "weights: tensor \"" + want.name + "\" has dtype " +
                                                   DTypeName(t->dtype) +
                                                   ", which its storage cannot read");
    }
    expected_names_.push_back(want.name);
    return Status::Ok();
  }

  bool IsExpected(const std::string& name) const {
    for (const std::string& n : expected_names_) {
      if (n == name) return true;
    }
    return false;
  }

  // The storage a row gets for a file dtype. The tied embedding is the
  // largest matrix and the head streams all of it every token: it keeps
  // the file's half floats (exact) where the CPU widens them in hardware
  // (x86 F16C), f32 elsewhere (WebAssembly has no conversion instruction).
  static Storage StorageOf(Storage wanted, DType dtype) {
    if (wanted == Storage::kF16 && (dtype != DType::kF16 || !HardwareHalfFloats())) {
      return Storage::kF32;
    }
    return wanted;
  }
  Storage StorageOf(const TensorSpec& t) const {
    return StorageOf(t.storage, file_.Find(t.sources[0].name)->dtype);
  }

  // The next `floats` arena floats (padded); null when they would run past
  // the size pass 1 computed, which only a table the passes read
  // differently could cause.
  float* Take(uint64_t floats) {
    if (floats > static_cast<uint64_t>(end_ - next_)) return nullptr;
    float* p = next_;
    next_ += floats;
    return p;
  }

  // Converts `name` to f32 at `out` and rejects NaN/inf weights: they would
  // only surface later as NaN logits, far from their cause.
  Status Convert(const std::string& name, float* out) {
    const TensorView& t = *file_.Find(name);
    ConvertToF32(t, out);
    for (size_t i = 0; i < t.num_elements; ++i) {
      if (!std::isfinite(out[i])) {
        return Status(StatusCode::kInvalidModel, "weights: tensor \"" + name + "\" element " +
                                                     std::to_string(i) + " is not finite");
      }
    }
    return Status::Ok();
  }

  // Makes one row's tensor in the arena and stores its address.
  Status Fill(const TensorSpec& t) {
    const Storage storage = StorageOf(t);
    float* dst = Take(ArenaFloats(storage, t.rows, t.cols, t.group));
    if (dst == nullptr) {
      return Status(StatusCode::kInternal, "weights: tensor \"" + t.name + "\" overruns the arena");
    }
    if (storage == Storage::kF16) {
      EDGEPIECE_RETURN_IF_ERROR(CopyHalves(t.name, reinterpret_cast<uint16_t*>(dst)));
      t.matrix->f16 = reinterpret_cast<const uint16_t*>(dst);
      return Status::Ok();
    }
    if (storage == Storage::kI8) return FillInt8(t, dst);
    const size_t n = t.cols / 2;  // LRU states, for the folds that stack re | im
    switch (t.fold) {
      case Fold::kRows: {
        size_t elements = 0;
        for (const FileTensor& source : t.sources) {
          elements += file_.Find(source.name)->num_elements;
        }
        if (elements != t.rows * t.cols) {
          return Status(StatusCode::kInternal,
                        "weights: the table's rows for \"" + t.name + "\" do not fill its shape");
        }
        float* at = dst;
        for (const FileTensor& source : t.sources) {
          EDGEPIECE_RETURN_IF_ERROR(Convert(source.name, at));
          at += file_.Find(source.name)->num_elements;
        }
        break;
      }
      case Fold::kLruLambda:
        EDGEPIECE_RETURN_IF_ERROR(FoldLambda(t, dst));
        break;
      case Fold::kLruB:
        EDGEPIECE_RETURN_IF_ERROR(FoldB(t, dst));
        break;
      case Fold::kLruC: {
        // Row i is [C_re[i, :] | -C_im[i, :]] so Re(C h) = C [h_re ; h_im].
        std::vector<float> re(t.rows * n), im(t.rows * n);
        EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[0].name, re.data()));
        EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[1].name, im.data()));
        for (size_t i = 0; i < t.rows; ++i) {
          for (size_t k = 0; k < n; ++k) {
            dst[i * 2 * n + k] = re[i * n + k];
            dst[i * 2 * n + n + k] = -im[i * n + k];
          }
        }
        break;
      }
    }
    if (t.matrix != nullptr) {
      t.matrix->f32 = dst;
    } else {
      *t.f32 = dst;
    }
    return Status::Ok();
  }

  // An int8 row: the folds of Fill on int8 rows and their scales (stacked
  // rows; B's rows times exp(gamma_log); C's rows [C_re | C_im] with the
  // imaginary part's scales negated), then the scales transposed to the
  // kernels' group-major [cols / G, rows] after the data.
  Status FillInt8(const TensorSpec& t, float* dst) {
    int8_t* data = reinterpret_cast<int8_t*>(dst);
    float* scales = dst + ArenaFloats(Storage::kI8, t.rows, t.cols, t.group) -
                    ArenaFloats(Storage::kF32, t.rows, t.cols / t.group);
    const size_t groups = t.cols / t.group;
    std::vector<float> row_scales(t.rows * groups);  // [rows, groups] while folding
    // Copies int8 source `k` (then its scales) to rows starting at `row0`,
    // columns starting at `col0`, scales times `sign`.
    auto place = [&](size_t k, size_t row0, size_t col0, float sign) -> Status {
      const TensorView& src = *file_.Find(t.sources[k].name);
      const size_t rows = src.shape[0], cols = src.shape[1], src_groups = cols / t.group;
      for (size_t r = 0; r < rows; ++r) {
        std::memcpy(data + (row0 + r) * t.cols + col0, src.data + r * cols, cols);
      }
      std::vector<float> s(rows * src_groups);
      EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[k + 1].name, s.data()));
      for (size_t r = 0; r < rows; ++r) {
        for (size_t g = 0; g < src_groups; ++g) {
          row_scales[(row0 + r) * groups + col0 / t.group + g] = sign * s[r * src_groups + g];
        }
      }
      return Status::Ok();
    };
    switch (t.fold) {
      case Fold::kRows: {
        size_t row = 0;
        for (size_t k = 0; k < t.sources.size(); k += 2) {
          EDGEPIECE_RETURN_IF_ERROR(place(k, row, 0, 1.0f));
          row += file_.Find(t.sources[k].name)->shape[0];
        }
        if (row != t.rows) {
          return Status(StatusCode::kInternal,
                        "weights: the table's rows for \"" + t.name + "\" do not fill its shape");
        }
        break;
      }
      case Fold::kLruB: {  // b_re, its scales, b_im, its scales, gamma_log
        const size_t n = t.rows / 2;
        EDGEPIECE_RETURN_IF_ERROR(place(0, 0, 0, 1.0f));
        EDGEPIECE_RETURN_IF_ERROR(place(2, n, 0, 1.0f));
        std::vector<float> gamma(n);
        EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[4].name, gamma.data()));
        for (size_t k = 0; k < n; ++k) {
          const float scale = static_cast<float>(std::exp(static_cast<double>(gamma[k])));
          for (size_t g = 0; g < groups; ++g) {
            row_scales[k * groups + g] *= scale;
            row_scales[(n + k) * groups + g] *= scale;
          }
        }
        break;
      }
      case Fold::kLruC:  // c_re, its scales, c_im, its scales
        EDGEPIECE_RETURN_IF_ERROR(place(0, 0, 0, 1.0f));
        EDGEPIECE_RETURN_IF_ERROR(place(2, 0, t.cols / 2, -1.0f));
        break;
      case Fold::kLruLambda:
        return Status(StatusCode::kInternal, "weights: lambda is not a matrix");
    }
    for (size_t r = 0; r < t.rows; ++r) {
      for (size_t g = 0; g < groups; ++g) scales[g * t.rows + r] = row_scales[r * groups + g];
    }
    t.matrix->i8 = data;
    t.matrix->scales = scales;
    t.matrix->group = t.group;
    return Status::Ok();
  }

  // lambda = exp(-exp(nu_log) + i exp(theta_log)), in double, rounded once:
  // row 0 the real parts, row 1 the imaginary ones.
  Status FoldLambda(const TensorSpec& t, float* dst) {
    const size_t n = t.cols;
    std::vector<float> nu(n), theta(n);
    EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[0].name, nu.data()));
    EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[1].name, theta.data()));
    for (size_t k = 0; k < n; ++k) {
      const double modulus = std::exp(-std::exp(static_cast<double>(nu[k])));
      const double phase = std::exp(static_cast<double>(theta[k]));
      dst[k] = static_cast<float>(modulus * std::cos(phase));
      dst[n + k] = static_cast<float>(modulus * std::sin(phase));
    }
    return Status::Ok();
  }

  // B: rows k (real) and N + k (imaginary), each scaled by exp(gamma_log[k]).
  Status FoldB(const TensorSpec& t, float* dst) {
    const size_t n = t.rows / 2, d = t.cols;
    EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[0].name, dst));
    EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[1].name, dst + n * d));
    std::vector<float> gamma(n);
    EDGEPIECE_RETURN_IF_ERROR(Convert(t.sources[2].name, gamma.data()));
    for (size_t k = 0; k < n; ++k) {
      const float scale = static_cast<float>(std::exp(static_cast<double>(gamma[k])));
      for (size_t j = 0; j < d; ++j) {
        dst[k * d + j] *= scale;
        dst[(n + k) * d + j] *= scale;
      }
    }
    return Status::Ok();
  }

  // Keeps an F16 tensor's bits, rejecting inf and NaN.
  Status CopyHalves(const std::string& name, uint16_t* dst) {
    const TensorView& t = *file_.Find(name);
    std::memcpy(dst, t.data, t.num_elements * sizeof(uint16_t));  // little-endian, as the file
    for (size_t i = 0; i < t.num_elements; ++i) {
      if ((dst[i] & 0x7c00) == 0x7c00) {
        return Status(StatusCode::kInvalidModel, "weights: tensor \"" + name + "\" element " +
                                                     std::to_string(i) + " is not finite");
      }
    }
    return Status::Ok();
  }

  const SafetensorsFile& file_;
  const uint64_t fingerprint_;
  std::vector<std::string> expected_names_;
  float* next_ = nullptr;
  float* end_ = nullptr;
};

Result<Model> Model::FromBytes(std::string_view bytes) {
  Result<SafetensorsFile> file =
      SafetensorsFile::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EDGEPIECE_RETURN_IF_ERROR(file.status());
  return ModelLoader(*file, Hash64(bytes.data(), bytes.size())).Load();
}

Result<Model> Model::FromFile(const std::string& path) {
  Result<FileView> view = FileView::Open(path);
  EDGEPIECE_RETURN_IF_ERROR(view.status());
  return FromBytes(view->contents());
}

}  // namespace edgepiece
