#include "runtime/model/config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "runtime/model/safetensors.h"

namespace edgepiece {
namespace {

// Upper bounds keep every size product far from overflow and every buffer
// allocation sane, whatever the file claims.
constexpr long kMaxVocab = 1 << 20;
constexpr long kMaxWidth = 16384;
constexpr long kMaxLayers = 256;
constexpr long kMaxChunk = 4096;
// Int8 groups: at most 512 columns per scale keeps a group's int32 sum of
// int8 weights times 16-bit activations exact (512 * 128 * 32767 < 2^31).
constexpr long kMaxInt8Group = 512;

Status ConfigError(std::string_view key, const std::string& why) {
  return Status(StatusCode::kInvalidModel, "weights metadata \"" + std::string(key) + "\": " + why);
}

Result<const std::string*> Get(const SafetensorsFile& file, std::string_view key) {
  const std::string* value = file.Metadata(key);
  if (value == nullptr) return ConfigError(key, "missing");
  return value;
}

Status ParseInt(const SafetensorsFile& file, std::string_view key, long lo, long hi, int* out) {
  Result<const std::string*> text = Get(file, key);
  EDGEPIECE_RETURN_IF_ERROR(text.status());
  const std::string& s = **text;
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || value < lo || value > hi) {
    return ConfigError(key, "\"" + s + "\" is not an integer in [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "]");
  }
  *out = static_cast<int>(value);
  return Status::Ok();
}

Status ParsePositive(const SafetensorsFile& file, std::string_view key, double* out) {
  Result<const std::string*> text = Get(file, key);
  EDGEPIECE_RETURN_IF_ERROR(text.status());
  const std::string& s = **text;
  char* end = nullptr;
  const double value = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(value) || value <= 0) {
    return ConfigError(key, "\"" + s + "\" is not a positive finite number");
  }
  *out = value;
  return Status::Ok();
}

Status ParseLayers(const std::string& text, std::vector<LayerKind>* layers) {
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view name(text.data() + begin, end - begin);
    if (name == "gau") {
      layers->push_back(LayerKind::kGau);
    } else if (name == "lru") {
      layers->push_back(LayerKind::kLru);
    } else {
      return ConfigError("layers",
                         "unknown layer type \"" + std::string(name) + "\" (expected gau or lru)");
    }
    if (layers->size() > static_cast<size_t>(kMaxLayers)) {
      return ConfigError("layers", "more than " + std::to_string(kMaxLayers));
    }
    begin = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<ModelConfig> ModelConfig::FromMetadata(const SafetensorsFile& file) {
  const std::string* format = file.Metadata("format");
  if (format == nullptr || *format != "edgepiece-lm") {
    return ConfigError("format", "expected \"edgepiece-lm\"");
  }
  const std::string* version = file.Metadata("version");
  if (version == nullptr || *version != "1") {
    return ConfigError("version", "expected \"1\" (this runtime reads version 1)");
  }
  ModelConfig c;
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "vocab_size", 4, kMaxVocab, &c.vocab_size));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "d_model", 2, kMaxWidth, &c.d_model));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "expansion", 1, kMaxWidth, &c.expansion));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "key_size", 2, kMaxWidth, &c.key_size));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "chunk", 1, kMaxChunk, &c.chunk));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "lru_states", 1, kMaxWidth, &c.lru_states));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "bos_id", 0, c.vocab_size - 1, &c.bos_id));
  EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "eos_id", 0, c.vocab_size - 1, &c.eos_id));
  if (c.key_size % 2 != 0) return ConfigError("key_size", "must be even (RoPE pairs)");
  double eps = 0;
  EDGEPIECE_RETURN_IF_ERROR(ParsePositive(file, "norm_eps", &eps));
  c.norm_eps = static_cast<float>(eps);
  EDGEPIECE_RETURN_IF_ERROR(ParsePositive(file, "rope_base", &c.rope_base));
  Result<const std::string*> attention = Get(file, "attention");
  EDGEPIECE_RETURN_IF_ERROR(attention.status());
  if (**attention != "relu2") {
    return ConfigError("attention", "\"" + **attention + "\" is not supported (relu2)");
  }
  Result<const std::string*> layers = Get(file, "layers");
  EDGEPIECE_RETURN_IF_ERROR(layers.status());
  EDGEPIECE_RETURN_IF_ERROR(ParseLayers(**layers, &c.layers));
  const std::string* quantization = file.Metadata("quantization");
  if (quantization != nullptr && *quantization != "none") {
    if (*quantization != "int8") {
      return ConfigError("quantization", "\"" + *quantization + "\" is not supported (int8, none)");
    }
    EDGEPIECE_RETURN_IF_ERROR(ParseInt(file, "group_size", 1, kMaxInt8Group, &c.int8_group));
    for (int width : {c.d_model, c.expansion, c.lru_states}) {
      if (width % c.int8_group != 0) {
        return ConfigError("group_size", std::to_string(c.int8_group) +
                                             " does not divide every matrix's columns (" +
                                             std::to_string(width) + ")");
      }
    }
  }
  return c;
}

int ModelConfig::CountLayers(LayerKind kind) const {
  int n = 0;
  for (LayerKind k : layers) n += k == kind;
  return n;
}

std::string ModelConfig::Summary() const {
  std::string kinds;
  for (LayerKind k : layers) {
    if (!kinds.empty()) kinds += ',';
    kinds += k == LayerKind::kGau ? "gau" : "lru";
  }
  return "d=" + std::to_string(d_model) + " L=" + std::to_string(layers.size()) + " (" + kinds +
         ") e=" + std::to_string(expansion) + " s=" + std::to_string(key_size) +
         " C=" + std::to_string(chunk) + " N=" + std::to_string(lru_states) +
         " V=" + std::to_string(vocab_size) +
         (int8_group > 0 ? " int8/" + std::to_string(int8_group) : "");
}

}  // namespace edgepiece
