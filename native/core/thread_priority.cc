#include "core/thread_priority.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace sk {
int ComputeThreadNice() {
  static const int nice = [] {
    const char* value = std::getenv("SENTENCEKIT_COMPUTE_NICE");
    if (value == nullptr || *value == '\0') return 0;
    const int parsed = std::atoi(value);
    return parsed < 0 ? 0 : (parsed > 19 ? 19 : parsed);
  }();
  return nice;
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
