// AVX-512 vector primitives: 16 floats (or 64 bytes) per step with masked tails, VNNI for
// int8 dot products and VPOPCNTDQ for Hamming distances.
// GCC 12's _mm512_reduce_* helpers start from an undefined vector and warn about it.
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/cpu/query_count.h"
#include "kernels/cpu/vector_table.h"

namespace sk::kernels {
namespace {

// Full unrolling of the loops over a tile's queries and rows lets GCC keep the accumulator
// arrays in registers; left to its own limits it spills them to the stack every step.
#define SK_UNROLL _Pragma("GCC unroll 16")

inline __mmask16 Tail16(size_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << remaining) - 1u);
}

inline __mmask64 Tail64(size_t remaining) {
  return remaining >= 64 ? ~__mmask64{0} : ((__mmask64{1} << remaining) - 1);
}

void AxpyAvx512(float w, const float* x, size_t n, float* y) {
  const __m512 weight = _mm512_set1_ps(w);
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = Tail16(n - i);
    const __m512 sum = _mm512_fmadd_ps(weight, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
    _mm512_mask_storeu_ps(y + i, m, sum);
  }
}

float DotAvx512(const float* a, const float* b, size_t n) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
  }
  for (; i < n; i += 16) {
    const __mmask16 m = Tail16(n - i);
    acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

float SquaredL2Avx512(const float* a, const float* b, size_t n) {
  __m512 acc = _mm512_setzero_ps();
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = Tail16(n - i);
    const __m512 diff = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
    acc = _mm512_fmadd_ps(diff, diff, acc);
  }
  return _mm512_reduce_add_ps(acc);
}

float L1Avx512(const float* a, const float* b, size_t n) {
  __m512 acc = _mm512_setzero_ps();
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = Tail16(n - i);
    const __m512 diff = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
    acc = _mm512_add_ps(acc, _mm512_abs_ps(diff));
  }
  return _mm512_reduce_add_ps(acc);
}

// M queries against R corpus rows at once: M*R accumulators, each summed horizontally once.
template <int M, int R>
inline void DotRowsTileF32(const float* queries, const float* corpus, size_t dim, float* scores, size_t stride) {
  __m512 acc[M][R];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm512_setzero_ps();
  for (size_t d = 0; d < dim; d += 16) {
    const __mmask16 m = Tail16(dim - d);
    __m512 rows[R];
    SK_UNROLL for (int r = 0; r < R; ++r) rows[r] = _mm512_maskz_loadu_ps(m, corpus + r * dim + d);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const __m512 query = _mm512_maskz_loadu_ps(m, queries + q * dim + d);
      SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm512_fmadd_ps(query, rows[r], acc[q][r]);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) scores[q * stride + r] = _mm512_reduce_add_ps(acc[q][r]);
}

// Rows this far ahead are prefetched: the hardware prefetchers stop at each 4 KiB page
// (a 384-float row is 1.5 KiB), and the few-query scan is bound by memory, not arithmetic.
constexpr size_t kPrefetchRows = 16;

// Addresses are formed as integers: the prefetched rows may lie past the end of the corpus,
// where forming a pointer would be undefined (a prefetch itself never faults).
inline void PrefetchBytes(const void* base, size_t skip, size_t bytes) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(base) + skip;
  for (size_t offset = 0; offset < bytes; offset += 64) _mm_prefetch(reinterpret_cast<const char*>(begin + offset), _MM_HINT_T0);
}

// The same distance in bytes for the narrower int8 and bit rows.
inline size_t PrefetchRowsFor(size_t row_bytes) {
  const size_t rows = kPrefetchRows * 384 * sizeof(float) / (row_bytes == 0 ? 1 : row_bytes);
  return rows < 4 ? 4 : rows;
}

template <int M>
void DotRowsF32M(const float* queries, const float* corpus, size_t n, size_t dim, float* scores, size_t stride) {
  size_t r = 0;
  // No software prefetch: the rows stream in order and the hardware prefetcher keeps up. A
  // prefetch 16 rows ahead measured slower on the 1-query scan of 1M x 384 (19.5-23.4 against
  // 22.5-24.0 GB/s, of 26 GB/s read bandwidth, 2026-12-02).
  for (; r + 4 <= n; r += 4) DotRowsTileF32<M, 4>(queries, corpus + r * dim, dim, scores + r, stride);
  for (; r < n; ++r) DotRowsTileF32<M, 1>(queries, corpus + r * dim, dim, scores + r, stride);
}

