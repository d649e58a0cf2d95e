// fp32 GEMMs at AMX-BF16 speed for the CPU engine's 'bf16x3' precision: each float is the sum
// of two bf16 numbers (hi = bf16(x), lo = bf16(x - hi): about 16 mantissa bits), and
//   a · w ≈ a_hi · w_hi + a_hi · w_lo + a_lo · w_hi
// with fp32 accumulation (the dropped lo · lo term is about 2^-16 of the product). This is what
// PyTorch's float32_matmul_precision 'high' calls bf16x3. Each 32-value K step of a row is
// stored as [hi | lo] and of the weights as [lo | hi] tiles, so the AMX kernel (the int8 GEMM's
// loop and epilogue, TDPBF16PS for TDPBSSD) makes the three products of a step from four tile
// loads per strip pair. Without AMX-BF16 but with AVX-512 or AVX2, FMAs on hi + lo joined back
// into floats; else a portable loop over the same layout.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/int8_gemm.h"

namespace sk::kernels {

constexpr size_t kBf16StepValues = 32;  // K values per tile step (64 bytes of bf16)

// K steps of 32 values.
inline size_t Bf16x3Steps(size_t k) { return (k + kBf16StepValues - 1) / kBf16StepValues; }
// A's row stride in bf16 values, hi and lo of every step (the values past K are zero).
inline size_t Bf16x3RowStride(size_t k) { return Bf16x3Steps(k) * 2 * kBf16StepValues; }
// Packed weights in bf16 values: two 512-value tiles per group step.
inline size_t Bf16x3PackedValues(size_t n, size_t k) { return GemmGroups(n) * Bf16x3Steps(k) * 1024; }

// The bf16 nearest to x (round to nearest even, denormals to zero, as VCVTNEPS2BF16), and back.
uint16_t ToBf16(float x);
float FromBf16(uint16_t x);

// Packs w[n][k] (PyTorch's [out, in]) split into bf16 halves, as TDPBF16PS reads B: for group g,
// K step s (32 values) and part p (0: lo, 1: hi), packed[(((g * steps + s) * 2 + p) * 16 + r)
// * 32 + c * 2 + j] = part p of w[g * 16 + c][s * 32 + 2 r + j], zero past n and k.
void PackBf16x3Weights(const float* w, size_t n, size_t k, uint16_t* packed);

// One activation row x[k] into Bf16x3RowStride(k) values: per 32-value step [hi | lo].
void SplitRowBf16x3(const float* x, size_t k, uint16_t* row);
// The same one value at a time (the reference; the path without AVX512-BF16).
void SplitRowBf16x3Scalar(const float* x, size_t k, uint16_t* row);

// Rows [row_begin, row_end) and weight groups [group_begin, group_end) of activation(a · wᵀ +
// bias) into output (its row and column scales unused). `a` has a_stride bf16 values per row;
// rows are readable up to row_end rounded up to kGemmRowAlign, row_begin a multiple of it.
// Not reentrant per thread on AMX (tile state); threads may run disjoint blocks.
void Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// The portable loop (fp32 sums of the three exact bf16 products per value pair), the reference
// the AMX kernel is tested against.
void Bf16x3GemmScalar(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                      size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// "amx", "avx512", "avx2" or "portable".
const char* Bf16x3GemmKernel();

}  // namespace sk::kernels
