// exp, erf and tanh on 8 floats for the CPU engine's AVX2 epilogues, softmax and activations:
// the AVX-512 forms (vector_math_avx512.h) with the same polynomials, so both levels have the
// same accuracy. Include only from sources compiled with -mavx2 -mfma (*_avx2.cc).
//   Exp: 2^f by a degree-5 polynomial on [0, 1), times 2^whole built in the exponent bits
//        (whole stays in [-126, 126] after the clamp, so no denormal or overflow); about 2 ulp.
//   Erf: Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
#pragma once

#include <immintrin.h>

#include "kernels/int8_gemm.h"

namespace sk::kernels::avx2 {
// Internal linkage: the files including this are built with different -m flags, and one
// shared inline copy could carry instructions another file's CPU lacks.
namespace {

inline __m256 Exp(__m256 x) {
  x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), _mm256_set1_ps(-87.0f));
  const __m256 t = _mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f));
  const __m256 whole = _mm256_floor_ps(t);
  const __m256 f = _mm256_sub_ps(t, whole);
  __m256 p = _mm256_set1_ps(1.8775767e-3f);
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(8.9893397e-3f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.5826318e-2f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.4015361e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.9315308e-1f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.9999994e-1f));
  const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(whole), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

inline __m256 Erf(__m256 x) {
  const __m256 sign_mask = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u)));
  const __m256 ax = _mm256_andnot_ps(sign_mask, x);
  const __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(ax, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.0f)));
  __m256 p = _mm256_set1_ps(1.061405429f);
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
  p = _mm256_mul_ps(p, t);
  const __m256 e = Exp(_mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), ax), ax));
  const __m256 y = _mm256_fnmadd_ps(p, e, _mm256_set1_ps(1.0f));
  return _mm256_or_ps(y, _mm256_and_ps(x, sign_mask));
}

inline __m256 Tanh(__m256 x) {
  // 1 - 2 / (e^(2x) + 1): exact at both ends once Exp saturates.
  const __m256 e = Exp(_mm256_add_ps(x, x));
  return _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
}

inline __m256 Activate(GemmActivation activation, __m256 x) {
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  switch (activation) {
    case GemmActivation::kNone: return x;
    case GemmActivation::kGeluErf:
      return _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, Erf(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)))));
    case GemmActivation::kGeluTanh: {
      const __m256 cube = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
      const __m256 u = _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f), _mm256_fmadd_ps(cube, _mm256_set1_ps(0.044715f), x));
      return _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, Tanh(u)));
    }
    case GemmActivation::kRelu: return _mm256_max_ps(x, _mm256_setzero_ps());
  }
  return x;
}

// The first `count` (< 8) lanes set: a mask for the last, partial vector of a row.
inline __m256i TailMask(size_t count) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), lanes);
}

// 8 columns of a row's int32 dot products through the int8 GEMM's epilogue, as the portable loop
// rounds it: (dot · row scale) · column scale + bias, each product rounded, then the activation;
// into out[n, n + width) of row m. Shared by the AVX2 and AVX-VNNI kernels.
inline void FinishInt8Columns(__m256i sums, const GemmOutput& output, size_t m, size_t n, size_t width) {
  const __m256i mask = width >= 8 ? _mm256_set1_epi32(-1) : TailMask(width);
  const __m256 column_scales = _mm256_maskload_ps(output.column_scales + n, mask);
  __m256 value = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sums), _mm256_set1_ps(output.row_scales[m])), column_scales);
  if (output.bias != nullptr) value = _mm256_add_ps(value, _mm256_maskload_ps(output.bias + n, mask));
  value = Activate(output.activation, value);
  float* out = output.out + (m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin);
  if (width >= 8) {
    _mm256_storeu_ps(out, value);
  } else {
    _mm256_maskstore_ps(out, mask, value);
  }
}

}  // namespace
}  // namespace sk::kernels::avx2
