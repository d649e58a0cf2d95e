// SplitRowBf16x3 with AVX512-BF16 (VCVTNEPS2BF16 rounds to nearest even, as ToBf16 does): 16
// values at a time, hi and lo written into a step's two 32-value halves. Run only where
// AmxBf16Enabled(), which implies AVX512-BF16.
#include <immintrin.h>

#include <cstring>

#include "kernels/bf16x3_gemm.h"
#include "kernels/cpu/bf16x3_split.h"

namespace sk::kernels {

void AmxSplitRowBf16x3(const float* x, size_t k, uint16_t* row) {
  const size_t whole = k / kBf16StepValues * kBf16StepValues;
  for (size_t i = 0; i < k; i += 16) {
    const size_t left = k - i;
    const __mmask16 mask = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
    const __m256i hi = reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v));
    const __m512 hi_value = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(hi), 16));
    const __m256i lo = reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_sub_ps(v, hi_value)));
    const size_t s = i / kBf16StepValues, at = i % kBf16StepValues;
    uint16_t* step = row + 2 * s * kBf16StepValues + at;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(step), hi);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(step + kBf16StepValues), lo);
  }
  // A last step only half filled: the upper 16 values of both halves are zero.
  if (k - whole > 0 && k - whole <= 16) {
    uint16_t* step = row + 2 * (whole / kBf16StepValues) * kBf16StepValues + 16;
    for (size_t p = 0; p < 2; ++p) std::memset(step + p * kBf16StepValues, 0, 32);
  }
}

}  // namespace sk::kernels
