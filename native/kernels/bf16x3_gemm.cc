#include "kernels/bf16x3_gemm.h"

#include "core/aligned_vector.h"
#include <cstring>

#include "kernels/cpu/bf16x3_split.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/kernels.h"
#include "kernels/cpu/gemm_kernels.h"

namespace sk::kernels {

uint16_t ToBf16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  if ((bits & 0x7F800000u) == 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | ((bits & 0xFFFF) ? 0x40 : 0));
  // VCVTNEPS2BF16 treats denormal inputs as zero: so does this, and the two splitters agree.
  if ((bits & 0x7F800000u) == 0) return static_cast<uint16_t>((bits >> 16) & 0x8000);
  bits += 0x7FFF + ((bits >> 16) & 1);  // round to nearest, ties to even
  return static_cast<uint16_t>(bits >> 16);
}

float FromBf16(uint16_t x) {
  const uint32_t bits = static_cast<uint32_t>(x) << 16;
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

namespace {
// The two halves of x: hi, and lo = what hi leaves.
inline void Split(float x, uint16_t* hi, uint16_t* lo) {
  *hi = ToBf16(x);
  *lo = ToBf16(x - FromBf16(*hi));
}
}  // namespace

void PackBf16x3Weights(const float* w, size_t n, size_t k, uint16_t* packed) {
  const size_t steps = Bf16x3Steps(k), groups = GemmGroups(n);
  std::memset(packed, 0, Bf16x3PackedValues(n, k) * 2);
  for (size_t g = 0; g < groups; ++g) {
    for (size_t c = 0; c < kGemmGroupColumns && g * kGemmGroupColumns + c < n; ++c) {
      const float* row = w + (g * kGemmGroupColumns + c) * k;
      for (size_t i = 0; i < k; ++i) {
        const size_t s = i / kBf16StepValues, r = (i % kBf16StepValues) / 2, j = i % 2;
        uint16_t hi, lo;
        Split(row[i], &hi, &lo);
        packed[(((g * steps + s) * 2 + 0) * 16 + r) * 32 + c * 2 + j] = lo;
        packed[(((g * steps + s) * 2 + 1) * 16 + r) * 32 + c * 2 + j] = hi;
      }
    }
  }
}

void SplitRowBf16x3(const float* x, size_t k, uint16_t* row) {
#if !defined(__aarch64__)
  if (AmxBf16Enabled()) return AmxSplitRowBf16x3(x, k, row);
  if (ActiveCpuLevel() == CpuLevel::kAvx512) return Avx512SplitRowBf16x3(x, k, row);
  if (ActiveCpuLevel() == CpuLevel::kAvx2) return Avx2SplitRowBf16x3(x, k, row);
#endif
  SplitRowBf16x3Scalar(x, k, row);
}

void SplitRowBf16x3Scalar(const float* x, size_t k, uint16_t* row) {
  std::memset(row, 0, Bf16x3RowStride(k) * 2);
  for (size_t i = 0; i < k; ++i) {
    const size_t s = i / kBf16StepValues, at = i % kBf16StepValues;
    uint16_t hi, lo;
    Split(x[i], &hi, &lo);
    row[(2 * s) * kBf16StepValues + at] = hi;
    row[(2 * s + 1) * kBf16StepValues + at] = lo;
  }
}

void Bf16x3GemmScalar(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                      size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  for (size_t m = row_begin; m < row_end; ++m) {
    const uint16_t* row = a + m * a_stride;
    for (size_t g = group_begin; g < group_end; ++g) {
      float acc[kGemmGroupColumns] = {};
      for (size_t s = 0; s < steps; ++s) {
        const uint16_t* a_hi = row + 2 * s * kBf16StepValues;
        const uint16_t* a_lo = a_hi + kBf16StepValues;
        const uint16_t* w_lo = packed_w + (g * steps + s) * 1024;
        const uint16_t* w_hi = w_lo + 512;
        for (size_t r = 0; r < 16; ++r) {
          for (size_t c = 0; c < kGemmGroupColumns; ++c) {
            for (size_t j = 0; j < 2; ++j) {
              const float hi = FromBf16(a_hi[r * 2 + j]), lo = FromBf16(a_lo[r * 2 + j]);
              const float weight_hi = FromBf16(w_hi[r * 32 + c * 2 + j]), weight_lo = FromBf16(w_lo[r * 32 + c * 2 + j]);
              acc[c] += hi * weight_lo + hi * weight_hi + lo * weight_hi;
            }
          }
        }
      }
      for (size_t c = 0; c < kGemmGroupColumns; ++c) {
        const size_t n = g * kGemmGroupColumns + c;
        if (n >= output.columns) break;
        const float value = acc[c] + (output.bias != nullptr ? output.bias[n] : 0.0f);
        output.out[(m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin)] = ApplyGemmActivation(output.activation, value);
      }
    }
  }
}

#if defined(__aarch64__)
const char* Bf16x3GemmKernel() { return ActiveCpuLevel() != CpuLevel::kScalar ? "neon" : "portable"; }

void Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  if (row_begin >= row_end || group_begin >= group_end) return;
  if (ActiveCpuLevel() == CpuLevel::kScalar) {
    return Bf16x3GemmScalar(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
  }
  // Per thread and reused: the engine calls this for every block of every layer.
  thread_local AlignedVector<float> joined_rows, joined_weights;
  const size_t k_padded = steps * kBf16StepValues;
  if (joined_rows.size() < (row_end - row_begin) * k_padded) joined_rows.resize((row_end - row_begin) * k_padded);
  if (joined_weights.size() < k_padded * 16) joined_weights.resize(k_padded * 16);
  NeonBf16x3Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output, joined_rows.data(),
                 joined_weights.data());
}
#else
const char* Bf16x3GemmKernel() {
  if (AmxBf16Enabled()) return "amx";
  switch (ActiveCpuLevel()) {
    case CpuLevel::kAvx512: return "avx512";
    case CpuLevel::kAvx2: return "avx2";
    case CpuLevel::kScalar: break;
  }
  return "portable";
}

void Bf16x3Gemm(const uint16_t* a, size_t a_stride, size_t row_begin, size_t row_end, const uint16_t* packed_w,
                size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  if (row_begin >= row_end || group_begin >= group_end) return;
  if (AmxBf16Enabled()) {
    AmxBf16x3Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
  } else if (ActiveCpuLevel() != CpuLevel::kScalar) {
    // Per thread and reused: the engine calls this for every block of every layer.
    thread_local AlignedVector<float> joined_rows, joined_weights;
    const size_t k_padded = steps * kBf16StepValues;
    if (joined_rows.size() < (row_end - row_begin) * k_padded) joined_rows.resize((row_end - row_begin) * k_padded);
    if (joined_weights.size() < k_padded * 32) joined_weights.resize(k_padded * 32);
    if (ActiveCpuLevel() == CpuLevel::kAvx512) {
      Avx512Bf16x3Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output, joined_rows.data(),
                       joined_weights.data());
    } else {
      Avx2Bf16x3Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output, joined_rows.data(),
                     joined_weights.data());
    }
  } else {
    Bf16x3GemmScalar(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
  }
}

#endif

}  // namespace sk::kernels
