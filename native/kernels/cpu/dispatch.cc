// Chooses the kernel table once from the CPU's features, lowered by SENTENCEKIT_CPU_LEVEL.
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "kernels/cpu/kernel_table.h"
#include "kernels/cpu/vector_table.h"
#include "kernels/kernels.h"

namespace sk::kernels {
namespace {

CpuLevel DetectCpuLevel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vpopcntdq")) {
    return CpuLevel::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuLevel::kAvx2;
  return CpuLevel::kScalar;
}

CpuLevel RequestedLevel(CpuLevel supported) {
  const char* forced = std::getenv("SENTENCEKIT_CPU_LEVEL");
  if (forced == nullptr) return supported;
  CpuLevel wanted = supported;
  if (std::strcmp(forced, "scalar") == 0) wanted = CpuLevel::kScalar;
  else if (std::strcmp(forced, "avx2") == 0) wanted = CpuLevel::kAvx2;
  else if (std::strcmp(forced, "avx512") == 0) wanted = CpuLevel::kAvx512;
  // Never above what the CPU can run.
  return wanted < supported ? wanted : supported;
}

const CpuLevel kSupportedLevel = DetectCpuLevel();
std::atomic<int> g_level{static_cast<int>(RequestedLevel(kSupportedLevel))};

const KernelTable& Active() { return KernelsFor(g_level.load(std::memory_order_relaxed)); }

}  // namespace

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

const VectorKernels& ActiveVectorKernels() { return VectorKernelsFor(g_level.load(std::memory_order_relaxed)); }

CpuLevel ActiveCpuLevel() { return static_cast<CpuLevel>(g_level.load(std::memory_order_relaxed)); }

CpuLevel SupportedCpuLevel() { return kSupportedLevel; }

const char* CpuLevelName(CpuLevel level) {
  switch (level) {
    case CpuLevel::kAvx512: return "avx512";
    case CpuLevel::kAvx2: return "avx2";
    case CpuLevel::kScalar: break;
  }
  return "scalar";
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
