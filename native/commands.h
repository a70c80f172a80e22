// The table of edgepiece subcommands: main.cc dispatches from it and prints
// the usage from it, and flags, --help and the exit code are handled for
// every command in one place (RunCommand).
#ifndef EDGEPIECE_NATIVE_COMMANDS_H_
#define EDGEPIECE_NATIVE_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "native/flags.h"
#include "runtime/base/status.h"

namespace edgepiece::cli {

// One subcommand. Its run function gets the parsed flags (never --help) and
// returns OK or the failure to report (exit_status.h).
struct Command {
  const char* name;
  const char* summary;                   // its line in `edgepiece --help`
  const char* help;                      // `edgepiece NAME --help`
  std::vector<std::string> value_flags;  // --flags that take a value
  std::vector<std::string> switches;     // --flags that do not
  Status (*run)(const Flags& flags);
};

// Every subcommand, in the order `edgepiece --help` lists them.
const std::vector<Command>& Commands();
// The subcommand called `name`, or nullptr.
const Command* FindCommand(std::string_view name);
// `edgepiece --help`: the commands' summaries and the exit codes.
std::string Usage();
// The version from CMake's project(VERSION).
const char* Version();
// Parses `command`'s flags (argv excludes the command name), prints its help
// on -h/--help or runs it, reports a failure; returns the exit code.
int RunCommand(const Command& command, int argc, char** argv);

// The table's entries, each defined next to its command's code.
Command EncodeCommand();
Command DecodeCommand();
Command InfoCommand();
Command PackCommand();
Command TrainCommand();
Command GenerateCommand();
Command ScoreCommand();
Command BenchCommand();
Command QuantizeCommand();
// The language-model half of `bench`.
Status RunLmBench(const Flags& flags);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_COMMANDS_H_
