// Int8Gemm on AVX2, for x86 CPUs without AVX-512 (AMD Zen 2/3, Intel client chips): exact int32
// sums, bit for bit the portable loop's. VPMADDUBSW (unsigned x signed bytes) would saturate its
// int16 pair sums (255 · 127 · 2 > 32767), so both operands are widened to int16 and VPMADDWD
// sums each pair into int32: the block's activation rows once into `widened` (their int16
// copies, read as one broadcast 64-bit quad per 4 K values), each packed weight row (16 columns
// x 4 K values) as it is read. A weight row's four int16 vectors serve two activation rows;
// each accumulator lane holds half of one column's 4-value dot product, and the halves are
// added once per block. The epilogue rounds as the portable loop does: (dot · row scale) ·
// column scale + bias, each product rounded, then the activation (vector_math_avx2.h).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/gemm_kernels.h"
#include "kernels/cpu/vector_math_avx2.h"

namespace sk::kernels {
namespace {

// Full unrolling of the loops over a block's rows keeps the accumulators in registers; left to
// its own limits GCC keeps the array on the stack and stores it every step.
#define SK_UNROLL _Pragma("GCC unroll 8")

// 8 columns of a row's results into out[0, width).
inline void Finish(__m256i sums, const GemmOutput& output, size_t m, size_t n, size_t width) {
  const __m256i mask = width >= 8 ? _mm256_set1_epi32(-1) : avx2::TailMask(width);
  const __m256 column_scales = _mm256_maskload_ps(output.column_scales + n, mask);
  __m256 value = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sums), _mm256_set1_ps(output.row_scales[m])), column_scales);
  if (output.bias != nullptr) value = _mm256_add_ps(value, _mm256_maskload_ps(output.bias + n, mask));
  value = avx2::Activate(output.activation, value);
  float* out = output.out + (m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin);
  if (width >= 8) {
    _mm256_storeu_ps(out, value);
  } else {
    _mm256_maskstore_ps(out, mask, value);
  }
}

template <int Rows>
void Block(const int16_t* widened, size_t k_padded, size_t first, const int8_t* packed_w, size_t steps, size_t g,
           size_t m0, const GemmOutput& output) {
  __m256i acc[Rows][4];
  SK_UNROLL
  for (int i = 0; i < Rows; ++i) {
    for (int q = 0; q < 4; ++q) acc[i][q] = _mm256_setzero_si256();
  }
  const int16_t* rows = widened + first * k_padded;
  for (size_t s = 0; s < steps; ++s) {
    const int8_t* tile = packed_w + (g * steps + s) * 1024;
    for (size_t r = 0; r < 16; ++r) {
      __m256i w[4];
      for (int q = 0; q < 4; ++q) {
        w[q] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tile + r * 64 + q * 16)));
      }
      const size_t at = s * kGemmStepBytes + r * 4;
      SK_UNROLL
      for (int i = 0; i < Rows; ++i) {
        long long quad;
        std::memcpy(&quad, rows + i * k_padded + at, sizeof(quad));
        const __m256i x = _mm256_set1_epi64x(quad);
        for (int q = 0; q < 4; ++q) acc[i][q] = _mm256_add_epi32(acc[i][q], _mm256_madd_epi16(x, w[q]));
      }
    }
  }
  const size_t n0 = g * kGemmGroupColumns;
  const size_t width = std::min(kGemmGroupColumns, output.columns - n0);
  SK_UNROLL
  for (int i = 0; i < Rows; ++i) {
    // Lanes hold [c0 half 0, c0 half 1, c1 half 0, ...] of four columns each: pairwise sums
    // give [c0 c1 c4 c5 | c2 c3 c6 c7], and the 64-bit permute puts them in order.
    const __m256i low = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[i][0], acc[i][1]), 0xD8);
    const __m256i high = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[i][2], acc[i][3]), 0xD8);
    Finish(low, output, m0 + i, n0, width);
    if (width > 8) Finish(high, output, m0 + i, n0 + 8, width - 8);
  }
}

using BlockFn = void (*)(const int16_t*, size_t, size_t, const int8_t*, size_t, size_t, size_t, const GemmOutput&);
// Two rows: their 8 accumulators, the 4 widened weight vectors and the broadcast quad fit the
// 16 registers; three or four rows spill accumulators to the stack every step (about 25% slower).
constexpr BlockFn kBlocks[2] = {&Block<1>, &Block<2>};
constexpr size_t kRows = 2;

}  // namespace

void Avx2Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                  size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, int16_t* widened) {
  const size_t k_padded = steps * kGemmStepBytes, rows = row_end - row_begin;
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* from = a + (row_begin + r) * a_stride;
    int16_t* to = widened + r * k_padded;
    for (size_t k = 0; k < k_padded; k += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + k));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + k), _mm256_cvtepi8_epi16(bytes));
    }
  }
  for (size_t g = group_begin; g < group_end; ++g) {
    for (size_t m = 0; m < rows; m += kRows) {
      const size_t count = std::min(kRows, rows - m);
      kBlocks[count - 1](widened, k_padded, m, packed_w, steps, g, row_begin + m, output);
    }
  }
}

}  // namespace sk::kernels
