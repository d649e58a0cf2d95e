// SplitRowBf16x3's SIMD forms, internal to native/kernels: AVX512-BF16 (bf16x3_split_amx.cc,
// run only where AmxBf16Enabled()), AVX-512F (bf16x3_split_avx512.cc, at the AVX-512 level
// otherwise) and AVX2 (bf16x3_split_avx2.cc, at the AVX2 level).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

void AmxSplitRowBf16x3(const float* x, size_t k, uint16_t* row);
void Avx512SplitRowBf16x3(const float* x, size_t k, uint16_t* row);
void Avx2SplitRowBf16x3(const float* x, size_t k, uint16_t* row);

}  // namespace sk::kernels
