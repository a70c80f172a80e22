// edgepiece info: what a model file holds and what loading it costs.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "native/cli_common.h"
#include "native/commands.h"

namespace edgepiece::cli {

int RunInfo(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"model"}, {});
  if (!flags) return kExitUsage;
  if (flags->help()) {
    std::cout << "usage: edgepiece info --model FILE\n\n"
                 "Prints vocabulary size, piece statistics, automaton size, load time\n"
                 "and memory of a BytePiece model.\n";
    return kExitOk;
  }
  int exit_code = kExitOk;
  const auto start = std::chrono::steady_clock::now();
  auto tokenizer = LoadModel(*flags, &exit_code);
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!tokenizer) return exit_code;
  const Vocab& vocab = tokenizer->vocab();
  size_t total_bytes = 0;
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) total_bytes += vocab.piece(i).size();
  std::printf("model:             %s\n", flags->Get("model").c_str());
  std::printf("vocab size:        %d (3 special ids + %d pieces)\n", vocab.vocab_size(),
              vocab.num_pieces());
  std::printf("special ids:       0 <pad>, 1 <bos>, 2 <eos>; 3..258 single bytes\n");
  std::printf("piece bytes:       %zu total, %.2f mean, %zu max\n", total_bytes,
              static_cast<double>(total_bytes) / vocab.num_pieces(), vocab.max_piece_length());
  std::printf("total count:       %llu\n", static_cast<unsigned long long>(vocab.total_count()));
  std::printf("automaton states:  %zu\n", tokenizer->matcher().num_states());
  std::printf("memory:            %.2f MB\n", tokenizer->MemoryUsage() / 1e6);
  std::printf("load time:         %.1f ms\n", load_ms);
  return kExitOk;
}

}  // namespace edgepiece::cli
