#include "tests/native/support/tiny_model.h"

#include <cmath>
#include <cstring>
#include <random>

namespace edgepiece::testing {
namespace {

TinyTensor Random(std::mt19937* gen, std::vector<size_t> shape, float scale, float offset = 0) {
  size_t n = 1;
  for (size_t s : shape) n *= s;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  TinyTensor t{std::move(shape), std::vector<float>(n)};
  for (float& v : t.values) v = offset + scale * normal(*gen);
  return t;
}

}  // namespace

TinyModelSpec RandomTinyModel(uint32_t seed, const std::string& layers, const TinyDims& dims) {
  const size_t d = dims.d, e = dims.e, s = dims.s, N = dims.n, V = dims.vocab;  // chunk C = 4
  TinyModelSpec spec;
  spec.metadata = {{"format", "edgepiece-lm"},
                   {"version", "1"},
                   {"vocab_size", std::to_string(V)},
                   {"d_model", std::to_string(d)},
                   {"layers", layers},
                   {"expansion", std::to_string(e)},
                   {"key_size", std::to_string(s)},
                   {"chunk", "4"},
                   {"lru_states", std::to_string(N)},
                   {"norm_eps", "1e-05"},
                   {"rope_base", "10000.0"},
                   {"attention", "relu2"},
                   {"bos_id", "1"},
                   {"eos_id", "2"}};
  std::mt19937 gen(seed);
  spec.tensors["embed.weight"] = Random(&gen, {V, d}, 1.0f);
  spec.tensors["norm.weight"] = Random(&gen, {d}, 0.1f, 1.0f);
  size_t i = 0;
  for (size_t begin = 0; begin <= layers.size(); ++i) {
    size_t end = layers.find(',', begin);
    if (end == std::string::npos) end = layers.size();
    const std::string kind = layers.substr(begin, end - begin);
    const std::string p = "layers." + std::to_string(i) + ".";
    spec.tensors[p + "norm.weight"] = Random(&gen, {d}, 0.1f, 1.0f);
    if (kind == "gau") {
      spec.tensors[p + "gau.w_in"] = Random(&gen, {2 * e + s, d}, 0.5f);
      spec.tensors[p + "gau.gamma"] = Random(&gen, {4, s}, 0.3f, 1.0f);
      spec.tensors[p + "gau.beta"] = Random(&gen, {4, s}, 0.3f);
      spec.tensors[p + "gau.w_out"] = Random(&gen, {d, e}, 0.3f);
    } else {
      std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
      TinyTensor nu{{N}, {}}, theta{{N}, {}}, gamma{{N}, {}};
      for (size_t k = 0; k < N; ++k) {
        const float modulus = 0.5f + 0.49f * uniform(gen);
        nu.values.push_back(std::log(-std::log(modulus)));
        theta.values.push_back(std::log(6.28f * uniform(gen) + 1e-3f));
        gamma.values.push_back(std::log(std::sqrt(1 - modulus * modulus)));
      }
      spec.tensors[p + "lru.nu_log"] = nu;
      spec.tensors[p + "lru.theta_log"] = theta;
      spec.tensors[p + "lru.gamma_log"] = gamma;
      spec.tensors[p + "lru.b_re"] = Random(&gen, {N, d}, 0.3f);
      spec.tensors[p + "lru.b_im"] = Random(&gen, {N, d}, 0.3f);
      spec.tensors[p + "lru.c_re"] = Random(&gen, {d, N}, 0.4f);
      spec.tensors[p + "lru.c_im"] = Random(&gen, {d, N}, 0.4f);
      spec.tensors[p + "lru.d"] = Random(&gen, {d}, 1.0f);
      spec.tensors[p + "lru.w1"] = Random(&gen, {d, d}, 0.3f);
      spec.tensors[p + "lru.w2"] = Random(&gen, {d, d}, 0.3f);
    }
    begin = end + 1;
  }
  return spec;
}

std::string WriteSafetensors(const TinyModelSpec& spec) {
  std::string header = "{\"__metadata__\":{";
  bool first = true;
  for (const auto& [k, v] : spec.metadata) {
    header += (first ? "\"" : ",\"") + k + "\":\"" + v + "\"";
    first = false;
  }
  header += "}";
  std::string data;
  for (const auto& [name, t] : spec.tensors) {
    std::string shape;
    for (size_t s : t.shape) shape += (shape.empty() ? "" : ",") + std::to_string(s);
    const size_t begin = data.size();
    data.append(reinterpret_cast<const char*>(t.values.data()), t.values.size() * sizeof(float));
    header += ",\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

}  // namespace edgepiece::testing
