// AVX2 + FMA forms of encoder_ops.h, the AVX-512 ones (encoder_ops_avx512.cc) on 8 lanes with
// the same arithmetic. Without mask registers, a row's last partial vector is read and written
// through VMASKMOV, and softmax zeroes the keys past the sequence by a lane compare.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "cpu_engine/encoder_ops.h"
#include "kernels/cpu/vector_math_avx2.h"

namespace sk::cpu::avx2 {
namespace {

using kernels::avx2::TailMask;

// Full unrolling of the loops over the four query rows keeps their accumulators in registers;
// left to its own limits GCC keeps the arrays on the stack and stores them every step.
#define SK_UNROLL _Pragma("GCC unroll 8")

inline __m256i MaskFor(size_t remaining) { return remaining >= 8 ? _mm256_set1_epi32(-1) : TailMask(remaining); }

// Lanes past the row read as zero.
inline __m256 Load(const float* x, size_t remaining) {
  return remaining >= 8 ? _mm256_loadu_ps(x) : _mm256_maskload_ps(x, TailMask(remaining));
}

inline void Store(float* x, size_t remaining, __m256 v) {
  if (remaining >= 8) {
    _mm256_storeu_ps(x, v);
  } else {
    _mm256_maskstore_ps(x, TailMask(remaining), v);
  }
}

inline float ReduceAdd(__m256 v) {
  const __m128 folded = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_add_ps(folded, _mm_movehl_ps(folded, folded));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

inline float ReduceMax(__m256 v) {
  const __m128 folded = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_max_ps(folded, _mm_movehl_ps(folded, folded));
  return _mm_cvtss_f32(_mm_max_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

inline float AbsMax(const float* x, size_t cols) {
  const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 peak = _mm256_setzero_ps();
  // A NaN is passed over, as std::max passes it over in the scalar form: MAXPS returns its
  // second operand when either is NaN.
  for (size_t c = 0; c < cols; c += 8) peak = _mm256_max_ps(_mm256_and_ps(Load(x + c, cols - c), sign), peak);
  return ReduceMax(peak);
}

}  // namespace

void QuantizeRow(const float* x, size_t cols, int8_t* q, float* scale) {
  const float peak = AbsMax(x, cols);
  *scale = peak / 127.0f;
  const __m256 inverse = _mm256_set1_ps(peak > 0.0f ? 127.0f / peak : 0.0f);
  const __m256 top = _mm256_set1_ps(127.0f), bottom = _mm256_set1_ps(-127.0f);
  size_t c = 0;
  for (; c < cols; c += 8) {
    __m256 y = _mm256_mul_ps(Load(x + c, cols - c), inverse);
    // NaN to 0 as the scalar form does; the clamp before CVTPS2DQ (round to nearest even, as
    // nearbyint) keeps the int8 packs from saturating anything.
    y = _mm256_and_ps(y, _mm256_cmp_ps(y, y, _CMP_ORD_Q));
    const __m256i whole = _mm256_cvtps_epi32(_mm256_max_ps(_mm256_min_ps(y, top), bottom));
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(whole), _mm256_extracti128_si256(whole, 1));
    const __m128i bytes = _mm_packs_epi16(words, words);
    if (cols - c >= 8) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(q + c), bytes);
    } else {
      alignas(16) int8_t last[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(last), bytes);
      std::memcpy(q + c, last, cols - c);
    }
  }
}

void ResidualLayerNormRow(float* x, const float* residual, size_t cols, const float* gamma, const float* beta,
                          float eps, int8_t* q, float* scale) {
  __m256 sum = _mm256_setzero_ps();
  for (size_t c = 0; c < cols; c += 8) {
    const __m256 v = _mm256_add_ps(Load(x + c, cols - c), Load(residual + c, cols - c));
    Store(x + c, cols - c, v);
    sum = _mm256_add_ps(sum, v);
  }
  const float mean = ReduceAdd(sum) / static_cast<float>(cols);
  const __m256 means = _mm256_set1_ps(mean);
  __m256 squares = _mm256_setzero_ps();
  for (size_t c = 0; c < cols; c += 8) {
    const __m256 d = _mm256_and_ps(_mm256_sub_ps(Load(x + c, cols - c), means), _mm256_castsi256_ps(MaskFor(cols - c)));
    squares = _mm256_fmadd_ps(d, d, squares);
  }
  const float variance = ReduceAdd(squares) / static_cast<float>(cols);
  const __m256 inverse = _mm256_set1_ps(1.0f / std::sqrt(variance + eps));
  for (size_t c = 0; c < cols; c += 8) {
    const size_t left = cols - c;
    const __m256 normed = _mm256_mul_ps(_mm256_sub_ps(Load(x + c, left), means), inverse);
    Store(x + c, left, _mm256_fmadd_ps(normed, Load(gamma + c, left), Load(beta + c, left)));
  }
  if (q != nullptr) QuantizeRow(x, cols, q, scale);
}

namespace {

// encoder_ops.cc's TransposeKeys (keys[d][j] = k_j[d], zero for j in [length, padded)) by 8 x 8
// blocks: 8 keys' rows in, 8 rows of 8 consecutive keys out, instead of one strided store per
// value. Data movement only, so it equals the scalar form exactly.
void TransposeKeys8(const HeadView& view, size_t length, size_t head_dim, size_t padded, float* keys) {
  for (size_t j0 = 0; j0 < padded; j0 += 8) {
    for (size_t d0 = 0; d0 < head_dim; d0 += 8) {
      const size_t width = std::min<size_t>(8, head_dim - d0);
      __m256 r[8];
      for (size_t i = 0; i < 8; ++i) {
        r[i] = j0 + i < length ? Load(view.k + (j0 + i) * view.stride + d0, width) : _mm256_setzero_ps();
      }
      // The usual three rounds: pairs of rows interleaved, then quads, then the 128-bit halves.
      const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
      const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
      const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
      const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      const __m256 columns[8] = {_mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20),
                                 _mm256_permute2f128_ps(u2, u6, 0x20), _mm256_permute2f128_ps(u3, u7, 0x20),
                                 _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
                                 _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31)};
      for (size_t d = 0; d < width; ++d) _mm256_storeu_ps(keys + (d0 + d) * padded + j0, columns[d]);
    }
  }
}

}  // namespace

