#include "runtime/model/safetensors.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "runtime/base/half.h"
#include "runtime/base/memory.h"

namespace edgepiece {
namespace {

Status ModelError(std::string what) { return Status(StatusCode::kInvalidModel, std::move(what)); }

// Names and values come from the file: bound what reaches a message.
std::string Clip(std::string_view text) {
  constexpr size_t kMax = 80;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}
std::string Quoted(std::string_view text) { return "\"" + Clip(text) + "\""; }

// Reads a dimension or an offset. Any failure (a string, 2.5, -1, 2^64) is
// reported with the offending JSON text.
Status ReadIndex(simdjson::dom::element value, const std::string& what, uint64_t* out) {
  int64_t number = -1;
  if (value.get_int64().get(number) == simdjson::SUCCESS && number >= 0) {
    *out = static_cast<uint64_t>(number);
    return Status::Ok();
  }
  return ModelError(what + " " + Clip(simdjson::minify(value)) + " is not an integer in [0, 2^63)");
}

// Reads a JSON array of indices: a shape, or data_offsets.
Status ReadIndices(simdjson::dom::element value, const std::string& what,
                   std::vector<uint64_t>* out) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) return ModelError(what + " must be an array");
  for (simdjson::dom::element element : array) {
    out->emplace_back();
    EDGEPIECE_RETURN_IF_ERROR(ReadIndex(element, what + " entry", &out->back()));
  }
  return Status::Ok();
}

std::string ListString(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

// A header entry before the file-wide checks.
struct ParsedTensor {
  TensorView view;
  uint64_t begin = 0, end = 0;  // data_offsets, relative to the data section
};

Status ParseDType(std::string_view name, const std::string& where, DType* out) {
  for (DType dtype : {DType::kF32, DType::kF16, DType::kBF16, DType::kI8}) {
    if (name == DTypeName(dtype)) {
      *out = dtype;
      return Status::Ok();
    }
  }
  return ModelError(where + ": dtype " + Quoted(name) +
                    " is not supported (F32, F16, BF16, I8 are)");
}

// Parses one {"dtype", "shape", "data_offsets"} entry and checks it against
// itself and the data section's size.
Status ParseTensor(simdjson::dom::element value, size_t data_size, ParsedTensor* tensor) {
  const std::string where = "tensor " + Quoted(tensor->view.name);
  simdjson::dom::object entry;
  if (value.get_object().get(entry)) {
    return ModelError(where + " must be an object {dtype, shape, data_offsets}");
  }
  bool has_dtype = false, has_shape = false, has_offsets = false;
  std::vector<uint64_t> shape, offsets;
  for (simdjson::dom::key_value_pair field : entry) {
    const std::string_view key = field.key;
    bool* seen = key == "dtype"          ? &has_dtype
                 : key == "shape"        ? &has_shape
                 : key == "data_offsets" ? &has_offsets
                                         : nullptr;
    if (seen == nullptr) continue;  // unknown keys: the format does not forbid them
    if (*seen) return ModelError(where + ": \"" + std::string(key) + "\" appears twice");
    *seen = true;
    if (seen == &has_dtype) {
      std::string_view dtype;
      if (field.value.get_string().get(dtype))
        return ModelError(where + ": dtype must be a string");
      EDGEPIECE_RETURN_IF_ERROR(ParseDType(dtype, where, &tensor->view.dtype));
    } else {
      EDGEPIECE_RETURN_IF_ERROR(ReadIndices(field.value, where + ": " + std::string(key),
                                            seen == &has_shape ? &shape : &offsets));
    }
  }
  const char* missing = !has_dtype     ? "dtype"
                        : !has_shape   ? "shape"
                        : !has_offsets ? "data_offsets"
                                       : nullptr;
  if (missing != nullptr) return ModelError(where + ": missing \"" + missing + "\"");
  const std::string dtype_name = DTypeName(tensor->view.dtype);
  // Checked products: a hostile shape must not wrap around to a small size.
  // Each dimension must also fit size_t (32 bits in WebAssembly), even
  // beside a 0 that makes the product small.
  uint64_t elements = 1, bytes = 0;
  bool overflow = false;
  for (const uint64_t dim : shape) {
    overflow = overflow || static_cast<size_t>(dim) != dim ||
               __builtin_mul_overflow(elements, dim, &elements);
  }
  if (overflow || __builtin_mul_overflow(elements, DTypeSize(tensor->view.dtype), &bytes)) {
    return ModelError(where + ": shape " + ListString(shape) + " of " + dtype_name +
                      " overflows the byte size");
  }
  if (offsets.size() != 2 || offsets[0] > offsets[1]) {
    return ModelError(where + ": data_offsets " + ListString(offsets) +
                      " must be two ordered integers [begin, end]");
  }
  if (offsets[1] > data_size) {
    return ModelError(where + ": data_offsets " + ListString(offsets) + " end past the " +
                      std::to_string(data_size) + "-byte data section (truncated file?)");
  }
  if (offsets[1] - offsets[0] != bytes) {
    return ModelError(where + ": data_offsets " + ListString(offsets) + " but shape " +
                      ListString(shape) + " of " + dtype_name + " needs " + std::to_string(bytes) +
                      " bytes");
  }
  // Every value now fits in size_t: bytes <= data_size.
  tensor->view.shape.assign(shape.begin(), shape.end());
  tensor->view.num_elements = static_cast<size_t>(elements);
  tensor->view.num_bytes = static_cast<size_t>(bytes);
  tensor->begin = offsets[0];
  tensor->end = offsets[1];
  return Status::Ok();
}

Status ParseMetadata(simdjson::dom::element value,
                     std::vector<std::pair<std::string, std::string>>* out) {
  simdjson::dom::object object;
  if (value.get_object().get(object)) {
    return ModelError("__metadata__ must be an object of strings");
  }
  for (simdjson::dom::key_value_pair field : object) {
    std::string_view text;
    if (field.value.get_string().get(text)) {
      return ModelError("__metadata__ " + Quoted(field.key) + " must be a string");
    }
    out->emplace_back(std::string(field.key), std::string(text));
  }
  std::vector<std::string_view> keys;
  for (const auto& entry : *out) keys.push_back(entry.first);
  std::sort(keys.begin(), keys.end());
  const auto twice = std::adjacent_find(keys.begin(), keys.end());
  if (twice != keys.end()) {
    return ModelError("__metadata__ key " + Quoted(*twice) + " appears twice");
  }
  return Status::Ok();
}

}  // namespace

