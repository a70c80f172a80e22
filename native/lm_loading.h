// Resolves the --model argument of the language-model commands: a directory
// holding exactly one *.safetensors (the LM) and one *.model (its BytePiece
// tokenizer), or the two files separated by a comma.
#ifndef EDGEPIECE_NATIVE_LM_LOADING_H_
#define EDGEPIECE_NATIVE_LM_LOADING_H_

#include <optional>
#include <string>

#include "native/cli_common.h"
#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece::cli {

struct LoadedLm {
  Model model;
  Tokenizer tokenizer;
  std::string weights_path;
  std::string tokenizer_path;
  double load_seconds = 0;  // model and tokenizer, not the session
  Session session;          // every LM command runs one
};

// Loads --model and creates a session; prints the error and sets
// *exit_code on failure.
std::optional<LoadedLm> LoadLm(const Flags& flags, int* exit_code);

// True when --model names a language model (a directory or a .safetensors).
bool NamesLm(const std::string& model_flag);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_LM_LOADING_H_
