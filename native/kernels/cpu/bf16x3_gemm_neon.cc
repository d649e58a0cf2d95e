// Bf16x3Gemm on NEON float32 FMAs, at every ARM level: as the AVX2 and AVX-512 kernels do, each
// bf16 half pair is joined back into one float (hi + lo, exact in float32) and a float32 FMA
// GEMM runs on them: the block's rows into a float scratch once, each group's weights once per
// call, then 6 rows x 16 columns of accumulators (24 of the 32 registers) per K loop. It keeps
// the lo · lo product, so it is at least as accurate as three bf16 products. (BFMMLA, where a
// CPU has bf16, rounds its products' sums to bf16-width steps: not fp32-accurate, not used.)
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <algorithm>

#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/gemm_kernels.h"

namespace sk::kernels {
namespace {

constexpr size_t kRows = 6;
#define SK_UNROLL _Pragma("GCC unroll 8")

// 4 bf16 values to floats.
inline float32x4_t Widen(const uint16_t* from) { return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(from), 16)); }

// One step of a split row (hi | lo halves of 32 values) back into 32 floats.
inline void JoinStep(const uint16_t* step, float* out) {
  for (size_t part = 0; part < 8; ++part) vst1q_f32(out + 4 * part, vaddq_f32(Widen(step + 4 * part), Widen(step + kBf16StepValues + 4 * part)));
}

// Group g's packed weights back into w[k][16 columns].
void JoinWeights(const uint16_t* packed, size_t steps, size_t g, float* w) {
  for (size_t s = 0; s < steps; ++s) {
    const uint16_t* lo = packed + (g * steps + s) * 1024;
    const uint16_t* hi = lo + 512;
    // Tile row r holds K pairs (2r, 2r + 1) of the 16 columns, interleaved: c * 2 + j.
    for (size_t r = 0; r < 16; ++r) {
      float pairs[32];
      for (size_t part = 0; part < 8; ++part) vst1q_f32(pairs + 4 * part, vaddq_f32(Widen(hi + r * 32 + 4 * part), Widen(lo + r * 32 + 4 * part)));
      for (size_t j = 0; j < 2; ++j) {
        float* row = w + (s * 32 + 2 * r + j) * 16;
        for (size_t c = 0; c < 16; ++c) row[c] = pairs[c * 2 + j];
      }
    }
  }
}

template <int Rows>
void MultiplyRows(const float* a, size_t k_padded, const float* w, size_t m0, size_t n0, const GemmOutput& output) {
  float32x4_t acc[Rows][4];
  SK_UNROLL for (int r = 0; r < Rows; ++r)
    SK_UNROLL for (int q = 0; q < 4; ++q) acc[r][q] = vdupq_n_f32(0.0f);
  for (size_t k = 0; k < k_padded; ++k) {
    float32x4_t weights[4];
    SK_UNROLL for (int q = 0; q < 4; ++q) weights[q] = vld1q_f32(w + k * 16 + 4 * q);
    SK_UNROLL for (int r = 0; r < Rows; ++r) {
      const float value = a[r * k_padded + k];
      SK_UNROLL for (int q = 0; q < 4; ++q) acc[r][q] = vfmaq_n_f32(acc[r][q], weights[q], value);
    }
  }
  float sums[Rows][16];
  SK_UNROLL for (int r = 0; r < Rows; ++r)
    SK_UNROLL for (int q = 0; q < 4; ++q) vst1q_f32(sums[r] + 4 * q, acc[r][q]);
  const size_t width = std::min<size_t>(16, output.columns - n0);
  for (int r = 0; r < Rows; ++r) {
    float* out = output.out + (m0 + r - output.out_row_begin) * output.out_stride + (n0 - output.out_column_begin);
    for (size_t c = 0; c < width; ++c) {
      const float value = sums[r][c] + (output.bias != nullptr ? output.bias[n0 + c] : 0.0f);
      out[c] = ApplyGemmActivation(output.activation, value);
    }
  }
}

using MultiplyFn = void (*)(const float*, size_t, const float*, size_t, size_t, const GemmOutput&);
constexpr MultiplyFn kMultiply[kRows] = {&MultiplyRows<1>, &MultiplyRows<2>, &MultiplyRows<3>,
                                         &MultiplyRows<4>, &MultiplyRows<5>, &MultiplyRows<6>};

}  // namespace

void NeonBf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, float* joined_rows,
                    float* joined_weights) {
  const size_t k_padded = steps * kBf16StepValues, rows = row_end - row_begin;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t s = 0; s < steps; ++s) JoinStep(a + (row_begin + r) * a_stride + 2 * s * kBf16StepValues, joined_rows + r * k_padded + s * 32);
  }
  for (size_t g = group_begin; g < group_end; ++g) {
    JoinWeights(packed_w, steps, g, joined_weights);
    for (size_t m = 0; m < rows; m += kRows) {
      const size_t count = std::min(kRows, rows - m);
      kMultiply[count - 1](joined_rows + m * k_padded, k_padded, joined_weights, row_begin + m, g * kGemmGroupColumns, output);
    }
  }
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
