// AVX2 + FMA form of block_ops.h's gated activation (the AVX-512 one on 8 lanes).
#include <immintrin.h>

#include "cpu_engine/block_ops.h"
#include "kernels/cpu/vector_math_avx2.h"

namespace sk::cpu::avx2 {

void GatedActivationRow(GateActivation activation, const float* activated, const float* linear, size_t cols, float* out) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (size_t c = 0; c < cols; c += 8) {
    const size_t left = cols - c;
    const __m256i mask = left >= 8 ? _mm256_set1_epi32(-1) : kernels::avx2::TailMask(left);
    const __m256 x = _mm256_maskload_ps(activated + c, mask);
    __m256 y;
    switch (activation) {
      case GateActivation::kSilu:
        y = _mm256_div_ps(x, _mm256_add_ps(one, kernels::avx2::Exp(_mm256_sub_ps(_mm256_setzero_ps(), x))));
        break;
      case GateActivation::kGeluErf: y = kernels::avx2::Activate(kernels::GemmActivation::kGeluErf, x); break;
      default: y = kernels::avx2::Activate(kernels::GemmActivation::kGeluTanh, x); break;
    }
    _mm256_maskstore_ps(out + c, mask, _mm256_mul_ps(y, _mm256_maskload_ps(linear + c, mask)));
  }
}

}  // namespace sk::cpu::avx2
