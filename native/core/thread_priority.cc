#include "core/thread_priority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#endif

namespace sk {

void LowerCurrentThreadPriority() {
#if defined(__linux__)
  // PRIO_PROCESS with a thread id addresses that one thread on Linux.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return;
  (void)setpriority(PRIO_PROCESS, tid, std::min(19, current + kBackgroundNiceIncrement));
#endif
}

}  // namespace sk
