// AVX2 gather-and-mean: a block of 64 output floats stays in eight registers while every
// token's row is added into it, so the sum is read from the table once and written once.
// Additions only (no FMA) and in token order per lane, so the result equals the scalar loop's.
#include <immintrin.h>

#include "kernels/gather_mean.h"

namespace sk::kernels {
namespace {

constexpr size_t kBlock = 64;

// Lanes [0, width) of a block narrower than 8 floats: a maskload reads nothing past them.
__m256i TailMask(size_t width) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(width)), lanes);
}

}  // namespace

void GatherMeanAvx2(const float* table, size_t dim, const int64_t* ids, size_t count, float* out) {
  const __m256 n = _mm256_set1_ps(static_cast<float>(count == 0 ? 1 : count));
  size_t d = 0;
  for (; d + kBlock <= dim; d += kBlock) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (size_t t = 0; t < count; ++t) {
      const float* row = table + static_cast<size_t>(ids[t]) * dim + d;
      if (t + 2 < count) _mm_prefetch(reinterpret_cast<const char*>(table + static_cast<size_t>(ids[t + 2]) * dim + d), _MM_HINT_T0);
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(row));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(row + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(row + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(row + 24));
      a4 = _mm256_add_ps(a4, _mm256_loadu_ps(row + 32));
      a5 = _mm256_add_ps(a5, _mm256_loadu_ps(row + 40));
      a6 = _mm256_add_ps(a6, _mm256_loadu_ps(row + 48));
      a7 = _mm256_add_ps(a7, _mm256_loadu_ps(row + 56));
    }
    _mm256_storeu_ps(out + d, _mm256_div_ps(a0, n));
    _mm256_storeu_ps(out + d + 8, _mm256_div_ps(a1, n));
    _mm256_storeu_ps(out + d + 16, _mm256_div_ps(a2, n));
    _mm256_storeu_ps(out + d + 24, _mm256_div_ps(a3, n));
    _mm256_storeu_ps(out + d + 32, _mm256_div_ps(a4, n));
    _mm256_storeu_ps(out + d + 40, _mm256_div_ps(a5, n));
    _mm256_storeu_ps(out + d + 48, _mm256_div_ps(a6, n));
    _mm256_storeu_ps(out + d + 56, _mm256_div_ps(a7, n));
  }
  // The rest, 8 floats at a time, the last group masked.
  for (; d < dim; d += 8) {
    const size_t width = dim - d < 8 ? dim - d : 8;
    const __m256i mask = TailMask(width);
    __m256 acc = _mm256_setzero_ps();
    for (size_t t = 0; t < count; ++t) {
      acc = _mm256_add_ps(acc, _mm256_maskload_ps(table + static_cast<size_t>(ids[t]) * dim + d, mask));
    }
    _mm256_maskstore_ps(out + d, mask, _mm256_div_ps(acc, n));
  }
}

}  // namespace sk::kernels