const char* DTypeName(DType dtype) {
  static const char* const kNames[] = {"F32", "F16", "BF16", "I8"};  // in DType order
  return kNames[static_cast<int>(dtype)];
}

size_t DTypeSize(DType dtype) { return dtype == DType::kF32 ? 4 : dtype == DType::kI8 ? 1 : 2; }

Result<SafetensorsFile> SafetensorsFile::Parse(std::string_view bytes) {
  return Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

Result<SafetensorsFile> SafetensorsFile::Parse(const uint8_t* data, size_t size) {
  if (size < 8) {
    return ModelError("file has " + std::to_string(size) +
                      " bytes, fewer than the 8-byte header length");
  }
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = header_size << 8 | data[i];
  // Compared, never added: a corrupt length near 2^64 must not wrap.
  if (header_size > size - 8) {
    return ModelError("header length " + std::to_string(header_size) + " exceeds the " +
                      std::to_string(size - 8) + " bytes that follow it (truncated file?)");
  }
  if (header_size > kMaxHeaderBytes) {
    return Status(StatusCode::kOutOfMemory,
                  "header length " + std::to_string(header_size) + " exceeds the limit of " +
                      std::to_string(kMaxHeaderBytes) + " bytes (a guard against corrupt files)");
  }
  // The header's copy, simdjson's DOM (about 6 bytes per header byte) and the tensor
  // table: a failed std::vector allocation would abort (memory.h).
  EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation(10 * header_size + (1 << 16), "safetensors header"));
  const uint8_t* section = data + 8 + header_size;
  const size_t section_size = size - 8 - static_cast<size_t>(header_size);

  // simdjson reads up to SIMDJSON_PADDING bytes past the input, and the
  // header is followed by tensor data or the buffer's end: copy it.
  simdjson::padded_string json(reinterpret_cast<const char*>(data + 8), header_size);
  if (json.data() == nullptr) return Status(StatusCode::kOutOfMemory, "copying the header");
  // The DOM parser, unlike On Demand (vocab.cc), validates the whole
  // document up front: values we skip are checked too, and a syntax error is
  // reported as such wherever it is. Headers are small; the 100 MB limit
  // bounds its ~15 bytes of memory per header byte.
  simdjson::dom::parser parser;
  simdjson::dom::element root_element;
  simdjson::dom::object root;
  if (auto error = parser.parse(json).get(root_element)) {
    return Status(
        error == simdjson::MEMALLOC ? StatusCode::kOutOfMemory : StatusCode::kMalformedJson,
        std::string("header is not valid JSON: ") + simdjson::error_message(error));
  }
  if (root_element.get_object().get(root)) return ModelError("header must be a JSON object");
  SafetensorsFile file;
  std::vector<ParsedTensor> parsed;
  bool has_metadata = false;
  for (simdjson::dom::key_value_pair field : root) {
    if (field.key == "__metadata__") {
      if (has_metadata) return ModelError("__metadata__ appears twice");
      has_metadata = true;
      EDGEPIECE_RETURN_IF_ERROR(ParseMetadata(field.value, &file.metadata_));
      continue;
    }
    parsed.emplace_back();
    parsed.back().view.name = std::string(field.key);
    EDGEPIECE_RETURN_IF_ERROR(ParseTensor(field.value, section_size, &parsed.back()));
  }

  std::sort(parsed.begin(), parsed.end(),
            [](const ParsedTensor& a, const ParsedTensor& b) { return a.view.name < b.view.name; });
  for (size_t i = 1; i < parsed.size(); ++i) {
    if (parsed[i].view.name == parsed[i - 1].view.name) {
      return ModelError("tensor " + Quoted(parsed[i].view.name) + " appears twice");
    }
  }
  // Like the reference implementation, require the tensors to tile the data
  // section exactly: no overlaps (aliasing), no gaps, no trailing bytes, so
  // a truncated or spliced file fails here rather than loading garbage.
  // Sorting by (begin, end) puts empty tensors before one at the same offset.
  std::vector<const ParsedTensor*> by_offset;
  for (const ParsedTensor& tensor : parsed) by_offset.push_back(&tensor);
  std::sort(by_offset.begin(), by_offset.end(), [](const ParsedTensor* a, const ParsedTensor* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t covered = 0;
  const ParsedTensor* previous = nullptr;
  for (const ParsedTensor* tensor : by_offset) {
    if (tensor->begin != covered) {
      const std::string name = "tensor " + Quoted(tensor->view.name);
      const std::string offsets = ListString({tensor->begin, tensor->end});
      if (tensor->begin < covered) {
        return ModelError(name + ": data_offsets " + offsets + " overlap tensor " +
                          Quoted(previous->view.name) + " " +
                          ListString({previous->begin, previous->end}));
      }
      return ModelError("data bytes [" + std::to_string(covered) + ", " +
                        std::to_string(tensor->begin) + ") belong to no tensor (gap before " +
                        name + " " + offsets + ")");
    }
    covered = tensor->end;
    previous = tensor;
  }
  if (covered != section_size) {
    return ModelError("data section has " + std::to_string(section_size) +
                      " bytes but the tensors cover only " + std::to_string(covered));
  }
  file.tensors_.reserve(parsed.size());
  for (ParsedTensor& tensor : parsed) {
    tensor.view.data = section + tensor.begin;
    file.tensors_.push_back(std::move(tensor.view));
  }
  return file;
}

const TensorView* SafetensorsFile::Find(std::string_view name) const {
  const auto it = std::lower_bound(
      tensors_.begin(), tensors_.end(), name,
      [](const TensorView& tensor, std::string_view key) { return tensor.name < key; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

const std::string* SafetensorsFile::Metadata(std::string_view key) const {
  for (const auto& entry : metadata_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

void ConvertToF32(const TensorView& tensor, float* out) {
  const size_t n = tensor.num_elements;
  if (n == 0) return;  // data may be one past the end: nothing to read
  const uint8_t* src = tensor.data;
  switch (tensor.dtype) {
    case DType::kF32:  // safetensors is little-endian, as are x86, ARM and WebAssembly
      std::memcpy(out, src, n * sizeof(float));
      return;
    case DType::kF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t half;
        std::memcpy(&half, src + 2 * i, sizeof(half));
        out[i] = HalfToFloat(half);
      }
      return;
    case DType::kBF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t upper;
        std::memcpy(&upper, src + 2 * i, sizeof(upper));
        const uint32_t bits = static_cast<uint32_t>(upper) << 16;
        std::memcpy(&out[i], &bits, sizeof(bits));
      }
      return;
    case DType::kI8:
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(src[i]);
      return;
  }
}

}  // namespace edgepiece
