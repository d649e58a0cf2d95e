// Int8Gemm on AVX-512 VNNI, for CPUs without AMX (AMD Zen 4/5, Intel Ice Lake / Cascade Lake):
// VPDPBUSD multiplies unsigned by signed bytes, so each activation byte is shifted to unsigned
// (a + 128, an XOR of its sign bit) and 128 · Σ_k w[n][k] is taken back per column. Blocks of
// up to 4 rows x 4 weight groups keep 16 accumulators in registers; each step's weight rows
// (one 64-byte row of the packed tile per 4 K values) serve 4 rows, each broadcast A dword 4
// groups.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/gemm_kernels.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::kernels {
namespace {

template <int Rows, int Groups>
void Block(const int8_t* a, size_t a_stride, size_t m0, const int8_t* packed_w, size_t steps, size_t g0,
           const GemmOutput& output) {
  __m512i acc[Rows][Groups];
  for (int i = 0; i < Rows; ++i) {
    for (int j = 0; j < Groups; ++j) acc[i][j] = _mm512_setzero_si512();
  }
  const __m512i shift = _mm512_set1_epi32(static_cast<int>(0x80808080u));
  for (size_t s = 0; s < steps; ++s) {
    for (size_t r = 0; r < 16; ++r) {
      __m512i w[Groups];
      for (int j = 0; j < Groups; ++j) w[j] = _mm512_loadu_si512(packed_w + (((g0 + j) * steps + s) * 16 + r) * 64);
      for (int i = 0; i < Rows; ++i) {
        int32_t quad;
        std::memcpy(&quad, a + (m0 + i) * a_stride + s * kGemmStepBytes + r * 4, sizeof(quad));
        const __m512i x = _mm512_xor_si512(_mm512_set1_epi32(quad), shift);
        for (int j = 0; j < Groups; ++j) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], x, w[j]);
      }
    }
  }
  for (int j = 0; j < Groups; ++j) {
    const size_t n0 = (g0 + j) * kGemmGroupColumns;
    const size_t width = std::min(kGemmGroupColumns, output.columns - n0);
    const __mmask16 mask = static_cast<__mmask16>(width >= 16 ? 0xFFFF : (1u << width) - 1);
    const __m512i correction = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mask, output.weight_sums + n0), 7);
    const __m512 column_scales = _mm512_maskz_loadu_ps(mask, output.column_scales + n0);
    const __m512 bias = output.bias != nullptr ? _mm512_maskz_loadu_ps(mask, output.bias + n0) : _mm512_setzero_ps();
    for (int i = 0; i < Rows; ++i) {
      const size_t m = m0 + i;
      const __m512 dot = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[i][j], correction));
      const __m512 scale = _mm512_mul_ps(column_scales, _mm512_set1_ps(output.row_scales[m]));
      const __m512 value = avx512::Activate(output.activation, _mm512_fmadd_ps(dot, scale, bias));
      _mm512_mask_storeu_ps(output.out + (m - output.out_row_begin) * output.out_stride + (n0 - output.out_column_begin), mask, value);
    }
  }
}

using BlockFn = void (*)(const int8_t*, size_t, size_t, const int8_t*, size_t, size_t, const GemmOutput&);

template <int Rows>
constexpr BlockFn kRowBlocks[4] = {&Block<Rows, 1>, &Block<Rows, 2>, &Block<Rows, 3>, &Block<Rows, 4>};
constexpr const BlockFn* kBlocks[4] = {kRowBlocks<1>, kRowBlocks<2>, kRowBlocks<3>, kRowBlocks<4>};

}  // namespace

void Avx512Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  for (size_t g = group_begin; g < group_end; g += 4) {
    const size_t groups = std::min<size_t>(4, group_end - g);
    for (size_t m = row_begin; m < row_end; m += 4) {
      const size_t rows = std::min<size_t>(4, row_end - m);
      kBlocks[rows - 1][groups - 1](a, a_stride, m, packed_w, steps, g, output);
    }
  }
}

}  // namespace sk::kernels
