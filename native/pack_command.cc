// edgepiece pack: a BytePiece tokenizer file in the packed binary form.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "native/commands.h"
#include "native/exit_status.h"
#include "runtime/tokenizer/vocab.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece pack --model FILE --output FILE

Writes the tokenizer file (JSON or packed) in edgepiece's packed form: the same
vocabulary and ids, 5-9x smaller than the JSON file (2-3x gzipped) and
faster to load. Every edgepiece loader (CLI, C++, C ABI, JS) reads both
forms; the reference BytePiece reads only JSON. docs/tokenizer.md has the
format.

  --model FILE    the tokenizer file (BytePiece JSON or packed), required
  --output FILE   where to write the packed tokenizer file, required
)";

Status RunPack(const Flags& flags) {
  if (!flags.Has("output")) return UsageError("--output FILE is required");
  if (!flags.positional().empty()) return UsageError("pack takes no positional arguments");
  if (!flags.Has("model")) return UsageError("--model FILE is required");
  const std::string tokenizer_path = flags.Get("model");
  auto vocab = Vocab::FromFile(tokenizer_path);  // the vocabulary alone: no automaton needed
  if (!vocab.ok())
    return WithContext(vocab.status(), "cannot load tokenizer file " + tokenizer_path);
  const std::string packed = vocab->Pack();
  const std::string path = flags.Get("output");
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    return Failure(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(packed.data(), 1, packed.size(), out) == packed.size();
  const int write_errno = errno;
  if (std::fclose(out) != 0 || !written) {
    std::remove(path.c_str());  // no half-written file left behind
    return Failure(StatusCode::kIoError,
                   "cannot write " + path + ": " + std::strerror(write_errno));
  }
  std::printf("%s: %d pieces, %zu bytes\n", path.c_str(), vocab->num_pieces(), packed.size());
  return Status::Ok();
}

}  // namespace

Command PackCommand() {
  return {"pack", "write a tokenizer file in the packed form (5-9x smaller)",
          kHelp,  {"model", "output"},
          {},     RunPack};
}

}  // namespace edgepiece::cli