void DotRowsF32Avx512(const float* queries, size_t m, const float* corpus, size_t n, size_t dim,
                      float* scores, size_t stride) {
  WithQueryCount<kRowsMaxQueries>(
      m, [&](auto M) { DotRowsF32M<decltype(M)::value>(queries, corpus, n, dim, scores, stride); });
}

constexpr size_t kLanes = 16;
// 12 queries x 2 groups of 16 rows: 24 accumulators, as 6 x 4 had, but each row vector
// loaded from L2 now feeds 12 queries instead of 6 (the block is larger than L1).
constexpr size_t kPackedMaxQueries = 12;

// In-register transpose of a 16 x 16 tile: rows[l] holds 16 columns of row l on entry and
// columns[c] holds column c of the 16 rows on exit. Unpack and in-lane shuffles transpose
// the 4 x 4 blocks inside each 128-bit lane, then two 128-bit lane shuffles move the blocks.
inline void Transpose16x16(const __m512 rows[16], __m512 columns[16]) {
  __m512 t[16], u[16];
  SK_UNROLL for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(rows[2 * i], rows[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(rows[2 * i], rows[2 * i + 1]);
  }
  // u[4i + j], lane L: rows 4i..4i+3 at column 4L + j.
  SK_UNROLL for (int i = 0; i < 4; ++i) {
    u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // columns[4L + j], lane L' = u[4L' + j], lane L: a 4 x 4 transpose of 128-bit lanes.
  SK_UNROLL for (int j = 0; j < 4; ++j) {
    const __m512 ab_low = _mm512_shuffle_f32x4(u[j], u[4 + j], _MM_SHUFFLE(1, 0, 1, 0));
    const __m512 ab_high = _mm512_shuffle_f32x4(u[j], u[4 + j], _MM_SHUFFLE(3, 2, 3, 2));
    const __m512 cd_low = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], _MM_SHUFFLE(1, 0, 1, 0));
    const __m512 cd_high = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], _MM_SHUFFLE(3, 2, 3, 2));
    columns[j] = _mm512_shuffle_f32x4(ab_low, cd_low, _MM_SHUFFLE(2, 0, 2, 0));
    columns[4 + j] = _mm512_shuffle_f32x4(ab_low, cd_low, _MM_SHUFFLE(3, 1, 3, 1));
    columns[8 + j] = _mm512_shuffle_f32x4(ab_high, cd_high, _MM_SHUFFLE(2, 0, 2, 0));
    columns[12 + j] = _mm512_shuffle_f32x4(ab_high, cd_high, _MM_SHUFFLE(3, 1, 3, 1));
  }
}

// 16 x 16 tiles transposed in registers (gathers are several times slower on the CPUs we
// measured); rows past n and columns past dim read as zeros.
void PackF32Avx512(const float* corpus, size_t n, size_t dim, float* packed) {
  const size_t groups = (n + kLanes - 1) / kLanes;
  for (size_t g = 0; g < groups; ++g) {
    const size_t rows = n - g * kLanes < kLanes ? n - g * kLanes : kLanes;
    const float* base = corpus + g * kLanes * dim;
    float* out = packed + g * dim * kLanes;
    for (size_t d = 0; d < dim; d += 16) {
      const __mmask16 m = Tail16(dim - d);
      __m512 tile[16], columns[16];
      SK_UNROLL for (int l = 0; l < 16; ++l) {
        tile[l] = static_cast<size_t>(l) < rows ? _mm512_maskz_loadu_ps(m, base + l * dim + d) : _mm512_setzero_ps();
      }
      Transpose16x16(tile, columns);
      const size_t count = dim - d < 16 ? dim - d : 16;
      for (size_t c = 0; c < count; ++c) _mm512_storeu_ps(out + (d + c) * kLanes, columns[c]);
    }
  }
}

template <int M, int V>
inline void DotPackedTile(const float* queries, const float* packed, size_t dim, float* scores, size_t stride) {
  __m512 acc[M][V];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm512_setzero_ps();
  for (size_t d = 0; d < dim; ++d) {
    __m512 rows[V];
    SK_UNROLL for (int v = 0; v < V; ++v) rows[v] = _mm512_loadu_ps(packed + (v * dim + d) * kLanes);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const __m512 query = _mm512_set1_ps(queries[q * dim + d]);
      SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm512_fmadd_ps(query, rows[v], acc[q][v]);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v) _mm512_storeu_ps(scores + q * stride + v * kLanes, acc[q][v]);
}

