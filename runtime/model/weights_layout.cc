#include "runtime/model/weights_layout.h"

#include <utility>

namespace edgepiece {

Status ForEachTensor(const ModelConfig& config, ModelWeights* weights, const TensorVisitor& visit) {
  const size_t d = config.d_model, e = config.expansion, s = config.key_size;
  const size_t n = config.lru_states, vocab = config.vocab_size;
  constexpr bool kProjection = true, kOther = false;  // whether Project reads it
  // A tensor made by `fold` from `sources`, f32 in the arena as [rows, cols].
  auto make = [](Fold fold, size_t rows, size_t cols, bool projection,
                 std::vector<FileTensor> sources, const float** to) {
    TensorSpec t{sources[0].name, rows, cols, Storage::kF32, projection, fold, {}, to, nullptr};
    t.sources = std::move(sources);
    return t;
  };
  // One file tensor as is (a vector is one row).
  auto copy = [&](std::string name, std::vector<size_t> shape, bool projection, const float** to) {
    const size_t rows = shape.size() == 2 ? shape[0] : 1, cols = shape.back();
    return make(Fold::kRows, rows, cols, projection, {{std::move(name), std::move(shape)}}, to);
  };
  // The tied embedding / head is the largest matrix and the head streams it
  // every token: the one row that may keep the file's half floats.
  TensorSpec embed = copy("embed.weight", {vocab, d}, kProjection, &weights->embed);
  embed.storage = Storage::kF16;
  embed.f16 = &weights->embed_f16;
  EDGEPIECE_RETURN_IF_ERROR(visit(embed));
  EDGEPIECE_RETURN_IF_ERROR(visit(copy("norm.weight", {d}, kOther, &weights->final_norm)));
  weights->layers.resize(config.layers.size());
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    LayerWeights& layer = weights->layers[i];
    layer.kind = config.layers[i];
    EDGEPIECE_RETURN_IF_ERROR(visit(copy(p + "norm.weight", {d}, kOther, &layer.norm)));
    GauWeights& g = layer.gau;
    LruWeights& r = layer.lru;
    const std::string q = p + (layer.kind == LayerKind::kGau ? "gau." : "lru.");
    // clang-format off
    const std::vector<TensorSpec> rows = layer.kind == LayerKind::kGau
        ? std::vector<TensorSpec>{
            copy(q + "w_in", {2 * e + s, d}, kProjection, &g.w_in),
            copy(q + "gamma", {4, s}, kOther, &g.gamma),
            copy(q + "beta", {4, s}, kOther, &g.beta),
            copy(q + "w_out", {d, e}, kProjection, &g.w_out)}
        : std::vector<TensorSpec>{
            make(Fold::kLruLambda, 2, n, kOther,
                 {{q + "nu_log", {n}}, {q + "theta_log", {n}}}, &r.lambda),
            make(Fold::kLruB, 2 * n, d, kProjection,
                 {{q + "b_re", {n, d}}, {q + "b_im", {n, d}}, {q + "gamma_log", {n}}}, &r.b),
            make(Fold::kLruC, d, 2 * n, kProjection,
                 {{q + "c_re", {d, n}}, {q + "c_im", {d, n}}}, &r.c),
            copy(q + "d", {d}, kOther, &r.skip),
            make(Fold::kRows, 2 * d, d, kProjection,
                 {{q + "w1", {d, d}}, {q + "w2", {d, d}}}, &r.glu)};
    // clang-format on
    for (const TensorSpec& t : rows) EDGEPIECE_RETURN_IF_ERROR(visit(t));
  }
  return Status::Ok();
}

}  // namespace edgepiece
