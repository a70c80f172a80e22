#include "native/model_loading.h"

#include <dirent.h>
#include <sys/stat.h>

#include <chrono>
#include <vector>

#include "native/clocks.h"
#include "native/exit_status.h"

namespace edgepiece::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Finds the single file in `dir` ending with `suffix`.
Status FindOne(const std::string& dir, const std::string& suffix, std::string* path) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Status(StatusCode::kIoError, "cannot list directory " + dir);
  std::vector<std::string> found;
  while (dirent* entry = readdir(d)) {
    if (EndsWith(entry->d_name, suffix)) found.push_back(entry->d_name);
  }
  closedir(d);
  if (found.size() != 1) {
    std::string names;
    for (const auto& f : found) names += " " + f;
    return Status(StatusCode::kInvalidArgument,
                  dir + " holds " + std::to_string(found.size()) + " *" + suffix +
                      " files (need exactly one" + (names.empty() ? "" : ":" + names) +
                      "); name both files: --model LM.safetensors,TOKENIZER.model");
  }
  *path = dir + "/" + found[0];
  return Status::Ok();
}

Status Resolve(const std::string& flag, std::string* weights, std::string* tokenizer) {
  if (IsDirectory(flag)) {
    EDGEPIECE_RETURN_IF_ERROR(FindOne(flag, ".safetensors", weights));
    return FindOne(flag, ".model", tokenizer);
  }
  const size_t comma = flag.find(',');
  if (comma == std::string::npos) {
    return Status(StatusCode::kInvalidArgument,
                  "--model needs a directory or LM.safetensors,TOKENIZER.model");
  }
  *weights = flag.substr(0, comma);
  *tokenizer = flag.substr(comma + 1);
  if (!EndsWith(*weights, ".safetensors")) std::swap(*weights, *tokenizer);
  return Status::Ok();
}

}  // namespace

bool NamesLm(const std::string& flag) {
  return IsDirectory(flag) || flag.find(".safetensors") != std::string::npos;
}

Result<Tokenizer> LoadTokenizer(const Flags& flags) {
  if (!flags.Has("model")) return UsageError("--model FILE is required");
  const std::string path = flags.Get("model");
  Result<Tokenizer> tokenizer = Tokenizer::FromFile(path);
  if (!tokenizer.ok()) return WithContext(tokenizer.status(), "cannot load tokenizer file " + path);
  return tokenizer;
}

Result<std::string> WeightsPath(const Flags& flags) {
  if (!flags.Has("model")) return UsageError("--model DIR_OR_FILE is required");
  const std::string flag = flags.Get("model");
  std::string weights;
  if (IsDirectory(flag)) {
    EDGEPIECE_RETURN_IF_ERROR(WithContext(FindOne(flag, ".safetensors", &weights), "bad --model"));
    return weights;
  }
  for (size_t begin = 0; begin <= flag.size();) {
    size_t end = flag.find(',', begin);
    if (end == std::string::npos) end = flag.size();
    if (EndsWith(flag.substr(begin, end - begin), ".safetensors")) {
      return flag.substr(begin, end - begin);
    }
    begin = end + 1;
  }
  return UsageError("--model needs a directory or an LM.safetensors file");
}

Result<LoadedLm> LoadLm(const Flags& flags) {
  if (!flags.Has("model")) return UsageError("--model DIR_OR_FILES is required");
  std::string weights, tokenizer_path;
  EDGEPIECE_RETURN_IF_ERROR(
      WithContext(Resolve(flags.Get("model"), &weights, &tokenizer_path), "bad --model"));
  const auto start = std::chrono::steady_clock::now();
  Result<Model> model = Model::FromFile(weights);
  if (!model.ok()) return WithContext(model.status(), "cannot load language model " + weights);
  Result<Tokenizer> tokenizer = Tokenizer::FromFile(tokenizer_path);
  if (!tokenizer.ok()) {
    return WithContext(tokenizer.status(), "cannot load tokenizer " + tokenizer_path);
  }
  const double seconds = SecondsSince(start);
  Result<Session> session = Session::Create(*model);
  if (!session.ok()) return WithContext(session.status(), "cannot create a session");
  return LoadedLm{std::move(*model), std::move(*tokenizer), weights, tokenizer_path,
                  seconds,           std::move(*session)};
}

}  // namespace edgepiece::cli
