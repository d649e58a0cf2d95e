// AMX int8 GEMM: 2 x 2 register blocking (two 16-row activation strips x two 16-column weight
// groups into four int32 accumulator tiles, the eight-tile budget), weight groups outside so a
// group pair's packed weights (2 KiB per K step) stay in L1 while the activation strips stream
// from L2; each finished block goes through a 4 KiB scratch to the float epilogue.
#include "kernels/cpu/int8_gemm_amx.h"

#include <immintrin.h>

#include <algorithm>

#include "kernels/cpu/amx_tiles.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::kernels {
namespace {

// Tiles 0-3: accumulators C[strip][group] = tile 2 * strip + group; 4-5: A strips; 6-7: W groups.
template <int Strips, int Groups>
inline void MultiplyBlock(const int8_t* a, size_t a_stride, const int8_t* w, size_t steps, int32_t* scratch) {
  _tile_zero(0);
  if constexpr (Groups > 1) _tile_zero(1);
  if constexpr (Strips > 1) _tile_zero(2);
  if constexpr (Strips > 1 && Groups > 1) _tile_zero(3);
  const size_t group_bytes = steps * 1024;
  // Each product follows the loads it needs, so later loads overlap earlier products (the
  // tiles are not renamed: loading all four first left the multiplies waiting).
  for (size_t s = 0; s < steps; ++s) {
    _tile_loadd(4, a + s * kGemmStepBytes, a_stride);
    _tile_loadd(6, w + s * 1024, 64);
    _tile_dpbssd(0, 4, 6);
    if constexpr (Groups > 1) {
      _tile_loadd(7, w + group_bytes + s * 1024, 64);
      _tile_dpbssd(1, 4, 7);
    }
    if constexpr (Strips > 1) {
      _tile_loadd(5, a + 16 * a_stride + s * kGemmStepBytes, a_stride);
      _tile_dpbssd(2, 5, 6);
      if constexpr (Groups > 1) _tile_dpbssd(3, 5, 7);
    }
  }
  _tile_stored(0, scratch, 64);
  if constexpr (Groups > 1) _tile_stored(1, scratch + 256, 64);
  if constexpr (Strips > 1) _tile_stored(2, scratch + 512, 64);
  if constexpr (Strips > 1 && Groups > 1) _tile_stored(3, scratch + 768, 64);
}

// out = int32 · row scale · column scale + bias, activated, for the block's valid rows/columns.
void WriteBlock(const int32_t* scratch, size_t m0, size_t strips, size_t row_end, size_t g0, size_t groups,
                const GemmOutput& output) {
  for (size_t group = 0; group < groups; ++group) {
    const size_t n0 = (g0 + group) * kGemmGroupColumns;
    const size_t width = std::min(kGemmGroupColumns, output.columns - n0);
    const __mmask16 mask = static_cast<__mmask16>(width >= 16 ? 0xFFFF : (1u << width) - 1);
    const __m512 column_scales = _mm512_maskz_loadu_ps(mask, output.column_scales + n0);
    const __m512 bias = output.bias != nullptr ? _mm512_maskz_loadu_ps(mask, output.bias + n0) : _mm512_setzero_ps();
    for (size_t strip = 0; strip < strips; ++strip) {
      const int32_t* tile = scratch + (2 * strip + group) * 256;
      for (size_t r = 0; r < 16; ++r) {
        const size_t m = m0 + strip * 16 + r;
        if (m >= row_end) break;
        const __m512 acc = _mm512_cvtepi32_ps(_mm512_load_si512(tile + r * 16));
        const __m512 scale = _mm512_mul_ps(column_scales, _mm512_set1_ps(output.row_scales[m]));
        const __m512 value = avx512::Activate(output.activation, _mm512_fmadd_ps(acc, scale, bias));
        _mm512_mask_storeu_ps(output.out + (m - output.out_row_begin) * output.out_stride + (n0 - output.out_column_begin), mask, value);
      }
    }
  }
}

}  // namespace

void AmxInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                 size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  ConfigureFullTiles();
  alignas(64) int32_t scratch[4 * 256];
  for (size_t g = group_begin; g < group_end; g += 2) {
    const size_t groups = std::min<size_t>(2, group_end - g);
    const int8_t* w = packed_w + g * steps * 1024;
    for (size_t m = row_begin; m < row_end; m += 32) {
      const size_t strips = row_end - m > 16 ? 2 : 1;
      const int8_t* rows = a + m * a_stride;
      if (strips == 2 && groups == 2) MultiplyBlock<2, 2>(rows, a_stride, w, steps, scratch);
      else if (strips == 2) MultiplyBlock<2, 1>(rows, a_stride, w, steps, scratch);
      else if (groups == 2) MultiplyBlock<1, 2>(rows, a_stride, w, steps, scratch);
      else MultiplyBlock<1, 1>(rows, a_stride, w, steps, scratch);
      WriteBlock(scratch, m, strips, row_end, g, groups, output);
    }
  }
  _tile_release();
}

}  // namespace sk::kernels
