// Int8Gemm on AVX2, for x86 CPUs without AVX-512 or AVX-VNNI (AMD Zen 2/3, Intel before Alder
// Lake): exact int32 sums, bit for bit the portable loop's. VPMADDUBSW (unsigned x signed bytes)
// would saturate its int16 pair sums (255 · 127 · 2 > 32767), so both operands are widened to
// int16 and VPMADDWD sums each pair into int32: the block's activation rows once into `widened`
// (their int16 copies, read as one broadcast 64-bit quad per 4 K values), each packed weight row
// (16 columns x 4 K values) as it is read. A weight row's four int16 vectors serve two
// activation rows; each accumulator lane holds half of one column's 4-value dot product, and the
// halves are added once per block. The epilogue is vector_math_avx2.h's FinishInt8Columns.
// The exact byte form (|a| by sign(a) · w through VPABSB / VPSIGNB, pairs <= 2 · 128 · 127, then
// VPMADDWD by ones) still takes two multiplies per 32 products, the same as this, plus the sign
// step, and ran slower (bench/RESULTS.md, "AVX-VNNI at the avx2 level").
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
    avx2::FinishInt8Columns(low, output, m0 + i, n0, width);
    if (width > 8) avx2::FinishInt8Columns(high, output, m0 + i, n0 + 8, width - 8);
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
