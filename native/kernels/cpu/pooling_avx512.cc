// AVX-512 pooling and normalization: 16 floats per step, masked loads for the tail so odd
// hidden sizes need no scalar remainder loop.
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/kernel_table.h"

namespace sk::kernels {
namespace {

inline __mmask16 TailMask(size_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF)
                         : static_cast<__mmask16>((1u << remaining) - 1u);
}

void MeanPoolAvx512(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
                    size_t hidden, float* out) {
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    std::memset(row, 0, hidden * sizeof(float));
    float count = 0.0f;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      count += 1.0f;
      const float* token = tokens + (b * seq + s) * hidden;
      for (size_t h = 0; h < hidden; h += 16) {
        const __mmask16 m = TailMask(hidden - h);
        const __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(m, row + h), _mm512_maskz_loadu_ps(m, token + h));
        _mm512_mask_storeu_ps(row + h, m, sum);
      }
    }
    const __m512 divisor = _mm512_set1_ps(count < 1e-9f ? 1e-9f : count);
    for (size_t h = 0; h < hidden; h += 16) {
      const __mmask16 m = TailMask(hidden - h);
      _mm512_mask_storeu_ps(row + h, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, row + h), divisor));
    }
  }
}

void MaxPoolAvx512(const float* tokens, const int64_t* mask, size_t batch, size_t seq,
                   size_t hidden, float* out) {
  const __m512 lowest = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    for (size_t h = 0; h < hidden; h += 16) _mm512_mask_storeu_ps(row + h, TailMask(hidden - h), lowest);
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      const float* token = tokens + (b * seq + s) * hidden;
      for (size_t h = 0; h < hidden; h += 16) {
        const __mmask16 m = TailMask(hidden - h);
        const __m512 t = _mm512_maskz_loadu_ps(m, token + h);
        const __m512 current = _mm512_maskz_loadu_ps(m, row + h);
        // max_ps returns its second operand when either is NaN: keep a NaN already in the row,
        // and take a NaN token explicitly, as torch.max propagates NaN.
        __m512 best = _mm512_max_ps(t, current);
        best = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q), best, t);
        _mm512_mask_storeu_ps(row + h, m, best);
      }
    }
  }
}

void L2NormalizeRowsAvx512(float* data, size_t rows, size_t dim) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = data + r * dim;
    __m512 acc = _mm512_setzero_ps();
    for (size_t i = 0; i < dim; i += 16) {
      const __m512 v = _mm512_maskz_loadu_ps(TailMask(dim - i), row + i);
      acc = _mm512_fmadd_ps(v, v, acc);
    }
    const float norm = std::sqrt(_mm512_reduce_add_ps(acc));
    const __m512 divisor = _mm512_set1_ps(norm > 1e-12f ? norm : 1e-12f);
    for (size_t i = 0; i < dim; i += 16) {
      const __mmask16 m = TailMask(dim - i);
      _mm512_mask_storeu_ps(row + i, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, row + i), divisor));
    }
  }
}

}  // namespace

const KernelTable& Avx512Kernels() {
  static const KernelTable table{MeanPoolAvx512, MaxPoolAvx512, L2NormalizeRowsAvx512};
  return table;
}

}  // namespace sk::kernels
