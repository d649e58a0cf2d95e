#include "pipeline/static_half.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace sk::pipeline {
namespace {

uint32_t Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float FromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

// fbgemm's float-to-bfloat16 (what EmbeddingBag's bfloat16 kernel writes): add half a step, cut.
float RoundToBfloat16HalfUp(float value) {
  if (std::isnan(value)) return value;
  return FromBits((Bits(value) + 0x8000u) & 0xFFFF0000u);
}

float Round(float value, HalfFormat format) {
  return format == HalfFormat::kFloat16 ? RoundToHalf(value) : RoundToBfloat16(value);
}

}  // namespace

float RoundToHalf(float value) {
  const float magnitude = std::fabs(value);
  if (std::isnan(value)) return value;
  // 65520 is halfway between float16's largest value (65504) and the next power: ties to even go up.
  if (magnitude >= 65520.0f) return std::copysign(std::numeric_limits<float>::infinity(), value);
  if (magnitude < 6.103515625e-05f) {
    // Below float16's smallest normal (2^-14) its step is 2^-24; nearbyint rounds ties to even.
    return std::nearbyint(value * 16777216.0f) / 16777216.0f;
  }
  // Keep 10 of float32's 23 mantissa bits, ties to even.
  const uint32_t bits = Bits(value);
  return FromBits((bits + 0x0FFFu + ((bits >> 13) & 1u)) & ~0x1FFFu);
}

float RoundToBfloat16(float value) {
  if (std::isnan(value)) return value;
  // bfloat16 is float32's top half: keep 7 mantissa bits, ties to even (a carry into the
  // exponent, up to infinity, is the right rounding too).
  const uint32_t bits = Bits(value);
  return FromBits((bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u);
}

void HalfMean(const float* table, size_t dim, const int64_t* ids, size_t count, HalfFormat format, float* out) {
  std::memset(out, 0, dim * sizeof(float));
  for (size_t t = 0; t < count; ++t) {
    const float* row = table + static_cast<size_t>(ids[t]) * dim;
    for (size_t d = 0; d < dim; ++d) out[d] += row[d];
  }
  if (count == 0) return;
  // The bag's size is of the table's format too: float16 rounds it past 2048 (2641 divides as
  // 2640), bfloat16 past 256.
  const float n = Round(static_cast<float>(count), format);
  for (size_t d = 0; d < dim; ++d) {
    const float sum = format == HalfFormat::kFloat16 ? RoundToHalf(out[d]) : RoundToBfloat16HalfUp(out[d]);
    out[d] = Round(sum / n, format);
  }
}

void HalfNormalize(float* row, size_t width, HalfFormat format) {
  float squares = 0.0f;
  for (size_t d = 0; d < width; ++d) squares += row[d] * row[d];
  const float norm = Round(std::sqrt(squares), format);
  if (norm == 0.0f) return;
  for (size_t d = 0; d < width; ++d) row[d] = Round(row[d] / norm, format);
}

}  // namespace sk::pipeline
