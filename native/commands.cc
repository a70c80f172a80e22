#include "native/commands.h"

#include <cstdio>

#include "native/exit_status.h"

#ifndef EDGEPIECE_VERSION
#error "EDGEPIECE_VERSION comes from CMake's project(VERSION) (native/CMakeLists.txt)"
#endif

namespace edgepiece::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command>* const commands = new std::vector<Command>{
      EncodeCommand(),   DecodeCommand(), InfoCommand(),  PackCommand(),     TrainCommand(),
      GenerateCommand(), ScoreCommand(),  BenchCommand(), QuantizeCommand(),
  };
  return *commands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& command : Commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

std::string Usage() {
  std::string usage =
      "edgepiece: BytePiece tokenization and a GAU/LRU language model at native speed\n\n"
      "usage: edgepiece <command> [flags]      (edgepiece <command> --help for details)\n"
      "       edgepiece --version\n\n"
      "commands:\n";
  for (const Command& command : Commands()) {
    char line[160];
    std::snprintf(line, sizeof(line), "  %-8s %s\n", command.name, command.summary);
    usage += line;
  }
  usage += "\nexit codes: 0 ok, 1 bad input or model, 2 usage error, 3 I/O error\n";
  return usage;
}

const char* Version() { return EDGEPIECE_VERSION; }

int RunCommand(const Command& command, int argc, char** argv) {
  Result<Flags> flags = Flags::Parse(argc, argv, command.value_flags, command.switches);
  if (!flags.ok()) return Report(flags.status());
  if (flags->help()) {
    std::fputs(command.help, stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitIo;
  }
  return Report(command.run(*flags));
}

}  // namespace edgepiece::cli
