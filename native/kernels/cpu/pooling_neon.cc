// NEON pooling and normalization (every aarch64 CPU): 4 floats per step, a scalar loop for the
// tail. Mean and max pooling take each element in the scalar reference's order, so they match it
// bit for bit; only the L2 norm's sum is reassociated.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/kernel_table.h"

namespace sk::kernels {
namespace {

void MeanPoolNeon(const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden, float* out) {
  const size_t vector_end = hidden & ~size_t{3};
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    std::memset(row, 0, hidden * sizeof(float));
    float count = 0.0f;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      count += 1.0f;
      const float* token = tokens + (b * seq + s) * hidden;
      size_t h = 0;
      for (; h < vector_end; h += 4) vst1q_f32(row + h, vaddq_f32(vld1q_f32(row + h), vld1q_f32(token + h)));
      for (; h < hidden; ++h) row[h] += token[h];
    }
    const float divisor = count < 1e-9f ? 1e-9f : count;
    const float32x4_t divisor_v = vdupq_n_f32(divisor);
    size_t h = 0;
    for (; h < vector_end; h += 4) vst1q_f32(row + h, vdivq_f32(vld1q_f32(row + h), divisor_v));
    for (; h < hidden; ++h) row[h] /= divisor;
  }
}

void MaxPoolNeon(const float* tokens, const int64_t* mask, size_t batch, size_t seq, size_t hidden, float* out) {
  const float lowest = -std::numeric_limits<float>::infinity();
  const size_t vector_end = hidden & ~size_t{3};
  for (size_t b = 0; b < batch; ++b) {
    float* row = out + b * hidden;
    for (size_t h = 0; h < hidden; ++h) row[h] = lowest;
    for (size_t s = 0; s < seq; ++s) {
      if (mask[b * seq + s] == 0) continue;
      const float* token = tokens + (b * seq + s) * hidden;
      size_t h = 0;
      // The reference's rule, not FMAX's: a token wins when greater or NaN (torch.max
      // propagates NaN), so a tie keeps the earlier value (FMAX would prefer +0 to -0).
      for (; h < vector_end; h += 4) {
        const float32x4_t t = vld1q_f32(token + h), best = vld1q_f32(row + h);
        const uint32x4_t wins = vorrq_u32(vcgtq_f32(t, best), vmvnq_u32(vceqq_f32(t, t)));
        vst1q_f32(row + h, vbslq_f32(wins, t, best));
      }
      for (; h < hidden; ++h) {
        if (std::isnan(token[h]) || token[h] > row[h]) row[h] = token[h];
      }
    }
  }
}

void L2NormalizeRowsNeon(float* data, size_t rows, size_t dim) {
  const size_t vector_end = dim & ~size_t{3};
  for (size_t r = 0; r < rows; ++r) {
    float* row = data + r * dim;
    float32x4_t acc = vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i < vector_end; i += 4) {
      const float32x4_t v = vld1q_f32(row + i);
      acc = vfmaq_f32(acc, v, v);
    }
    float sum = vaddvq_f32(acc);
    for (; i < dim; ++i) sum += row[i] * row[i];
    const float norm = std::sqrt(sum);
    const float divisor = norm > 1e-12f ? norm : 1e-12f;
    const float32x4_t divisor_v = vdupq_n_f32(divisor);
    for (i = 0; i < vector_end; i += 4) vst1q_f32(row + i, vdivq_f32(vld1q_f32(row + i), divisor_v));
    for (; i < dim; ++i) row[i] /= divisor;
  }
}

}  // namespace

const KernelTable& NeonKernels() {
  static const KernelTable table{MeanPoolNeon, MaxPoolNeon, L2NormalizeRowsNeon};
  return table;
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
