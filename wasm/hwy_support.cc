// The one libhwy symbol the header-only WebAssembly build needs: kernels
// call hwy::Abort on broken invariants (programming errors only).
#include <cstdarg>

#include "hwy/base.h"

namespace hwy {

HWY_NORETURN void HWY_FORMAT(3, 4) Abort(const char* file, int line, const char* format, ...) {
  __builtin_trap();
}

}  // namespace hwy
