// SplitRowBf16x3's AVX512-BF16 form (bf16x3_split_amx.cc), internal to native/kernels; run only
// where AmxBf16Enabled().
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk::kernels {

void AmxSplitRowBf16x3(const float* x, size_t k, uint16_t* row);

}  // namespace sk::kernels
