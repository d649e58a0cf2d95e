// AVX2 pooling and normalization: 8 floats per step, a scalar loop for the tail.
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/kernel_table.h"

namespace sk::kernels {
namespace {

inline float HorizontalSum(__m256 v) {
  const __m128 folded = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_add_ps(folded, _mm_movehl_ps(folded, folded));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

void MeanPoolAvx2(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
                  size_t hidden, float* out) {
  const size_t vector_end = hidden & ~size_t{7};
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    std::memset(row, 0, hidden * sizeof(float));
    float count = 0.0f;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      count += 1.0f;
      const float* token = tokens + (b * seq + s) * hidden;
      size_t h = 0;
      for (; h < vector_end; h += 8) {
        _mm256_storeu_ps(row + h, _mm256_add_ps(_mm256_loadu_ps(row + h), _mm256_loadu_ps(token + h)));
      }
      for (; h < hidden; ++h) row[h] += token[h];
    }
    const float divisor = count < 1e-9f ? 1e-9f : count;
    const __m256 divisor_v = _mm256_set1_ps(divisor);
    size_t h = 0;
    for (; h < vector_end; h += 8) _mm256_storeu_ps(row + h, _mm256_div_ps(_mm256_loadu_ps(row + h), divisor_v));
    for (; h < hidden; ++h) row[h] /= divisor;
  }
}

void MaxPoolAvx2(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
                 size_t hidden, float* out) {
  const float lowest = -std::numeric_limits<float>::infinity();
  const size_t vector_end = hidden & ~size_t{7};
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    for (size_t h = 0; h < hidden; ++h) row[h] = lowest;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      const float* token = tokens + (b * seq + s) * hidden;
      size_t h = 0;
      for (; h < vector_end; h += 8) {
        const __m256 t = _mm256_loadu_ps(token + h);
        // See the AVX-512 variant: NaN must propagate like torch.max.
        const __m256 best = _mm256_max_ps(t, _mm256_loadu_ps(row + h));
        _mm256_storeu_ps(row + h, _mm256_blendv_ps(best, t, _mm256_cmp_ps(t, t, _CMP_UNORD_Q)));
      }
      for (; h < hidden; ++h) {
        if (std::isnan(token[h]) || token[h] > row[h]) row[h] = token[h];
      }
    }
  }
}

void L2NormalizeRowsAvx2(float* data, size_t rows, size_t dim) {
  const size_t vector_end = dim & ~size_t{7};
  for (size_t r = 0; r < rows; ++r) {
    float* row = data + r * dim;
    __m256 acc = _mm256_setzero_ps();
    size_t i = 0;
    for (; i < vector_end; i += 8) {
      const __m256 v = _mm256_loadu_ps(row + i);
      acc = _mm256_fmadd_ps(v, v, acc);
    }
    float sum = HorizontalSum(acc);
    for (; i < dim; ++i) sum += row[i] * row[i];
    const float norm = std::sqrt(sum);
    const float divisor = norm > 1e-12f ? norm : 1e-12f;
    const __m256 divisor_v = _mm256_set1_ps(divisor);
    i = 0;
    for (; i < vector_end; i += 8) _mm256_storeu_ps(row + i, _mm256_div_ps(_mm256_loadu_ps(row + i), divisor_v));
    for (; i < dim; ++i) row[i] /= divisor;
  }
}

}  // namespace

const KernelTable& Avx2Kernels() {
  static const KernelTable table{MeanPoolAvx2, MaxPoolAvx2, L2NormalizeRowsAvx2};
  return table;
}

}  // namespace sk::kernels
