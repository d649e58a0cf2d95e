// Int8Gemm at the avx2 level on CPUs with AVX-VNNI: int8_gemm_avxvnni.h's loop, VEX-encoded.
#include "kernels/cpu/int8_gemm_avxvnni.h"

#include "kernels/cpu/gemm_kernels.h"

namespace sk::kernels {

void AvxVnniInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                     size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  avx2::RunVnniInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
}

}  // namespace sk::kernels
