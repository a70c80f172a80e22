#include "native/clocks.h"

#include <time.h>

namespace edgepiece::cli {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

}  // namespace edgepiece::cli
