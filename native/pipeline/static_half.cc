#include "pipeline/static_half.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace sk::pipeline {

float RoundToHalf(float value) {
  const float magnitude = std::fabs(value);
  if (std::isnan(value)) return value;
  // 65520 is halfway between float16's largest value (65504) and the next power: ties to even go up.
  if (magnitude >= 65520.0f) return std::copysign(std::numeric_limits<float>::infinity(), value);
  if (magnitude < 6.103515625e-05f) {
    // Below float16's smallest normal (2^-14) its step is 2^-24; nearbyint rounds ties to even.
    return std::nearbyint(value * 16777216.0f) / 16777216.0f;
  }
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  // Keep 10 of float32's 23 mantissa bits, ties to even.
  bits += 0x0FFFu + ((bits >> 13) & 1u);
  bits &= ~0x1FFFu;
  float rounded;
  std::memcpy(&rounded, &bits, sizeof(rounded));
  return rounded;
}

void HalfMean(const float* table, size_t dim, const int64_t* ids, size_t count, float* out) {
  std::memset(out, 0, dim * sizeof(float));
  for (size_t t = 0; t < count; ++t) {
    const float* row = table + static_cast<size_t>(ids[t]) * dim;
    for (size_t d = 0; d < dim; ++d) out[d] += row[d];
  }
  if (count == 0) return;
  // The bag's size is a float16 too: past 2048 tokens it is rounded (2641 divides as 2640).
  const float n = RoundToHalf(static_cast<float>(count));
  for (size_t d = 0; d < dim; ++d) out[d] = RoundToHalf(RoundToHalf(out[d]) / n);
}

void HalfNormalize(float* row, size_t width) {
  float squares = 0.0f;
  for (size_t d = 0; d < width; ++d) squares += row[d] * row[d];
  const float norm = RoundToHalf(std::sqrt(squares));
  if (norm == 0.0f) return;
  for (size_t d = 0; d < width; ++d) row[d] = RoundToHalf(row[d] / norm);
}

}  // namespace sk::pipeline
