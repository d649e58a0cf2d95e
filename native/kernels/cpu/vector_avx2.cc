// AVX2 vector primitives: 8 floats per step with scalar tails. No VNNI or vector popcount
// at this level: int8 dot products widen to int16 (exact, no saturation) and Hamming
// distances use the scalar POPCNT instruction on 64-bit words.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/cpu/query_count.h"
#include "kernels/cpu/vector_table.h"

namespace sk::kernels {
namespace {

// Full unrolling of the loops over a tile's queries and rows lets GCC keep the accumulator
// arrays in registers; left to its own limits it spills them to the stack every step.
#define SK_UNROLL _Pragma("GCC unroll 8")

inline float HorizontalSum(__m256 v) {
  const __m128 folded = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pairs = _mm_add_ps(folded, _mm_movehl_ps(folded, folded));
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
}

inline int32_t HorizontalSum(__m256i v) {
  const __m128i folded = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i pairs = _mm_add_epi32(folded, _mm_unpackhi_epi64(folded, folded));
  return _mm_cvtsi128_si32(_mm_add_epi32(pairs, _mm_shuffle_epi32(pairs, 1)));
}

void AxpyAvx2(float w, const float* x, size_t n, float* y) {
  const __m256 weight = _mm256_set1_ps(w);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(weight, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] = std::fma(w, x[i], y[i]);
}

float DotAvx2(const float* a, const float* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float SquaredL2Avx2(const float* a, const float* b, size_t n) {
  __m256 acc = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 diff = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc = _mm256_fmadd_ps(diff, diff, acc);
  }
  float sum = HorizontalSum(acc);
  for (; i < n; ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

float L1Avx2(const float* a, const float* b, size_t n) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 acc = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    acc = _mm256_add_ps(acc, _mm256_and_ps(abs_mask, _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
  }
  float sum = HorizontalSum(acc);
  for (; i < n; ++i) sum += std::fabs(a[i] - b[i]);
  return sum;
}

template <int M, int R>
inline void DotRowsTileF32(const float* queries, const float* corpus, size_t dim, float* scores, size_t stride) {
  __m256 acc[M][R];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm256_setzero_ps();
  size_t d = 0;
  for (; d + 8 <= dim; d += 8) {
    __m256 rows[R];
    SK_UNROLL for (int r = 0; r < R; ++r) rows[r] = _mm256_loadu_ps(corpus + r * dim + d);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const __m256 query = _mm256_loadu_ps(queries + q * dim + d);
      SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm256_fmadd_ps(query, rows[r], acc[q][r]);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q) {
    SK_UNROLL for (int r = 0; r < R; ++r) {
      float sum = HorizontalSum(acc[q][r]);
      for (size_t t = d; t < dim; ++t) sum += queries[q * dim + t] * corpus[r * dim + t];
      scores[q * stride + r] = sum;
    }
  }
}

template <int M>
void DotRowsF32M(const float* queries, const float* corpus, size_t n, size_t dim, float* scores, size_t stride) {
  size_t r = 0;
  for (; r + 2 <= n; r += 2) DotRowsTileF32<M, 2>(queries, corpus + r * dim, dim, scores + r, stride);
  for (; r < n; ++r) DotRowsTileF32<M, 1>(queries, corpus + r * dim, dim, scores + r, stride);
}

void DotRowsF32Avx2(const float* queries, size_t m, const float* corpus, size_t n, size_t dim,
                    float* scores, size_t stride) {
  WithQueryCount<kRowsMaxQueries>(
      m, [&](auto M) { DotRowsF32M<decltype(M)::value>(queries, corpus, n, dim, scores, stride); });
}

constexpr size_t kLanes = 8;
constexpr size_t kPackedMaxQueries = 4;

void PackF32Avx2(const float* corpus, size_t n, size_t dim, float* packed) {
  const size_t groups = (n + kLanes - 1) / kLanes;
  const __m256i lane_offsets = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                                  _mm256_set1_epi32(static_cast<int>(dim)));
  for (size_t g = 0; g < groups; ++g) {
    const size_t rows = n - g * kLanes < kLanes ? n - g * kLanes : kLanes;
    const __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rows)),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const float* base = corpus + g * kLanes * dim;
    float* out = packed + g * dim * kLanes;
    for (size_t d = 0; d < dim; ++d) {
      const __m256 column = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base + d, lane_offsets,
                                                     _mm256_castsi256_ps(valid), 4);
      _mm256_storeu_ps(out + d * kLanes, column);
    }
  }
}

