// edgepiece quantize: a language model's weights as int8 (docs/model.md,
// "Int8 weights").
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/model_loading.h"
#include "runtime/base/file.h"
#include "runtime/model/model.h"
#include "runtime/model/quantize.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece quantize --model DIR_OR_FILE --output FILE [--group G]

Writes the language model with every projection matrix and the tied
embedding / head as symmetric int8, one F16 scale per G columns of a row
(docs/model.md, "Int8 weights"); norms and LRU vectors stay as stored. Every
edgepiece loader (CLI, C++, C ABI, JS) reads the result like any weights file.

  --model M      a directory with one *.safetensors LM, or LM.safetensors
  --output FILE  where to write the int8 weights file, required
  --group G      columns per scale, dividing d, e and N (default: the largest
                 of 256, 128, ..., 1 that does; 256 for the demo model)
)";

Status RunQuantize(const Flags& flags) {
  if (!flags.Has("output")) return UsageError("--output FILE is required");
  if (!flags.positional().empty()) return UsageError("quantize takes no positional arguments");
  uint32_t group;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("group", 0, &group));
  Result<std::string> path = WeightsPath(flags);
  EDGEPIECE_RETURN_IF_ERROR(path.status());
  // Loading validates the file as every loader will (shapes, finite values).
  Result<FileView> view = FileView::Open(*path);
  if (!view.ok()) return WithContext(view.status(), "cannot read " + *path);
  Result<Model> model = Model::FromBytes(view->contents());
  if (!model.ok()) return WithContext(model.status(), "cannot load language model " + *path);
  Result<SafetensorsFile> file = SafetensorsFile::Parse(view->contents());
  EDGEPIECE_RETURN_IF_ERROR(file.status());
  Result<std::string> bytes = QuantizeInt8(*file, static_cast<int>(group));
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kInvalidArgument) {
      return UsageError(bytes.status().detail());
    }
    return WithContext(bytes.status(), *path);
  }
  const std::string out_path = flags.Get("output");
  std::FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    return Failure(StatusCode::kIoError, "cannot open " + out_path + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(bytes->data(), 1, bytes->size(), out) == bytes->size();
  const int write_errno = errno;
  if (std::fclose(out) != 0 || !written) {
    std::remove(out_path.c_str());  // no half-written file left behind
    return Failure(StatusCode::kIoError,
                   "cannot write " + out_path + ": " + std::strerror(write_errno));
  }
  Result<SafetensorsFile> written_file = SafetensorsFile::Parse(*bytes);
  EDGEPIECE_RETURN_IF_ERROR(written_file.status());
  std::printf("%s: int8, %s columns per scale, %zu bytes\n", out_path.c_str(),
              written_file->Metadata("group_size")->c_str(), bytes->size());
  return Status::Ok();
}

}  // namespace

Command QuantizeCommand() {
  return {"quantize", "write a language model's weights as int8 (about half the size of F16)",
          kHelp,      {"model", "output", "group"},
          {},         RunQuantize};
}

}  // namespace edgepiece::cli
