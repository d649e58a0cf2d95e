// Int8Gemm on AMX tiles; internal to native/kernels (int8_gemm.cc calls it when
// AmxInt8Enabled()).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/int8_gemm.h"

namespace sk::kernels {

void AmxInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                 size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);

}  // namespace sk::kernels
