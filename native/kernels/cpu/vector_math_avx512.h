// exp, erf and tanh on 16 floats for the CPU engine's epilogues, softmax and activations.
// Include only from sources compiled with AVX-512 flags (*_avx512.cc, *_amx.cc).
//   Exp: 2^f by a degree-5 polynomial on [0, 1) and VSCALEFPS; about 2 ulp.
//   Erf: Abramowitz & Stegun 7.1.26, |error| < 1.5e-7, far below int8 quantization noise.
#pragma once

#include <immintrin.h>

#include "kernels/int8_gemm.h"

namespace sk::kernels::avx512 {
// Internal linkage: the files including this are built with different -m flags, and one
// shared inline copy could carry instructions another file's CPU lacks.
namespace {

inline __m512 Exp(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.0f)), _mm512_set1_ps(-87.0f));
  const __m512 t = _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f));
  const __m512 whole = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(t, whole);
  __m512 p = _mm512_set1_ps(1.8775767e-3f);
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(8.9893397e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5826318e-2f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4015361e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9315308e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.9999994e-1f));
  return _mm512_scalef_ps(p, whole);
}

inline __m512 Erf(__m512 x) {
  const __m512 sign_mask = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(0x80000000u)));
  const __m512 ax = _mm512_andnot_ps(sign_mask, x);
  const __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(ax, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
  __m512 p = _mm512_set1_ps(1.061405429f);
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
  p = _mm512_mul_ps(p, t);
  const __m512 e = Exp(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), ax), ax));
  const __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.0f));
  return _mm512_or_ps(y, _mm512_and_ps(x, sign_mask));
}

inline __m512 Tanh(__m512 x) {
  // 1 - 2 / (e^(2x) + 1): exact at both ends once Exp saturates.
  const __m512 e = Exp(_mm512_add_ps(x, x));
  return _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
}

inline __m512 Activate(GemmActivation activation, __m512 x) {
  const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
  switch (activation) {
    case GemmActivation::kNone: return x;
    case GemmActivation::kGeluErf:
      return _mm512_mul_ps(_mm512_mul_ps(half, x), _mm512_add_ps(one, Erf(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)))));
    case GemmActivation::kGeluTanh: {
      const __m512 cube = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
      const __m512 u = _mm512_mul_ps(_mm512_set1_ps(0.7978845608028654f), _mm512_fmadd_ps(cube, _mm512_set1_ps(0.044715f), x));
      return _mm512_mul_ps(_mm512_mul_ps(half, x), _mm512_add_ps(one, Tanh(u)));
    }
    case GemmActivation::kRelu: return _mm512_max_ps(x, _mm512_setzero_ps());
  }
  return x;
}

}  // namespace
}  // namespace sk::kernels::avx512
