// Chooses the kernel table once from the CPU's features, lowered by SENTENCEKIT_CPU_LEVEL (and on
// x86 whether the avx2 level's int8 GEMM multiplies with VPDPBUSD on ymm).
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/config.h"
#include "kernels/cpu/kernel_table.h"
#include "kernels/cpu/vector_table.h"
#include "kernels/kernels.h"
#include "kernels/testing.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

namespace sk::kernels {
namespace {

#if defined(__aarch64__)
// The level names SENTENCEKIT_CPU_LEVEL takes and runtimeInfo().cpuLevel reports, by level.
constexpr const char* kLevelNames[] = {"scalar", "neon", "dotprod", "i8mm"};

#if defined(__linux__)
// Bits of the kernel's arch/arm64/include/uapi/asm/hwcap.h, spelled out because the glibc 2.28
// headers the packages build against may predate HWCAP2_I8MM.
constexpr unsigned long kHwcapAsimdDotProduct = 1ul << 20;  // HWCAP_ASIMDDP: SDOT / UDOT
constexpr unsigned long kHwcap2I8mm = 1ul << 13;            // HWCAP2_I8MM: SMMLA

CpuLevel DetectCpuLevel() {
  if ((getauxval(AT_HWCAP) & kHwcapAsimdDotProduct) == 0) return CpuLevel::kNeon;
  return (getauxval(AT_HWCAP2) & kHwcap2I8mm) != 0 ? CpuLevel::kI8mm : CpuLevel::kDotprod;
}
#elif defined(__APPLE__)
bool HasFeature(const char* name) {
  int value = 0;
  size_t size = sizeof(value);
  return sysctlbyname(name, &value, &size, nullptr, 0) == 0 && value != 0;
}

CpuLevel DetectCpuLevel() {
  if (!HasFeature("hw.optional.arm.FEAT_DotProd")) return CpuLevel::kNeon;
  return HasFeature("hw.optional.arm.FEAT_I8MM") ? CpuLevel::kI8mm : CpuLevel::kDotprod;
}
#else
// No portable way to ask other systems: NEON is every aarch64 CPU's.
CpuLevel DetectCpuLevel() { return CpuLevel::kNeon; }
#endif

#else  // x86
constexpr const char* kLevelNames[] = {"scalar", "avx2", "avx512"};

// cpuid and xgetbv asked directly rather than through __builtin_cpu_supports: that builtin reads
// libgcc's __cpu_model, which zig's clang does not link and which a shared object cannot
// reference PC-relatively. The checks are libgcc's: a feature counts only when the OS saves its
// registers (XCR0), or a context switch would corrupt them.
struct CpuidRegisters {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidRegisters Cpuid(unsigned leaf, unsigned subleaf) {
  CpuidRegisters r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

bool AllBits(unsigned value, unsigned bits) { return (value & bits) == bits; }

CpuLevel DetectCpuLevel() {
  if (__get_cpuid_max(0, nullptr) < 7) return CpuLevel::kScalar;
  const CpuidRegisters leaf1 = Cpuid(1, 0);
  constexpr unsigned kFma = 1u << 12, kOsxsave = 1u << 27, kAvx = 1u << 28;
  if (!AllBits(leaf1.ecx, kFma | kOsxsave | kAvx)) return CpuLevel::kScalar;
  unsigned xcr0 = 0, xcr0_high = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0_high) : "c"(0));
  constexpr unsigned kXmmYmmState = 0x6u, kZmmState = 0xe0u;  // SSE+AVX; opmask, ZMM0-15 high, ZMM16-31
  if (!AllBits(xcr0, kXmmYmmState)) return CpuLevel::kScalar;
#if defined(__APPLE__)
  // macOS enables the AVX-512 state on a thread's first AVX-512 instruction, so XCR0 lacks it
  // until then (LLVM's compiler-rt trusts the OS the same way).
  const bool zmm_saved = true;
#else
  const bool zmm_saved = AllBits(xcr0, kZmmState);
#endif
  const CpuidRegisters leaf7 = Cpuid(7, 0);
  constexpr unsigned kAvx2 = 1u << 5;
  if (!AllBits(leaf7.ebx, kAvx2)) return CpuLevel::kScalar;
  constexpr unsigned kAvx512F = 1u << 16, kAvx512Dq = 1u << 17, kAvx512Bw = 1u << 30, kAvx512Vl = 1u << 31;
  constexpr unsigned kAvx512Vnni = 1u << 11, kAvx512Vpopcntdq = 1u << 14;  // in ecx
  if (zmm_saved && AllBits(leaf7.ebx, kAvx512F | kAvx512Dq | kAvx512Bw | kAvx512Vl) &&
      AllBits(leaf7.ecx, kAvx512Vnni | kAvx512Vpopcntdq)) {
    return CpuLevel::kAvx512;
  }
  return CpuLevel::kAvx2;
}

// AVX-VNNI: CPUID leaf 7 sub-leaf 1, EAX bit 4 (its ymm state is AVX2's, already checked).
bool DetectAvxVnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0 && (eax & (1u << 4)) != 0;
}

// The VPDPBUSD-on-ymm form the avx2 level can run here: VEX where the CPU has AVX-VNNI, else
// EVEX where it has AVX-512 VNNI + VL (the avx512 level's features).
YmmVnni AvailableYmmVnni(CpuLevel supported) {
  if (supported >= CpuLevel::kAvx2 && DetectAvxVnni()) return YmmVnni::kAvxVnni;
  return supported == CpuLevel::kAvx512 ? YmmVnni::kAvx512Vl : YmmVnni::kNone;
}

// SENTENCEKIT_CPU_LEVEL=avx2-vnni: the avx2 level with VPDPBUSD on ymm in whichever form the CPU
// has; avx2: without (plain AVX2, as AMD Zen 2/3 run). Otherwise an avx2 CPU uses AVX-VNNI
// where it has it; an avx512 CPU runs the avx512 level, which has no use for it.
YmmVnni RequestedYmmVnni(CpuLevel supported) {
  const std::string& forced = GetConfig().cpu_level;
  if (forced == "avx2") return YmmVnni::kNone;
  if (forced == "avx2-vnni" || supported == CpuLevel::kAvx2) return AvailableYmmVnni(supported);
  return YmmVnni::kNone;
}
#endif

CpuLevel RequestedLevel(CpuLevel supported) {
  const std::string& forced = GetConfig().cpu_level;
  CpuLevel wanted = supported;
  // Another architecture's name (avx2 on an ARM CPU) is ignored, like any unknown one.
  for (int level = 0; level <= static_cast<int>(kHighestCpuLevel); ++level) {
    if (forced == kLevelNames[level]) wanted = static_cast<CpuLevel>(level);
  }
#if !defined(__aarch64__)
  if (forced == "avx2-vnni") wanted = CpuLevel::kAvx2;
#endif
  // Never above what the CPU can run.
  return wanted < supported ? wanted : supported;
}

const CpuLevel kSupportedLevel = DetectCpuLevel();
std::atomic<int> g_level{static_cast<int>(RequestedLevel(kSupportedLevel))};

#if !defined(__aarch64__)
std::atomic<YmmVnni> g_ymm_vnni{RequestedYmmVnni(kSupportedLevel)};
#endif

const KernelTable& Active() { return KernelsFor(g_level.load(std::memory_order_relaxed)); }

}  // namespace

