// Highway skeleton: this file is compiled once per SIMD target through
// foreach_target.h; HWY_EXPORT + HWY_DYNAMIC_DISPATCH pick the best target
// at run time (natively) or the single SIMD128 target (WebAssembly).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/ops/text_scan.cc"
#include "runtime/ops/text_scan.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace edgepiece {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Scans whole vectors with unaligned loads, then finishes byte by byte, so
// any pointer and length are fine (no padding contract needed).
size_t CountAsciiPrefixImpl(const uint8_t* p, size_t n) {
  const hn::ScalableTag<int8_t> d;
  const size_t lanes = hn::Lanes(d);
  const auto* s = reinterpret_cast<const int8_t*>(p);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto non_ascii = hn::Lt(hn::LoadU(d, s + i), hn::Zero(d));
    const intptr_t first = hn::FindFirstTrue(d, non_ascii);
    if (first >= 0) return i + static_cast<size_t>(first);
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

size_t FindByteImpl(const uint8_t* p, size_t n, uint8_t byte) {
  const hn::ScalableTag<uint8_t> d;
  const size_t lanes = hn::Lanes(d);
  const auto needle = hn::Set(d, byte);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const intptr_t first = hn::FindFirstTrue(d, hn::Eq(hn::LoadU(d, p + i), needle));
    if (first >= 0) return i + static_cast<size_t>(first);
  }
  while (i < n && p[i] != byte) ++i;
  return i;
}

}  // namespace HWY_NAMESPACE
}  // namespace edgepiece
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace edgepiece {

HWY_EXPORT(CountAsciiPrefixImpl);
HWY_EXPORT(FindByteImpl);

size_t CountAsciiPrefix(const uint8_t* p, size_t n) {
  return HWY_DYNAMIC_DISPATCH(CountAsciiPrefixImpl)(p, n);
}

size_t FindByte(const uint8_t* p, size_t n, uint8_t byte) {
  return HWY_DYNAMIC_DISPATCH(FindByteImpl)(p, n, byte);
}

}  // namespace edgepiece
#endif  // HWY_ONCE
