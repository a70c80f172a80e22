// Fallible allocation for a runtime built without exceptions. std::vector and
// std::string abort the process when an allocation fails (WebAssembly: the
// module traps), which a browser tab cannot survive; malloc returns null. So
// every allocation whose size an input decides is checked first: the bytes it
// needs are allocated with malloc and freed at once (a probe), and only then
// taken by the container. Single-threaded WebAssembly keeps the probed memory
// (a module's memory never shrinks), so the allocation that follows succeeds;
// natively a probe fails only where the OS refuses (ulimit -v, a request
// beyond RAM and swap): see docs/hardening.md.
#ifndef EDGEPIECE_RUNTIME_BASE_MEMORY_H_
#define EDGEPIECE_RUNTIME_BASE_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <limits>

#include "runtime/base/status.h"

namespace edgepiece {

// kOutOfMemory ("<what>: cannot allocate N bytes") unless `bytes` can be allocated now.
Status ProbeAllocation(uint64_t bytes, const char* what);

// Makes room for `n` elements in `*container` (a std::vector or std::string), or
// kOutOfMemory with `*container` unchanged. Growing past the capacity at least doubles
// it, as push_back does, so repeated calls stay amortized O(1).
template <typename Container>
Status TryReserve(Container* container, size_t n, const char* what) {
  if (n <= container->capacity()) return Status::Ok();
  using Value = typename Container::value_type;
  if (n > std::numeric_limits<size_t>::max() / 2 / sizeof(Value)) {
    return Status(StatusCode::kOutOfMemory, std::string(what) + ": size overflow");
  }
  const size_t capacity = n < 2 * container->capacity() ? 2 * container->capacity() : n;
  // The old buffer stays live while the new one is filled: probe for the new one only.
  EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation(uint64_t{capacity} * sizeof(Value) + 64, what));
  container->reserve(capacity);
  return Status::Ok();
}

// TryReserve, then resize to `n` elements.
template <typename Container>
Status TryResize(Container* container, size_t n, const char* what) {
  if (n > container->capacity()) {
    using Value = typename Container::value_type;
    if (n > std::numeric_limits<size_t>::max() / 2 / sizeof(Value)) {
      return Status(StatusCode::kOutOfMemory, std::string(what) + ": size overflow");
    }
    EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation(uint64_t{n} * sizeof(Value) + 64, what));
  }
  container->resize(n);
  return Status::Ok();
}

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_BASE_MEMORY_H_
