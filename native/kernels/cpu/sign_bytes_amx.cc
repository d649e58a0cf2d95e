// One masked blend per 64 bits: the bits themselves are the byte mask.
#include "kernels/cpu/sign_bytes_amx.h"

#include <immintrin.h>

#include <cstring>

namespace sk::kernels {

void ExpandBitsToSigns(const uint8_t* rows, size_t n, size_t bytes, int8_t* out) {
  const size_t words = (bytes + 7) / 8, full_words = bytes / 8, stride = SignBytesStride(bytes);
  const __m512i plus = _mm512_set1_epi8(1), minus = _mm512_set1_epi8(-1);
  // Bytes of the last, partial word that hold bits; the rest of its 64 outputs stay 0.
  const size_t tail_bytes = bytes - full_words * 8;
  const __mmask64 tail_valid = tail_bytes == 0 ? 0 : (__mmask64{1} << (8 * tail_bytes)) - 1;
  for (size_t r = 0; r < n; ++r) {
    const uint8_t* row = rows + r * bytes;
    int8_t* dst = out + r * stride;
    for (size_t w = 0; w < full_words; ++w) {
      uint64_t word;
      std::memcpy(&word, row + w * 8, 8);
      _mm512_storeu_si512(dst + w * 64, _mm512_mask_blend_epi8(word, minus, plus));
    }
    if (words > full_words) {
      uint64_t word = 0;
      std::memcpy(&word, row + full_words * 8, tail_bytes);
      _mm512_storeu_si512(dst + full_words * 64, _mm512_maskz_mov_epi8(tail_valid, _mm512_mask_blend_epi8(word, minus, plus)));
    }
  }
}

}  // namespace sk::kernels
