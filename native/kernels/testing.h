// Switches for tests only: production code never includes this header (the kernel level and
// AMX come from the CPU and SENTENCEKIT_CPU_LEVEL / SENTENCEKIT_AMX, core/config.h). Tests use
// them to run every variant on one machine and check it against the scalar reference.
#pragma once

#include "kernels/kernels.h"

namespace sk::kernels {

// Forces a level; clamped to what the CPU supports. Not thread-safe against concurrent kernel
// calls: call it before starting work.
void SetCpuLevelForTesting(CpuLevel level);
// Turns the AMX kernels off (false) or back on where the CPU, OS and SENTENCEKIT_AMX allow them.
void SetAmxForTesting(bool enabled);
#if !defined(__aarch64__)
// The avx2 level's VPDPBUSD-on-ymm form on (whichever this CPU has, if any) or off, and whether
// it is on (whatever the level).
void SetYmmVnniForTesting(bool enabled);
bool YmmVnniForTesting();
#endif

}  // namespace sk::kernels
