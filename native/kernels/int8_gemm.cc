#include "kernels/int8_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/aligned_vector.h"
#include "kernels/cpu/int8_amx.h"
#include "kernels/cpu/gemm_kernels.h"
#include "kernels/kernels.h"

namespace sk::kernels {

void PackGemmWeights(const int8_t* w, size_t n, size_t k, int8_t* packed) {
  const size_t steps = GemmSteps(k), groups = GemmGroups(n);
  std::memset(packed, 0, GemmPackedBytes(n, k));
  for (size_t g = 0; g < groups; ++g) {
    for (size_t c = 0; c < kGemmGroupColumns && g * kGemmGroupColumns + c < n; ++c) {
      const int8_t* row = w + (g * kGemmGroupColumns + c) * k;
      for (size_t i = 0; i < k; ++i) {
        const size_t s = i / kGemmStepBytes, r = (i % kGemmStepBytes) / 4, j = i % 4;
        packed[((g * steps + s) * 16 + r) * 64 + c * 4 + j] = row[i];
      }
    }
  }
}

GemmActivation ToGemmActivation(model::Activation activation) {
  switch (activation) {
    case model::Activation::kGeluErf: return GemmActivation::kGeluErf;
    case model::Activation::kGeluTanh: return GemmActivation::kGeluTanh;
    case model::Activation::kRelu: return GemmActivation::kRelu;
  }
  return GemmActivation::kNone;
}

float ApplyGemmActivation(GemmActivation activation, float x) {
  switch (activation) {
    case GemmActivation::kNone: return x;
    case GemmActivation::kGeluErf: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case GemmActivation::kGeluTanh: {
      const float u = 0.7978845608028654f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.0f + std::tanh(u));
    }
    case GemmActivation::kRelu: return x > 0.0f ? x : 0.0f;
  }
  return x;
}

void Int8GemmScalar(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
                    size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  for (size_t m = row_begin; m < row_end; ++m) {
    const int8_t* row = a + m * a_stride;
    for (size_t g = group_begin; g < group_end; ++g) {
      int32_t acc[kGemmGroupColumns] = {};
      for (size_t s = 0; s < steps; ++s) {
        const int8_t* tile = packed_w + (g * steps + s) * 1024;
        for (size_t r = 0; r < 16; ++r) {
          for (size_t c = 0; c < kGemmGroupColumns; ++c) {
            for (size_t j = 0; j < 4; ++j) {
              acc[c] += static_cast<int32_t>(row[s * kGemmStepBytes + r * 4 + j]) * tile[r * 64 + c * 4 + j];
            }
          }
        }
      }
      for (size_t c = 0; c < kGemmGroupColumns; ++c) {
        const size_t n = g * kGemmGroupColumns + c;
        if (n >= output.columns) break;
        float value = static_cast<float>(acc[c]) * output.row_scales[m] * output.column_scales[n];
        if (output.bias != nullptr) value += output.bias[n];
        output.out[(m - output.out_row_begin) * output.out_stride + (n - output.out_column_begin)] = ApplyGemmActivation(output.activation, value);
      }
    }
  }
}

void GemmWeightSums(const int8_t* w, size_t n, size_t k, int32_t* sums) {
  for (size_t c = 0; c < n; ++c) {
    int32_t sum = 0;
    for (size_t i = 0; i < k; ++i) sum += w[c * k + i];
    sums[c] = sum;
  }
}

#if defined(__aarch64__)
const char* Int8GemmKernel() {
  switch (ActiveCpuLevel()) {
    case CpuLevel::kI8mm: return "i8mm";
    case CpuLevel::kDotprod: return "dotprod";
    case CpuLevel::kNeon: return "neon";
    case CpuLevel::kScalar: break;
  }
  return "portable";
}

// The ARM kernels read no weight_sums (signed x signed products) and no scratch.
void Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
              size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  if (row_begin >= row_end || group_begin >= group_end) return;
  switch (ActiveCpuLevel()) {
    case CpuLevel::kI8mm: return I8mmInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
    case CpuLevel::kDotprod: return DotprodInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
    case CpuLevel::kNeon: return NeonInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
    case CpuLevel::kScalar: break;
  }
  Int8GemmScalar(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
}
#else
const char* Int8GemmKernel() {
  if (AmxInt8Enabled()) return "amx";
  switch (ActiveCpuLevel()) {
    case CpuLevel::kAvx512: return "avx512-vnni";
    case CpuLevel::kAvx2:
      switch (ActiveYmmVnni()) {
        case YmmVnni::kAvxVnni: return "avx-vnni";
        case YmmVnni::kAvx512Vl: return "avx512vl-vnni";
        case YmmVnni::kNone: break;
      }
      return "avx2";
    case CpuLevel::kScalar: break;
  }
  return "portable";
}

void Int8Gemm(const int8_t* a, size_t a_stride, size_t row_begin, size_t row_end, const int8_t* packed_w,
              size_t steps, size_t group_begin, size_t group_end, const GemmOutput& output) {
  if (row_begin >= row_end || group_begin >= group_end) return;
  if (AmxInt8Enabled()) {
    AmxInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
  } else if (ActiveCpuLevel() == CpuLevel::kAvx512 && output.weight_sums != nullptr) {
    Avx512Int8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
  } else if (ActiveCpuLevel() == CpuLevel::kAvx2) {
    const YmmVnni vnni = output.weight_sums != nullptr ? ActiveYmmVnni() : YmmVnni::kNone;
    if (vnni == YmmVnni::kAvxVnni) {
      AvxVnniInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
    } else if (vnni == YmmVnni::kAvx512Vl) {
      Avx512VlVnniInt8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
    } else {
      // Per thread and reused: the engine calls this for every block of every layer.
      thread_local AlignedVector<int16_t> widened;
      const size_t values = (row_end - row_begin) * steps * kGemmStepBytes;
      if (widened.size() < values) widened.resize(values);
      Avx2Int8Gemm(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output, widened.data());
    }
  } else {
    Int8GemmScalar(a, a_stride, row_begin, row_end, packed_w, steps, group_begin, group_end, output);
  }
}

#endif

}  // namespace sk::kernels
