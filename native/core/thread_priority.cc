#include "core/thread_priority.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "core/config.h"

namespace sk {
int ComputeThreadNice() {
  return GetConfig().compute_nice;
}

void LowerComputeThreadPriority() {
#if defined(__linux__)
  const int nice = ComputeThreadNice();
  if (nice <= 0) return;
  // Raising one's own niceness needs no privilege; failure leaves the thread as it was.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
#endif
}

}  // namespace sk
