// The vector table at the dotprod level (Armv8.2 SDOT, e.g. Cortex-A76, Neoverse N1, Graviton 2,
// Apple M1): NEON's, with int8 dot products on SDOT, 16 products summed into 4 int32 lanes
// per instruction (exact). Compiled with +dotprod; only used when the CPU reports asimddp.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "kernels/cpu/vector_neon.h"
#include "kernels/cpu/vector_table.h"

namespace sk::kernels {
namespace {

int32_t DotI8(const int8_t* a, const int8_t* b, size_t bytes) {
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  size_t i = 0;
  for (; i + 32 <= bytes; i += 32) {
    acc0 = vdotq_s32(acc0, vld1q_s8(a + i), vld1q_s8(b + i));
    acc1 = vdotq_s32(acc1, vld1q_s8(a + i + 16), vld1q_s8(b + i + 16));
  }
  for (; i + 16 <= bytes; i += 16) acc0 = vdotq_s32(acc0, vld1q_s8(a + i), vld1q_s8(b + i));
  int32_t sum = vaddvq_s32(vaddq_s32(acc0, acc1));
  for (; i < bytes; ++i) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

void DotRowsI8Dotprod(const int8_t* queries, size_t m, const int8_t* corpus, size_t n, size_t bytes, int32_t* scores,
                      size_t stride) {
  for (size_t r = 0; r < n; ++r) {
    for (size_t q = 0; q < m; ++q) scores[q * stride + r] = DotI8(queries + q * bytes, corpus + r * bytes, bytes);
  }
}

}  // namespace

const VectorKernels& DotprodVectorKernels() {
  static const VectorKernels table = [] {
    VectorKernels kernels = MakeNeonVectorKernels();
    kernels.dot_rows_i8 = DotRowsI8Dotprod;
    return kernels;
  }();
  return table;
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
