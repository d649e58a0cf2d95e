// NEON vector primitives (every aarch64 CPU): 4 floats per register with scalar tails. int8 dot
// products widen to int16 products (SMULL, exact: 128 * 128 fits) summed pairwise into int32
// (SADALP); Hamming distances count bits per byte (CNT). The dotprod level replaces the int8
// dot with SDOT (vector_dotprod.cc) and keeps the rest of this table.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cmath>
#include <cstring>

#include "kernels/cpu/query_count.h"
#include "kernels/cpu/vector_neon.h"
#include "kernels/cpu/vector_table.h"

namespace sk::kernels {
namespace {

// Full unrolling of the loops over a tile's queries and rows keeps the accumulator arrays in
// registers (vector_avx2.cc's note).
#define SK_UNROLL _Pragma("GCC unroll 8")

void AxpyNeon(float w, const float* x, size_t n, float* y) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), vld1q_f32(x + i), w));
  for (; i < n; ++i) y[i] = std::fma(w, x[i], y[i]);
}

float DotNeon(const float* a, const float* b, size_t n) {
  float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    acc0 = vfmaq_f32(acc0, vld1q_f32(a + i), vld1q_f32(b + i));
    acc1 = vfmaq_f32(acc1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
  }
  for (; i + 4 <= n; i += 4) acc0 = vfmaq_f32(acc0, vld1q_f32(a + i), vld1q_f32(b + i));
  float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float SquaredL2Neon(const float* a, const float* b, size_t n) {
  float32x4_t acc = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t diff = vsubq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
    acc = vfmaq_f32(acc, diff, diff);
  }
  float sum = vaddvq_f32(acc);
  for (; i < n; ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

float L1Neon(const float* a, const float* b, size_t n) {
  float32x4_t acc = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) acc = vaddq_f32(acc, vabdq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
  float sum = vaddvq_f32(acc);
  for (; i < n; ++i) sum += std::fabs(a[i] - b[i]);
  return sum;
}

template <int M, int R>
inline void DotRowsTileF32(const float* queries, const float* corpus, size_t dim, float* scores, size_t stride) {
  float32x4_t acc[M][R];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = vdupq_n_f32(0.0f);
  size_t d = 0;
  for (; d + 4 <= dim; d += 4) {
    float32x4_t rows[R];
    SK_UNROLL for (int r = 0; r < R; ++r) rows[r] = vld1q_f32(corpus + r * dim + d);
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const float32x4_t query = vld1q_f32(queries + q * dim + d);
      SK_UNROLL for (int r = 0; r < R; ++r) acc[q][r] = vfmaq_f32(acc[q][r], query, rows[r]);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q) {
    SK_UNROLL for (int r = 0; r < R; ++r) {
      float sum = vaddvq_f32(acc[q][r]);
      for (size_t t = d; t < dim; ++t) sum += queries[q * dim + t] * corpus[r * dim + t];
      scores[q * stride + r] = sum;
    }
  }
}

template <int M>
void DotRowsF32M(const float* queries, const float* corpus, size_t n, size_t dim, float* scores, size_t stride) {
  size_t r = 0;
  for (; r + 4 <= n; r += 4) DotRowsTileF32<M, 4>(queries, corpus + r * dim, dim, scores + r, stride);
  for (; r < n; ++r) DotRowsTileF32<M, 1>(queries, corpus + r * dim, dim, scores + r, stride);
}

void DotRowsF32Neon(const float* queries, size_t m, const float* corpus, size_t n, size_t dim, float* scores,
                    size_t stride) {
  WithQueryCount<kRowsMaxQueries>(
      m, [&](auto M) { DotRowsF32M<decltype(M)::value>(queries, corpus, n, dim, scores, stride); });
}

// Two registers of rows side by side: 8 lanes, as the scalar and AVX2 tables pack.
constexpr size_t kLanes = 8;
constexpr size_t kPackedMaxQueries = 4;

void PackF32Neon(const float* corpus, size_t n, size_t dim, float* packed) {
  const size_t groups = (n + kLanes - 1) / kLanes;
  for (size_t g = 0; g < groups; ++g) {
    const float* base = corpus + g * kLanes * dim;
    float* out = packed + g * dim * kLanes;
    const size_t rows = n - g * kLanes < kLanes ? n - g * kLanes : kLanes;
    for (size_t d = 0; d < dim; ++d) {
      for (size_t l = 0; l < kLanes; ++l) out[d * kLanes + l] = l < rows ? base[l * dim + d] : 0.0f;
    }
  }
}

template <int M, int V>
inline void DotPackedTile(const float* queries, const float* packed, size_t dim, float* scores, size_t stride) {
  float32x4_t acc[M][2 * V];
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < 2 * V; ++v) acc[q][v] = vdupq_n_f32(0.0f);
  for (size_t d = 0; d < dim; ++d) {
    float32x4_t rows[2 * V];
    SK_UNROLL for (int v = 0; v < V; ++v) {
      rows[2 * v] = vld1q_f32(packed + (v * dim + d) * kLanes);
      rows[2 * v + 1] = vld1q_f32(packed + (v * dim + d) * kLanes + 4);
    }
    SK_UNROLL for (int q = 0; q < M; ++q) {
      const float query = queries[q * dim + d];
      SK_UNROLL for (int v = 0; v < 2 * V; ++v) acc[q][v] = vfmaq_n_f32(acc[q][v], rows[v], query);
    }
  }
  SK_UNROLL for (int q = 0; q < M; ++q)
    SK_UNROLL for (int v = 0; v < 2 * V; ++v) vst1q_f32(scores + q * stride + v * 4, acc[q][v]);
}

template <int M>
void DotPackedM(const float* queries, const float* packed, size_t groups, size_t dim, float* scores, size_t stride) {
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) DotPackedTile<M, 2>(queries, packed + g * dim * kLanes, dim, scores + g * kLanes, stride);
  for (; g < groups; ++g) DotPackedTile<M, 1>(queries, packed + g * dim * kLanes, dim, scores + g * kLanes, stride);
}

