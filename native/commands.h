// Entry points of the edgepiece subcommands; argv excludes the command name.
#ifndef EDGEPIECE_NATIVE_COMMANDS_H_
#define EDGEPIECE_NATIVE_COMMANDS_H_

namespace edgepiece::cli {

int RunEncode(int argc, char** argv);
int RunDecode(int argc, char** argv);
int RunInfo(int argc, char** argv);
int RunPack(int argc, char** argv);
int RunBench(int argc, char** argv);
int RunGenerate(int argc, char** argv);
int RunScore(int argc, char** argv);
// The language-model half of `bench`.
class Flags;
int RunLmBench(const Flags& flags);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_COMMANDS_H_
