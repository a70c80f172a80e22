// libFuzzer target: any bytes as language-model weights (safetensors: the
// JSON header with the config in __metadata__, then the tensor table and
// data). Loading must fail cleanly or yield a model that a session can run.
// Seeds: the tiny models fuzz_seeds writes and tests/golden/model.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model =
      edgepiece::Model::FromBytes(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!model.ok()) return 0;
  // Keep each run cheap: only small configurations are exercised further.
  if (model->num_parameters() > 200000) return 0;
  auto session = edgepiece::Session::Create(*model);
  if (!session.ok()) return 0;
  const int32_t vocab = model->config().vocab_size;
  int32_t ids[9];
  for (int i = 0; i < 9; ++i) ids[i] = (i * 7 + 1) % vocab;
  (void)session->Feed(ids, 9);
  double log2_prob = 0;
  (void)session->Score(ids, 5, &log2_prob);
  const std::string snapshot = session->Snapshot();
  const edgepiece::Status restored = session->Restore(session->Snapshot());
  // Except where the state overflowed to inf or NaN (extreme weights or
  // restored values): Restore refuses non-finite floats (docs/model.md).
  if (!restored.ok() && restored.detail().find("not finite") == std::string::npos) {
    edgepiece::fuzz::Fail("own snapshot does not restore: " + restored.detail());
  }
  return 0;
}
