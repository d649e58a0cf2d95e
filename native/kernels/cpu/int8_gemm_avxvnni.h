// Int8Gemm's VPDPBUSD-on-ymm loop, built twice: VEX-encoded for CPUs with AVX-VNNI
// (int8_gemm_avxvnni.cc, -mavxvnni: Intel Alder Lake and later, AMD Zen 5) and EVEX-encoded for
// CPUs with AVX-512 VNNI + VL but not AVX-VNNI (int8_gemm_avxvnni_avx512.cc: AMD Zen 4, Intel
// Ice Lake), where the avx2 level runs it when SENTENCEKIT_CPU_LEVEL=avx2-vnni asks. Both
// instructions compute the same sums; the loop and its 16 registers are AVX2's either way.
//
// VPDPBUSD multiplies unsigned by signed bytes and sums each group of 4 straight into int32 (no
// saturation), as the AVX-512 VNNI kernel: each activation byte goes in as a + 128 (an XOR of
// its sign bit) and 128 · Σ_k w[n][k] (output.weight_sums) is taken back per column. A packed
// weight row (16 columns x 4 K values, 64 bytes) is two vectors of 8 columns, so every
// accumulator lane is one output column; blocks of up to 4 rows x 16 columns keep 8
// accumulators, the 2 weight vectors and the broadcast activations in registers.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/vector_math_avx2.h"
#include "kernels/int8_gemm.h"

namespace sk::kernels::avx2 {
// Internal linkage, as vector_math_avx2.h: the two including files are built with different flags.
namespace {

// acc + Σ of 4 unsigned x signed byte products per int32 lane. Inline assembly rather than the
// intrinsic: with _mm256_dpbusd_epi32 / _mm256_dpbusd_avx_epi32, GCC 12 copied every accumulator
// to another register and back around each instruction (16 extra moves per 8 VPDPBUSD), and
// the loop ran 15-20% slower (bench/RESULTS.md). {vex} (%{vex%} in a template) makes the
// assembler emit the AVX-VNNI encoding, which CPUs without AVX-512 decode; "x" keeps operands in
// ymm0-15, which both encodings reach.
inline __m256i Dpbusd(__m256i acc, __m256i unsigned_bytes, __m256i signed_bytes) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  __asm__("vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(unsigned_bytes), "x"(signed_bytes));
#elif defined(__AVXVNNI__)
  __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(unsigned_bytes), "x"(signed_bytes));
#else
#error "int8_gemm_avxvnni.h needs -mavxvnni, or -mavx512vnni with -mavx512vl"
#endif
  return acc;
}

// Full unrolling of the loops over a block's rows keeps the accumulators in registers; left to
// its own limits GCC keeps the array on the stack and stores it every step.
#define SK_VNNI_UNROLL _Pragma("GCC unroll 8")

template <int Rows>
void VnniBlock(const int8_t* a, size_t a_stride, size_t m0, const int8_t* packed_w, size_t steps, size_t g,
               const GemmOutput& output) {
  __m256i acc[Rows][2];
  SK_VNNI_UNROLL
  for (int i = 0; i < Rows; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  const __m256i sign_bits = _mm256_set1_epi8(static_cast<char>(0x80));
  for (size_t s = 0; s < steps; ++s) {
    const int8_t* tile = packed_w + (g * steps + s) * 1024;
    const int8_t* rows = a + m0 * a_stride + s * kGemmStepBytes;
    for (size_t r = 0; r < 16; ++r) {
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tile + r * 64));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tile + r * 64 + 32));
      SK_VNNI_UNROLL
      for (int i = 0; i < Rows; ++i) {
        int32_t quad;
        std::memcpy(&quad, rows + i * a_stride + r * 4, sizeof(quad));
        const __m256i x = _mm256_xor_si256(_mm256_set1_epi32(quad), sign_bits);
        acc[i][0] = Dpbusd(acc[i][0], x, w0);
        acc[i][1] = Dpbusd(acc[i][1], x, w1);
      }
    }
  }
  const size_t n0 = g * kGemmGroupColumns;
  const size_t width = std::min(kGemmGroupColumns, output.columns - n0);
  __m256i correction[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
  for (size_t h = 0; h < 2 && h * 8 < width; ++h) {
    const size_t count = std::min<size_t>(8, width - h * 8);
    const __m256i mask = count >= 8 ? _mm256_set1_epi32(-1) : TailMask(count);
    correction[h] = _mm256_slli_epi32(_mm256_maskload_epi32(output.weight_sums + n0 + h * 8, mask), 7);
  }
  SK_VNNI_UNROLL
  for (int i = 0; i < Rows; ++i) {
    FinishInt8Columns(_mm256_sub_epi32(acc[i][0], correction[0]), output, m0 + i, n0, width);
    if (width > 8) FinishInt8Columns(_mm256_sub_epi32(acc[i][1], correction[1]), output, m0 + i, n0 + 8, width - 8);
  }
}

#undef SK_VNNI_UNROLL

inline void RunVnniInt8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                            size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  using BlockFn = void (*)(const int8_t*, size_t, size_t, const int8_t*, size_t, size_t, const GemmOutput&);
  constexpr BlockFn kBlocks[4] = {&VnniBlock<1>, &VnniBlock<2>, &VnniBlock<3>, &VnniBlock<4>};
  for (size_t g = group_begin; g < group_end; ++g) {
    for (size_t m = row_begin; m < row_end; m += 4) {
      kBlocks[std::min<size_t>(4, row_end - m) - 1](a, a_stride, m, packed_w, steps, g, output);
    }
  }
}

}  // namespace
}  // namespace sk::kernels::avx2
