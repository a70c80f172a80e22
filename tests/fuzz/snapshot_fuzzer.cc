// libFuzzer target: any bytes as a session snapshot (docs/model.md "Session
// snapshots") for the tiny model (after one flag byte), restored into a session that is part way
// through a sequence. Restore must fail cleanly leaving the session as it
// was, or succeed and leave a session that runs and snapshots again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/base/hash.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
using edgepiece::fuzz::Fail;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const edgepiece::Model& model = edgepiece::fuzz::TinyModel();
  auto session = edgepiece::Session::Create(model);
  if (!session.ok()) Fail("session");
  // A busy session: 1 + (size % 6) tokens fed, so the GAU chunk is part full.
  int32_t ids[6] = {1, 40, 70, 100, 260, 3};
  if (!session->Feed(ids, 1 + size % 6).ok()) Fail("feed");
  const std::string before = session->Snapshot();
  edgepiece::Sampler sampler(5);
  // The first byte's low bit set: the checksum is recomputed, so that mutations
  // reach the checks behind it.
  edgepiece::fuzz::FuzzInput input(data, size);
  const bool fix_checksum = input.Bool();
  std::string bytes(input.Rest());
  if (fix_checksum && bytes.size() >= 8) {
    const uint64_t hash = edgepiece::Hash64(bytes.data(), bytes.size() - 8);
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = static_cast<char>(hash >> (8 * i));
  }
  if (!session->Restore(bytes, &sampler).ok()) {
    if (session->Snapshot() != before) Fail("a failed restore changed the session");
    return 0;
  }
  // The restored sequence snapshots to the same bytes (the sampler's stream included).
  if (session->Snapshot(&sampler) != bytes && session->Snapshot() != bytes) {
    Fail("restored snapshot differs");
  }
  if (!session->Feed(ids, 6).ok()) Fail("feed after restore");
  double log2_prob = 0;
  if (!session->Score(ids, 3, &log2_prob).ok()) Fail("score after restore");
  const edgepiece::Status restored = session->Restore(session->Snapshot());
  // Except where the state overflowed to inf or NaN (extreme weights or
  // restored values): Restore refuses non-finite floats (docs/model.md).
  if (!restored.ok() && restored.detail().find("not finite") == std::string::npos) {
    edgepiece::fuzz::Fail("own snapshot does not restore: " + restored.detail());
  }
  return 0;
}