void DotPackedF32Neon(const float* queries, size_t m, const float* packed, size_t groups, size_t dim, float* scores,
                      size_t stride) {
  WithQueryCount<kPackedMaxQueries>(
      m, [&](auto M) { DotPackedM<decltype(M)::value>(queries, packed, groups, dim, scores, stride); });
}

int32_t DotI8(const int8_t* a, const int8_t* b, size_t bytes) {
  int32x4_t acc = vdupq_n_s32(0);
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    const int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(va), vget_low_s8(vb)));
    acc = vpadalq_s16(acc, vmull_high_s8(va, vb));
  }
  int32_t sum = vaddvq_s32(acc);
  for (; i < bytes; ++i) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

void DotRowsI8Neon(const int8_t* queries, size_t m, const int8_t* corpus, size_t n, size_t bytes, int32_t* scores,
                   size_t stride) {
  for (size_t r = 0; r < n; ++r) {
    for (size_t q = 0; q < m; ++q) scores[q * stride + r] = DotI8(queries + q * bytes, corpus + r * bytes, bytes);
  }
}

int32_t Hamming(const uint8_t* a, const uint8_t* b, size_t bytes) {
  int32_t distance = 0;
  size_t i = 0;
  while (i + 16 <= bytes) {
    // Byte counts (at most 8 each) summed pairwise into 16-bit lanes: 1024 steps stay far
    // below 65535 per lane before they are added up.
    uint16x8_t counts = vdupq_n_u16(0);
    for (size_t steps = 0; steps < 1024 && i + 16 <= bytes; ++steps, i += 16) {
      counts = vpadalq_u8(counts, vcntq_u8(veorq_u8(vld1q_u8(a + i), vld1q_u8(b + i))));
    }
    distance += static_cast<int32_t>(vaddlvq_u16(counts));
  }
  for (; i < bytes; ++i) distance += __builtin_popcount(static_cast<unsigned>(a[i] ^ b[i]));
  return distance;
}

void HammingRowsNeon(const uint8_t* queries, size_t m, const uint8_t* corpus, size_t n, size_t bytes, int32_t* out,
                     size_t stride) {
  for (size_t r = 0; r < n; ++r) {
    for (size_t q = 0; q < m; ++q) out[q * stride + r] = Hamming(queries + q * bytes, corpus + r * bytes, bytes);
  }
}

// Four scores per compare; only a vector with a hit is scanned lane by lane.
template <typename T, typename Load, typename AtLeast>
size_t SelectAtLeast(const T* scores, size_t n, T threshold, uint32_t* positions, Load load, AtLeast at_least) {
  size_t count = 0, r = 0;
  for (; r + 4 <= n; r += 4) {
    if (vmaxvq_u32(at_least(load(scores + r))) == 0) continue;
    for (size_t l = 0; l < 4; ++l)
      if (scores[r + l] >= threshold) positions[count++] = static_cast<uint32_t>(r + l);
  }
  for (; r < n; ++r)
    if (scores[r] >= threshold) positions[count++] = static_cast<uint32_t>(r);
  return count;
}

size_t SelectAtLeastF32Neon(const float* scores, size_t n, float threshold, uint32_t* positions) {
  const float32x4_t limit = vdupq_n_f32(threshold);
  return SelectAtLeast(scores, n, threshold, positions, [](const float* p) { return vld1q_f32(p); },
                       [&](float32x4_t v) { return vcgeq_f32(v, limit); });
}

size_t SelectAtLeastI32Neon(const int32_t* scores, size_t n, int32_t threshold, uint32_t* positions) {
  const int32x4_t limit = vdupq_n_s32(threshold);
  return SelectAtLeast(scores, n, threshold, positions, [](const int32_t* p) { return vld1q_s32(p); },
                       [&](int32x4_t v) { return vcgeq_s32(v, limit); });
}

}  // namespace

VectorKernels MakeNeonVectorKernels() {
  return VectorKernels{AxpyNeon,          DotNeon,        SquaredL2Neon,
                       L1Neon,            DotRowsF32Neon, kLanes,
                       kPackedMaxQueries, PackF32Neon,    DotPackedF32Neon,
                       DotRowsI8Neon,     HammingRowsNeon,
                       SelectAtLeastF32Neon, SelectAtLeastI32Neon,
                       0, 0, nullptr, nullptr, 0, 0, nullptr, nullptr};
}

const VectorKernels& NeonVectorKernels() {
  static const VectorKernels table = MakeNeonVectorKernels();
  return table;
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
