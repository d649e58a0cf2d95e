// SplitRowBf16x3 on AVX-512F alone, for the AVX-512 bf16x3 kernel's CPUs without AMX (Ice Lake
// lacks AVX512-BF16): ToBf16's integer rounding (add 0x7FFF plus the kept lowest bit, keep the
// top half; denormals to zero; NaN kept quiet) on 16 values at a time, so it matches the scalar
// splitter bit for bit.
#include <immintrin.h>

#include <cstring>

#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/bf16x3_split.h"

namespace sk::kernels {
namespace {

// The bf16 of 16 floats, in the low half of each 32-bit lane.
inline __m512i RoundToBf16(__m512i bits) {
  const __m512i exponent = _mm512_and_si512(bits, _mm512_set1_epi32(0x7F800000));
  const __mmask16 special = _mm512_cmpeq_epi32_mask(exponent, _mm512_set1_epi32(0x7F800000));
  const __mmask16 denormal = _mm512_cmpeq_epi32_mask(exponent, _mm512_setzero_si512());
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
  __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF))), 16);
  // Infinities stay; a NaN keeps its top bits with the quiet bit set.
  const __mmask16 nan = _mm512_mask_test_epi32_mask(special, bits, _mm512_set1_epi32(0xFFFF));
  __m512i kept = _mm512_srli_epi32(bits, 16);
  kept = _mm512_mask_or_epi32(kept, nan, kept, _mm512_set1_epi32(0x40));
  rounded = _mm512_mask_mov_epi32(rounded, special, kept);
  return _mm512_mask_mov_epi32(rounded, denormal, _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(0x8000)));
}

inline void Store16(uint16_t* to, __m512i halves) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(to), _mm512_cvtepi32_epi16(halves));
}

}  // namespace

void Avx512SplitRowBf16x3(const float* x, size_t k, uint16_t* row) {
  const size_t whole = k / kBf16StepValues * kBf16StepValues;
  for (size_t i = 0; i < k; i += 16) {
    const size_t left = k - i;
    const __mmask16 mask = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
    const __m512i bits = _mm512_castps_si512(_mm512_maskz_loadu_ps(mask, x + i));
    const __m512i hi = RoundToBf16(bits);
    const __m512 rest = _mm512_sub_ps(_mm512_castsi512_ps(bits), _mm512_castsi512_ps(_mm512_slli_epi32(hi, 16)));
    const __m512i lo = RoundToBf16(_mm512_castps_si512(rest));
    uint16_t* step = row + 2 * (i / kBf16StepValues) * kBf16StepValues + i % kBf16StepValues;
    Store16(step, hi);
    Store16(step + kBf16StepValues, lo);
  }
  // A last step only half filled: the upper 16 values of both halves are zero.
  if (k - whole > 0 && k - whole <= 16) {
    uint16_t* step = row + 2 * (whole / kBf16StepValues) * kBf16StepValues + 16;
    for (size_t p = 0; p < 2; ++p) std::memset(step + p * kBf16StepValues, 0, 32);
  }
}

}  // namespace sk::kernels
