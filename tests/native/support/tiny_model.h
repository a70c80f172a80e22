// Small synthetic language models written as safetensors bytes, for tests
// that need odd sizes, many configs, or deliberately broken files.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_TINY_MODEL_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_TINY_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace edgepiece::testing {

struct TinyTensor {
  std::vector<size_t> shape;
  std::vector<float> values;  // stored as F32
};

struct TinyModelSpec {
  std::map<std::string, std::string> metadata;  // the config, as strings
  std::map<std::string, TinyTensor> tensors;
};

// Widths of a tiny model (chunk C = 4).
struct TinyDims {
  size_t d = 12, e = 20, s = 6, n = 5, vocab = 16;
};

// A random model of the family: by default d=12, e=20, s=6, C=4, N=5, V=16
// (odd, non-vector-sized widths on purpose), layers "gau,lru,gau".
TinyModelSpec RandomTinyModel(uint32_t seed, const std::string& layers = "gau,lru,gau",
                              const TinyDims& dims = TinyDims());

// Serializes to safetensors (header JSON + F32 data, tensors in name order).
std::string WriteSafetensors(const TinyModelSpec& spec);

}  // namespace edgepiece::testing

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_TINY_MODEL_H_
