// AVX-512 forms of encoder_ops.h. Attention works on four query rows at a time, so each key
// row (transposed once per head) and each value row loaded serves four accumulators.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "cpu_engine/encoder_ops.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::cpu::avx512 {
namespace {

inline __mmask16 TailMask(size_t remaining) {
  return static_cast<__mmask16>(remaining >= 16 ? 0xFFFF : (1u << remaining) - 1);
}

// Lanes of the 16 keys from j that lie in [first, end).
inline __mmask16 KeyMask(size_t j, size_t first, size_t end) {
  const __mmask16 below_end = end <= j ? 0 : TailMask(end - j);
  const __mmask16 below_first = first <= j ? 0 : TailMask(first - j);
  return static_cast<__mmask16>(below_end & ~below_first);
}

inline float AbsMax(const float* x, size_t cols) {
  const __m512 sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
  __m512 peak = _mm512_setzero_ps();
  for (size_t c = 0; c < cols; c += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(TailMask(cols - c), x + c);
    // A NaN is passed over, as std::max passes it over in the scalar form: MAXPS returns its
    // second operand when either is NaN.
    peak = _mm512_max_ps(_mm512_and_ps(v, sign), peak);
  }
  return _mm512_reduce_max_ps(peak);
}

}  // namespace

void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale) {
  const float peak = AbsMax(x, cols);
  *scale = peak / 127.0f;
  const __m512 inverse = _mm512_set1_ps(peak > 0.0f ? 127.0f / peak : 0.0f);
  const __m512 top = _mm512_set1_ps(127.0f), bottom = _mm512_set1_ps(-127.0f);
  for (size_t c = 0; c < cols; c += 16) {
    const __mmask16 mask = TailMask(cols - c);
    const __m512 y = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + c), inverse);
    // NaN to 0 as the scalar form does (an infinite peak makes every y NaN or 0), then the
    // scalar form's clamp to ±127.
    const __m512 ordered = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, y, _CMP_ORD_Q), y);
    const __m512i rounded = _mm512_cvtps_epi32(_mm512_max_ps(_mm512_min_ps(ordered, top), bottom));
    _mm512_mask_cvtsepi32_storeu_epi8(q + c, mask, rounded);
  }
}

void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale) {
  __m512 sum = _mm512_setzero_ps();
  for (size_t c = 0; c < cols; c += 16) {
    const __mmask16 mask = TailMask(cols - c);
    const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, x + c), _mm512_maskz_loadu_ps(mask, residual + c));
    _mm512_mask_storeu_ps(x + c, mask, v);
    sum = _mm512_add_ps(sum, v);
  }
  const float mean = _mm512_reduce_add_ps(sum) / static_cast<float>(cols);
  const __m512 means = _mm512_set1_ps(mean);
  __m512 squares = _mm512_setzero_ps();
  for (size_t c = 0; c < cols; c += 16) {
    const __mmask16 mask = TailMask(cols - c);
    const __m512 d = _mm512_maskz_sub_ps(mask, _mm512_maskz_loadu_ps(mask, x + c), means);
    squares = _mm512_fmadd_ps(d, d, squares);
  }
  const float variance = _mm512_reduce_add_ps(squares) / static_cast<float>(cols);
  const __m512 inverse = _mm512_set1_ps(1.0f / std::sqrt(variance + eps));
  for (size_t c = 0; c < cols; c += 16) {
    const __mmask16 mask = TailMask(cols - c);
    const __m512 normed = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + c), means), inverse);
    const __m512 y = _mm512_fmadd_ps(normed, _mm512_maskz_loadu_ps(mask, gamma + c), _mm512_maskz_loadu_ps(mask, beta + c));
    _mm512_mask_storeu_ps(x + c, mask, y);
  }
  if (q != nullptr) QuantizeRow(x, cols, q, scale);
}

