// AVX-512 form of block_ops.h's gated activation.
#include <immintrin.h>

#include "cpu_engine/block_ops.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::cpu::avx512 {

void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out) {
  const __m512 one = _mm512_set1_ps(1.0f);
  for (size_t c = 0; c < cols; c += 16) {
    const __mmask16 mask = static_cast<__mmask16>(cols - c >= 16 ? 0xFFFF : (1u << (cols - c)) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(mask, activated + c);
    __m512 y;
    switch (activation) {
      case GateActivation::kSilu:
        y = _mm512_div_ps(x, _mm512_add_ps(one, kernels::avx512::Exp(_mm512_sub_ps(_mm512_setzero_ps(), x))));
        break;
      case GateActivation::kGeluErf: y = kernels::avx512::Activate(kernels::GemmActivation::kGeluErf, x); break;
      default: y = kernels::avx512::Activate(kernels::GemmActivation::kGeluTanh, x); break;
    }
    _mm512_mask_storeu_ps(out + c, mask, _mm512_mul_ps(y, _mm512_maskz_loadu_ps(mask, linear + c)));
  }
}

}  // namespace sk::cpu::avx512
