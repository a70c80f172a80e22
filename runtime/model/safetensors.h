// Reader for the safetensors weights format (docs/model.md, "Weights file"):
// an 8-byte little-endian header length N, N bytes of JSON describing each
// tensor, then the raw little-endian tensor data. Parsing validates every
// dtype, shape and offset and returns views into the caller's bytes; no data
// is copied.
#ifndef EDGEPIECE_RUNTIME_MODEL_SAFETENSORS_H_
#define EDGEPIECE_RUNTIME_MODEL_SAFETENSORS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece {

// Element types the runtime can load: floats, and I8 for int8 weights
// (docs/model.md, "Int8 weights"). Other safetensors dtypes (I32, F64, ...)
// are rejected by Parse.
enum class DType { kF32, kF16, kBF16, kI8 };

// The dtype's name as written in safetensors headers ("F32", "F16", "BF16", "I8").
const char* DTypeName(DType dtype);

// Bytes per element: 4 for F32, 2 for F16 and BF16, 1 for I8.
size_t DTypeSize(DType dtype);

// One tensor inside a safetensors file's bytes.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<size_t> shape;      // [rank], row-major; empty for a scalar
  size_t num_elements = 0;        // product of shape (1 for shape [])
  const uint8_t* data = nullptr;  // [num_bytes] into the caller's buffer; NOT aligned
  size_t num_bytes = 0;           // num_elements * DTypeSize(dtype)
};

// A parsed, validated safetensors file: tensor views and header metadata.
class SafetensorsFile {
 public:
  // Largest accepted JSON header; the reference implementation's limit.
  static constexpr size_t kMaxHeaderBytes = 100'000'000;

  // Parses and validates the header of the `size` bytes at `data`, which
  // must outlive the returned object (views point into them). Errors:
  // kMalformedJson for JSON syntax, kOutOfMemory for a header over
  // kMaxHeaderBytes, kInvalidModel for any other content problem.
  static Result<SafetensorsFile> Parse(const uint8_t* data, size_t size);
  // The same over bytes such as FileView::contents().
  static Result<SafetensorsFile> Parse(std::string_view bytes);

  // All tensors, sorted by name (byte-wise), whatever the header's order.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  // The tensor called `name`, or nullptr if there is none.
  const TensorView* Find(std::string_view name) const;
  // The "__metadata__" value for `key`, or nullptr if absent.
  const std::string* Metadata(std::string_view key) const;
  // All "__metadata__" entries, in header order.
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }

 private:
  std::vector<TensorView> tensors_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

// Writes the tensor's num_elements values to `out` as float32. F16, BF16 and
// I8 convert exactly (subnormals, infinities, signed zeros and NaN payloads
// kept). The source may be unaligned.
void ConvertToF32(const TensorView& tensor, float* out);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_SAFETENSORS_H_
