// SplitRowBf16x3 on AVX2, for the AVX2 bf16x3 kernel: ToBf16's integer rounding (add 0x7FFF
// plus the kept lowest bit, keep the top half; denormals to zero; NaN kept quiet) on 8 values at
// a time, so it matches the scalar splitter bit for bit (bf16x3_split_avx512.cc's, with blends
// for its masks).
#include <immintrin.h>

#include <cstring>

#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/bf16x3_split.h"

namespace sk::kernels {
namespace {

// The bf16 of 8 floats, in the low half of each 32-bit lane.
inline __m256i RoundToBf16(__m256i bits) {
  const __m256i exponent = _mm256_and_si256(bits, _mm256_set1_epi32(0x7F800000));
  const __m256i special = _mm256_cmpeq_epi32(exponent, _mm256_set1_epi32(0x7F800000));
  const __m256i denormal = _mm256_cmpeq_epi32(exponent, _mm256_setzero_si256());
  const __m256i top = _mm256_srli_epi32(bits, 16);
  const __m256i odd = _mm256_and_si256(top, _mm256_set1_epi32(1));
  const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(bits, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7FFF))), 16);
  // Infinities stay; a NaN keeps its top bits with the quiet bit set.
  const __m256i payload = _mm256_cmpeq_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0xFFFF)), _mm256_setzero_si256());
  const __m256i nan = _mm256_andnot_si256(payload, special);
  const __m256i kept = _mm256_or_si256(top, _mm256_and_si256(nan, _mm256_set1_epi32(0x40)));
  const __m256i zero = _mm256_and_si256(top, _mm256_set1_epi32(0x8000));
  return _mm256_blendv_epi8(_mm256_blendv_epi8(rounded, kept, special), zero, denormal);
}

// 8 lanes' low halves as 8 uint16 (each below 0x10000, so the unsigned pack keeps them).
inline __m128i Narrow(__m256i halves) {
  const __m256i packed = _mm256_packus_epi32(halves, halves);
  return _mm256_castsi256_si128(_mm256_permute4x64_epi64(packed, 0x08));
}

}  // namespace

void Avx2SplitRowBf16x3(const float* x, size_t k, uint16_t* row) {
  std::memset(row, 0, Bf16x3RowStride(k) * 2);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (size_t i = 0; i < k; i += 8) {
    const size_t left = k - i;
    const __m256i mask = left >= 8 ? _mm256_set1_epi32(-1) : _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(left)), lanes);
    const __m256i bits = _mm256_castps_si256(_mm256_maskload_ps(x + i, mask));
    const __m256i hi = RoundToBf16(bits);
    const __m256 rest = _mm256_sub_ps(_mm256_castsi256_ps(bits), _mm256_castsi256_ps(_mm256_slli_epi32(hi, 16)));
    const __m256i lo = RoundToBf16(_mm256_castps_si256(rest));
    uint16_t* step = row + 2 * (i / kBf16StepValues) * kBf16StepValues + i % kBf16StepValues;
    // Lanes past k hold zeros (masked load): their bf16 is zero, as the memset left them.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(step), Narrow(hi));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(step + kBf16StepValues), Narrow(lo));
  }
}

}  // namespace sk::kernels
