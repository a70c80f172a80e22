#include "runtime/base/memory.h"

#include <cstdlib>
#include <string>

namespace edgepiece {
namespace {

// The probe is stored here: a malloc whose result is only tested and freed may be
// elided by the compiler (and assumed to succeed). One per thread: encoders on
// several threads probe at once.
thread_local void* volatile probe_sink = nullptr;

}  // namespace

Status ProbeAllocation(uint64_t bytes, const char* what) {
  // A size_t cannot hold it (WebAssembly: 4 GiB or more): no allocator could give it.
  void* probe = bytes <= std::numeric_limits<size_t>::max() / 2
                    ? std::malloc(static_cast<size_t>(bytes))
                    : nullptr;
  if (probe == nullptr) {
    return Status(StatusCode::kOutOfMemory,
                  std::string(what) + ": cannot allocate " + std::to_string(bytes) + " bytes");
  }
  probe_sink = probe;
  std::free(probe_sink);
  probe_sink = nullptr;
  return Status::Ok();
}

}  // namespace edgepiece
