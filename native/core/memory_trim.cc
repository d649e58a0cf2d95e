#include "core/memory_trim.h"

#include <cstdlib>  // defines __GLIBC__ on glibc, which the check below needs

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sk {

void ReturnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace sk