void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, float* scratch) {
  const size_t padded = (length + 15) / 16 * 16;
  float* keys = scratch;                       // [head_dim][padded]
  float* rows = scratch + head_dim * padded;   // four score rows of `padded`
  TransposeKeys8(view, length, head_dim, padded, keys);
  const __m256 scales = _mm256_set1_ps(scale);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  // Lanes of the 8 keys from j that lie in [first, end).
  auto key_mask = [&lanes](size_t j, size_t first, size_t end) {
    const __m256i below_end = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(end) - static_cast<int>(j)), lanes);
    const __m256i below_first = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(first) - static_cast<int>(j)), lanes);
    return _mm256_castsi256_ps(_mm256_andnot_si256(below_first, below_end));
  };
  for (size_t i0 = 0; i0 < length; i0 += 4) {
    const QueryQuad quad = FourQueries(view, i0, length);
    const float* const* q = quad.q;
    const size_t *first = quad.first, *end = quad.end;
    const size_t live = quad.live, key_begin = quad.key_begin, key_end = quad.key_end;
    for (size_t jb = key_begin; jb < key_end; jb += 16) {
      __m256 acc[4][2];
      SK_UNROLL
      for (size_t r = 0; r < 4; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
      for (size_t d = 0; d < head_dim; ++d) {
        const __m256 k0 = _mm256_load_ps(keys + d * padded + jb), k1 = _mm256_load_ps(keys + d * padded + jb + 8);
        SK_UNROLL
        for (size_t r = 0; r < 4; ++r) {
          const __m256 value = _mm256_broadcast_ss(q[r] + d);
          acc[r][0] = _mm256_fmadd_ps(value, k0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(value, k1, acc[r][1]);
        }
      }
      SK_UNROLL
      for (size_t r = 0; r < 4; ++r) {
        float* row = rows + r * padded + jb;
        _mm256_store_ps(row, _mm256_mul_ps(acc[r][0], scales));
        _mm256_store_ps(row + 8, _mm256_mul_ps(acc[r][1], scales));
        if (view.position_bias != nullptr) {
          const float* bias = view.position_bias + (static_cast<ptrdiff_t>(jb) - static_cast<ptrdiff_t>(i0 + r));
          _mm256_store_ps(row, _mm256_add_ps(_mm256_load_ps(row), _mm256_loadu_ps(bias)));
          _mm256_store_ps(row + 8, _mm256_add_ps(_mm256_load_ps(row + 8), _mm256_loadu_ps(bias + 8)));
        }
      }
    }
    float inverse[4];
    for (size_t r = 0; r < 4; ++r) {
      float* row = rows + r * padded;
      __m256 peak = _mm256_set1_ps(-INFINITY);
      for (size_t j = key_begin; j < key_end; j += 8) {
        peak = _mm256_max_ps(peak, _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_load_ps(row + j), key_mask(j, first[r], end[r])));
      }
      const __m256 peaks = _mm256_set1_ps(ReduceMax(peak));
      __m256 total = _mm256_setzero_ps();
      for (size_t j = key_begin; j < key_end; j += 8) {
        const __m256 e = _mm256_and_ps(kernels::avx2::Exp(_mm256_sub_ps(_mm256_load_ps(row + j), peaks)), key_mask(j, first[r], end[r]));
        _mm256_store_ps(row + j, e);
        total = _mm256_add_ps(total, e);
      }
      inverse[r] = 1.0f / ReduceAdd(total);
    }
    const size_t value_end = std::min(key_end, length);
    for (size_t d0 = 0; d0 < head_dim; d0 += 16) {
      const size_t left = head_dim - d0;
      const size_t left_high = left > 8 ? left - 8 : 0;
      __m256 a[4][2];
      SK_UNROLL
      for (size_t r = 0; r < 4; ++r) a[r][0] = a[r][1] = _mm256_setzero_ps();
      for (size_t j = key_begin; j < value_end; ++j) {
        const float* v = view.v + j * view.stride + d0;
        const __m256 v0 = Load(v, left);
        const __m256 v1 = left_high > 0 ? Load(v + 8, left_high) : _mm256_setzero_ps();
        SK_UNROLL
        for (size_t r = 0; r < 4; ++r) {
          const __m256 p = _mm256_broadcast_ss(rows + r * padded + j);
          a[r][0] = _mm256_fmadd_ps(p, v0, a[r][0]);
          a[r][1] = _mm256_fmadd_ps(p, v1, a[r][1]);
        }
      }
      // Every index constant after unrolling: a loop to `live` would keep `a` on the stack.
      SK_UNROLL
      for (size_t r = 0; r < 4; ++r) {
        if (r >= live) break;
        float* out = view.out + (i0 + r) * view.out_stride + d0;
        const __m256 inv = _mm256_set1_ps(inverse[r]);
        Store(out, left, _mm256_mul_ps(a[r][0], inv));
        if (left_high > 0) Store(out + 8, left_high, _mm256_mul_ps(a[r][1], inv));
      }
    }
  }
}

}  // namespace sk::cpu::avx2
