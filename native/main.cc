// edgepiece: BytePiece tokenizer and language model command-line tool.
#include <cstring>
#include <iostream>

#include "native/cli_common.h"
#include "native/commands.h"

namespace {

constexpr char kUsage[] = R"(edgepiece: BytePiece tokenization and a GAU/LRU language model at native speed

usage: edgepiece <command> [flags]      (edgepiece <command> --help for details)

commands:
  encode   text -> token ids (deterministic Viterbi or exact subword sampling)
  decode   token ids -> text
  info     describe a BytePiece model file
  pack     write a BytePiece model in the packed form (5-9x smaller)
  generate stream text from the language model
  score    bits per byte of a text under the language model
  bench    measure encode throughput, or LM prefill/decode speed

exit codes: 0 ok, 1 bad input or model, 2 usage error, 3 I/O error
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace edgepiece::cli;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::cout << kUsage;
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const char* command = argv[1];
  if (std::strcmp(command, "encode") == 0) return RunEncode(argc - 2, argv + 2);
  if (std::strcmp(command, "decode") == 0) return RunDecode(argc - 2, argv + 2);
  if (std::strcmp(command, "info") == 0) return RunInfo(argc - 2, argv + 2);
  if (std::strcmp(command, "pack") == 0) return RunPack(argc - 2, argv + 2);
  if (std::strcmp(command, "bench") == 0) return RunBench(argc - 2, argv + 2);
  if (std::strcmp(command, "generate") == 0) return RunGenerate(argc - 2, argv + 2);
  if (std::strcmp(command, "score") == 0) return RunScore(argc - 2, argv + 2);
  std::cerr << kUsage;
  return Fail(kExitUsage, std::string("unknown command \"") + command + "\"");
}