template <int M>
void DotPackedM(const float* queries, const float* packed, size_t groups, size_t dim, float* scores, size_t stride) {
  constexpr int kGroups = M > 6 ? 2 : 4;  // at most 24 accumulators
  size_t g = 0;
  for (; g + kGroups <= groups; g += kGroups)
    DotPackedTile<M, kGroups>(queries, packed + g * dim * kLanes, dim, scores + g * kLanes, stride);
  for (; g < groups; ++g) DotPackedTile<M, 1>(queries, packed + g * dim * kLanes, dim, scores + g * kLanes, stride);
}

void DotPackedF32Avx512(const float* queries, size_t m, const float* packed, size_t groups, size_t dim,
                        float* scores, size_t stride) {
  WithQueryCount<kPackedMaxQueries>(
      m, [&](auto M) { DotPackedM<decltype(M)::value>(queries, packed, groups, dim, scores, stride); });
}

// VNNI multiplies unsigned by signed bytes, so the corpus bytes are shifted to unsigned
// (c ^ 0x80 == c + 128) and the excess 128 * sum(query) is taken off once per query.
template <int M, int R>
inline void DotRowsTileI8(const int8_t* queries, const int8_t* corpus, size_t bytes, const int32_t* query_sums,
                          int32_t* scores, size_t stride) {
  __m512i acc[M][R];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm512_setzero_si512();
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (size_t i = 0; i < bytes; i += 64) {
    const __mmask64 m = Tail64(bytes - i);
    __m512i rows[R];
    SK_UNROLL for (int r = 0; r < R; ++r) rows[r] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, corpus + r * bytes + i), flip);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const __m512i query = _mm512_maskz_loadu_epi8(m, queries + q * bytes + i);
      SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm512_dpbusd_epi32(acc[q][r], rows[r], query);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) scores[q * stride + r] = _mm512_reduce_add_epi32(acc[q][r]) - 128 * query_sums[q];
}

template <int M>
void DotRowsI8M(const int8_t* queries, const int8_t* corpus, size_t n, size_t bytes, int32_t* scores, size_t stride) {
  int32_t sums[M];
  SK_UNROLL for (int q = 0; q < M; ++q) {
    sums[q] = 0;
    for (size_t i = 0; i < bytes; ++i) sums[q] += queries[q * bytes + i];
  }
  const size_t ahead = PrefetchRowsFor(bytes);
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    PrefetchBytes(corpus, (r + ahead) * bytes, 4 * bytes);
    DotRowsTileI8<M, 4>(queries, corpus + r * bytes, bytes, sums, scores + r, stride);
  }
  for (; r < n; ++r) DotRowsTileI8<M, 1>(queries, corpus + r * bytes, bytes, sums, scores + r, stride);
}

void DotRowsI8Avx512(const int8_t* queries, size_t m, const int8_t* corpus, size_t n, size_t bytes,
                     int32_t* scores, size_t stride) {
  WithQueryCount<kRowsMaxQueries>(
      m, [&](auto M) { DotRowsI8M<decltype(M)::value>(queries, corpus, n, bytes, scores, stride); });
}

template <int M, int R>
inline void HammingTile(const uint8_t* queries, const uint8_t* corpus, size_t bytes, int32_t* out, size_t stride) {
  __m512i acc[M][R];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = _mm512_setzero_si512();
  for (size_t i = 0; i < bytes; i += 64) {
    const __mmask64 m = Tail64(bytes - i);
    __m512i rows[R];
    SK_UNROLL for (int r = 0; r < R; ++r) rows[r] = _mm512_maskz_loadu_epi8(m, corpus + r * bytes + i);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const __m512i query = _mm512_maskz_loadu_epi8(m, queries + q * bytes + i);
      SK_UNROLL for (int r = 0; r < R; ++r) {
        acc[q][r] = _mm512_add_epi64(acc[q][r], _mm512_popcnt_epi64(_mm512_xor_si512(query, rows[r])));
      }
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) out[q * stride + r] = static_cast<int32_t>(_mm512_reduce_add_epi64(acc[q][r]));
}

