#include "runtime/model/weights_layout.h"

#include <utility>

namespace edgepiece {

Status ForEachTensor(const ModelConfig& config, ModelWeights* weights, const TensorVisitor& visit) {
  const size_t d = config.d_model, e = config.expansion, s = config.key_size;
  const size_t n = config.lru_states, vocab = config.vocab_size;
  const size_t group = static_cast<size_t>(config.int8_group);
  // A tensor made by `fold` from `sources`, f32 in the arena as [rows, cols].
  auto make = [](Fold fold, size_t rows, size_t cols, std::vector<FileTensor> sources,
                 const float** to) {
    TensorSpec t{sources[0].name, rows, cols, Storage::kF32, /*projection=*/false, fold, {}, to};
    t.sources = std::move(sources);
    return t;
  };
  // A projection matrix: f32, or int8 where the config says so, when each
  // matrix source is followed by its scales [rows, cols / G].
  auto matrix = [&](Fold fold, size_t rows, size_t cols, std::vector<FileTensor> sources,
                    MatrixWeights* to) {
    TensorSpec t{sources[0].name,     rows, cols, Storage::kF32,
                 /*projection=*/true, fold, {},   nullptr};
    t.matrix = to;
    if (group > 0) {
      t.storage = Storage::kI8;
      t.group = group;
      for (FileTensor& source : sources) {
        t.sources.push_back(source);
        if (source.shape.size() == 2) {
          t.sources.push_back({source.name + "_scale",
                               {source.shape[0], source.shape[1] / group},
                               /*scale=*/true});
        }
      }
    } else {
      t.sources = std::move(sources);
    }
    return t;
  };
  // One file tensor as is (a vector is one row).
  auto copy = [&](std::string name, std::vector<size_t> shape, const float** to) {
    const size_t rows = shape.size() == 2 ? shape[0] : 1, cols = shape.back();
    return make(Fold::kRows, rows, cols, {{std::move(name), std::move(shape)}}, to);
  };
  // The tied embedding / head is the largest matrix and the head streams it
  // every token: the one float row that may keep the file's half floats.
  TensorSpec embed = matrix(Fold::kRows, vocab, d, {{"embed.weight", {vocab, d}}}, &weights->embed);
  if (embed.storage == Storage::kF32) embed.storage = Storage::kF16;
  EDGEPIECE_RETURN_IF_ERROR(visit(embed));
  EDGEPIECE_RETURN_IF_ERROR(visit(copy("norm.weight", {d}, &weights->final_norm)));
  weights->layers.resize(config.layers.size());
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    LayerWeights& layer = weights->layers[i];
    layer.kind = config.layers[i];
    EDGEPIECE_RETURN_IF_ERROR(visit(copy(p + "norm.weight", {d}, &layer.norm)));
    GauWeights& g = layer.gau;
    LruWeights& r = layer.lru;
    const std::string q = p + (layer.kind == LayerKind::kGau ? "gau." : "lru.");
    // clang-format off
    const std::vector<TensorSpec> rows = layer.kind == LayerKind::kGau
        ? std::vector<TensorSpec>{
            matrix(Fold::kRows, 2 * e + s, d, {{q + "w_in", {2 * e + s, d}}}, &g.w_in),
            copy(q + "gamma", {4, s}, &g.gamma),
            copy(q + "beta", {4, s}, &g.beta),
            matrix(Fold::kRows, d, e, {{q + "w_out", {d, e}}}, &g.w_out)}
        : std::vector<TensorSpec>{
            make(Fold::kLruLambda, 2, n, {{q + "nu_log", {n}}, {q + "theta_log", {n}}}, &r.lambda),
            matrix(Fold::kLruB, 2 * n, d,
                   {{q + "b_re", {n, d}}, {q + "b_im", {n, d}}, {q + "gamma_log", {n}}}, &r.b),
            matrix(Fold::kLruC, d, 2 * n, {{q + "c_re", {d, n}}, {q + "c_im", {d, n}}}, &r.c),
            copy(q + "d", {d}, &r.skip),
            matrix(Fold::kRows, 2 * d, d, {{q + "w1", {d, d}}, {q + "w2", {d, d}}}, &r.glu)};
    // clang-format on
    for (const TensorSpec& t : rows) EDGEPIECE_RETURN_IF_ERROR(visit(t));
  }
  return Status::Ok();
}

}  // namespace edgepiece
