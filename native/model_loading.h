// Loads what --model names: a BytePiece tokenizer file, or for the
// language-model commands a directory holding exactly one *.safetensors (the
// LM) and one *.model (its BytePiece tokenizer), or the two files separated
// by a comma. Errors come with their message ready for Report().
#ifndef EDGEPIECE_NATIVE_MODEL_LOADING_H_
#define EDGEPIECE_NATIVE_MODEL_LOADING_H_

#include <string>

#include "native/flags.h"
#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece::cli {

// Loads the BytePiece tokenizer file named by --model (JSON or packed; required).
Result<Tokenizer> LoadTokenizer(const Flags& flags);

// A language model with its tokenizer, ready to run.
struct LoadedLm {
  Model model;
  Tokenizer tokenizer;
  std::string weights_path;
  std::string tokenizer_path;
  double load_seconds = 0;  // model and tokenizer, not the session
  Session session;          // every LM command runs one
};

// Loads the language model named by --model (required) and creates a session.
Result<LoadedLm> LoadLm(const Flags& flags);

// The weights file --model (required) names: a directory's one
// *.safetensors, a .safetensors file, or the .safetensors of two files
// separated by a comma (the tokenizer is not needed).
Result<std::string> WeightsPath(const Flags& flags);

// True when --model names a language model (a directory or a .safetensors).
bool NamesLm(const std::string& model_flag);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_MODEL_LOADING_H_