template <int M>
void HammingRowsM(const uint8_t* queries, const uint8_t* corpus, size_t n, size_t bytes, int32_t* out, size_t stride) {
  const size_t ahead = PrefetchRowsFor(bytes);
  size_t r = 0;
  for (; r + 4 <= n; r += 4) {
    PrefetchBytes(corpus, (r + ahead) * bytes, 4 * bytes);
    HammingTile<M, 4>(queries, corpus + r * bytes, bytes, out + r, stride);
  }
  for (; r < n; ++r) HammingTile<M, 1>(queries, corpus + r * bytes, bytes, out + r, stride);
}

void HammingRowsAvx512(const uint8_t* queries, size_t m, const uint8_t* corpus, size_t n, size_t bytes,
                       int32_t* out, size_t stride) {
  WithQueryCount<kRowsMaxQueries>(
      m, [&](auto M) { HammingRowsM<decltype(M)::value>(queries, corpus, n, bytes, out, stride); });
}

// Compress-store writes the positions of all hits of 16 scores at once.
size_t SelectAtLeastF32Avx512(const float* scores, size_t n, float threshold, uint32_t* positions) {
  const __m512 limit = _mm512_set1_ps(threshold);
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_set1_epi32(16);
  size_t count = 0;
  for (size_t r = 0; r < n; r += 16) {
    const __mmask16 m = Tail16(n - r);
    const __mmask16 hits = _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, scores + r), limit, _CMP_GE_OQ);
    if (hits != 0) {
      _mm512_mask_compressstoreu_epi32(positions + count, hits, index);
      count += static_cast<size_t>(__builtin_popcount(hits));
    }
    index = _mm512_add_epi32(index, step);
  }
  return count;
}

size_t SelectAtLeastI32Avx512(const int32_t* scores, size_t n, int32_t threshold, uint32_t* positions) {
  const __m512i limit = _mm512_set1_epi32(threshold);
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_set1_epi32(16);
  size_t count = 0;
  for (size_t r = 0; r < n; r += 16) {
    const __mmask16 m = Tail16(n - r);
    const __mmask16 hits = _mm512_mask_cmpge_epi32_mask(m, _mm512_maskz_loadu_epi32(m, scores + r), limit);
    if (hits != 0) {
      _mm512_mask_compressstoreu_epi32(positions + count, hits, index);
      count += static_cast<size_t>(__builtin_popcount(hits));
    }
    index = _mm512_add_epi32(index, step);
  }
  return count;
}

constexpr size_t kI8Lanes = 16;
constexpr size_t kI8PackedMaxQueries = 6;

// Plain 4-byte copies: on the CPUs we measured, a 16-lane gather costs more than sixteen
// scalar loads. A last chunk shorter than 4 bytes is padded so no read passes a row.
void PackI8Avx512(const int8_t* corpus, size_t n, size_t bytes, uint8_t* packed) {
  const size_t chunks = (bytes + 3) / 4, full_chunks = bytes / 4;
  const size_t groups = (n + kI8Lanes - 1) / kI8Lanes;
  for (size_t g = 0; g < groups; ++g) {
    const size_t rows = n - g * kI8Lanes < kI8Lanes ? n - g * kI8Lanes : kI8Lanes;
    const int8_t* base = corpus + g * kI8Lanes * bytes;
    uint8_t* out = packed + g * chunks * kI8Lanes * 4;
    for (size_t l = 0; l < kI8Lanes; ++l) {
      const int8_t* row = base + l * bytes;
      for (size_t c = 0; c < chunks; ++c) {
        uint32_t four = 0;  // zero values, 0x80 once shifted to unsigned
        if (l < rows) {
          if (c < full_chunks) __builtin_memcpy(&four, row + c * 4, 4);  // fixed size: one load
          else __builtin_memcpy(&four, row + c * 4, bytes - c * 4);
        }
        four ^= 0x80808080u;
        __builtin_memcpy(out + (c * kI8Lanes + l) * 4, &four, 4);
      }
    }
  }
}

template <int M, int V>
inline void DotPackedI8Tile(const int8_t* queries, size_t query_stride, const int32_t* sums, const uint8_t* packed,
                            size_t chunks, int32_t* scores, size_t stride) {
  __m512i acc[M][V];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm512_setzero_si512();
  for (size_t c = 0; c < chunks; ++c) {
    __m512i rows[V];
    SK_UNROLL for (int v = 0; v < V; ++v) rows[v] = _mm512_loadu_si512(packed + (v * chunks + c) * kI8Lanes * 4);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      int32_t four;
      __builtin_memcpy(&four, queries + q * query_stride + c * 4, 4);
      const __m512i query = _mm512_set1_epi32(four);
      SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm512_dpbusd_epi32(acc[q][v], rows[v], query);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q) {
    const __m512i correction = _mm512_set1_epi32(128 * sums[q]);
    SK_UNROLL for (int v = 0; v < V; ++v) {
      _mm512_storeu_si512(scores + q * stride + v * kI8Lanes, _mm512_sub_epi32(acc[q][v], correction));
    }
  }
}

