// Whether the AMX int8 kernel may run: CPU features, OS tile state and Linux's per-process
// permission (without ARCH_REQ_XCOMP_PERM the first tile instruction raises SIGILL). Compiled
// without AMX or AVX-512 flags, since it runs on every CPU. On other architectures AMX is never
// enabled, so the generic code's AMX branches are never taken there.
#include <atomic>
#include <cstdlib>
#include <cstring>

#if !defined(__aarch64__)
#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif

#include "core/config.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/kernels.h"
#include "kernels/testing.h"

namespace sk::kernels {
namespace {

#if defined(__aarch64__)
bool DetectAmxBf16() { return false; }
bool DetectAmxInt8() { return false; }
#else
// AMX-BF16 (leaf 7 edx bit 22) and AVX512-BF16 (leaf 7 sub-leaf 1 eax bit 5), which converts
// the softmax's floats to bf16 for the tiles.
bool DetectAmxBf16() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 1, a, b, c, d);
  const bool avx512_bf16 = (a & (1u << 5)) != 0;
  __cpuid_count(7, 0, a, b, c, d);
  return avx512_bf16 && (d & (1u << 22)) != 0;
}

bool DetectAmxInt8() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid(1, a, b, c, d);
  if ((c & bit_OSXSAVE) == 0) return false;
  __cpuid_count(7, 0, a, b, c, d);
  constexpr unsigned kAmxTile = 1u << 24, kAmxInt8 = 1u << 25;
  if ((d & kAmxTile) == 0 || (d & kAmxInt8) == 0) return false;
  unsigned xcr0_low = 0, xcr0_high = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  constexpr unsigned kTileState = 3u << 17;  // XTILECFG and XTILEDATA
  if ((xcr0_low & kTileState) != kTileState) return false;
#if defined(__linux__)
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}
#endif

std::atomic<bool> g_allowed{GetConfig().amx};

}  // namespace

bool AmxInt8Supported() {
  static const bool supported = DetectAmxInt8();
  return supported;
}

bool AmxInt8Enabled() {
#if defined(__aarch64__)
  return false;
#else
  return g_allowed.load(std::memory_order_relaxed) && ActiveCpuLevel() == CpuLevel::kAvx512 && AmxInt8Supported();
#endif
}

bool AmxBf16Enabled() {
  static const bool supported = DetectAmxBf16();
  // Tile state and permission are the ones AMX-INT8 needs too.
  return supported && AmxInt8Enabled();
}

void SetAmxForTesting(bool enabled) { g_allowed.store(enabled); }

}  // namespace sk::kernels
