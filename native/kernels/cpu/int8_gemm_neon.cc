// Int8Gemm on plain NEON (Armv8.0: Cortex-A53/A72, Graviton 1), over the packed layout every
// kernel reads (int8_gemm.h: per group step, 16 rows r of 16 columns x 4 K values). Without a
// dot-product instruction, each K quad of a row is broadcast, multiplied by 16 columns' quads
// into exact int16 products (SMULL) and summed pairwise into int32 (SADALP): 2 rows x 16
// columns of accumulators. Also the block walk and epilogue the three ARM kernels share: the
// portable loop's scalar epilogue (scales, bias, std::erf / std::tanh), so with exact sums their
// outputs equal Int8GemmScalar's bit for bit.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstring>

#include "kernels/cpu/gemm_kernels.h"

namespace sk::kernels {

namespace {

constexpr size_t kRows = 2;

// acc[i][v] holds columns 2v and 2v + 1 of row i, each as two partial sums.
void MultiplyBlock(const int8_t* a, size_t a_stride, size_t m0, const int8_t* packed_w, size_t steps, size_t g,
                   int32_t (*sums)[kGemmGroupColumns]) {
  int32x4_t acc[kRows][8];
  for (size_t i = 0; i < kRows; ++i)
    for (size_t v = 0; v < 8; ++v) acc[i][v] = vdupq_n_s32(0);
  for (size_t s = 0; s < steps; ++s) {
    const int8_t* tile = packed_w + (g * steps + s) * 1024;
    for (size_t r = 0; r < 16; ++r) {
      int8x16_t w[4];
      for (size_t q = 0; q < 4; ++q) w[q] = vld1q_s8(tile + r * 64 + q * 16);
      for (size_t i = 0; i < kRows; ++i) {
        int32_t quad;
        std::memcpy(&quad, a + (m0 + i) * a_stride + s * kGemmStepBytes + r * 4, 4);
        const int8x16_t x = vreinterpretq_s8_s32(vdupq_n_s32(quad));
        for (size_t q = 0; q < 4; ++q) {
          acc[i][2 * q] = vpadalq_s16(acc[i][2 * q], vmull_s8(vget_low_s8(w[q]), vget_low_s8(x)));
          acc[i][2 * q + 1] = vpadalq_s16(acc[i][2 * q + 1], vmull_high_s8(w[q], x));
        }
      }
    }
  }
  for (size_t i = 0; i < kRows; ++i) {
    for (size_t q = 0; q < 4; ++q) vst1q_s32(sums[i] + 4 * q, vpaddq_s32(acc[i][2 * q], acc[i][2 * q + 1]));
  }
}

}  // namespace

void RunArmInt8Gemm(ArmInt8Block block, size_t block_rows, const int8_t* a, size_t a_stride, size_t row_begin,
                    size_t row_end, const int8_t* packed_w, size_t steps, size_t group_begin, size_t group_end,
                    const GemmOutput& output) {
  int32_t sums[kArmGemmMaxRows][kGemmGroupColumns];
  for (size_t m0 = row_begin; m0 < row_end; m0 += block_rows) {
    for (size_t g = group_begin; g < group_end; ++g) {
      block(a, a_stride, m0, packed_w, steps, g, sums);
      for (size_t i = 0; i < block_rows && m0 + i < row_end; ++i) {
        const size_t m = m0 + i;
        for (size_t c = 0; c < kGemmGroupColumns && g * kGemmGroupColumns + c < output.columns; ++c) {
          const size_t n = g * kGemmGroupColumns + c;
          float value = static_cast<float>(sums[i][c]) * output.row_scales[m] * output.column_scales[n];
          if (output.bias != nullptr) value += output.bias[n];
          output.out[(m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin)] =
              ApplyGemmActivation(output.activation, value);
        }
      }
    }
  }
}

void NeonInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                  size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  RunArmInt8Gemm(&MultiplyBlock, kRows, a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