#if defined(__aarch64__)
const KernelTable& KernelsFor(int level) {
  return static_cast<CpuLevel>(level) == CpuLevel::kScalar ? ScalarKernels() : NeonKernels();
}

const VectorKernels& VectorKernelsFor(int level) {
  switch (static_cast<CpuLevel>(level)) {
    case CpuLevel::kI8mm:
    case CpuLevel::kDotprod: return DotprodVectorKernels();
    case CpuLevel::kNeon: return NeonVectorKernels();
    case CpuLevel::kScalar: break;
  }
  return ScalarVectorKernels();
}
#else
const KernelTable& KernelsFor(int level) {
  switch (static_cast<CpuLevel>(level)) {
    case CpuLevel::kAvx512: return Avx512Kernels();
    case CpuLevel::kAvx2: return Avx2Kernels();
    case CpuLevel::kScalar: break;
  }
  return ScalarKernels();
}

const VectorKernels& VectorKernelsFor(int level) {
  switch (static_cast<CpuLevel>(level)) {
    case CpuLevel::kAvx512: return Avx512VectorKernels();
    case CpuLevel::kAvx2: return Avx2VectorKernels();
    case CpuLevel::kScalar: break;
  }
  return ScalarVectorKernels();
}
#endif

const VectorKernels& ActiveVectorKernels() { return VectorKernelsFor(g_level.load(std::memory_order_relaxed)); }

CpuLevel ActiveCpuLevel() { return static_cast<CpuLevel>(g_level.load(std::memory_order_relaxed)); }

CpuLevel SupportedCpuLevel() { return kSupportedLevel; }

#if !defined(__aarch64__)
YmmVnni ActiveYmmVnni() {
  return ActiveCpuLevel() == CpuLevel::kAvx2 ? g_ymm_vnni.load(std::memory_order_relaxed) : YmmVnni::kNone;
}

void SetYmmVnniForTesting(bool enabled) { g_ymm_vnni.store(enabled ? AvailableYmmVnni(kSupportedLevel) : YmmVnni::kNone); }

bool YmmVnniForTesting() { return g_ymm_vnni.load() != YmmVnni::kNone; }
#endif

const char* CpuLevelName(CpuLevel level) {
  const int index = static_cast<int>(level);
  return index >= 0 && index <= static_cast<int>(kHighestCpuLevel) ? kLevelNames[index] : "scalar";
}

void SetCpuLevelForTesting(CpuLevel level) {
  g_level.store(static_cast<int>(level < kSupportedLevel ? level : kSupportedLevel));
}

void MeanPool(const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden, float* out) {
  Active().mean_pool(tokens, mask, batch, seq, hidden, out);
}

void MaxPool(const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden, float* out) {
  Active().max_pool(tokens, mask, batch, seq, hidden, out);
}

// A copy of one row per text: no arithmetic, so one implementation serves every level.
void ClsPool(const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden, float* out) {
  for (size_t b = 0; b < batch; ++b) {
    size_t first = 0;
    while (first < seq && mask[b * seq + first] == 0) ++first;
    if (first == seq) first = 0;
    std::memcpy(out + b * hidden, tokens + (b * seq + first) * hidden, hidden * sizeof(float));
  }
}

void L2NormalizeRows(float* data, size_t rows, size_t dim) { Active().l2_normalize_rows(data, rows, dim); }

}  // namespace sk::kernels
