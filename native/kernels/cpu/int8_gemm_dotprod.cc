// Int8Gemm on SDOT (Armv8.2 dotprod: Cortex-A76, Neoverse N1 / Graviton 2, Apple M1). The packed
// layout is SDOT's own: one 16-byte load of a tile row r is 4 columns x 4 K values, and the
// by-element form multiplies it by one 4-byte K quad of a row. 4 rows x 16 columns of int32
// accumulators (16 registers), each weight load used by 4 rows. Exact, so its sums are the
// portable loop's; blocks and epilogue are RunArmInt8Gemm's. Compiled with +dotprod.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "kernels/cpu/gemm_kernels.h"

namespace sk::kernels {
namespace {

constexpr size_t kRows = 4;
#define SK_UNROLL _Pragma("GCC unroll 16")

template <int Lane>
inline void Quad(int32x4_t (&acc)[kRows][4], const int8_t* tile_row, const int8x16_t (&x)[kRows]) {
  int8x16_t w[4];
  SK_UNROLL for (int q = 0; q < 4; ++q) w[q] = vld1q_s8(tile_row + q * 16);
  SK_UNROLL for (int i = 0; i < static_cast<int>(kRows); ++i)
    SK_UNROLL for (int q = 0; q < 4; ++q) acc[i][q] = vdotq_laneq_s32(acc[i][q], w[q], x[i], Lane);
}

void MultiplyBlock(const int8_t* a, size_t a_stride, size_t m0, const int8_t* packed_w, size_t steps, size_t g,
                   int32_t (*sums)[kGemmGroupColumns]) {
  int32x4_t acc[kRows][4];
  SK_UNROLL for (int i = 0; i < static_cast<int>(kRows); ++i)
    SK_UNROLL for (int q = 0; q < 4; ++q) acc[i][q] = vdupq_n_s32(0);
  for (size_t s = 0; s < steps; ++s) {
    const int8_t* tile = packed_w + (g * steps + s) * 1024;
    // Four tile rows (16 K values) per iteration: one 16-byte load of each A row.
    for (size_t r = 0; r < 16; r += 4) {
      int8x16_t x[kRows];
      SK_UNROLL for (int i = 0; i < static_cast<int>(kRows); ++i) x[i] = vld1q_s8(a + (m0 + i) * a_stride + s * kGemmStepBytes + r * 4);
      Quad<0>(acc, tile + r * 64, x);
      Quad<1>(acc, tile + (r + 1) * 64, x);
      Quad<2>(acc, tile + (r + 2) * 64, x);
      Quad<3>(acc, tile + (r + 3) * 64, x);
    }
  }
  SK_UNROLL for (int i = 0; i < static_cast<int>(kRows); ++i)
    SK_UNROLL for (int q = 0; q < 4; ++q) vst1q_s32(sums[i] + 4 * q, acc[i][q]);
}

}  // namespace

void DotprodInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                     size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  RunArmInt8Gemm(&MultiplyBlock, kRows, a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
