// AMX GEMMs, int8 (TDPBSSD into int32) and bf16x3 (TDPBF16PS into fp32, three products per K
// step), on 64-byte tile rows and 1 KiB weight tiles: 2 x 2 register blocking (two 16-row
// activation strips x two 16-column weight groups into four accumulator tiles, the eight-tile
// budget), weight groups outside so a group pair's packed weights stay in L1 or L2 while the
// activation strips stream from L2; each finished block goes through a 4 KiB scratch to the
// float epilogue.
#include "kernels/cpu/gemm_kernels.h"

#include <immintrin.h>

#include <algorithm>

#include "kernels/cpu/amx_tiles.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::kernels {
namespace {

// Tiles 0-3: accumulators C[strip][group] = tile 2 * strip + group; 4-5: A strips; 6-7: W groups.
// Each product follows the loads it needs, so later loads overlap earlier products (the tiles
// are not renamed: loading all four first left the multiplies waiting).
template <int Strips, int Groups>
inline void ZeroAccumulators() {
  _tile_zero(0);
  if constexpr (Groups > 1) _tile_zero(1);
  if constexpr (Strips > 1) _tile_zero(2);
  if constexpr (Strips > 1 && Groups > 1) _tile_zero(3);
}

template <int Strips, int Groups>
inline void StoreAccumulators(unsigned char* c) {
  _tile_stored(0, c, 64);
  if constexpr (Groups > 1) _tile_stored(1, c + 1024, 64);
  if constexpr (Strips > 1) _tile_stored(2, c + 2048, 64);
  if constexpr (Strips > 1 && Groups > 1) _tile_stored(3, c + 3072, 64);
}

template <int Strips, int Groups>
inline void MultiplyInt8Block(const unsigned char* a, size_t a_stride, const unsigned char* w, size_t steps,
                              unsigned char* scratch) {
  ZeroAccumulators<Strips, Groups>();
  const size_t group_bytes = steps * 1024;
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
  StoreAccumulators<Strips, Groups>(scratch);
}

// All four accumulators against the operand tiles now loaded (A strips in 4-5, W groups in 6-7).
template <int Strips, int Groups>
inline void Bf16Products() {
  _tile_dpbf16ps(0, 4, 6);
  if constexpr (Groups > 1) _tile_dpbf16ps(1, 4, 7);
  if constexpr (Strips > 1) _tile_dpbf16ps(2, 5, 6);
  if constexpr (Strips > 1 && Groups > 1) _tile_dpbf16ps(3, 5, 7);
}

// bf16x3: per K step, A's [hi | lo] tiles and W's [lo | hi] tiles. A_hi · W_lo, then W_hi in
// place of W_lo for A_hi · W_hi, then A_lo in place of A_hi for A_lo · W_hi: eight tile loads
// for the twelve products (three separate GEMMs would load twelve).
template <int Strips, int Groups>
inline void MultiplyBf16x3Block(const unsigned char* a, size_t a_stride, const unsigned char* w, size_t steps,
                                unsigned char* scratch) {
  ZeroAccumulators<Strips, Groups>();
  const size_t group_bytes = steps * 2048;
  for (size_t s = 0; s < steps; ++s) {
    const unsigned char* a_hi = a + s * 128;
    const unsigned char* w_lo = w + s * 2048;
    _tile_loadd(4, a_hi, a_stride);
    _tile_loadd(6, w_lo, 64);
    if constexpr (Groups > 1) _tile_loadd(7, w_lo + group_bytes, 64);
    if constexpr (Strips > 1) _tile_loadd(5, a_hi + 16 * a_stride, a_stride);
    Bf16Products<Strips, Groups>();
    _tile_loadd(6, w_lo + 1024, 64);
    if constexpr (Groups > 1) _tile_loadd(7, w_lo + group_bytes + 1024, 64);
    Bf16Products<Strips, Groups>();
    _tile_loadd(4, a_hi + 64, a_stride);
    if constexpr (Strips > 1) _tile_loadd(5, a_hi + 64 + 16 * a_stride, a_stride);
    Bf16Products<Strips, Groups>();
  }
  StoreAccumulators<Strips, Groups>(scratch);
}

// out = accumulator (int32 · row scale · column scale, or fp32 as it is) + bias, activated, for
// the block's valid rows/columns.
template <bool Bf16>
void WriteBlock(const void* scratch, size_t m0, size_t strips, size_t row_end, size_t g0, size_t groups,
                const GemmOutput& output) {
  for (size_t group = 0; group < groups; ++group) {
    const size_t n0 = (g0 + group) * kGemmGroupColumns;
    const size_t width = std::min(kGemmGroupColumns, output.columns - n0);
    const __mmask16 mask = static_cast<__mmask16>(width >= 16 ? 0xFFFF : (1u << width) - 1);
    const __m512 column_scales = Bf16 ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, output.column_scales + n0);
    const __m512 bias = output.bias != nullptr ? _mm512_maskz_loadu_ps(mask, output.bias + n0) : _mm512_setzero_ps();
    for (size_t strip = 0; strip < strips; ++strip) {
      const auto* tile = static_cast<const unsigned char*>(scratch) + (2 * strip + group) * 1024;
      for (size_t r = 0; r < 16; ++r) {
        const size_t m = m0 + strip * 16 + r;
        if (m >= row_end) break;
        __m512 sum;
        if constexpr (Bf16) {
          sum = _mm512_add_ps(_mm512_load_ps(tile + r * 64), bias);
        } else {
          const __m512 acc = _mm512_cvtepi32_ps(_mm512_load_si512(tile + r * 64));
          const __m512 scale = _mm512_mul_ps(column_scales, _mm512_set1_ps(output.row_scales[m]));
          sum = _mm512_fmadd_ps(acc, scale, bias);
        }
        const __m512 value = avx512::Activate(output.activation, sum);
        _mm512_mask_storeu_ps(output.out + (m - output.out_row_begin) * output.out_stride + (n0 - output.out_column_begin), mask, value);
      }
    }
  }
}

