// The CPU engine's GEMM kernels, internal to native/kernels:
// - Int8Gemm's: AMX tiles (int8_gemm_amx.cc, when AmxInt8Enabled()), AVX-512 VNNI
//   (int8_gemm_avx512.cc, at the AVX-512 level otherwise), and at the AVX2 level VPDPBUSD on
//   ymm where the CPU has it (int8_gemm_avxvnni*.cc) or else AVX2 (int8_gemm_avx2.cc);
// - Bf16x3Gemm's: AMX-BF16 (int8_gemm_amx.cc too, the same loop on TDPBF16PS, when
//   AmxBf16Enabled()), AVX-512 FMAs (bf16x3_gemm_avx512.cc, at the AVX-512 level otherwise) and
//   AVX2 FMAs (bf16x3_gemm_avx2.cc, at the AVX2 level).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/int8_gemm.h"

namespace sk::kernels {

void AmxInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                 size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// Needs output.weight_sums.
void Avx512Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);

// `widened` holds (row_end - row_begin) * steps * 64 int16 values: scratch the caller owns (see
// Avx512Bf16x3Gemm for why).
void Avx2Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                  size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, int16_t* widened);
// VPDPBUSD on ymm at the avx2 level (needs output.weight_sums): the VEX form for CPUs with
// AVX-VNNI (int8_gemm_avxvnni.cc), the EVEX form for those with AVX-512 VNNI + VL only
// (int8_gemm_avxvnni_avx512.cc).
void AvxVnniInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                     size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
void Avx512VlVnniInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                          size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);

// a_stride in bf16 values; row and column scales unused.
void AmxBf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                   size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// `joined_rows` holds (row_end - row_begin) * steps * 32 floats and `joined_weights` steps * 32 * 32:
// scratch the caller owns, so this file (compiled for AVX-512) instantiates no std::vector code
// that the linker could pick for generic code as well.
void Avx512Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                      size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, float* joined_rows,
                      float* joined_weights);
// The same on AVX2 + FMA; `joined_weights` holds steps * 32 * 16 floats.
void Avx2Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, float* joined_rows,
                    float* joined_weights);

// aarch64, over the same packed layouts: plain NEON widening multiplies (int8_gemm_neon.cc), SDOT
// (int8_gemm_dotprod.cc, +dotprod) and SMMLA (int8_gemm_i8mm.cc, +i8mm). Each supplies one block:
// the exact int32 sums of `block_rows` rows from m0 by group g's 16 columns (rows past row_end,
// up to its kGemmRowAlign round-up, are readable); RunArmInt8Gemm (int8_gemm_neon.cc) walks the
// blocks and applies the portable loop's epilogue, so all three equal Int8GemmScalar.
constexpr size_t kArmGemmMaxRows = 4;
using ArmInt8Block = void (*)(const int8_t* a, size_t a_stride, size_t m0, const int8_t* packed_w, size_t steps, size_t g,
                              int32_t (*sums)[kGemmGroupColumns]);
void RunArmInt8Gemm(ArmInt8Block block, size_t block_rows, const int8_t* a, size_t a_stride, size_t row_begin,
                    size_t row_end, const int8_t* packed_w, size_t steps, size_t group_begin, size_t group_end,
                    const GemmOutput& output);
void NeonInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                  size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
void DotprodInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                     size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
void I8mmInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                  size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// Bf16x3Gemm on NEON FMAs at every ARM level; scratch as Avx2Bf16x3Gemm's.
void NeonBf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output, float* joined_rows,
                    float* joined_weights);

}  // namespace sk::kernels
