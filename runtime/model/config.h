// The language model's hyper-parameters, read from the weights file's
// safetensors __metadata__ (format "edgepiece-lm", version "1"; see
// docs/model.md), so a weights file is all the runtime needs.
#ifndef EDGEPIECE_RUNTIME_MODEL_CONFIG_H_
#define EDGEPIECE_RUNTIME_MODEL_CONFIG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece {

class SafetensorsFile;

// The two block types of the family.
enum class LayerKind { kGau, kLru };

struct ModelConfig {
  int vocab_size = 0;
  int d_model = 0;  // d
  std::vector<LayerKind> layers;
  int expansion = 0;   // e: GAU value width
  int key_size = 0;    // s: GAU query/key width (even: RoPE pairs)
  int chunk = 0;       // C: GAU chunk length
  int lru_states = 0;  // N: complex states per LRU layer
  float norm_eps = 0;
  double rope_base = 0;
  int bos_id = 0;
  int eos_id = 0;
  // Columns per int8 scale when the file holds int8 projection matrices
  // (metadata quantization "int8", group_size G; docs/model.md, "Int8
  // weights"); 0 for float weights.
  int int8_group = 0;

  // Parses and range-checks every field; unknown format/version, a missing
  // key or an out-of-range value is an error naming the key.
  static Result<ModelConfig> FromMetadata(const SafetensorsFile& file);

  int CountLayers(LayerKind kind) const;
  // "d=256 L=4 (lru,gau,lru,gau) e=512 s=128 C=64 N=256 V=7999".
  std::string Summary() const;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_CONFIG_H_