template <int M>
void DotPackedI8M(const int8_t* queries, size_t query_stride, const int32_t* sums, const uint8_t* packed,
                  size_t groups, size_t chunks, int32_t* scores, size_t stride) {
  const size_t group_bytes = chunks * kI8Lanes * 4;
  size_t g = 0;
  for (; g + 4 <= groups; g += 4)
    DotPackedI8Tile<M, 4>(queries, query_stride, sums, packed + g * group_bytes, chunks, scores + g * kI8Lanes, stride);
  for (; g < groups; ++g)
    DotPackedI8Tile<M, 1>(queries, query_stride, sums, packed + g * group_bytes, chunks, scores + g * kI8Lanes, stride);
}

void DotPackedI8Avx512(const int8_t* queries, size_t query_stride, const int32_t* sums, size_t m,
                       const uint8_t* packed, size_t groups, size_t chunks, int32_t* scores, size_t stride) {
  WithQueryCount<kI8PackedMaxQueries>(
      m, [&](auto M) { DotPackedI8M<decltype(M)::value>(
          queries, query_stride, sums, packed, groups, chunks, scores, stride); });
}

constexpr size_t kBitLanes = 8;
constexpr size_t kBitPackedMaxQueries = 6;

void PackBitsAvx512(const uint8_t* corpus, size_t n, size_t bytes, uint64_t* packed) {
  const size_t words = (bytes + 7) / 8, full_words = bytes / 8;
  const size_t groups = (n + kBitLanes - 1) / kBitLanes;
  for (size_t g = 0; g < groups; ++g) {
    const size_t rows = n - g * kBitLanes < kBitLanes ? n - g * kBitLanes : kBitLanes;
    const uint8_t* base = corpus + g * kBitLanes * bytes;
    uint64_t* out = packed + g * words * kBitLanes;
    for (size_t l = 0; l < kBitLanes; ++l) {
      const uint8_t* row = base + l * bytes;
      for (size_t w = 0; w < words; ++w) {
        uint64_t word = 0;
        if (l < rows) {
          if (w < full_words) __builtin_memcpy(&word, row + w * 8, 8);  // fixed size: one load
          else __builtin_memcpy(&word, row + w * 8, bytes - w * 8);
        }
        out[w * kBitLanes + l] = word;
      }
    }
  }
}

// acc[q][v] lane l = -(Hamming distance of query q to row l of group v), M queries x V groups
// of 8 packed rows, so both packed kernels below share one inner loop.
template <int M, int V>
inline void HammingPackedAccumulate(const uint8_t* queries, size_t query_stride, const uint64_t* packed, size_t words,
                                    __m512i (&acc)[M][V]) {
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm512_setzero_si512();
  for (size_t w = 0; w < words; ++w) {
    __m512i rows[V];
    SK_UNROLL for (int v = 0; v < V; ++v) rows[v] = _mm512_loadu_si512(packed + (v * words + w) * kBitLanes);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      long long word;
      __builtin_memcpy(&word, queries + q * query_stride + w * 8, 8);
      const __m512i query = _mm512_set1_epi64(word);
      SK_UNROLL for (int v = 0; v < V; ++v) acc[q][v] = _mm512_sub_epi64(acc[q][v], _mm512_popcnt_epi64(_mm512_xor_si512(rows[v], query)));
    }
  }
}

template <int M, int V>
inline void HammingPackedTile(const uint8_t* queries, size_t query_stride, const uint64_t* packed, size_t words,
                              int32_t* out, size_t stride) {
  __m512i acc[M][V];
  HammingPackedAccumulate<M, V>(queries, query_stride, packed, words, acc);
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < V; ++v)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + q * stride + v * kBitLanes), _mm512_cvtepi64_epi32(acc[q][v]));
}

