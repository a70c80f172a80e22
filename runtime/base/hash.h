// A fast 64-bit non-cryptographic hash of a byte string: it names a model's
// weights file in session snapshots and checks a snapshot's bytes
// (docs/model.md, "Session snapshots"). The same value on every platform
// (bytes are read as little-endian words whatever the host's order).
#ifndef EDGEPIECE_RUNTIME_BASE_HASH_H_
#define EDGEPIECE_RUNTIME_BASE_HASH_H_

#include <cstddef>
#include <cstdint>

namespace edgepiece {

// Hash of `size` bytes at `data` (null allowed when size is 0).
uint64_t Hash64(const void* data, size_t size);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_BASE_HASH_H_