template <bool Bf16, int Strips, int Groups>
inline void Multiply(const unsigned char* a, size_t a_stride, const unsigned char* w, size_t steps, unsigned char* scratch) {
  if constexpr (Bf16) {
    MultiplyBf16x3Block<Strips, Groups>(a, a_stride, w, steps, scratch);
  } else {
    MultiplyInt8Block<Strips, Groups>(a, a_stride, w, steps, scratch);
  }
}

template <bool Bf16>
void AmxGemm(const unsigned char* a, size_t a_stride, size_t row_begin, size_t row_end, const unsigned char* packed_w,
             size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  ConfigureFullTiles();
  alignas(64) unsigned char scratch[4 * 1024];
  for (size_t g = group_begin; g < group_end; g += 2) {
    const size_t groups = std::min<size_t>(2, group_end - g);
    const unsigned char* w = packed_w + g * steps * (Bf16 ? 2048 : 1024);
    for (size_t m = row_begin; m < row_end; m += 32) {
      const size_t strips = row_end - m > 16 ? 2 : 1;
      const unsigned char* rows = a + m * a_stride;
      if (strips == 2 && groups == 2) Multiply<Bf16, 2, 2>(rows, a_stride, w, steps, scratch);
      else if (strips == 2) Multiply<Bf16, 2, 1>(rows, a_stride, w, steps, scratch);
      else if (groups == 2) Multiply<Bf16, 1, 2>(rows, a_stride, w, steps, scratch);
      else Multiply<Bf16, 1, 1>(rows, a_stride, w, steps, scratch);
      WriteBlock<Bf16>(scratch, m, strips, row_end, g, groups, output);
    }
  }
  _tile_release();
}

}  // namespace

void AmxInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                 size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  AmxGemm<false>(reinterpret_cast<const unsigned char*>(a), a_stride, row_begin, row_end,
                 reinterpret_cast<const unsigned char*>(packed_w), steps, group_begin, group_end, output);
}

void AmxBf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                   size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  AmxGemm<true>(reinterpret_cast<const unsigned char*>(a), a_stride * 2, row_begin, row_end,
                reinterpret_cast<const unsigned char*>(packed_w), steps, group_begin, group_end, output);
}

}  // namespace sk::kernels
