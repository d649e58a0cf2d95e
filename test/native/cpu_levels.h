// What the kernel-loop helpers record when this CPU cannot run a level or AMX: each becomes a
// skipped part of the test (sktest::SkipPart), so a machine without AVX-512 or AMX shows, and
// counts, which kernels it did not check instead of passing as if it had.
#pragma once

#include <string>

#include "check.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/kernels.h"

namespace sktest {

// Levels in (this CPU's level, `top`] that a loop over levels up to `top` never reached.
inline void SkipCpuLevelsAbove(sk::kernels::CpuLevel top) {
  for (int level = static_cast<int>(sk::kernels::SupportedCpuLevel()) + 1; level <= static_cast<int>(top); ++level) {
    SkipPart(std::string(sk::kernels::CpuLevelName(static_cast<sk::kernels::CpuLevel>(level))) + " kernels (not on this CPU)");
  }
}

inline void SkipAmxUnlessSupported(const char* what = "amx kernels") {
  if (!sk::kernels::AmxInt8Supported()) SkipPart(std::string(what) + " (no AMX on this CPU)");
}

}  // namespace sktest
