// Int8Gemm on SMMLA (Armv8.6 i8mm: Neoverse V1 / N2, Graviton 3 and 4, Apple M2+): each
// instruction multiplies a 2-row x 8-K block of A by an 8-K x 2-column block of W into a 2 x 2
// int32 tile, twice SDOT's products. The packed layout keeps 4 K values per column per tile row,
// so two consecutive tile rows zipped by 32-bit lanes give two columns' 8 K values (ZIP1/ZIP2).
// 4 rows (two pairs) x 16 columns: 16 accumulator registers. Exact; blocks and epilogue are
// RunArmInt8Gemm's. Compiled with +i8mm; only used when the CPU reports i8mm.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "kernels/cpu/gemm_kernels.h"

namespace sk::kernels {
namespace {

constexpr size_t kRows = 4;
#define SK_UNROLL _Pragma("GCC unroll 16")

void MultiplyBlock(const int8_t* a, size_t a_stride, size_t m0, const int8_t* packed_w, size_t steps, size_t g,
                   int32_t (*sums)[kGemmGroupColumns]) {
  // acc[p][j]: rows m0 + 2p, m0 + 2p + 1 by columns 2j, 2j + 1, as [r0c0 r0c1 r1c0 r1c1].
  int32x4_t acc[2][8];
  SK_UNROLL for (int p = 0; p < 2; ++p)
    SK_UNROLL for (int j = 0; j < 8; ++j) acc[p][j] = vdupq_n_s32(0);
  const int8_t* rows[kRows];
  for (size_t i = 0; i < kRows; ++i) rows[i] = a + (m0 + i) * a_stride;
  for (size_t s = 0; s < steps; ++s) {
    const int8_t* tile = packed_w + (g * steps + s) * 1024;
    for (size_t r = 0; r < 16; r += 2) {  // tile rows r, r + 1: K values s * 64 + 4r .. + 8
      const size_t k = s * kGemmStepBytes + r * 4;
      int8x16_t w[8];
      SK_UNROLL for (int q = 0; q < 4; ++q) {
        const int32x4_t first = vreinterpretq_s32_s8(vld1q_s8(tile + r * 64 + q * 16));
        const int32x4_t second = vreinterpretq_s32_s8(vld1q_s8(tile + (r + 1) * 64 + q * 16));
        w[2 * q] = vreinterpretq_s8_s32(vzip1q_s32(first, second));      // columns 4q, 4q + 1
        w[2 * q + 1] = vreinterpretq_s8_s32(vzip2q_s32(first, second));  // columns 4q + 2, 4q + 3
      }
      SK_UNROLL for (int p = 0; p < 2; ++p) {
        const int8x16_t x = vcombine_s8(vld1_s8(rows[2 * p] + k), vld1_s8(rows[2 * p + 1] + k));
        SK_UNROLL for (int j = 0; j < 8; ++j) acc[p][j] = vmmlaq_s32(acc[p][j], x, w[j]);
      }
    }
  }
  SK_UNROLL for (int p = 0; p < 2; ++p) {
    SK_UNROLL for (int j = 0; j < 8; ++j) {
      const int32x4_t tile = acc[p][j];
      sums[2 * p][2 * j] = vgetq_lane_s32(tile, 0);
      sums[2 * p][2 * j + 1] = vgetq_lane_s32(tile, 1);
      sums[2 * p + 1][2 * j] = vgetq_lane_s32(tile, 2);
      sums[2 * p + 1][2 * j + 1] = vgetq_lane_s32(tile, 3);
    }
  }
}

}  // namespace

void I8mmInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                  size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  RunArmInt8Gemm(&MultiplyBlock, kRows, a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