void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch) {
  const size_t padded = (length + 15) / 16 * 16;
  float* keys = scratch;                       // [head_dim][padded]
  float* rows = scratch + head_dim * padded;   // four score rows of `padded`
  TransposeKeys(view, length, head_dim, padded, keys);
  const __m512 scales = _mm512_set1_ps(scale);
  for (size_t i0 = 0; i0 < length; i0 += 4) {
    const QueryQuad quad = FourQueries(view, i0, length);
    const float* const* q = quad.q;
    const size_t *first = quad.first, *end = quad.end;
    const size_t live = quad.live, key_begin = quad.key_begin, key_end = quad.key_end;
    for (size_t jb = key_begin; jb < key_end; jb += 16) {
      __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      for (size_t d = 0; d < head_dim; ++d) {
        const __m512 k = _mm512_load_ps(keys + d * padded + jb);
        acc0 = _mm512_fmadd_ps(_mm512_set1_ps(q[0][d]), k, acc0);
        acc1 = _mm512_fmadd_ps(_mm512_set1_ps(q[1][d]), k, acc1);
        acc2 = _mm512_fmadd_ps(_mm512_set1_ps(q[2][d]), k, acc2);
        acc3 = _mm512_fmadd_ps(_mm512_set1_ps(q[3][d]), k, acc3);
      }
      _mm512_store_ps(rows + jb, _mm512_mul_ps(acc0, scales));
      _mm512_store_ps(rows + padded + jb, _mm512_mul_ps(acc1, scales));
      _mm512_store_ps(rows + 2 * padded + jb, _mm512_mul_ps(acc2, scales));
      _mm512_store_ps(rows + 3 * padded + jb, _mm512_mul_ps(acc3, scales));
      if (view.position_bias != nullptr) {
        for (size_t r = 0; r < 4; ++r) {
          float* row = rows + r * padded + jb;
          const float* bias = view.position_bias + (static_cast<ptrdiff_t>(jb) - static_cast<ptrdiff_t>(i0 + r));
          _mm512_store_ps(row, _mm512_add_ps(_mm512_load_ps(row), _mm512_loadu_ps(bias)));
        }
      }
    }
    float inverse[4];
    for (size_t r = 0; r < 4; ++r) {
      float* row = rows + r * padded;
      __m512 peak = _mm512_set1_ps(-INFINITY);
      for (size_t j = key_begin; j < key_end; j += 16) {
        peak = _mm512_mask_max_ps(peak, KeyMask(j, first[r], end[r]), peak, _mm512_load_ps(row + j));
      }
      const __m512 peaks = _mm512_set1_ps(_mm512_reduce_max_ps(peak));
      __m512 total = _mm512_setzero_ps();
      for (size_t j = key_begin; j < key_end; j += 16) {
        const __m512 e = _mm512_maskz_mov_ps(KeyMask(j, first[r], end[r]), kernels::avx512::Exp(_mm512_sub_ps(_mm512_load_ps(row + j), peaks)));
        _mm512_store_ps(row + j, e);
        total = _mm512_add_ps(total, e);
      }
      inverse[r] = 1.0f / _mm512_reduce_add_ps(total);
    }
    const size_t value_end = std::min(key_end, length);
    for (size_t d0 = 0; d0 < head_dim; d0 += 32) {
      const __mmask16 m0 = TailMask(head_dim - d0);
      const __mmask16 m1 = head_dim - d0 > 16 ? TailMask(head_dim - d0 - 16) : 0;
      __m512 a[4][2];
      for (auto& pair : a) pair[0] = pair[1] = _mm512_setzero_ps();
      for (size_t j = key_begin; j < value_end; ++j) {
        const float* v = view.v + j * view.stride + d0;
        const __m512 v0 = _mm512_maskz_loadu_ps(m0, v);
        const __m512 v1 = _mm512_maskz_loadu_ps(m1, v + 16);
        for (size_t r = 0; r < 4; ++r) {
          const __m512 p = _mm512_set1_ps(rows[r * padded + j]);
          a[r][0] = _mm512_fmadd_ps(p, v0, a[r][0]);
          a[r][1] = _mm512_fmadd_ps(p, v1, a[r][1]);
        }
      }
      for (size_t r = 0; r < live; ++r) {
        float* out = view.out + (i0 + r) * view.out_stride + d0;
        const __m512 inv = _mm512_set1_ps(inverse[r]);
        _mm512_mask_storeu_ps(out, m0, _mm512_mul_ps(a[r][0], inv));
        _mm512_mask_storeu_ps(out + 16, m1, _mm512_mul_ps(a[r][1], inv));
      }
    }
  }
}

}  // namespace sk::cpu::avx512
