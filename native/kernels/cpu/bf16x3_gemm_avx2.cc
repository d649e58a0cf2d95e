// Bf16x3Gemm on AVX2 + FMA (no bf16 dot instruction at this level): as the AVX-512 kernel does,
// each bf16 half pair is joined back into one float (hi + lo, exact in float32) and a float32
// FMA GEMM runs on them: the block's rows into a float scratch once, each group's weights once
// per call, then 6 rows x 16 columns of accumulators (12 of the 16 registers) per K loop. Its
// accuracy is the AVX-512 kernel's: it keeps the lo · lo product the AMX kernel drops.
#include <immintrin.h>

#include <algorithm>

#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/gemm_kernels.h"
#include "kernels/cpu/vector_math_avx2.h"

namespace sk::kernels {
namespace {

constexpr size_t kRows = 6;
// Full unrolling of the row loop keeps the accumulators in registers (vector_avx2.cc's note).
#define SK_UNROLL _Pragma("GCC unroll 8")

// 8 bf16 values to floats.
inline __m256 Widen(const uint16_t* from) {
  const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(halves), 16));
}

// One step of a split row (hi | lo halves of 32 values) back into 32 floats.
inline void JoinStep(const uint16_t* step, float* out) {
  for (size_t part = 0; part < 4; ++part) {
    _mm256_storeu_ps(out + 8 * part, _mm256_add_ps(Widen(step + 8 * part), Widen(step + kBf16StepValues + 8 * part)));
  }
}

// Group g's packed weights back into w[k][16 columns].
void JoinWeights(const uint16_t* packed, size_t steps, size_t g, float* w) {
  for (size_t s = 0; s < steps; ++s) {
    const uint16_t* lo = packed + (g * steps + s) * 1024;
    const uint16_t* hi = lo + 512;
    // Tile row r holds K pairs (2r, 2r + 1) of the 16 columns, interleaved: c * 2 + j.
    for (size_t r = 0; r < 16; ++r) {
      alignas(32) float pairs[32];
      for (size_t part = 0; part < 4; ++part) {
        _mm256_store_ps(pairs + 8 * part, _mm256_add_ps(Widen(hi + r * 32 + 8 * part), Widen(lo + r * 32 + 8 * part)));
      }
      for (size_t j = 0; j < 2; ++j) {
        float* row = w + (s * 32 + 2 * r + j) * 16;
        for (size_t c = 0; c < 16; ++c) row[c] = pairs[c * 2 + j];
      }
    }
  }
}

inline void Store(__m256 value, const GemmOutput& output, size_t m, size_t n, size_t width) {
  float* out = output.out + (m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin);
  if (width >= 8) {
    _mm256_storeu_ps(out, value);
  } else {
    _mm256_maskstore_ps(out, avx2::TailMask(width), value);
  }
}

template <int Rows>
void MultiplyRows(const float* a, size_t k_padded, const float* w, size_t m0, size_t n0, const GemmOutput& output) {
  __m256 low[Rows], high[Rows];
  SK_UNROLL
  for (int r = 0; r < Rows; ++r) low[r] = high[r] = _mm256_setzero_ps();
  for (size_t k = 0; k < k_padded; ++k) {
    const __m256 w0 = _mm256_load_ps(w + k * 16), w1 = _mm256_load_ps(w + k * 16 + 8);
    SK_UNROLL
    for (int r = 0; r < Rows; ++r) {
      const __m256 value = _mm256_broadcast_ss(a + r * k_padded + k);
      low[r] = _mm256_fmadd_ps(value, w0, low[r]);
      high[r] = _mm256_fmadd_ps(value, w1, high[r]);
    }
  }
  // The sums leave their registers once, here: indexing `acc` by the run-time column half
  // below would make GCC keep the whole array on the stack, inside the K loop too.
  alignas(32) float sums[Rows][16];
  SK_UNROLL
  for (int r = 0; r < Rows; ++r) {
    _mm256_store_ps(sums[r], low[r]);
    _mm256_store_ps(sums[r] + 8, high[r]);
  }
  const size_t width = std::min<size_t>(16, output.columns - n0);
  for (size_t half = 0; half < 2 && half * 8 < width; ++half) {
    const size_t n = n0 + half * 8, part = std::min<size_t>(8, width - half * 8);
    const __m256i mask = part >= 8 ? _mm256_set1_epi32(-1) : avx2::TailMask(part);
    const __m256 bias = output.bias != nullptr ? _mm256_maskload_ps(output.bias + n, mask) : _mm256_setzero_ps();
    for (int r = 0; r < Rows; ++r) {
      Store(avx2::Activate(output.activation, _mm256_add_ps(_mm256_load_ps(sums[r] + half * 8), bias)), output, m0 + r, n, part);
    }
  }
}

using MultiplyFn = void (*)(const float*, size_t, const float*, size_t, size_t, const GemmOutput&);
constexpr MultiplyFn kMultiply[kRows] = {&MultiplyRows<1>, &MultiplyRows<2>, &MultiplyRows<3>,
                                         &MultiplyRows<4>, &MultiplyRows<5>, &MultiplyRows<6>};

}  // namespace

void Avx2Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
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
