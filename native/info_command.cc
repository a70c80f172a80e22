// edgepiece info: what a tokenizer file (or a language model) holds and what loading it costs.
#include <chrono>
#include <cstdio>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/model_loading.h"
#include "runtime/model/session.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] =
    "usage: edgepiece info --model FILE\n"
    "       edgepiece info --model DIR_OR_FILES\n\n"
    "Prints vocabulary size, piece statistics, automaton size, load time\n"
    "and memory of a tokenizer file (--model FILE); with a language model (a directory or\n"
    "LM.safetensors,TOKENIZER.model) its config, parameters, memory and load time.\n";

// The language-model half: config, sizes, load time, state per session.
Status RunLmInfo(const Flags& flags) {
  Result<LoadedLm> lm = LoadLm(flags);
  EDGEPIECE_RETURN_IF_ERROR(lm.status());
  const ModelConfig& c = lm->model.config();
  std::printf("language model:    %s\n", lm->weights_path.c_str());
  std::printf("tokenizer:         %s (%d ids)\n", lm->tokenizer_path.c_str(),
              lm->tokenizer.vocab_size());
  std::printf("config:            %s\n", c.Summary().c_str());
  std::printf("special ids:       <bos> %d, <eos> %d\n", c.bos_id, c.eos_id);
  std::printf("parameters:        %.3f M (%d gau + %d lru layers)\n",
              lm->model.num_parameters() / 1e6, c.CountLayers(LayerKind::kGau),
              c.CountLayers(LayerKind::kLru));
  std::printf("weights in memory: %.2f MB (%s)\n", lm->model.weight_bytes() / 1e6,
              lm->model.int8()                   ? "int8 matrices and head, f32 scales and vectors"
              : lm->model.embed_f16() != nullptr ? "f32; tied head as the file's F16"
                                                 : "f32");
  std::printf("session memory:    %.2f MB (state + scratch, constant whatever the length)\n",
              lm->session.StateBytes() / 1e6);
  std::printf("load time:         %.1f ms (weights and tokenizer)\n", lm->load_seconds * 1e3);
  return Status::Ok();
}

Status RunInfo(const Flags& flags) {
  if (NamesLm(flags.Get("model"))) return RunLmInfo(flags);
  const auto start = std::chrono::steady_clock::now();
  Result<Tokenizer> tokenizer = LoadTokenizer(flags);
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EDGEPIECE_RETURN_IF_ERROR(tokenizer.status());
  if (const SpmProcessor* spm = tokenizer->sentencepiece()) {
    const SpmModelProto& model = spm->model();
    int counts[7] = {};
    for (const SpmPieceType type : model.types) ++counts[static_cast<int>(type)];
    std::printf("tokenizer file:    %s (SentencePiece %s)\n", flags.Get("model").c_str(),
                model.model_type == SpmModelType::kUnigram ? "Unigram" : "BPE");
    std::printf(
        "vocab size:        %d (%d normal, %d control, %d user-defined, %d byte, %d unused)\n",
        spm->vocab_size(), counts[1], counts[3], counts[4], counts[6], counts[5]);
    std::printf("normalizer:        %s%s%s%s\n", model.normalizer.name.c_str(),
                model.normalizer.add_dummy_prefix ? ", dummy prefix" : "",
                model.normalizer.remove_extra_whitespaces ? ", remove extra whitespaces" : "",
                model.treat_whitespace_as_suffix ? ", whitespace as suffix" : "");
    std::printf("byte fallback:     %s\n", model.byte_fallback ? "yes" : "no");
    std::printf("memory:            %.2f MB\n", tokenizer->MemoryUsage() / 1e6);
    std::printf("load time:         %.1f ms\n", load_ms);
    return Status::Ok();
  }
  const Vocab& vocab = tokenizer->vocab();
  size_t total_bytes = 0;
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) total_bytes += vocab.piece(i).size();
  std::printf("tokenizer file:    %s\n", flags.Get("model").c_str());
  std::printf("vocab size:        %d (3 special ids + %d pieces)\n", vocab.vocab_size(),
              vocab.num_pieces());
  std::printf("special ids:       0 <pad>, 1 <bos>, 2 <eos>; 3..258 single bytes\n");
  std::printf("piece bytes:       %zu total, %.2f mean, %zu max\n", total_bytes,
              static_cast<double>(total_bytes) / vocab.num_pieces(), vocab.max_piece_length());
  std::printf("total count:       %llu\n", static_cast<unsigned long long>(vocab.total_count()));
  std::printf("automaton states:  %zu\n", tokenizer->matcher().num_states());
  std::printf("memory:            %.2f MB\n", tokenizer->MemoryUsage() / 1e6);
  std::printf("load time:         %.1f ms\n", load_ms);
  return Status::Ok();
}

}  // namespace

Command InfoCommand() {
  return {"info", "describe a tokenizer file or a language model", kHelp, {"model"}, {}, RunInfo};
}

}  // namespace edgepiece::cli
