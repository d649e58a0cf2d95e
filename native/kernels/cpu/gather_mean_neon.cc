// NEON gather-and-mean (every aarch64 CPU): a block of 32 output floats stays in eight registers
// while every token's row is added into it, so the sum is read from the table once and written
// once. Additions only (no FMA), in token order per lane, from zero, so the result equals the
// scalar loop's bit for bit.
// aarch64 only: CMakeLists.txt leaves it out of other builds, and the guard keeps any build
// that globs it anyway harmless.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "kernels/gather_mean.h"

namespace sk::kernels {
namespace {

constexpr size_t kBlock = 32;

inline const float* Row(const float* table, size_t dim, const int64_t* ids, size_t t) {
  return table + static_cast<size_t>(ids[t]) * dim;
}

}  // namespace

void GatherMeanNeon(const float* table, size_t dim, const int64_t* ids, size_t count, float* out) {
  const float n = static_cast<float>(count == 0 ? 1 : count);
  const float32x4_t divisor = vdupq_n_f32(n);
  size_t d = 0;
  for (; d + kBlock <= dim; d += kBlock) {
    float32x4_t acc[8];
    for (size_t v = 0; v < 8; ++v) acc[v] = vdupq_n_f32(0.0f);
    for (size_t t = 0; t < count; ++t) {
      const float* row = Row(table, dim, ids, t) + d;
      for (size_t v = 0; v < 8; ++v) acc[v] = vaddq_f32(acc[v], vld1q_f32(row + 4 * v));
    }
    for (size_t v = 0; v < 8; ++v) vst1q_f32(out + d + 4 * v, vdivq_f32(acc[v], divisor));
  }
  for (; d + 4 <= dim; d += 4) {
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t t = 0; t < count; ++t) acc = vaddq_f32(acc, vld1q_f32(Row(table, dim, ids, t) + d));
    vst1q_f32(out + d, vdivq_f32(acc, divisor));
  }
  for (; d < dim; ++d) {
    float sum = 0.0f;
    for (size_t t = 0; t < count; ++t) sum += Row(table, dim, ids, t)[d];
    out[d] = sum / n;
  }
}

}  // namespace sk::kernels

#endif  // defined(__aarch64__)
