#include "runtime/model/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "runtime/base/half.h"
#include "runtime/model/config.h"
#include "runtime/model/model.h"
#include "runtime/model/weights_layout.h"
#include "runtime/ops/matmul_i8.h"

namespace edgepiece {
namespace {

// Half-float bits of f, rounded to nearest even, for |f| in the normal
// range [2^-14, 65504] (the caller checks the result converts back finite).
uint16_t FloatToHalfNormal(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint32_t sign = (bits >> 16) & 0x8000;
  uint32_t exponent = ((bits >> 23) & 0xff) - 127 + 15;
  const uint32_t mantissa = bits & 0x7fffff;
  uint32_t m = mantissa >> 13;
  const uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (m & 1))) ++m;
  if (m == 0x400) {
    m = 0;
    ++exponent;
  }
  return static_cast<uint16_t>(sign | (exponent << 10) | m);
}

// Whether every scale is zero or a normal half float after rounding.
bool FitsHalf(const std::vector<float>& scales) {
  for (float s : scales) {
    if (s == 0.0f) continue;
    if (!(s >= 6.103515625e-05f && s <= 65504.0f)) return false;
    if (!std::isfinite(HalfToFloat(FloatToHalfNormal(s)))) return false;
  }
  return true;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A tensor of the output file.
struct OutTensor {
  std::string name;
  const char* dtype;
  std::vector<size_t> shape;
  std::string bytes;
};

// Symmetric int8 of w [rows, cols] with a scale per group of columns:
// scale = max |w| / 127 (as stored, F16 when it fits), q = round(w / scale).
void QuantizeMatrix(const TensorView& t, size_t group, std::vector<OutTensor>* out) {
  const size_t rows = t.shape[0], cols = t.shape[1], groups = cols / group;
  std::vector<float> w(t.num_elements);
  ConvertToF32(t, w.data());
  std::vector<float> scales(rows * groups);
  for (size_t i = 0; i < scales.size(); ++i) {
    float amax = 0.0f;
    for (size_t c = 0; c < group; ++c) amax = std::max(amax, std::fabs(w[i * group + c]));
    scales[i] = amax / 127.0f;
  }
  const bool half = FitsHalf(scales);
  OutTensor scale_tensor{t.name + "_scale", half ? "F16" : "F32", {rows, groups}, {}};
  for (float& s : scales) {
    if (half) {
      const uint16_t h = s == 0.0f ? 0 : FloatToHalfNormal(s);
      s = HalfToFloat(h);  // quantize against the scale the loader will read
      scale_tensor.bytes.append(reinterpret_cast<const char*>(&h), sizeof(h));
    } else {
      scale_tensor.bytes.append(reinterpret_cast<const char*>(&s), sizeof(s));
    }
  }
  OutTensor data{t.name, "I8", {rows, cols}, std::string(rows * cols, '\0')};
  for (size_t i = 0; i < rows * cols; ++i) {
    const float s = scales[i / group];
    const float q = s == 0.0f ? 0.0f : std::nearbyint(w[i] / s);
    data.bytes[i] = static_cast<char>(static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f)));
  }
  out->push_back(std::move(data));
  out->push_back(std::move(scale_tensor));
}

}  // namespace

Result<std::string> QuantizeInt8(const SafetensorsFile& file, int group) {
  Result<ModelConfig> config = ModelConfig::FromMetadata(file);
  EDGEPIECE_RETURN_IF_ERROR(config.status());
  if (config->int8_group > 0) {
    return Status(StatusCode::kInvalidArgument, "quantize: the model is already int8");
  }
  if (group == 0) {
    group = 256;
    while (config->d_model % group != 0 || config->expansion % group != 0 ||
           config->lru_states % group != 0) {
      group /= 2;
    }
  }
  if (group < 1 || static_cast<size_t>(group) > kMaxInt8Group) {
    return Status(StatusCode::kInvalidArgument,
                  "quantize: the group size must be in [1, " + std::to_string(kMaxInt8Group) + "]");
  }
  for (int width : {config->d_model, config->expansion, config->lru_states}) {
    if (width % group != 0) {
      return Status(StatusCode::kInvalidArgument, "quantize: group size " + std::to_string(group) +
                                                      " does not divide every matrix's columns (" +
                                                      std::to_string(width) + ")");
    }
  }
  // The matrices: 2-D sources of the table's projection rows (the tied
  // embedding included).
  std::set<std::string> matrices;
  ModelWeights views;
  EDGEPIECE_RETURN_IF_ERROR(ForEachTensor(*config, &views, [&](const TensorSpec& t) {
    for (const FileTensor& source : t.sources) {
      if (t.projection && source.shape.size() == 2) matrices.insert(source.name);
      const TensorView* found = file.Find(source.name);
      if (found == nullptr || found->shape != source.shape || found->dtype == DType::kI8) {
        return Status(StatusCode::kInvalidModel,
                      "quantize: tensor \"" + source.name + "\" is missing, misshapen or int8");
      }
    }
    return Status::Ok();
  }));
  std::vector<OutTensor> tensors;
  for (const TensorView& t : file.tensors()) {
    if (matrices.count(t.name) != 0) {
      QuantizeMatrix(t, static_cast<size_t>(group), &tensors);
    } else {
      tensors.push_back({t.name, DTypeName(t.dtype), t.shape,
                         std::string(reinterpret_cast<const char*>(t.data), t.num_bytes)});
    }
  }
  std::sort(tensors.begin(), tensors.end(),
            [](const OutTensor& a, const OutTensor& b) { return a.name < b.name; });

  // The header: metadata (the source's, then what the file holds), then
  // the tensors in name order, the data section tiled in that order.
  std::string header = "{\"__metadata__\":{";
  bool first = true;
  for (const auto& [key, value] : file.metadata()) {
    if (key == "quantization" || key == "group_size") continue;
    header += (first ? "" : ",") + JsonString(key) + ":" + JsonString(value);
    first = false;
  }
  header += (first ? "" : ",") + std::string("\"quantization\":\"int8\",\"group_size\":") +
            JsonString(std::to_string(group)) + "}";
  size_t offset = 0;
  for (const OutTensor& t : tensors) {
    std::string shape;
    for (size_t i = 0; i < t.shape.size(); ++i)
      shape += (i ? "," : "") + std::to_string(t.shape[i]);
    header += "," + JsonString(t.name) + ":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + t.bytes.size()) + "]}";
    offset += t.bytes.size();
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // data 8-byte aligned
  std::string out(8, '\0');
  uint64_t length = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  out += header;
  for (const OutTensor& t : tensors) out += t.bytes;
  return out;
}

}  // namespace edgepiece
