// Bf16x3Gemm where AVX-512 runs but AMX-BF16 does not (AMD Zen 4/5, Intel Ice Lake): bf16 dot
// products (VDPBF16PS) would take three instructions per 32 multiply-adds, slower than float32
// FMAs, so this kernel turns each half pair back into one float (hi + lo, exact in float32) and
// runs an FMA GEMM: the block's rows into a float scratch once, each group pair's weights once
// per call, then 8 rows x 32 columns of accumulators (16 of the 32 registers) per K loop. It
// keeps the lo · lo product the AMX kernel drops, a difference of at most 2^-16 of |a·w|.
#include <immintrin.h>

#include <algorithm>

#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/gemm_kernels.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::kernels {
namespace {

// 16 bf16 values to floats.
inline __m512 Widen(const uint16_t* from) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(from))), 16));
}

// One step of a split row (hi | lo halves of 32 values) back into 32 floats.
inline void JoinStep(const uint16_t* step, float* out) {
  for (size_t half = 0; half < 2; ++half) {
    _mm512_storeu_ps(out + 16 * half, _mm512_add_ps(Widen(step + 16 * half), Widen(step + kBf16StepValues + 16 * half)));
  }
}

// Group g's packed weights back into w[k][16 columns] at `stride` floats per k.
void JoinWeights(const uint16_t* packed, size_t steps, size_t g, float* w, size_t stride) {
  for (size_t s = 0; s < steps; ++s) {
    const uint16_t* lo = packed + (g * steps + s) * 1024;
    const uint16_t* hi = lo + 512;
    // Tile row r holds K pairs (2r, 2r + 1) of the 16 columns, interleaved: c * 2 + j.
    for (size_t r = 0; r < 16; ++r) {
      alignas(64) float pairs[32];
      _mm512_store_ps(pairs, _mm512_add_ps(Widen(hi + r * 32), Widen(lo + r * 32)));
      _mm512_store_ps(pairs + 16, _mm512_add_ps(Widen(hi + r * 32 + 16), Widen(lo + r * 32 + 16)));
      for (size_t j = 0; j < 2; ++j) {
        float* row = w + (s * 32 + 2 * r + j) * stride;
        for (size_t c = 0; c < 16; ++c) row[c] = pairs[c * 2 + j];
      }
    }
  }
}

template <int Rows, int Groups>
void MultiplyRows(const float* a, size_t k_padded, const float* w, size_t m0, size_t n0, size_t columns,
                  const GemmOutput& output) {
  __m512 acc[Rows][Groups];
  for (int r = 0; r < Rows; ++r) {
    for (int g = 0; g < Groups; ++g) acc[r][g] = _mm512_setzero_ps();
  }
  for (size_t k = 0; k < k_padded; ++k) {
    __m512 weights[Groups];
    for (int g = 0; g < Groups; ++g) weights[g] = _mm512_load_ps(w + k * 32 + g * 16);
    for (int r = 0; r < Rows; ++r) {
      const __m512 value = _mm512_set1_ps(a[r * k_padded + k]);
      for (int g = 0; g < Groups; ++g) acc[r][g] = _mm512_fmadd_ps(value, weights[g], acc[r][g]);
    }
  }
  for (int g = 0; g < Groups; ++g) {
    const size_t n = n0 + g * 16;
    const size_t width = std::min<size_t>(16, columns - n);
    const __mmask16 mask = static_cast<__mmask16>(width >= 16 ? 0xFFFF : (1u << width) - 1);
    const __m512 bias = output.bias != nullptr ? _mm512_maskz_loadu_ps(mask, output.bias + n) : _mm512_setzero_ps();
    for (int r = 0; r < Rows; ++r) {
      const size_t m = m0 + r;
      const __m512 value = avx512::Activate(output.activation, _mm512_add_ps(acc[r][g], bias));
      _mm512_mask_storeu_ps(output.out + (m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin), mask, value);
    }
  }
}

template <int Groups>
void MultiplyTail(size_t rows, const float* a, size_t k_padded, const float* w, size_t m0, size_t n0,
                  size_t columns, const GemmOutput& output) {
  switch (rows) {
    case 1: return MultiplyRows<1, Groups>(a, k_padded, w, m0, n0, columns, output);
    case 2: return MultiplyRows<2, Groups>(a, k_padded, w, m0, n0, columns, output);
    case 3: return MultiplyRows<3, Groups>(a, k_padded, w, m0, n0, columns, output);
    case 4: return MultiplyRows<4, Groups>(a, k_padded, w, m0, n0, columns, output);
    case 5: return MultiplyRows<5, Groups>(a, k_padded, w, m0, n0, columns, output);
    case 6: return MultiplyRows<6, Groups>(a, k_padded, w, m0, n0, columns, output);
    case 7: return MultiplyRows<7, Groups>(a, k_padded, w, m0, n0, columns, output);
    default: return MultiplyRows<8, Groups>(a, k_padded, w, m0, n0, columns, output);
  }
}

}  // namespace

void Avx512Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                      size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, float* joined_rows,
                      float* joined_weights) {
  const size_t k_padded = steps * kBf16StepValues, rows = row_end - row_begin;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t s = 0; s < steps; ++s) JoinStep(a + (row_begin + r) * a_stride + 2 * s * kBf16StepValues, joined_rows + r * k_padded + s * 32);
  }
  for (size_t g = group_begin; g < group_end; g += 2) {
    const size_t groups = std::min<size_t>(2, group_end - g);
    for (size_t group = 0; group < groups; ++group) JoinWeights(packed_w, steps, g + group, joined_weights + group * 16, 32);
    for (size_t m = 0; m < rows; m += 8) {
      const size_t count = std::min<size_t>(8, rows - m);
      const float* block = joined_rows + m * k_padded;
      if (groups == 2) {
        MultiplyTail<2>(count, block, k_padded, joined_weights, row_begin + m, g * 16, output.columns, output);
      } else {
        MultiplyTail<1>(count, block, k_padded, joined_weights, row_begin + m, g * 16, output.columns, output);
      }
    }
  }
}

}  // namespace sk::kernels
