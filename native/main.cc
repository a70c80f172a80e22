// edgepiece: BytePiece tokenizer and language model command-line tool.
#include <cstdio>
#include <string>

#include "native/commands.h"
#include "native/exit_status.h"

int main(int argc, char** argv) {
  using namespace edgepiece::cli;
  const std::string first = argc < 2 ? "" : argv[1];
  if (argc < 2 || first == "--help" || first == "-h" || first == "help") {
    std::fputs(Usage().c_str(), stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  if (first == "--version" || first == "-V") {
    std::printf("edgepiece %s\n", Version());
    return kExitOk;
  }
  const Command* command = FindCommand(first);
  if (command == nullptr) {
    std::fputs(Usage().c_str(), stderr);
    return Report(UsageError("unknown command \"" + first + "\""));
  }
  return RunCommand(*command, argc - 2, argv + 2);
}
