// int8 GEMMs for the CPU int8 engine: out = (A · Wᵀ) · row_scale · column_scale + bias, then
// an optional activation, with A one int8 row per token (symmetric, one scale per row) and W
// the layer's weights quantized once per output channel. On AMX (TDPBSSD) when the CPU has it,
// else AVX-512 VNNI, VNNI on ymm or AVX2 (int16 pair products) over the same packed layout, else a portable
// loop (also the tests' reference).
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/activation.h"

namespace sk::kernels {

constexpr size_t kGemmGroupColumns = 16;  // output columns per packed weight group
constexpr size_t kGemmStepBytes = 64;     // K values per packed step
constexpr size_t kGemmRowAlign = 32;      // A must have this many readable rows past the last

inline size_t GemmSteps(size_t k) { return (k + kGemmStepBytes - 1) / kGemmStepBytes; }
inline size_t GemmGroups(size_t n) { return (n + kGemmGroupColumns - 1) / kGemmGroupColumns; }
// A's row stride: K rounded up to whole steps (the bytes past K must be zero or W's are).
inline size_t GemmRowStride(size_t k) { return GemmSteps(k) * kGemmStepBytes; }
inline size_t GemmPackedBytes(size_t n, size_t k) { return GemmGroups(n) * GemmSteps(k) * 1024; }

// Packs w[n][k] (PyTorch's [out, in]) into the VNNI tile layout TDPBSSD reads as B:
// packed[((g * steps + s) * 16 + r) * 64 + c * 4 + j] = w[g * 16 + c][s * 64 + r * 4 + j], zero
// past n and k. `packed` has GemmPackedBytes(n, k) bytes.
void PackGemmWeights(const int8_t* w, size_t n, size_t k, int8_t* packed);

enum class GemmActivation { kNone, kGeluErf, kGeluTanh, kRelu };
GemmActivation ToGemmActivation(model::Activation activation);

struct GemmOutput {
  const float* row_scales = nullptr;     // [rows]
  const float* column_scales = nullptr;  // [n]
  const float* bias = nullptr;           // [n], may be null
  GemmActivation activation = GemmActivation::kNone;
  float* out = nullptr;                  // (m, n) at out + (m - out_row_begin) * out_stride + n - out_column_begin
  size_t out_stride = 0;
  size_t out_row_begin = 0;              // a block's own buffer: its first row and column
  size_t out_column_begin = 0;           // (a multiple of 16: whole groups)
  size_t columns = 0;                    // n
  // Σ_k w[n][k] per column (int32, [n]): what the AVX-512 VNNI kernel (unsigned x signed
  // bytes) subtracts 128 times; without it Int8Gemm takes the portable loop where AMX is absent.
  const int32_t* weight_sums = nullptr;
};

// Rows [row_begin, row_end) and weight groups [group_begin, group_end) of the product. `a`
// holds GemmRowStride(k) bytes per row at `a_stride` apart; row_begin is a multiple of
// kGemmRowAlign and rows are readable up to row_end rounded up to it (AMX loads whole 16-row
// strips). Not reentrant per thread on AMX (tile state); threads may run disjoint blocks.
void Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
              size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// The portable loop, whatever the CPU: the reference the AMX kernel is tested against.
void Int8GemmScalar(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output);
// Which kernel Int8Gemm runs here for a GemmOutput with weight_sums: "amx", "avx512-vnni",
// "avx-vnni" (VPDPBUSD on ymm at the avx2 level), "avx512vl-vnni" (the same in its AVX-512 VL
// encoding, SENTENCEKIT_CPU_LEVEL=avx2-vnni on a CPU without AVX-VNNI), "avx2" or "portable"
// (without weight_sums the VNNI kernels fall back: "avx512-vnni" to the portable loop, the ymm
// ones to "avx2", whose kernels multiply signed by signed and need none).
const char* Int8GemmKernel();

// weight_sums for GemmOutput: Σ_k w[n][k] of w[n][k] (PyTorch's [out, in]).
void GemmWeightSums(const int8_t* w, size_t n, size_t k, int32_t* sums);

// The activations, as the scalar epilogue applies them (std::erf / std::tanh).
float ApplyGemmActivation(GemmActivation activation, float x);

}  // namespace sk::kernels