template <int M, int V>
inline void DotPackedTile(const float* queries, const float* packed, size_t dim, float* scores, size_t stride) {
  __m256 acc[M][V];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm256_setzero_ps();
  for (size_t d = 0; d < dim; ++d) {
    __m256 rows[V];
    SK_UNROLL for (int v = 0; v < V; ++v) rows[v] = _mm256_loadu_ps(packed + (v * dim + d) * kLanes);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const __m256 query = _mm256_broadcast_ss(queries + q * dim + d);
      SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm256_fmadd_ps(query, rows[v], acc[q][v]);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v) _mm256_storeu_ps(scores + q * stride + v * kLanes, acc[q][v]);
}

template <int M>
void DotPackedM(const float* queries, const float* packed, size_t groups, size_t dim, float* scores, size_t stride) {
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) DotPackedTile<M, 2>(queries, packed + g * dim * kLanes, dim, scores + g * kLanes, stride);
  for (; g < groups; ++g) DotPackedTile<M, 1>(queries, packed + g * dim * kLanes, dim, scores + g * kLanes, stride);
}

void DotPackedF32Avx2(const float* queries, size_t m, const float* packed, size_t groups, size_t dim,
                      float* scores, size_t stride) {
  WithQueryCount<kPackedMaxQueries>(
      m, [&](auto M) { DotPackedM<decltype(M)::value>(queries, packed, groups, dim, scores, stride); });
}

// Widening to int16 then madd keeps every product and pair sum exact.
int32_t DotI8(const int8_t* a, const int8_t* b, size_t bytes) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    const __m256i wa = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i wb = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wa, wb));
  }
  int32_t sum = HorizontalSum(acc);
  for (; i < bytes; ++i) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

void DotRowsI8Avx2(const int8_t* queries, size_t m, const int8_t* corpus, size_t n, size_t bytes,
                   int32_t* scores, size_t stride) {
  for (size_t r = 0; r < n; ++r) {
    for (size_t q = 0; q < m; ++q) scores[q * stride + r] = DotI8(queries + q * bytes, corpus + r * bytes, bytes);
  }
}

int32_t Hamming(const uint8_t* a, const uint8_t* b, size_t bytes) {
  int32_t distance = 0;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t wa, wb;
    std::memcpy(&wa, a + i, 8);
    std::memcpy(&wb, b + i, 8);
    distance += static_cast<int32_t>(_mm_popcnt_u64(wa ^ wb));
  }
  for (; i < bytes; ++i) distance += _mm_popcnt_u32(static_cast<unsigned>(a[i] ^ b[i]));
  return distance;
}

void HammingRowsAvx2(const uint8_t* queries, size_t m, const uint8_t* corpus, size_t n, size_t bytes,
                     int32_t* out, size_t stride) {
  for (size_t r = 0; r < n; ++r) {
    for (size_t q = 0; q < m; ++q) out[q * stride + r] = Hamming(queries + q * bytes, corpus + r * bytes, bytes);
  }
}

// Eight scores per compare; only blocks with a hit fall back to the scalar scan.
size_t SelectAtLeastF32Avx2(const float* scores, size_t n, float threshold, uint32_t* positions) {
  const __m256 limit = _mm256_set1_ps(threshold);
  size_t count = 0, r = 0;
  for (; r + 8 <= n; r += 8) {
    unsigned hits = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(scores + r), limit, _CMP_GE_OQ)));
    while (hits != 0) {
      positions[count++] = static_cast<uint32_t>(r + __builtin_ctz(hits));
      hits &= hits - 1;
    }
  }
  for (; r < n; ++r)
    if (scores[r] >= threshold) positions[count++] = static_cast<uint32_t>(r);
  return count;
}

size_t SelectAtLeastI32Avx2(const int32_t* scores, size_t n, int32_t threshold, uint32_t* positions) {
  const __m256i limit = _mm256_set1_epi32(threshold);
  size_t count = 0, r = 0;
  for (; r + 8 <= n; r += 8) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(scores + r));
    // AVX2 has no signed >=: greater or equal.
    const __m256i at_least = _mm256_or_si256(_mm256_cmpgt_epi32(v, limit), _mm256_cmpeq_epi32(v, limit));
    unsigned hits = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(at_least)));
    while (hits != 0) {
      positions[count++] = static_cast<uint32_t>(r + __builtin_ctz(hits));
      hits &= hits - 1;
    }
  }
  for (; r < n; ++r)
    if (scores[r] >= threshold) positions[count++] = static_cast<uint32_t>(r);
  return count;
}

}  // namespace

const VectorKernels& Avx2VectorKernels() {
  static const VectorKernels table{AxpyAvx2,        DotAvx2,        SquaredL2Avx2,
                                   L1Avx2,          DotRowsF32Avx2, kLanes,
                                   kPackedMaxQueries, PackF32Avx2,  DotPackedF32Avx2,
                                   DotRowsI8Avx2,   HammingRowsAvx2,
                                   SelectAtLeastF32Avx2, SelectAtLeastI32Avx2,
                                   0, 0, nullptr, nullptr, 0, 0, nullptr, nullptr};
  return table;
}

}  // namespace sk::kernels