template <int M>
void HammingPackedM(const uint8_t* queries, size_t query_stride, const uint64_t* packed, size_t groups, size_t words,
                    int32_t* out, size_t stride) {
  size_t g = 0;
  for (; g + 4 <= groups; g += 4)
    HammingPackedTile<M, 4>(queries, query_stride, packed + g * words * kBitLanes, words, out + g * kBitLanes, stride);
  for (; g < groups; ++g)
    HammingPackedTile<M, 1>(queries, query_stride, packed + g * words * kBitLanes, words, out + g * kBitLanes, stride);
}

void HammingPackedAvx512(const uint8_t* queries, size_t query_stride, size_t m, const uint64_t* packed, size_t groups,
                         size_t words, int32_t* out, size_t stride) {
  WithQueryCount<kBitPackedMaxQueries>(
      m, [&](auto M) { HammingPackedM<decltype(M)::value>(
          queries, query_stride, packed, groups, words, out, stride); });
}

// HammingPackedTile with the threshold test on the accumulators: a tile's scores are
// written out only where some row passes, which after the first blocks is rare.
template <int M, int V>
inline size_t HammingPackedSelectTile(const uint8_t* queries, size_t query_stride, const uint64_t* packed, size_t words,
                                      size_t row_base, size_t valid_rows, const __m512i* limits, Int32Hit* hits) {
  __m512i acc[M][V];
  HammingPackedAccumulate<M, V>(queries, query_stride, packed, words, acc);
  size_t count = 0;
  SK_UNROLL for (int q = 0; q < M; ++q) {
    SK_UNROLL for (int v = 0; v < V; ++v) {
      __mmask8 pass = _mm512_cmpge_epi64_mask(acc[q][v], limits[q]);
      if (pass == 0) continue;
      alignas(64) long long values[kBitLanes];
      _mm512_store_si512(values, acc[q][v]);
      while (pass != 0) {
        const unsigned lane = static_cast<unsigned>(__builtin_ctz(pass));
        pass = static_cast<__mmask8>(pass & (pass - 1));
        const size_t row = row_base + v * kBitLanes + lane;
        if (row < valid_rows) hits[count++] = {static_cast<uint32_t>(q), static_cast<uint32_t>(row), static_cast<int32_t>(values[lane])};
      }
    }
  }
  return count;
}

template <int M>
size_t HammingPackedSelectM(const uint8_t* queries, size_t query_stride, const uint64_t* packed, size_t groups,
                            size_t words, size_t valid_rows, const int32_t* thresholds, Int32Hit* hits) {
  __m512i limits[M];
  SK_UNROLL for (int q = 0; q < M; ++q) limits[q] = _mm512_set1_epi64(thresholds[q]);
  size_t count = 0, g = 0;
  for (; g + 4 <= groups; g += 4)
    count += HammingPackedSelectTile<M, 4>(queries, query_stride, packed + g * words * kBitLanes, words, g * kBitLanes,
                                           valid_rows, limits, hits + count);
  for (; g < groups; ++g)
    count += HammingPackedSelectTile<M, 1>(queries, query_stride, packed + g * words * kBitLanes, words, g * kBitLanes,
                                           valid_rows, limits, hits + count);
  return count;
}

size_t HammingPackedSelectAvx512(const uint8_t* queries, size_t query_stride, size_t m, const uint64_t* packed,
                                 size_t groups, size_t words, size_t valid_rows, const int32_t* thresholds, Int32Hit* hits) {
  return WithQueryCount<kBitPackedMaxQueries>(
      m, [&](auto M) { return HammingPackedSelectM<decltype(M)::value>(
          queries, query_stride, packed, groups, words, valid_rows, thresholds, hits); });
}

}  // namespace

const VectorKernels& Avx512VectorKernels() {
  static const VectorKernels table{AxpyAvx512,       DotAvx512,        SquaredL2Avx512,
                                   L1Avx512,         DotRowsF32Avx512, kLanes,
                                   kPackedMaxQueries, PackF32Avx512,   DotPackedF32Avx512,
                                   DotRowsI8Avx512,  HammingRowsAvx512,
                                   SelectAtLeastF32Avx512, SelectAtLeastI32Avx512,
                                   kI8Lanes,         kI8PackedMaxQueries, PackI8Avx512, DotPackedI8Avx512,
                                   kBitLanes,        kBitPackedMaxQueries, PackBitsAvx512, HammingPackedAvx512,
                                   HammingPackedSelectAvx512};
  return table;
}

}  // namespace sk::kernels
